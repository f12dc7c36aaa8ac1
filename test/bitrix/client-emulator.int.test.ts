/**
 * The client, the intake and the offline poller against the real emulator (tools/b24-emu):
 * the same checks as client.int.test.ts (fake portal), plus event delivery end to end.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { ConnectorError } from '../../src/errors.js';
import { OAuthAuth, WebhookAuth } from '../../src/adapters/bitrix/auth.js';
import type { OAuthTokens } from '../../src/adapters/bitrix/auth.js';
import { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { EventDeduper } from '../../src/adapters/bitrix/event-dedupe.js';
import { createEventIntake } from '../../src/adapters/bitrix/event-intake.js';
import { MemoryEventQueue } from '../../src/adapters/bitrix/event-queue.js';
import { B24Limiter } from '../../src/adapters/bitrix/limiter.js';
import { OfflineEventPoller } from '../../src/adapters/bitrix/offline-poller.js';
import { startEmulator } from '../../tools/b24-emu/index.js';
import type { Emulator } from '../../tools/b24-emu/index.js';
import { captureLogger } from './capture-logger.js';

const SEED = {
  users: [{ ID: 1, NAME: 'Ann', LAST_NAME: 'Admin', ACTIVE: true, UF_PHONE_INNER: '101', UF_DEPARTMENT: [7] }],
  settings: { departments: [{ ID: 7, NAME: 'DEMO' }] },
};

async function rejection(p: Promise<unknown>): Promise<ConnectorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConnectorError, `not a ConnectorError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('B24RestClient against tools/b24-emu', () => {
  let emu: Emulator;
  const persisted: OAuthTokens[] = [];
  let oauth: OAuthAuth;
  let client: B24RestClient;
  const lines: string[] = [];

  before(async () => {
    emu = await startEmulator({ port: 0, portal: SEED, limits: { capacity: 50, drainPerSec: 40 } });
    const logger = captureLogger(lines);
    oauth = new OAuthAuth({
      tokens: { accessToken: emu.app.access_token, refreshToken: emu.app.refresh_token, clientEndpoint: emu.app.client_endpoint,
        memberId: emu.app.member_id, applicationToken: emu.app.application_token },
      clientId: emu.app.client_id, clientSecret: emu.app.client_secret, tokenUrl: emu.app.token_url,
      persist: (t) => void persisted.push(t), logger,
    });
    client = new B24RestClient({ auth: oauth, logger, limiter: new B24Limiter({ capacity: 50, drainPerSec: 40, headroom: 10 }) });
  });
  after(async () => {
    await emu.close();
  });

  test('webhook call, case-insensitive method', async () => {
    const hook = new B24RestClient({ auth: new WebhookAuth(emu.webhook) });
    const me = await hook.call<Record<string, unknown>>('User.Current');
    assert.equal(String(me.ID), '1');
    assert.equal(me.NAME, 'Ann');
  });

  test('expired_token → exactly one refresh, one retry, rotated pair persisted', async () => {
    const before = emu.requests.list().filter((e) => e.kind === 'oauth').length;
    const oldRefresh = oauth.tokens().refreshToken;
    emu.faults.set({ expireTokens: true });
    const me = await client.call<Record<string, unknown>>('user.current');
    assert.equal(String(me.ID), '1');
    const oauthCalls = emu.requests.list().filter((e) => e.kind === 'oauth');
    assert.equal(oauthCalls.length - before, 1);
    assert.equal(oauthCalls.at(-1)!.status, 200);
    assert.equal(persisted.length, 1);
    assert.notEqual(persisted[0]!.refreshToken, oldRefresh);
    assert.equal(persisted[0]!.accessToken, oauth.tokens().accessToken);
    assert.equal(persisted[0]!.applicationToken, emu.app.application_token);
    // the new pair keeps working without another refresh
    await client.call('user.current');
    assert.equal(emu.requests.list().filter((e) => e.kind === 'oauth').length - before, 1);
  });

  test('503 QUERY_LIMIT_EXCEEDED is classified and pauses the limiter', async () => {
    const limiter = new B24Limiter({ queryLimitPauseMs: 20 });
    const hook = new B24RestClient({ auth: new WebhookAuth(emu.webhook), limiter });
    emu.faults.set({ rateLimit: { count: 1 } });
    const e = await rejection(hook.call('user.get'));
    assert.equal(e.code, 'B24_QUERY_LIMIT');
    assert.equal(e.retryable, true);
    assert.equal(limiter.stats().queryLimitHits, 1);
    emu.faults.clear();
  });

  test('batch with a $result reference, a failing command and [] empties', async () => {
    const hook = new B24RestClient({ auth: new WebhookAuth(emu.webhook) });
    const out = await hook.batch([
      { key: 'get_user', method: 'user.current', params: {} },
      { key: 'get_department', method: 'department.get', params: { ID: { $ref: 'get_user', path: ['UF_DEPARTMENT', '0'] } } },
      { key: 'bad', method: 'crm.lead.get', params: { ID: 999_999 } },
    ]);
    assert.deepEqual(Object.keys(out.results).sort(), ['get_department', 'get_user']);
    const dep = out.results.get_department as Array<Record<string, unknown>>;
    assert.equal(dep.length, 1);
    assert.equal(dep[0]!.NAME, 'DEMO');
    assert.deepEqual(Object.keys(out.errors), ['bad']);
    assert.equal(out.errors.bad!.retryable, false);
    assert.deepEqual(out.next, {});
  });

  test('no secret reached the logs', () => {
    const text = lines.join('\n');
    assert.ok(lines.length > 0);
    for (const s of [emu.app.client_secret, emu.app.access_token, emu.app.refresh_token, oauth.tokens().accessToken,
      oauth.tokens().refreshToken, emu.app.application_token]) {
      assert.ok(!text.includes(s), 'secret leaked into a log line');
    }
  });

  test('click-to-call: pushed and polled copies reach the queue once', async () => {
    const queue = new MemoryEventQueue();
    const dedupe = new EventDeduper(60_000);
    const intake = createEventIntake({ applicationTokens: () => emu.app.application_token, queue, dedupe });
    const server = createServer(getRequestListener(intake.fetch));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const handler = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await client.call('event.bind', { event: 'ONEXTERNALCALLSTART', handler });
      const poller = new OfflineEventPoller({ client, queue, dedupe });
      const bound = await poller.ensureBound();
      assert.ok(bound.includes('ONEXTERNALCALLSTART'));
      assert.deepEqual(await poller.ensureBound(), []);
      emu.portal.clickToCall({ userId: 1, phone: '+74951234567' });
      await emu.idle();
      const delivered = emu.requests.deliveries().at(-1);
      assert.equal(delivered?.status, 200);
      const polled = await poller.pollOnce();
      assert.equal(polled.received, 1);
      assert.equal(polled.duplicates, 1);
      assert.equal(polled.cleared, 1);
      assert.equal(queue.size, 1);
      const ev = await queue.take();
      assert.equal(ev.event, 'ONEXTERNALCALLSTART');
      assert.equal(ev.source, 'push');
      assert.equal(ev.data.USER_ID, 1);
      assert.match(ev.data.CALL_ID ?? '', /^externalCall\.[0-9a-f]{32}\.\d{10}$/);
      assert.equal((await poller.pollOnce()).received, 0);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  // last: it expires and revokes every token of the emulator
  test('revoked refresh token → B24_OAUTH_INVALID_GRANT', async () => {
    const other = new OAuthAuth({
      tokens: { ...oauth.tokens() }, clientId: emu.app.client_id, clientSecret: emu.app.client_secret, tokenUrl: emu.app.token_url,
    });
    const c = new B24RestClient({ auth: other });
    emu.faults.set({ expireTokens: true, revokeRefreshTokens: true });
    const e = await rejection(c.call('user.current'));
    assert.equal(e.code, 'B24_OAUTH_INVALID_GRANT');
    emu.faults.clear();
  });
});
