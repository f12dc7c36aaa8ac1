/**
 * Transfers through the connector (issue 4): a blind transfer is one Bitrix24 call finished for the
 * user who talked longest (default), or, with `calls.transferMode: per-leg`, one registration per
 * leg, each finished for its own user, with EXTERNAL_CALL_IDs unique per physical call and leg.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startConnector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

const rigs: Rig[] = [];
after(async () => {
  for (const r of rigs) await r.close();
});

async function blindTransfer(mode: 'longest-talker' | 'per-leg', from: string) {
  // Scale 0.2: talk times are measured on the connector's clock (lab events carry no time), so the
  // 2 s vs 8 s legs must stay apart by more than a busy CI machine delays events (0.4 s vs 1.6 s).
  const rig = await startRig(undefined, 0.2);
  rigs.push(rig);
  const conn = await startConnector(rig.config({ store: { path: join(rig.dir, `${mode}.sqlite`) }, calls: { transferMode: mode, missedUserId: 9 } }), silentLogger);
  try {
    await waitFor('AMI login', () => conn.ami.ready);
    // 101 answers, talks 2 s, transfers to 102, who talks 8 s.
    await rig.sim.startCall({ type: 'blind-transfer', from, did: '5551006', to: '101', transferTo: '102', talkMs: 2000, afterTransferTalkMs: 8000 }).done;
    await waitFor('every call ended in the connector', async () => {
      await conn.idle();
      return (await conn.store.listOpenCalls()).length === 0 || undefined;
    });
    await conn.sender.drain();
    const ins = inspect(rig.emu);
    const regs = ins.registrations.filter((r) => r.params['PHONE_NUMBER'] === from && !r.reused);
    const fins = regs.map((r) => ins.finishes.filter((f) => f.callId === r.callId));
    return { regs, fins };
  } finally {
    await conn.close();
  }
}

test('longest talker (default): one registration, finished for the user who talked longest', async () => {
  const { regs, fins } = await blindTransfer('longest-talker', '+4930810001');
  assert.equal(regs.length, 1);
  assert.equal(fins[0]!.length, 1);
  assert.equal(String(fins[0]![0]!.params['USER_ID']), '2');
});

test('per leg: one registration per transferred leg, each finished for its own user', async () => {
  const { regs, fins } = await blindTransfer('per-leg', '+4930810002');
  assert.equal(regs.length, 2);
  const ids = regs.map((r) => String(r.params['EXTERNAL_CALL_ID']));
  assert.equal(new Set(ids).size, 2);
  assert.match(ids[1]!, /#2$/);
  assert.deepEqual(regs.map((r) => String(r.params['USER_ID'])), ['1', '2']);
  assert.deepEqual(fins.map((f) => f.length), [1, 1]);
  assert.deepEqual(fins.map((f) => String(f[0]!.params['USER_ID'])), ['1', '2']);
  assert.deepEqual(fins.map((f) => String(f[0]!.params['STATUS_CODE'])), ['200', '200']);
});
