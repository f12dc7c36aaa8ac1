import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../../src/errors.js';
import { OAuthAuth, WebhookAuth } from '../../src/adapters/bitrix/auth.js';
import type { OAuthTokens } from '../../src/adapters/bitrix/auth.js';
import { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { B24Limiter } from '../../src/adapters/bitrix/limiter.js';
import { FakePortal } from './fake-portal.js';
import { captureLogger } from './capture-logger.js';

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConnectorError, `not a ConnectorError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

function oauthClient(portal: FakePortal, persisted: OAuthTokens[], extra: { logger?: ReturnType<typeof captureLogger> } = {}) {
  const auth = new OAuthAuth({
    tokens: { accessToken: portal.accessToken, refreshToken: portal.refreshToken, clientEndpoint: portal.clientEndpoint,
      memberId: 'member-1', applicationToken: 'apptoken-1' },
    clientId: portal.clientId,
    clientSecret: portal.clientSecret,
    tokenUrl: portal.tokenUrl,
    persist: (t) => void persisted.push(t),
    ...(extra.logger ? { logger: extra.logger } : {}),
  });
  const client = new B24RestClient({ auth, ...(extra.logger ? { logger: extra.logger } : {}) });
  return { auth, client };
}

describe('B24RestClient against the fake portal', () => {
  let portal: FakePortal;
  before(async () => {
    portal = await new FakePortal().start();
  });
  after(async () => {
    await portal.close();
  });

  test('webhook: lower-case method, JSON body, envelope', async () => {
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl) });
    const env = await client.callRaw('User.Get', { FILTER: { ACTIVE: true } });
    assert.deepEqual(env.result, [{ ID: '1', NAME: 'Ann', echo: { FILTER: { ACTIVE: true } } }]);
    assert.equal(env.time?.operating, 0.1);
    const last = portal.requests.at(-1)!;
    assert.equal(last.method, 'user.get');
    assert.equal(last.via, 'webhook');
    assert.deepEqual(await client.call('user.current'), { ID: '1', UF_DEPARTMENT: [7] });
  });

  test('webhook with a wrong secret → B24_NO_AUTH, not retryable', async () => {
    const client = new B24RestClient({ auth: new WebhookAuth(`${portal.url}/rest/1/wrong/`) });
    const e = await rejection(client.call('user.get'));
    assert.equal(e.code, 'B24_NO_AUTH');
    assert.equal(e.retryable, false);
  });

  test('OAuth expired_token → exactly one refresh, one retry, rotated tokens persisted', async () => {
    const persisted: OAuthTokens[] = [];
    const { auth, client } = oauthClient(portal, persisted);
    portal.expireAccessToken();
    const before = portal.requests.length;
    const tokenBefore = portal.tokenRequests.length;
    const res = await client.call('user.current');
    assert.deepEqual(res, { ID: '1', UF_DEPARTMENT: [7] });
    assert.equal(portal.tokenRequests.length - tokenBefore, 1);
    assert.equal(portal.tokenRequests.at(-1)!.params.grant_type, 'refresh_token');
    assert.equal(portal.requests.length - before, 1); // the expired request is rejected before recording
    assert.equal(persisted.length, 1);
    assert.equal(persisted[0]!.accessToken, portal.accessToken);
    assert.equal(persisted[0]!.refreshToken, portal.refreshToken);
    assert.equal(persisted[0]!.applicationToken, 'apptoken-1');
    assert.equal(auth.refreshes, 1);
  });

  test('OAuth: concurrent requests share one refresh (single flight)', async () => {
    const persisted: OAuthTokens[] = [];
    const { client } = oauthClient(portal, persisted);
    portal.expireAccessToken();
    portal.tokenDelayMs = 50;
    const tokenBefore = portal.tokenRequests.length;
    try {
      const all = await Promise.all(Array.from({ length: 6 }, () => client.call('user.current')));
      assert.equal(all.length, 6);
    } finally {
      portal.tokenDelayMs = 0;
    }
    assert.equal(portal.tokenRequests.length - tokenBefore, 1);
    assert.equal(persisted.length, 1);
  });

  test('OAuth: still rejected after the refresh → error, no second refresh', async () => {
    const persisted: OAuthTokens[] = [];
    const { client } = oauthClient(portal, persisted);
    portal.expireAccessToken();
    const tokenBefore = portal.tokenRequests.length;
    // the first refreshed token is rejected too
    portal.faults.push({ status: 401, body: { error: 'invalid_token', error_description: 'x' } });
    const e = await rejection(client.call('user.current'));
    assert.equal(e.code, 'B24_TOKEN_INVALID');
    assert.equal(portal.tokenRequests.length - tokenBefore, 1);
  });

  test('OAuth: refresh refused (invalid_grant) → B24_OAUTH_INVALID_GRANT', async () => {
    const auth = new OAuthAuth({
      tokens: { accessToken: 'dead', refreshToken: 'unknown', clientEndpoint: portal.clientEndpoint },
      clientId: portal.clientId, clientSecret: portal.clientSecret, tokenUrl: portal.tokenUrl,
    });
    portal.expired.add('dead');
    const client = new B24RestClient({ auth });
    const e = await rejection(client.call('user.get'));
    assert.equal(e.code, 'B24_OAUTH_INVALID_GRANT');
    assert.equal(e.retryable, false);
  });

  test('OAuth: no client secret → B24_OAUTH_NO_REFRESH', async () => {
    const auth = new OAuthAuth({ tokens: { accessToken: 'dead2', refreshToken: 'r', clientEndpoint: portal.clientEndpoint } });
    portal.expired.add('dead2');
    const e = await rejection(new B24RestClient({ auth }).call('user.get'));
    assert.equal(e.code, 'B24_OAUTH_NO_REFRESH');
  });

  test('refresh by POST form when configured', async () => {
    const persisted: OAuthTokens[] = [];
    const auth = new OAuthAuth({
      tokens: { accessToken: portal.accessToken, refreshToken: portal.refreshToken, clientEndpoint: portal.clientEndpoint },
      clientId: portal.clientId, clientSecret: portal.clientSecret, tokenUrl: portal.tokenUrl,
      refreshHttpMethod: 'POST', persist: (t) => void persisted.push(t),
    });
    portal.expireAccessToken();
    await new B24RestClient({ auth }).call('user.current');
    assert.equal(portal.tokenRequests.at(-1)!.method, 'POST');
    assert.equal(persisted.length, 1);
  });

  test('503 QUERY_LIMIT_EXCEEDED → B24_QUERY_LIMIT retryable, limiter paused', async () => {
    const limiter = new B24Limiter({ queryLimitPauseMs: 5000 });
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl), limiter });
    portal.faults.push({ status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } });
    const e = await rejection(client.call('user.get'));
    assert.equal(e.code, 'B24_QUERY_LIMIT');
    assert.equal(e.retryable, true);
    assert.equal(e.details?.status, 503);
    assert.equal(limiter.stats().queryLimitHits, 1);
    assert.ok(limiter.stats().pausedUntil > Date.now() + 4000);
    assert.ok(limiter.stats().level > 49); // assumed full (draining since)
  });

  test('429 OPERATION_TIME_LIMIT blocks only that method', async () => {
    const limiter = new B24Limiter({ operating: { minBlockMs: 60_000 } });
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl), limiter });
    portal.faults.push({ status: 429, body: { error: 'OPERATION_TIME_LIMIT', error_description: '' } });
    const e = await rejection(client.call('crm.deal.list'));
    assert.equal(e.code, 'B24_OPERATION_TIME_LIMIT');
    assert.deepEqual(Object.keys(limiter.stats().blockedMethods), ['crm.deal.list']);
    const ac = new AbortController();
    const blocked = client.call('crm.deal.list', {}, { signal: ac.signal });
    ac.abort();
    assert.equal((await rejection(blocked)).code, 'B24_ABORTED');
    assert.deepEqual(await client.call('user.current'), { ID: '1', UF_DEPARTMENT: [7] });
  });

  test('5xx without a body, unknown method, non-envelope answers', async () => {
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl) });
    portal.faults.push({ status: 502, raw: '<html>Bad gateway</html>' });
    let e = await rejection(client.call('user.get'));
    assert.equal(e.code, 'B24_SERVER_UNAVAILABLE');
    assert.equal(e.retryable, true);
    e = await rejection(client.call('no.such.method'));
    assert.equal(e.code, 'B24_METHOD_NOT_FOUND');
    portal.faults.push({ status: 200, body: { hello: 1 } });
    e = await rejection(client.call('user.get'));
    assert.equal(e.code, 'B24_BAD_RESPONSE');
    portal.faults.push({ status: 400, body: { error: '', error_description: 'Not found' } });
    e = await rejection(client.call('crm.lead.get'));
    assert.equal(e.code, 'B24_METHOD_ERROR');
    assert.equal((await rejection(client.call('bad/method'))).code, 'B24_BAD_METHOD');
  });

  test('timeout cap and network errors', async () => {
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl), timeoutMs: 100 });
    portal.restDelayMs = 400;
    try {
      const e = await rejection(client.call('user.get'));
      assert.equal(e.code, 'B24_TIMEOUT');
      assert.equal(e.retryable, true);
    } finally {
      portal.restDelayMs = 0;
    }
    const dead = new B24RestClient({ auth: new WebhookAuth('http://127.0.0.1:1/rest/1/deadsecret/') });
    const n = await rejection(dead.call('user.get'));
    assert.equal(n.code, 'B24_NETWORK');
    assert.equal(n.retryable, true);
    assert.ok(!JSON.stringify({ m: n.message, d: n.details, c: String(n.cause) }).includes('deadsecret'));
  });

  test('batch: refs substituted, [] empties, per-key errors', async () => {
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl) });
    const out = await client.batch([
      { key: 'get_user', method: 'user.current', params: {} },
      { key: 'get_department', method: 'Department.Get', params: { ID: { $ref: 'get_user', path: ['UF_DEPARTMENT', '0'] } } },
      { key: 'bad', method: 'no.such', params: { a: [1, 2] } },
    ]);
    assert.deepEqual(out.results, { get_user: { ID: '1', UF_DEPARTMENT: [7] }, get_department: [{ ID: '7', NAME: 'DEMO' }] });
    assert.deepEqual(Object.keys(out.errors), ['bad']);
    assert.equal(out.errors.bad!.code, 'B24_METHOD_NOT_FOUND');
    assert.deepEqual(out.totals, {});
    assert.deepEqual(out.next, {});
    assert.deepEqual(Object.keys(out.times ?? {}), ['get_user', 'get_department', 'bad']);
    const sent = portal.requests.at(-1)!;
    assert.equal(sent.method, 'batch');
    assert.deepEqual(sent.body, { halt: 0, cmd: {
      get_user: 'user.current',
      get_department: 'department.get?ID=$result[get_user][UF_DEPARTMENT][0]',
      bad: 'no.such?a[0]=1&a[1]=2',
    } });
  });

  test('batch: all failed → result [] and errors mapped; > 50 commands refused locally', async () => {
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl) });
    const out = await client.batch([{ key: 'x', method: 'nope.nope', params: {} }]);
    assert.deepEqual(out.results, {});
    assert.equal(out.errors.x!.code, 'B24_METHOD_NOT_FOUND');
    const before = portal.requests.length;
    const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, method: 'user.get', params: {} }));
    const e = await rejection(client.batch(many));
    assert.equal(e.code, 'B24_BATCH_TOO_LARGE');
    assert.equal(portal.requests.length, before);
    const badRef = await rejection(client.batch([{ key: 'a', method: 'user.get', params: { X: { $ref: 'b', path: [] } } },
      { key: 'b', method: 'user.get', params: {} }]));
    assert.equal(badRef.code, 'B24_BATCH_BAD_REF');
  });

  test('oauthServer base URL; unreachable OAuth server → B24_NETWORK without secrets', async () => {
    const persisted: OAuthTokens[] = [];
    const auth = new OAuthAuth({
      tokens: { accessToken: portal.accessToken, refreshToken: portal.refreshToken, clientEndpoint: portal.clientEndpoint },
      clientId: portal.clientId, clientSecret: portal.clientSecret, oauthServer: `${portal.url}/`,
      persist: (t) => void persisted.push(t),
    });
    portal.expireAccessToken();
    await new B24RestClient({ auth }).call('user.current');
    assert.equal(persisted.length, 1);
    const lines: string[] = [];
    const dead = new OAuthAuth({
      tokens: { accessToken: 'deadA', refreshToken: 'deadRefreshTok', clientEndpoint: portal.clientEndpoint },
      clientId: portal.clientId, clientSecret: portal.clientSecret, tokenUrl: 'http://127.0.0.1:1/oauth/token/',
    });
    portal.expired.add('deadA');
    const e = await rejection(new B24RestClient({ auth: dead, logger: captureLogger(lines) }).call('user.get'));
    assert.equal(e.code, 'B24_NETWORK');
    const text = JSON.stringify({ m: e.message, d: e.details, c: String(e.cause), lines });
    assert.ok(!text.includes(portal.clientSecret) && !text.includes('deadRefreshTok') && !text.includes('deadA'));
  });

  test('redaction: no secret in any log line or error', async () => {
    const lines: string[] = [];
    const logger = captureLogger(lines);
    const persisted: OAuthTokens[] = [];
    const { client } = oauthClient(portal, persisted, { logger });
    const oldAccess = portal.accessToken;
    const oldRefresh = portal.refreshToken;
    portal.expireAccessToken();
    await client.call('user.current');
    portal.faults.push({ status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } });
    const e1 = await rejection(client.call('user.get'));
    const hook = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl), logger });
    portal.faults.push({ status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: `at ${portal.webhookUrl}` } });
    const e2 = await rejection(hook.call('user.get'));
    await hook.call('user.get');
    const secrets = [portal.webhookSecret, oldAccess, oldRefresh, portal.accessToken, portal.refreshToken,
      portal.clientSecret, 'apptoken-1'];
    assert.ok(lines.length >= 5, `only ${lines.length} lines`);
    const text = [...lines, ...[e1, e2].map((e) => JSON.stringify({ m: e.message, d: e.details }))].join('\n');
    for (const s of secrets) assert.ok(!text.includes(s), `secret ${s} leaked`);
    assert.ok(lines.some((l) => l.includes('"code":"B24_TOKEN_EXPIRED"')));
    assert.ok(lines.some((l) => l.includes('tokens refreshed')));
  });
});

describe('rate limit: 200 requests against a strict bucket', () => {
  // Time-scaled (50 / 40 per s instead of 50 / 2) so the test takes ~4 s, not 75 s. At 20× the
  // drain rate, 250 ms of arrival jitter (a GC pause, a busy CI core) is worth 10 slots (0.5 at
  // 2/s), hence the headroom of 10.
  let portal: FakePortal;
  before(async () => {
    portal = await new FakePortal({ bucket: { capacity: 50, drainPerSec: 40 } }).start();
  });
  after(async () => {
    await portal.close();
  });

  test('zero 503s with the limiter at the same rate', async () => {
    const limiter = new B24Limiter({ capacity: 50, drainPerSec: 40, headroom: 10 });
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl), limiter });
    const started = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => client.call('user.get', { i })));
    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 0, String((failed[0] as PromiseRejectedResult | undefined)?.reason));
    assert.equal(portal.rejected503, 0);
    assert.equal(portal.requests.length, 200);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 3800, `too fast: ${elapsed} ms`);
    assert.equal(limiter.stats().waits, 160, 'all but the first 40 (capacity − headroom) waited');
  });

  test('without the limiter the same burst is refused', async () => {
    const limiter = new B24Limiter({ capacity: 10_000, drainPerSec: 10_000 });
    const client = new B24RestClient({ auth: new WebhookAuth(portal.webhookUrl), limiter });
    const results = await Promise.allSettled(Array.from({ length: 120 }, () => client.call('user.get')));
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ConnectorError).code] : []));
    assert.ok(codes.length > 0);
    assert.ok(codes.every((c) => c === 'B24_QUERY_LIMIT'));
  });
});
