/**
 * Scenario 6, an outage: Bitrix24 is unreachable while 500 calls happen. Nothing is lost: once it
 * is back, every call is registered (SHOW=0, its true CALL_START_DATE) and finished exactly once,
 * and no card pops for a call that is already over.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

const CALLS = 500;
let rig: Rig;
let conn: Connector;

before(async () => {
  rig = await startRig(undefined, 0.01);
  conn = await startConnector(rig.config(), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
  await conn.sender.drain(); // user.get at start
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test(`${CALLS} calls during an outage are registered and finished once Bitrix24 is back`, { timeout: 120_000 }, async () => {
  const downAt = Date.now();
  rig.emu.faults.set({ down: 'refuse' });
  const handles = [];
  for (let i = 0; i < CALLS; i++) {
    const from = `+49301${String(100000 + i)}`;
    const spec = i % 3 === 0
      ? { type: 'inbound', from, did: '5551000', to: '101', outcome: 'noanswer', ringMs: 2000 }
      : { type: 'inbound', from, did: '5551000', to: String(101 + (i % 3)), outcome: 'answered', ringMs: 1000, talkMs: 3000 };
    handles.push(rig.sim.startCall(spec).done);
    if (i % 25 === 24) await new Promise((r) => setTimeout(r, 5));
  }
  const outcomes = await Promise.all(handles);
  assert.ok(outcomes.every((o) => o === 'completed'));
  // The simulator has sent everything; wait until the connector has read it all (under load the
  // AMI stream lags) and every call has ended on its side, so the outage really covers the calls.
  await waitFor('every call ended in the connector', async () => {
    await conn.idle();
    return (await conn.store.listOpenCalls()).length === 0 || undefined;
  }, 60_000);
  const upAt = Date.now();
  const backlog = await conn.store.stats(Date.now());
  assert.ok(backlog.depth >= CALLS * 2, `backlog ${backlog.depth}`);
  assert.equal(inspect(rig.emu).registrations.length, 0);

  // Back when no request is on its way: one sent during the outage but handled after this line
  // would be answered as if the portal had been up when the connector sent it.
  for (;;) {
    if (conn.sender.inFlight === 0) {
      rig.emu.faults.clear();
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await waitFor('the backlog to drain', async () => (await conn.store.stats(Date.now())).depth === 0, 90_000);

  const ins = inspect(rig.emu);
  const fresh = ins.registrations.filter((r) => !r.reused);
  const byExternal = new Map<string, number>();
  for (const r of fresh) byExternal.set(String(r.params['EXTERNAL_CALL_ID']), (byExternal.get(String(r.params['EXTERNAL_CALL_ID'])) ?? 0) + 1);
  assert.equal(byExternal.size, CALLS, 'every call registered');
  assert.ok([...byExternal.values()].every((n) => n === 1), 'none registered twice');
  for (const r of fresh) {
    assert.equal(String(r.params['SHOW']), '0');
    const start = Date.parse(String(r.params['CALL_START_DATE']));
    assert.match(String(r.params['CALL_START_DATE']), /\+03:00$/);
    assert.ok(start >= downAt - 1000 && start <= upAt, `CALL_START_DATE ${String(r.params['CALL_START_DATE'])} is the call's own time`);
  }
  const finishedIds = ins.finishes.map((f) => f.callId);
  assert.equal(finishedIds.length, CALLS, 'every call finished');
  assert.equal(new Set(finishedIds).size, CALLS, 'none finished twice');
  const statuses = ins.finishes.map((f) => String(f.params['STATUS_CODE']));
  assert.equal(statuses.filter((s) => s === '304').length, Math.ceil(CALLS / 3));
  assert.equal(ins.cardHistory.filter((c) => c.action === 'show').length, 0, 'no card popped for a call already over');
  const dead = await conn.store.stats(Date.now());
  assert.equal(dead.dead, 0);
});
