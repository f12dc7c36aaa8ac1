/**
 * "Why did this call go there?" for calls routed over FastAGI: the connector answers the dialplan's
 * AGI request (as Asterisk's res_agi would send it, on the caller's channel) and the decision —
 * the responsible manager and how he was found, or why there was none — opens the call's timeline
 * and the "why" of the admin panel, next to the stages the AMI simulator then plays.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { startRig, waitFor, type Rig } from './helpers.js';

let rig: Rig;
let conn: Connector;

before(async () => {
  rig = await startRig();
  conn = await startConnector(rig.config({ agi: { enabled: true, port: 0, deadlineMs: 3_000 } }), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

/**
 * As the dialplan does it: the caller's channel asks for its route (AGI) before Dial; the simulator
 * then rings the extension the connector named, or the spec's own `to` on NOROUTE.
 */
async function routedCall(from: string, to: string): Promise<{ callKey: string; vars: Readonly<Record<string, string>> }> {
  const r = await rig.sim.startRoutedCall({ type: 'inbound', from, did: '5551000', to, outcome: 'answered', ringMs: 300, talkMs: 300 }, { port: conn.agiPort! });
  assert.equal(await r.handle.done, 'completed');
  await conn.idle();
  return { callKey: r.uniqueid, vars: r.route };
}

test('a known client: routed to the responsible\'s extension, and the call\'s timeline and "why" say so', async () => {
  // The dialplan's default is 101; the client's responsible is Bob, 102: his phone rings.
  const { callKey, vars } = await routedCall('+4930123456', '101');
  assert.equal(vars['B24_ROUTE_STATUS'], 'OK');
  assert.equal(vars['B24_ROUTE_EXTEN'], '102');
  const detail = await waitFor('the call in the panel', async () => {
    const d = await conn.panel.call(callKey);
    return d && d.timeline.some((e) => e.stage.startsWith('call_ended')) ? d : undefined;
  });
  const first = detail.timeline[0]!;
  assert.equal(first.stage, 'route (FastAGI)');
  assert.deepEqual(first.notes, ['FastAGI route OK → 102 (user 2 Bob B): the client\'s responsible, CONTACT 11 "Known Client"']);
  assert.equal(detail.timeline[1]?.stage, 'conversation_requested 102', 'then the phone rang');
  assert.match(detail.explanation.assigned.reason, /^FastAGI route OK → 102 .*; /);
  assert.match(await conn.metrics.text(), /asterisk_b24_agi_routes_total\{status="OK",reason="found"\} 1/);
});

test('an unknown number: NOROUTE, and the timeline says the number is not in the CRM', async () => {
  const { callKey, vars } = await routedCall('+4930999000', '101');
  assert.equal(vars['B24_ROUTE_STATUS'], 'NOROUTE');
  const detail = await waitFor('the call in the panel', async () => {
    const d = await conn.panel.call(callKey);
    return d && d.timeline.some((e) => e.stage.startsWith('call_ended')) ? d : undefined;
  });
  assert.deepEqual(detail.timeline.find((e) => e.stage === 'route (FastAGI)')?.notes, ['FastAGI route NOROUTE: the number is not in the CRM']);
});
