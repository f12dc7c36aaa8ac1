import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../index.js';
import type { Emulator } from '../index.js';
import { createManualClock } from '../http/clock.js';
import { docExampleSeed } from '../portal/seeds.js';
import { T0, getJson, postJson } from './helpers.js';

describe('end to end with the real portal: register → finish → two-step upload; inspector; reset', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ portal: docExampleSeed(), clock: createManualClock(T0), idSeed: 'e2e' });
  });
  after(() => emu.close());

  const oauth = (method: string, params: Record<string, unknown> = {}) =>
    postJson(`${emu.app.client_endpoint}${method}`, { auth: emu.app.access_token, ...params });

  let callId = '';
  test('register over a webhook → 403 WRONG_AUTH_TYPE; over OAuth → CALL_ID', async () => {
    const params = { USER_ID: 1269, PHONE_NUMBER: '79062195047', TYPE: 2, SHOW: 1, EXTERNAL_CALL_ID: 'asterisk-1710140185.18441' };
    const hook = await postJson(`${emu.webhook}telephony.externalcall.register`, params);
    assert.deepEqual(hook.body, { error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' });
    const r = await oauth('telephony.externalCall.register', params);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    callId = String((r.body['result'] as { CALL_ID: string }).CALL_ID);
    assert.match(callId, /^externalCall\.[0-9a-f]{32}\.\d{10}$/);
  });

  test('finish, then attachRecord with FILENAME only → uploadUrl on this emulator → multipart upload → FILE_ID', async () => {
    const fin = await oauth('telephony.externalCall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 95, STATUS_CODE: '200' });
    assert.equal(fin.status, 200, JSON.stringify(fin.body));
    const att = await postJson(`${emu.webhook}telephony.externalCall.attachRecord`, { CALL_ID: callId, FILENAME: 'call-001.mp3' });
    assert.equal(att.status, 200, JSON.stringify(att.body));
    const { uploadUrl, fieldName } = att.body['result'] as { uploadUrl: string; fieldName: string };
    assert.equal(fieldName, 'file');
    assert.ok(uploadUrl.startsWith(`${emu.url}/rest/upload.json?`), uploadUrl);
    const form = new FormData();
    form.append(fieldName, new Blob([new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0])]), 'call-001.mp3');
    const up = await fetch(uploadUrl, { method: 'POST', body: form });
    const body = (await up.json()) as { result: { FILE_ID: number } };
    assert.equal(up.status, 200, JSON.stringify(body));
    assert.equal(typeof body.result.FILE_ID, 'number');
    const again = await fetch(uploadUrl, { method: 'POST', body: form });
    assert.equal(again.status, 400, 'an upload token works once');
    await again.text();
    const state = await getJson(`${emu.url}/_emu/state`);
    const records = state.body['records'] as Array<{ fileId: number; size: number; via: string; name: string }>;
    assert.deepEqual(records.map((r) => [r.fileId, r.size, r.via, r.name]), [[body.result.FILE_ID, 6, 'upload', 'call-001.mp3']]);
  });

  test('request log over the control API: methods, statuses, masked secrets', async () => {
    const log = await getJson(`${emu.url}/_emu/requests?method=telephony.externalCall.register`);
    const entries = log.body['requests'] as Array<{ status: number; authType: string; path: string; params: Record<string, unknown> }>;
    assert.deepEqual(entries.map((e) => [e.status, e.authType]), [[403, 'webhook'], [200, 'oauth']]);
    assert.equal(entries[1]?.params['PHONE_NUMBER'], '79062195047');
    assert.equal(JSON.stringify(log.body).includes(emu.app.access_token), false);
    const limits = await getJson(`${emu.url}/_emu/limits`);
    assert.deepEqual((limits.body['bucket'] as { capacity: number }).capacity, 50);
  });

  test('clock advance through the control API expires tokens; reset restores the seed state', async () => {
    const adv = await postJson(`${emu.url}/_emu/clock`, { advanceSec: 3600 });
    assert.equal(adv.body['now'], T0 + 3600_000);
    assert.equal((await oauth('user.current')).body['error'], 'expired_token');
    const reset = await postJson(`${emu.url}/_emu/reset`);
    assert.deepEqual(reset.body, { ok: true });
    const state = await getJson(`${emu.url}/_emu/state`);
    assert.deepEqual(state.body['calls'], []);
    assert.deepEqual((await getJson(`${emu.url}/_emu/requests`)).body['requests'], []);
  });

  test('control API errors: missing fields, unknown routes, unknown user for click-to-call', async () => {
    const bad = await postJson(`${emu.url}/_emu/click-to-call`, { phone: '1' });
    assert.deepEqual([bad.status, bad.body['error']], [400, 'EMU_BAD_REQUEST']);
    const nf = await getJson(`${emu.url}/_emu/nothing`);
    assert.deepEqual([nf.status, nf.body['error']], [404, 'EMU_NOT_FOUND']);
    const nouser = await postJson(`${emu.url}/_emu/click-to-call`, { userId: 424242, phone: '+494951234567' });
    assert.deepEqual([nouser.status, nouser.body['error']], [400, 'EMU_PORTAL_USER_NOT_FOUND']);
  });
});

describe('enforceAppOnly: false (reference §11.1 switch)', () => {
  test('a webhook may register when app-only enforcement is off', async () => {
    const emu = await startEmulator({ portal: docExampleSeed(), enforceAppOnly: false });
    try {
      const r = await postJson(`${emu.webhook}telephony.externalCall.register`, { USER_ID: 1269, PHONE_NUMBER: '79062195047', TYPE: 2 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    } finally {
      await emu.close();
    }
  });
});
