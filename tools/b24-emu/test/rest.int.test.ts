import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../index.js';
import type { StubPortal } from './stub-portal.js';
import { T0, getJson, postForm, postJson, startStub } from './helpers.js';

describe('REST routing, envelopes and auth', () => {
  let emu: Emulator;
  let stub: () => StubPortal;
  before(async () => {
    ({ emu, stub } = await startStub());
  });
  after(() => emu.close());

  test('webhook base URL is user 1 with the secret, ending in /', () => {
    assert.equal(emu.webhook, `${emu.url}/rest/1/hooksecret123456/`);
    assert.equal(emu.app.client_endpoint, `${emu.url}/rest/`);
  });

  test('success envelope with the full time block (webhook, .json suffix)', async () => {
    const r = await postJson(`${emu.webhook}user.current.json`);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['result', 'time']);
    assert.deepEqual(r.body['result'], { ID: '1', ACTIVE: true, NAME: 'John', UF_DEPARTMENT: [1] });
    assert.deepEqual(r.body['time'], {
      start: 1773130778,
      finish: 1773130778.01,
      duration: 0.01,
      processing: 0.01,
      date_start: '2026-03-10T11:19:38+03:00',
      date_finish: '2026-03-10T11:19:38+03:00',
      operating_reset_at: 1773130778 + 600,
      operating: 0.01,
    });
    const ctx = stub().calls.at(-1)?.ctx;
    assert.deepEqual(ctx, { authType: 'webhook', userId: 1, now: T0 });
  });

  test('list envelope keeps total and next between result and time', async () => {
    const r = await postJson(`${emu.webhook}user.get`, { start: 50 });
    assert.deepEqual(Object.keys(r.body), ['result', 'total', 'next', 'time']);
    assert.equal(r.body['total'], 120);
    assert.equal(r.body['next'], 100);
  });

  test('OAuth call with auth in the body, method name in another casing', async () => {
    const r = await postJson(`${emu.app.client_endpoint}Telephony.ExternalCall.Register.json`, {
      auth: emu.app.access_token, USER_ID: 1, PHONE_NUMBER: '79062195047', TYPE: 2,
    });
    assert.equal(r.status, 200);
    const call = stub().calls.at(-1);
    assert.equal(call?.method, 'Telephony.ExternalCall.Register');
    assert.deepEqual(call?.params, { USER_ID: 1, PHONE_NUMBER: '79062195047', TYPE: 2 }, 'auth is not passed on');
    assert.equal(call?.ctx.authType, 'oauth');
    assert.equal(call?.ctx.clientId, emu.app.client_id);
  });

  test('OAuth call with auth in the query string (GET) and form bodies with bracket keys', async () => {
    const g = await getJson(`${emu.url}/rest/echo?auth=${emu.app.access_token}&FILTER[UF_PHONE_INNER]=101&USER_ID[]=5&USER_ID[]=6`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body['result'], { FILTER: { UF_PHONE_INNER: '101' }, USER_ID: ['5', '6'] });
    const f = await postForm(`${emu.webhook}echo`, 'fields%5BTITLE%5D=x&USER_ID%5B0%5D=11&USER_ID%5B1%5D=24');
    assert.deepEqual(f.body['result'], { fields: { TITLE: 'x' }, USER_ID: ['11', '24'] });
  });

  test('app-only method over a webhook → 403 WRONG_AUTH_TYPE, no time block', async () => {
    const r = await postJson(`${emu.webhook}telephony.externalCall.register`, { USER_ID: 1 });
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, { error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' });
  });

  test('method errors keep the portal status and texts', async () => {
    const r = await postJson(`${emu.webhook}fail`);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { error: 'ERROR_CORE', error_description: 'Unknown TYPE' });
    const nf = await postJson(`${emu.webhook}no.such.method`);
    assert.equal(nf.status, 404);
    assert.equal(nf.body['error'], 'ERROR_METHOD_NOT_FOUND');
  });

  test('bad webhook secret, missing auth, unknown token → documented 401s', async () => {
    const bad = await postJson(`${emu.url}/rest/1/wrongsecret/user.current`);
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.body, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    const otherUser = await postJson(`${emu.url}/rest/2/hooksecret123456/user.current`);
    assert.equal(otherUser.status, 401);
    const none = await postJson(`${emu.url}/rest/user.current`);
    assert.deepEqual([none.status, none.body['error']], [401, 'NO_AUTH_FOUND']);
    const unknown = await postJson(`${emu.url}/rest/user.current`, { auth: 'nope' });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.body, { error: 'invalid_token', error_description: 'The access token provided is invalid' });
  });

  test('invalid JSON body → 400 INVALID_REQUEST', async () => {
    const res = await fetch(`${emu.webhook}user.current`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'INVALID_REQUEST');
  });

  test('request log masks secrets', async () => {
    const entries = emu.requests.list({ method: 'echo' });
    assert.equal(entries.length, 2);
    const first = entries[0];
    assert.ok(first && !first.path.includes(emu.app.access_token));
    assert.match(first?.path ?? '', /auth=\*\*\*/);
    const hook = entries[1];
    assert.equal(hook?.path, '/rest/1/***/echo');
    assert.equal(hook?.authType, 'webhook');
    assert.equal(hook?.status, 200);
  });

  test('in-process: hono.request() runs the same routes without a socket', async () => {
    const res = await emu.hono.request('/rest/1/hooksecret123456/user.current', { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { result: { ID: string } }).result.ID, '1');
    const bad = await emu.hono.request('/rest/user.current?auth=nope');
    assert.equal(bad.status, 401);
  });

  test('NO_AUTH_FOUND for unknown tokens when configured so', async () => {
    const { emu: e2 } = await startStub({ unknownTokenError: 'NO_AUTH_FOUND' });
    try {
      const r = await postJson(`${e2.url}/rest/user.current`, { auth: 'nope' });
      assert.deepEqual([r.status, r.body['error']], [401, 'NO_AUTH_FOUND']);
    } finally {
      await e2.close();
    }
  });
});
