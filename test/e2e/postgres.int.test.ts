/**
 * The connector on a PostgreSQL store (store.driver "postgres"), in-process against the AMI
 * simulator and the Bitrix24 emulator: calls are registered and finished exactly once, including
 * a call that ends while the connector is stopped (finished after the restart, from the calls and
 * outbox rows PostgreSQL kept), and the admin panel's queries answer from PostgreSQL.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { pgAvailable, sharedPgCluster, stopSharedPgCluster } from '../store/pg-cluster.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

const skip = pgAvailable() ? false : 'no PostgreSQL here (apt install postgresql, or set ASTERISK_B24_TEST_PG_URL)';
let rig: Rig;
let url: string;

before(async () => {
  if (skip) return;
  rig = await startRig(undefined, 1);
  url = await (await sharedPgCluster()).createDatabase();
});
after(async () => {
  await rig?.close();
  if (!skip) await stopSharedPgCluster();
});

const callsOf = (number: string) => {
  const ins = inspect(rig.emu);
  const regs = ins.registrations.filter((r) => r.params['PHONE_NUMBER'] === number && !r.reused);
  return { regs, finishes: ins.finishes.filter((f) => regs.some((r) => r.callId === f.callId)) };
};

test('calls are registered and finished once each on PostgreSQL, also across a restart', { skip }, async () => {
  const config = rig.config({ store: { driver: 'postgres', url } });
  let conn = await startConnector(config, silentLogger);
  try {
    assert.equal(conn.store.driver, 'postgres');
    await waitFor('AMI login', () => conn.ami.ready);

    // 1. A call while the connector runs.
    const first = rig.sim.startCall({ type: 'inbound', from: '+4930555001', did: '5551000', to: '101', outcome: 'answered', ringMs: 300, talkMs: 600 });
    await first.done;
    await waitFor('the first finish', () => callsOf('+4930555001').finishes.length === 1 || undefined);

    // 2. A call that ends while the connector is stopped.
    const second = rig.sim.startCall({ type: 'inbound', from: '+4930555002', did: '5551000', to: '102', outcome: 'answered', ringMs: 300, talkMs: 1500 });
    await waitFor('the second registration', () => callsOf('+4930555002').regs[0]);
    await conn.idle();
    await conn.close();
    await second.done;
    assert.equal(callsOf('+4930555002').finishes.length, 0);

    conn = await startConnector(config, silentLogger);
    await waitFor('the finish after restart', () => callsOf('+4930555002').finishes.length === 1 || undefined);
    await waitFor('AMI login', () => conn.ami.ready);

    // 3. A call after the restart.
    const third = rig.sim.startCall({ type: 'inbound', from: '+4930555003', did: '5551000', to: '103', outcome: 'answered', ringMs: 300, talkMs: 600 });
    await third.done;
    await waitFor('the third finish', () => callsOf('+4930555003').finishes.length === 1 || undefined);
    await conn.idle();
    await conn.sender.drain();

    for (const n of ['+4930555001', '+4930555002', '+4930555003']) {
      const { regs, finishes } = callsOf(n);
      assert.equal(regs.length, 1, `${n} registered once`);
      assert.equal(finishes.length, 1, `${n} finished once`);
      assert.equal(finishes[0]!.callId, regs[0]!.callId);
      // The call that ended unseen is finished from its stored summary (no CDR here): its status is a guess.
      if (n !== '+4930555002') assert.equal(finishes[0]!.params['STATUS_CODE'], '200', n);
    }
    const stats = await conn.store.stats(Date.now());
    assert.equal(stats.depth, 0);
    assert.equal(stats.dead, 0);

    // The panel reads the same rows from PostgreSQL.
    const history = await conn.panel.history({ number: '4930555002', limit: 10, offset: 0 });
    assert.equal(history.total, 1);
    const health = await conn.panel.health();
    assert.equal(health.store.open, true);
    assert.equal(health.outbox.depth, 0);
  } finally {
    await conn.close();
  }
});
