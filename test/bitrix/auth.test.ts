import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../../src/errors.js';
import { OAuthAuth, WebhookAuth, tokensFromInstallEvent, tokensFromTokenResponse } from '../../src/adapters/bitrix/auth.js';
import { normalizeMethod } from '../../src/adapters/bitrix/client.js';

describe('WebhookAuth', () => {
  test('builds {base}/{method}.json; http allowed; secret not in label', () => {
    const a = new WebhookAuth('http://pbx.local:8080/rest/12/abcSECRETdef');
    const t = a.target('user.get', { ID: 1 });
    assert.equal(t.url, 'http://pbx.local:8080/rest/12/abcSECRETdef/user.get.json');
    assert.deepEqual(t.body, { ID: 1 });
    assert.equal(a.userId, 12);
    assert.ok(!a.label.includes('abcSECRETdef'));
    assert.equal(new WebhookAuth('https://p.bitrix24.ru/rest/1/x/').target('a.b', {}).url, 'https://p.bitrix24.ru/rest/1/x/a.b.json');
  });

  test('rejects malformed URLs without echoing them', () => {
    for (const u of ['not a url', 'https://p/rest/abc/secretZZ/', 'ftp://p/rest/1/secretZZ/', 'https://p/rest/1/secretZZ/?x=1']) {
      assert.throws(() => new WebhookAuth(u), (e: unknown) => e instanceof ConnectorError && e.code === 'B24_CONFIG'
        && !e.message.includes('secretZZ'));
    }
  });
});

describe('OAuthAuth', () => {
  test('client_endpoint + method.json with auth in the body', () => {
    const a = new OAuthAuth({ tokens: { accessToken: 'AT', refreshToken: 'RT', clientEndpoint: 'https://p.bitrix24.de/rest' } });
    const t = a.target('telephony.externalcall.register', { TYPE: 2 });
    assert.equal(t.url, 'https://p.bitrix24.de/rest/telephony.externalcall.register.json');
    assert.deepEqual(t.body, { TYPE: 2, auth: 'AT' });
    assert.equal(a.label, 'oauth p.bitrix24.de');
  });
});

describe('token mapping', () => {
  test('ONAPPINSTALL auth block (nested or flat form keys) → tokens to persist', () => {
    const nested = {
      access_token: 'A1', refresh_token: 'R1', expires_in: 3600, scope: 'telephony,crm', domain: 'some-domain.bitrix24.com',
      server_endpoint: 'https://oauth.bitrix.info/rest/', status: 'F', client_endpoint: 'https://some-domain.bitrix24.com/rest/',
      member_id: 'a223c6b3710f85df22e9377d6c4f7553', application_token: '51856fefc120afa4b628cc82d3935cce',
    };
    const want = {
      accessToken: 'A1', refreshToken: 'R1', clientEndpoint: 'https://some-domain.bitrix24.com/rest/', expiresAt: 1000 + 3_600_000,
      memberId: 'a223c6b3710f85df22e9377d6c4f7553', domain: 'some-domain.bitrix24.com',
      serverEndpoint: 'https://oauth.bitrix.info/rest/', scope: 'telephony,crm', applicationToken: '51856fefc120afa4b628cc82d3935cce',
    };
    assert.deepEqual(tokensFromInstallEvent(nested, 1000), want);
    const flat = Object.fromEntries(Object.entries(nested).map(([k, v]) => [`auth[${k}]`, String(v)]));
    assert.deepEqual(tokensFromInstallEvent(flat, 1000), want);
    const noEndpoint = { ...nested, client_endpoint: undefined };
    assert.equal(tokensFromInstallEvent(noEndpoint, 0).clientEndpoint, 'https://some-domain.bitrix24.com/rest/');
    assert.throws(() => tokensFromInstallEvent({ domain: 'x' }, 0), { code: 'B24_EVENT_BAD_PAYLOAD' });
  });

  test('refresh response rotates both tokens, keeps the application token', () => {
    const prev = { accessToken: 'old', refreshToken: 'oldR', clientEndpoint: 'https://p/rest/', applicationToken: 'APP', memberId: 'm' };
    const next = tokensFromTokenResponse({ access_token: 'ydtj8', refresh_token: '3s6lr', expires: 1780319382, expires_in: 3600,
      domain: 'oauth.bitrix.info', member_id: 'm', client_endpoint: 'https://p/rest/' }, prev, 0);
    assert.deepEqual(next, { accessToken: 'ydtj8', refreshToken: '3s6lr', clientEndpoint: 'https://p/rest/', applicationToken: 'APP',
      memberId: 'm', expiresAt: 1_780_319_382_000 });
    assert.throws(() => tokensFromTokenResponse({ access_token: 'x' }, prev, 0), { code: 'B24_OAUTH_REFRESH_FAILED' });
  });

  test('method names are normalised', () => {
    assert.equal(normalizeMethod(' Telephony.ExternalCall.Register.json '), 'telephony.externalcall.register');
    assert.throws(() => normalizeMethod('a/../b'), { code: 'B24_BAD_METHOD' });
    assert.throws(() => normalizeMethod(''), { code: 'B24_BAD_METHOD' });
  });
});

describe('createBitrixAdapters', () => {
  test('webhook and oauth modes from the config section', async () => {
    const { createBitrixAdapters } = await import('../../src/adapters/bitrix/from-config.js');
    const base = { limits: { capacity: 250, drainPerSec: 5 }, requestTimeoutMs: 30_000,
      events: { push: true, path: '/bitrix/events', poll: false, pollIntervalMs: 3000, dedupeWindowMs: 600_000 } };
    const hook = createBitrixAdapters({ ...base, auth: 'webhook', webhookUrl: 'https://p.bitrix24.ru/rest/1/sec/' });
    assert.equal(hook.auth.kind, 'webhook');
    assert.equal(hook.limiter.capacity, 250);
    assert.deepEqual(hook.applicationTokens(), []);
    const oauth = createBitrixAdapters({ ...base, auth: 'oauth', oauth: { clientEndpoint: 'https://p.bitrix24.ru/rest/',
      clientId: 'id', clientSecret: 's', accessToken: 'a', refreshToken: 'r', applicationToken: 'APP', memberId: 'm',
      oauthServer: 'https://oauth.bitrix.info' } });
    assert.equal(oauth.auth.kind, 'oauth');
    assert.equal(oauth.oauth?.memberId, 'm');
    assert.deepEqual(oauth.applicationTokens(), ['APP']);
    assert.equal(oauth.auth.target('user.get', {}).url, 'https://p.bitrix24.ru/rest/user.get.json');
  });
});
