/**
 * Click-to-call and callback through the whole connector (issue 5): Bitrix24 raises the event (polled
 * from the offline queue here; the pushed path is tested in test/click-to-call) → Originate on the AMI
 * simulator → the tracker sees the call → finished in Bitrix24. A click-to-call is never registered
 * again (Bitrix24 registered it); a callback is registered by the connector as call type 4.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

let rig: Rig;
let conn: Connector;
interface PortalTriggers {
  clickToCall(i: { userId: number; phone: string }): { callId: string };
  callback(i: { phone: string }): unknown;
}

before(async () => {
  rig = await startRig(undefined, 0.05);
  conn = await startConnector(rig.config({
    bitrix: { ...(rig.rawConfig()['bitrix'] as object), events: { push: false, poll: true, pollIntervalMs: 200 } },
    phone: { defaultCountry: 'DE' },
    clickToCall: { dial: { format: 'prefixed' }, callbackTarget: '102' },
  } as never), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
  await waitFor('offline binding', () => inspect(rig.emu).bindings.length >= 2 || undefined);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test('click-to-call: the employee then the client are rung; the Bitrix24 call is finished, not registered again', async () => {
  const portal = rig.emu.portal as unknown as PortalTriggers;
  const regsBefore = inspect(rig.emu).registrations.length;
  const { callId } = portal.clickToCall({ userId: 1, phone: '+4930123456' });
  const fin = await waitFor('the finish', () => inspect(rig.emu).finishes.find((f) => f.callId === callId), 20_000);
  assert.equal(String(fin.params['USER_ID']), '1');
  assert.equal(String(fin.params['STATUS_CODE']), '200');
  const fresh = inspect(rig.emu).registrations.slice(regsBefore).filter((r) => !r.reused && r.params['EXTERNAL_CALL_ID'] !== undefined);
  assert.deepEqual(fresh, [], 'the connector registered nothing itself');
});

test('callback: the target rings first, then the client; registered as type 4 and finished', async () => {
  const portal = rig.emu.portal as unknown as PortalTriggers;
  portal.callback({ phone: '+4930987654' });
  const reg = await waitFor('the registration', () => inspect(rig.emu).registrations.find((r) => String(r.params['TYPE']) === '4'), 20_000);
  assert.equal(String(reg.params['USER_ID']), '2');
  await waitFor('the finish', () => inspect(rig.emu).finishes.find((f) => f.callId === reg.callId), 20_000);
});
