/**
 * RoutingService without sockets: a fake Bitrix24 client and a fake directory.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { agiSchema, phoneSchema } from '../../src/config/schema.js';
import { ConnectorError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { noHooks } from '../../src/flow/ports.js';
import { RoutingService, abortable } from '../../src/flow/routing.js';
import type { DirectoryUser } from '../../src/flow/user-directory.js';

const USERS = new Map<number, DirectoryUser>([
  [5, { id: 5, name: 'Anna Petrova', innerPhone: '101', active: true }],
  [6, { id: 6, name: 'No Phone', innerPhone: '', active: true }],
]);

function service(call: (method: string, params: Record<string, unknown>) => unknown): { svc: RoutingService; calls: string[] } {
  const calls: string[] = [];
  const svc = new RoutingService({
    client: {
      call: async <T>(method: string, params?: Record<string, unknown>): Promise<T> => {
        calls.push(method);
        return (await call(method, params ?? {})) as T;
      },
    },
    users: { byUserId: (id) => USERS.get(id) }, hooks: noHooks, phone: phoneSchema.parse({}),
    agi: agiSchema.parse({}), now: () => 0, logger: silentLogger,
  });
  return { svc, calls };
}

describe('RoutingService', () => {
  test('a hidden number → NOROUTE without a lookup', async () => {
    const { svc, calls } = service(() => []);
    assert.deepEqual(await svc.route({ callerId: 'anonymous' }), { status: 'NOROUTE', reason: 'hidden-number' });
    assert.deepEqual(calls, []);
  });

  test('a lead is routed to its responsible without a deal lookup', async () => {
    const { svc, calls } = service(() => [{ CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: 3, ASSIGNED_BY_ID: 5, NAME: 'New lead' }]);
    const d = await svc.route({ callerId: '+79161234567' });
    assert.deepEqual(d, {
      status: 'OK', reason: 'found', exten: '101', name: 'Anna Petrova', userId: 5,
      entity: { type: 'LEAD', id: 3, name: 'New lead', responsibleId: 5 }, callerName: 'New lead', cached: false,
    });
    assert.deepEqual(calls, ['telephony.externalcall.searchCrmEntities']);
  });

  test('the first candidate whose responsible has an extension wins', async () => {
    const { svc } = service((m) => m.startsWith('telephony') ? [
      { CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 1, ASSIGNED_BY_ID: 6, NAME: 'A' },
      { CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: 2, ASSIGNED_BY_ID: 5, NAME: 'B' },
    ] : []);
    const d = await svc.route({ callerId: '+79161234567' });
    assert.equal(d.exten, '101');
    assert.equal(d.entity?.id, 2);
  });

  test('a responsible without an extension → NOROUTE, entity still reported', async () => {
    const { svc } = service((m) => m.startsWith('telephony') ? [{ CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 1, ASSIGNED_BY_ID: 6, NAME: 'A' }] : []);
    const d = await svc.route({ callerId: '+79161234567' });
    assert.equal(d.status, 'NOROUTE');
    assert.equal(d.reason, 'no-extension');
    assert.equal(d.entity?.id, 1);
    assert.equal(d.callerName, 'A');
  });

  test('the portal\'s USER_PHONE_INNER is used when the directory does not know the user', async () => {
    const { svc } = service(() => [{ CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: 2, ASSIGNED_BY_ID: 77, NAME: 'B', ASSIGNED_BY: { ID: '77', USER_PHONE_INNER: '177' } }]);
    const d = await svc.route({ callerId: '+79161234567' });
    assert.equal(d.status, 'OK');
    assert.equal(d.exten, '177');
    assert.equal(d.userId, 77);
  });

  test('a transient Bitrix24 error → NOROUTE; a permanent one → ERROR; neither cached', async () => {
    const a = service(() => { throw new ConnectorError('B24_QUERY_LIMIT', 'slow down', { retryable: true }); });
    assert.deepEqual(await a.svc.route({ callerId: '+79161234567' }), { status: 'NOROUTE', reason: 'lookup-failed', code: 'B24_QUERY_LIMIT' });
    assert.equal(a.svc.cacheSize(), 0);
    const b = service(() => { throw new ConnectorError('B24_INSUFFICIENT_SCOPE', 'scope', { retryable: false }); });
    assert.deepEqual(await b.svc.route({ callerId: '+79161234567' }), { status: 'ERROR', reason: 'error', code: 'B24_INSUFFICIENT_SCOPE' });
    const c = service(() => { throw new TypeError('bug'); });
    assert.equal((await c.svc.route({ callerId: '+79161234567' })).status, 'ERROR');
  });

  test('an aborted signal → NOROUTE deadline, even when the client ignores it', async () => {
    const { svc } = service(() => new Promise(() => {}));
    const ctl = new AbortController();
    const p = svc.route({ callerId: '+79161234567' }, { signal: ctl.signal });
    ctl.abort();
    assert.deepEqual(await p, { status: 'NOROUTE', reason: 'deadline', code: 'AGI_DEADLINE' });
    await assert.rejects(abortable(new Promise(() => {}), ctl.signal), (e: unknown) => e instanceof ConnectorError && e.code === 'AGI_DEADLINE');
  });

  test('the cache is bounded', async () => {
    const calls: string[] = [];
    const svc = new RoutingService({
      client: { call: async <T>(m: string): Promise<T> => { calls.push(m); return [] as T; } },
      users: { byUserId: () => undefined }, hooks: noHooks, phone: phoneSchema.parse({}),
      agi: agiSchema.parse({}), now: () => 0, logger: silentLogger, cacheMaxEntries: 2,
    });
    for (const n of ['+79161110001', '+79161110002', '+79161110003', '+79161110001']) await svc.route({ callerId: n });
    assert.equal(svc.cacheSize(), 2);
    assert.equal(calls.length, 4);
  });
});
