/**
 * Restart recovery, in-process: a call already going on when the connector starts is rebuilt from
 * CoreShowChannels and still registered and finished; a call that ends while the connector is
 * stopped is finished when it comes back, with the CALL_ID it was registered under.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { LAB_PORTAL, startRig, waitFor, inspect, type Rig } from './helpers.js';

let rig: Rig;
before(async () => {
  rig = await startRig(undefined, 1);
});
after(async () => {
  await rig?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a call in progress before the connector starts is registered and finished', async () => {
  const call = rig.sim.startCall({ type: 'inbound', from: '+4930111222', did: '5551000', to: '102', outcome: 'answered', ringMs: 300, talkMs: 2500 });
  await sleep(900); // answered and talking
  const conn = await startConnector(rig.config({ store: { path: `${rig.dir}/a.sqlite` } }), silentLogger);
  try {
    await call.done;
    await waitFor('the finish', () => inspect(rig.emu).calls.find((c) => c.phoneNumber === '+4930111222' && c.finishedAt !== null));
    const ins = inspect(rig.emu);
    const regs = ins.registrations.filter((r) => r.params['PHONE_NUMBER'] === '+4930111222');
    assert.equal(regs.length, 1);
    assert.equal(String(regs[0]!.params['USER_ID']), '2');
    const fin = ins.finishes.filter((f) => f.callId === regs[0]!.callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params['STATUS_CODE'], '200');
  } finally {
    await conn.close();
  }
});

test('a call that ends while the connector is stopped is finished when it comes back', async () => {
  const config = rig.config({ store: { path: `${rig.dir}/b.sqlite` } });
  let conn = await startConnector(config, silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
  const call = rig.sim.startCall({ type: 'inbound', from: '+4930333444', did: '5551000', to: '103', outcome: 'answered', ringMs: 300, talkMs: 1500 });
  await waitFor('the registration', () => inspect(rig.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === '+4930333444'));
  await conn.close();
  await call.done; // the call ends while nobody listens
  assert.equal(inspect(rig.emu).finishes.filter((f) => f.params['USER_ID'] !== undefined && inspect(rig.emu).calls.find((c) => c.callId === f.callId)?.phoneNumber === '+4930333444').length, 0);
  conn = await startConnector(config, silentLogger);
  try {
    const reg = inspect(rig.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === '+4930333444')!;
    await waitFor('the finish after restart', () => inspect(rig.emu).finishes.find((f) => f.callId === reg.callId));
    assert.equal(inspect(rig.emu).finishes.filter((f) => f.callId === reg.callId).length, 1);
    assert.equal(inspect(rig.emu).registrations.filter((r) => r.params['PHONE_NUMBER'] === '+4930333444' && !r.reused).length, 1);
  } finally {
    await conn.close();
  }
});

test('FMC: a call answered on an employee\'s mobile before the connector starts is still theirs (rebuilt from CoreShowChannels)', async () => {
  const portal = { ...LAB_PORTAL, users: LAB_PORTAL.users!.map((u) => (u['ID'] === 1 ? { ...u, PERSONAL_MOBILE: '+79161234567' } : u)) };
  const own = await startRig(portal, 1);
  try {
    const call = own.sim.startCall({ type: 'ring-with-mobile', from: '+4930999111', did: '5551014', to: '101', mobile: '79161234567', answeredBy: 'mobile', ringMs: 300, talkMs: 3000 });
    await sleep(1000); // the mobile answered, talking
    const conn = await startConnector(own.config({ pbx: { fmc: { enabled: true } } }), silentLogger);
    try {
      await call.done;
      const c = await waitFor('the finish', () => inspect(own.emu).calls.find((x) => x.phoneNumber === '+4930999111' && x.finishedAt !== null));
      const fin = inspect(own.emu).finishes.filter((f) => f.callId === c.callId);
      assert.deepEqual([fin.length, String(fin[0]!.params['USER_ID']), fin[0]!.params['STATUS_CODE']], [1, '1', '200']);
    } finally {
      await conn.close();
    }
  } finally {
    await own.close();
  }
});
