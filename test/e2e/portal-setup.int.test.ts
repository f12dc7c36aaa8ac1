/**
 * At start the connector registers one external line per trunk and binds the click-to-call and
 * callback events to its public URL (idempotently); ONAPPINSTALL stores a new token pair, and an
 * install event from another portal is refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector, TOKENS_KEY, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

let rig: Rig;
let conn: Connector;
const extra = {
  pbx: { trunks: [{ endpoint: 'trunk', line: '5551000', lineName: 'Main line' }, { endpoint: 'trunk2', line: '5552000' }] },
  http: { host: '127.0.0.1', port: 0, publicUrl: 'https://connector.example.com/' },
};

before(async () => {
  rig = await startRig();
  conn = await startConnector(rig.config(extra), silentLogger);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test('external lines and event handlers are set up once', async () => {
  await waitFor('lines', () => inspect(rig.emu).lines.length >= 2 || undefined);
  await waitFor('bindings', () => inspect(rig.emu).bindings.length >= 2 || undefined);
  const ins = inspect(rig.emu);
  assert.deepEqual(ins.lines.map((l) => String(l['NUMBER'])).sort(), ['5551000', '5552000']);
  const handlers = ins.bindings.map((b) => `${String((b as unknown as Record<string, unknown>)['event'])} ${String((b as unknown as Record<string, unknown>)['handler'])}`).sort();
  assert.deepEqual(handlers, [
    'ONEXTERNALCALLBACKSTART https://connector.example.com/bitrix/events',
    'ONEXTERNALCALLSTART https://connector.example.com/bitrix/events',
  ]);
  // A second start changes nothing on the portal.
  await conn.close();
  conn = await startConnector(rig.config(extra), silentLogger);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(inspect(rig.emu).lines.length, 2);
  assert.equal(inspect(rig.emu).bindings.length, 2);
});

test('ONAPPINSTALL stores the new tokens; one from another portal is refused', async () => {
  const post = (fields: Record<string, string>) => fetch(`${conn.httpUrl}/bitrix/install`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
  });
  const base = {
    event: 'ONAPPINSTALL', 'data[VERSION]': '1', 'auth[access_token]': 'new-access', 'auth[refresh_token]': 'new-refresh',
    'auth[expires_in]': '3600', 'auth[client_endpoint]': rig.emu.app.client_endpoint, 'auth[server_endpoint]': `${rig.emu.url}/rest/`,
    'auth[application_token]': 'new-app-token', 'auth[domain]': 'portal.example',
  };
  const forged = await post({ ...base, 'auth[member_id]': 'someone-else' });
  assert.equal(forged.status, 403);
  assert.notEqual((await conn.store.getValue<{ accessToken: string }>(TOKENS_KEY))?.accessToken, 'new-access');
  const ok = await post({ ...base, 'auth[member_id]': rig.emu.app.member_id });
  assert.equal(ok.status, 200);
  const stored = await conn.store.getValue<{ accessToken: string; applicationToken?: string }>(TOKENS_KEY);
  assert.equal(stored?.accessToken, 'new-access');
  assert.equal(stored?.applicationToken, 'new-app-token');
});

test('settings saved from the panel apply over the config file at the next start', async () => {
  const { SETTINGS_KEY } = await import('../../src/adapters/http/connector-panel-port.js');
  await conn.store.setValue(SETTINGS_KEY, { calls: { internal: true, transferMode: 'longest-talker', defaultUserId: 3, recordingWaitMs: 1000 } }, Date.now());
  await conn.close();
  conn = await startConnector(rig.config(extra), silentLogger);
  assert.equal(conn.config.calls.internal, true);
  assert.equal(conn.config.calls.defaultUserId, 3);
  assert.equal(conn.config.pbx.trunks.length, 2, 'sections not saved keep the file values');
});
