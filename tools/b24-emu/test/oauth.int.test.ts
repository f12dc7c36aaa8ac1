import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../index.js';
import { T0, getJson, postForm, postJson, startStub } from './helpers.js';

describe('OAuth tokens: expiry and the refresh_token grant (reference §2.2)', () => {
  let emu: Emulator;
  before(async () => {
    ({ emu } = await startStub({ tokenLifetimeSec: 3600 }));
  });
  after(() => emu.close());

  const call = (token: string) => postJson(`${emu.app.client_endpoint}user.current`, { auth: token });
  const refresh = (refreshToken: string, secret = emu.app.client_secret) =>
    getJson(
      `${emu.url}/oauth/token/?grant_type=refresh_token&client_id=${emu.app.client_id}` +
        `&client_secret=${secret}&refresh_token=${refreshToken}`,
    );

  test('token works until its lifetime ends, then 401 expired_token', async () => {
    assert.equal((await call(emu.app.access_token)).status, 200);
    emu.clock.advance(3599_000);
    assert.equal((await call(emu.app.access_token)).status, 200);
    emu.clock.advance(1000);
    const r = await call(emu.app.access_token);
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error: 'expired_token', error_description: 'The access token provided has expired' });
  });

  let rotated = '';
  test('refresh grant (GET) → new pair with the documented fields', async () => {
    const r = await refresh(emu.app.refresh_token);
    assert.equal(r.status, 200);
    const b = r.body;
    assert.deepEqual(Object.keys(b).sort(), [
      'access_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token', 'scope',
      'server_endpoint', 'status', 'user_id',
    ]);
    assert.notEqual(b['access_token'], emu.app.access_token);
    assert.notEqual(b['refresh_token'], emu.app.refresh_token);
    assert.equal(b['expires_in'], 3600);
    assert.equal(b['expires'], Math.floor((T0 + 3600_000) / 1000) + 3600);
    assert.equal(b['member_id'], emu.app.member_id);
    assert.equal(b['client_endpoint'], `${emu.url}/rest/`);
    assert.equal(b['user_id'], 1);
    assert.equal(b['status'], 'L');
    assert.equal((await call(String(b['access_token']))).status, 200);
    rotated = String(b['refresh_token']);
  });

  test('the old refresh token is refused after rotation (invalid_grant)', async () => {
    const r = await refresh(emu.app.refresh_token);
    assert.equal(r.status, 400);
    assert.equal(r.body['error'], 'invalid_grant');
  });

  test('refresh as a form POST (what the JS SDK sends) and a bad client secret', async () => {
    const bad = await refresh(rotated, 'wrong');
    assert.deepEqual([bad.status, bad.body['error']], [401, 'invalid_client']);
    const form = new URLSearchParams({
      grant_type: 'refresh_token', client_id: emu.app.client_id, client_secret: emu.app.client_secret, refresh_token: rotated,
    });
    const r = await postForm(`${emu.url}/oauth/token/`, form.toString());
    assert.equal(r.status, 200);
    assert.equal(typeof r.body['access_token'], 'string');
    const missing = await postForm(`${emu.url}/oauth/token/`, 'grant_type=refresh_token');
    assert.deepEqual([missing.status, missing.body['error']], [400, 'invalid_request']);
  });

  test('fault expireTokens expires every token at once', async () => {
    const fresh = await postJson(`${emu.url}/_emu/tokens`, { userId: 1 });
    const token = String(fresh.body['access_token']);
    assert.equal((await call(token)).status, 200);
    emu.faults.set({ expireTokens: true });
    const r = await call(token);
    assert.deepEqual([r.status, r.body['error']], [401, 'expired_token']);
  });

  test('authorize → code (30 s, once) → authorization_code grant', async () => {
    const res = await fetch(`${emu.url}/oauth/authorize/?client_id=${emu.app.client_id}&state=xyz&redirect_uri=${encodeURIComponent('http://app.example/cb')}`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const loc = new URL(res.headers.get('location') ?? '');
    assert.equal(loc.origin + loc.pathname, 'http://app.example/cb');
    assert.equal(loc.searchParams.get('state'), 'xyz');
    assert.equal(loc.searchParams.get('member_id'), emu.app.member_id);
    const code = loc.searchParams.get('code') ?? '';
    const url = (c: string) =>
      `${emu.url}/oauth/token/?grant_type=authorization_code&client_id=${emu.app.client_id}&client_secret=${emu.app.client_secret}&code=${c}`;
    const ok = await getJson(url(code));
    assert.equal(ok.status, 200);
    assert.equal(ok.body['expires'], undefined);
    assert.equal(ok.body['user_id'], undefined);
    assert.equal(ok.body['expires_in'], 3600);
    assert.equal((await getJson(url(code))).body['error'], 'invalid_grant', 'a code works once');
    const late = await getJson(`${emu.url}/oauth/authorize/?client_id=${emu.app.client_id}`);
    emu.clock.advance(30_000);
    assert.equal((await getJson(url(String(late.body['code'])))).body['error'], 'invalid_grant', 'codes live 30 s');
    const badClient = await getJson(`${emu.url}/oauth/authorize/?client_id=nope`);
    assert.deepEqual([badClient.status, badClient.body['error']], [401, 'invalid_client']);
  });
});
