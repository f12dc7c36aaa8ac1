/**
 * Bitrix24 unreachable when the connector starts: the user directory is empty, so the tracker does
 * not know the employees' inner phones. Once the portal answers, the directory loads and the
 * tracker's extension list follows — an extension outside `pbx.extensionPattern` (six digits here)
 * is then recognised and its employee sees the card, with no restart.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { LAB_PORTAL, startRig, inspect, waitFor, type Rig } from './helpers.js';

let rig: Rig;
let conn: Connector | undefined;
before(async () => {
  rig = await startRig({ ...LAB_PORTAL, users: [...(LAB_PORTAL.users ?? []), { ID: 7, NAME: 'Six', LAST_NAME: 'Digits', UF_PHONE_INNER: '100001', ACTIVE: true }] });
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test('the tracker learns the extensions once the portal answers', async () => {
  rig.emu.faults.set({ down: 'refuse' });
  conn = await startConnector(rig.config(), silentLogger);
  assert.equal(conn.users.stats().users, 0, 'nothing loaded while the portal is down');
  assert.equal(conn.tracker().config.extensions.has('100001'), false);

  rig.emu.faults.clear();
  assert.equal(await conn.users.refresh(), true);
  assert.equal(conn.tracker().config.extensions.has('100001'), true);
  assert.equal(conn.tracker().config.extensions.has('101'), true);

  await waitFor('AMI login', () => conn!.ami.ready);
  const handle = rig.sim.startCall({ type: 'inbound', from: '+4930777401', did: '5551000', to: '100001', outcome: 'answered', ringMs: 300, talkMs: 300 });
  assert.equal(await handle.done, 'completed');
  const call = await waitFor('finished in Bitrix24', async () => {
    await conn!.idle();
    return inspect(rig.emu).calls.find((c) => c.phoneNumber?.endsWith('4930777401') && c.finishedAt !== null);
  }, 15_000);
  assert.equal(call.userId, 7, 'the six-digit extension is the employee\'s');
  assert.ok(inspect(rig.emu).cardHistory.some((h) => h.callId === call.callId && h.userId === 7), 'the card was shown to the employee');
});
