/**
 * The connector core in-process against both simulators over real sockets: AMI simulator (TCP) →
 * AmiClient → tracker → flow → SQLite outbox → sender → REST client → Bitrix24 emulator (HTTP).
 * Checked through the emulator's inspector: registrations, who saw which card, finishes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

let rig: Rig;
let conn: Connector;

before(async () => {
  rig = await startRig();
  conn = await startConnector(rig.config(), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

function finishesFor(externalCallId: string) {
  const ins = inspect(rig.emu);
  const call = ins.calls.find((c) => c.externalCallId === externalCallId);
  return { call, finishes: call ? ins.finishes.filter((f) => f.callId === call.callId) : [], cards: call ? ins.cardHistory.filter((h) => h.callId === call.callId) : [] };
}

async function runCall(spec: Record<string, unknown>): Promise<string> {
  const before = new Set(inspect(rig.emu).calls.map((c) => c.callId));
  const handle = rig.sim.startCall(spec);
  assert.equal(await handle.done, 'completed');
  await conn.idle();
  await conn.sender.drain();
  const call = await waitFor('the call in Bitrix24', () => inspect(rig.emu).calls.find((c) => !before.has(c.callId) && c.finishedAt !== null));
  return call.externalCallId!;
}

test('scenario 1: an incoming answered call pops the card for the ringing extension and is finished 200', async () => {
  const ext = await runCall({ type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 4000 });
  const { call, finishes, cards } = finishesFor(ext);
  assert.equal(call?.userId, 1);
  assert.equal(call?.type, 2);
  assert.equal(call?.phoneNumber, '+4930123456');
  assert.deepEqual(cards.map((c) => `${c.action} ${c.userId}`).filter((x) => x.startsWith('show')), ['show 1']);
  assert.equal(finishes.length, 1);
  assert.equal(finishes[0]!.params['STATUS_CODE'], '200');
  assert.equal(finishes[0]!.params['USER_ID'], '1');
});

test('scenario 2: a ringall queue shows the card to both agents and hides it for the one who did not answer', async () => {
  const ext = await runCall({ type: 'queue', from: '+4930999888', did: '5551001', strategy: 'ringall', members: ['101', '102'], answeredBy: '102', outcome: 'answered' });
  const { finishes, cards } = finishesFor(ext);
  const seq = cards.filter((c) => c.source !== 'finish').map((c) => `${c.action} ${c.userId}`);
  assert.deepEqual(seq.filter((s) => s.startsWith('show')).sort(), ['show 1', 'show 2']);
  assert.ok(seq.includes('hide 1'), `user 1 loses the card: ${seq.join(', ')}`);
  assert.equal(finishes[0]!.params['USER_ID'], '2');
});

test('a busy extension: finished 486 for that user', async () => {
  const ext = await runCall({ type: 'inbound', from: '+4930777666', did: '5551000', to: '101', outcome: 'busy' });
  const { finishes } = finishesFor(ext);
  assert.equal(finishes[0]!.params['STATUS_CODE'], '486');
});

test('IVR abandon: registered late and finished as missed for the missed-calls user', async () => {
  const ext = await runCall({ type: 'ivr-abandon', from: '+4930555444', did: '5551003' });
  const { call, finishes, cards } = finishesFor(ext);
  assert.equal(call?.userId, 9);
  assert.equal(finishes[0]!.params['STATUS_CODE'], '304');
  assert.deepEqual(cards.filter((c) => c.action === 'show'), []);
});

test('a rating IVR after the talk (the employee hangs up, the caller presses 4): finished with VOTE 4', async () => {
  const ext = await runCall({ type: 'inbound', from: '+4930765111', did: '5551017', to: '101', outcome: 'answered', ringMs: 1000, talkMs: 2000, rating: '4' });
  const { finishes } = finishesFor(ext);
  assert.equal(finishes.length, 1);
  assert.deepEqual([finishes[0]!.params['STATUS_CODE'], finishes[0]!.params['VOTE']], ['200', '4']);
  const none = await runCall({ type: 'inbound', from: '+4930765112', did: '5551017', to: '101', outcome: 'answered', ringMs: 1000, talkMs: 2000, rating: 'none' });
  assert.equal(finishesFor(none).finishes[0]!.params['VOTE'], undefined);
});

test('/metrics counts the rated calls by rating', async () => {
  assert.match(await conn.metrics.text(), /^asterisk_b24_call_votes_total\{vote="4"\} 1$/m);
});
