/**
 * Regression: the CoreShowChannels snapshot taken at (re)connect may be answered together with the
 * first events of a call that started meanwhile. Reconciling with that snapshot must not end the new
 * call's channels (it did: the call was then tracked as an abandoned call with no conversation).
 * Reproduced by handing the AMI over from one connector to another right before a call.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startConnector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

let rig: Rig | undefined;
after(async () => {
  await rig?.close();
});

test('a call starting while the snapshot is answered keeps its conversation', async () => {
  rig = await startRig(undefined, 0.05);
  const first = await startConnector(rig.config({ store: { path: join(rig.dir, 'a.sqlite') }, recordings: { enabled: false } }), silentLogger);
  await waitFor('login 1', () => first.ami.ready);
  const second = await startConnector(rig.config({ store: { path: join(rig.dir, 'b.sqlite') }, recordings: { enabled: false } }), silentLogger);
  await first.close();
  try {
    await waitFor('login 2', () => second.ami.ready);
    await rig.sim.startCall({ type: 'inbound', from: '+4930909090', did: '5551004', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 6000, record: true }).done;
    const reg = await waitFor('registration', () => inspect(rig!.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === '+4930909090'));
    assert.equal(String(reg.params['USER_ID']), '1', 'registered for the ringing extension, not as an abandoned call');
    const fin = await waitFor('finish', () => inspect(rig!.emu).finishes.find((f) => f.callId === reg.callId), 10_000);
    assert.equal(String(fin.params['STATUS_CODE']), '200');
  } finally {
    await second.close();
  }
});
