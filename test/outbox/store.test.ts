/**
 * The store's behaviour, run against every backend (test/store/backends.ts: SQLite, and
 * PostgreSQL on a throwaway cluster when one can be started here).
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import type { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { command, ref } from '../../src/core/crm/commands.js';
import { isConnectorError } from '../../src/errors.js';
import { storeBackends } from '../store/backends.js';

const reg = (callKey: string, prio: 'live' | 'late' = 'live') =>
  command(callKey, 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: callKey }, prio);
const show = (callKey: string, user: number) =>
  command(callKey, `show:${user}`, 'telephony.externalcall.show', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: user }, 'live');
const finish = (callKey: string) =>
  command(callKey, 'finish', 'telephony.externalcall.finish', { CALL_ID: ref('register', 'CALL_ID') }, 'finish');

for (const b of storeBackends()) describe(b.name, { skip: b.skip }, () => {
let store: AppStore;
beforeEach(async () => {
  store = await b.open();
});
afterEach(async () => {
  await store.close();
});

describe('migrations', () => {
  test('fresh store is at the newest version; running again applies nothing', async () => {
    assert.equal(store.schemaVersion, b.migrations.length);
    const raw = await b.raw();
    try {
      assert.deepEqual(await raw.migrate(), { from: 0, to: b.migrations.length, applied: b.migrations.map((m) => m.version) });
      assert.deepEqual(await raw.migrate(), { from: b.migrations.length, to: b.migrations.length, applied: [] });
      assert.deepEqual(await raw.versions(), [{ version: 1, name: 'outbox' }, { version: 2, name: 'calls-kv-events' }, { version: 3, name: 'call-talkers' }, { version: 4, name: 'panel-audit' }]);
    } finally {
      await raw.close();
    }
  });

  test('applies only the missing ones, forward-only', async () => {
    const raw = await b.raw();
    try {
      assert.deepEqual(await raw.migrate(b.migrations.slice(0, 1)), { from: 0, to: 1, applied: [1] });
      assert.deepEqual(await raw.migrate(), { from: 1, to: 4, applied: [2, 3, 4] });
      await assert.rejects(async () => raw.migrate(b.migrations.slice(0, 1)), (e) => isConnectorError(e) && e.code === 'STORE_SCHEMA_TOO_NEW');
    } finally {
      await raw.close();
    }
  });

  test('a failing migration rolls back and is reported; bad numbering refused', async () => {
    const raw = await b.raw();
    try {
      const broken = [...b.migrations, { version: b.migrations.length + 1, name: 'broken', sql: 'CREATE TABLE x (a INT); SELECT nope FROM nowhere;' }];
      await assert.rejects(async () => raw.migrate(broken), (e) => isConnectorError(e) && e.code === 'STORE_MIGRATION_FAILED');
      assert.deepEqual((await raw.versions()).map((v) => v.version), b.migrations.map((m) => m.version));
      assert.equal(await raw.hasTable('x'), false);
      await assert.rejects(async () => raw.migrate([{ version: 2, name: 'x', sql: '' }]), (e) => isConnectorError(e) && e.code === 'STORE_MIGRATION_ORDER');
    } finally {
      await raw.close();
    }
  });
});

describe('enqueue', () => {
  test('is idempotent by idempotency key and atomic', async () => {
    const first = await store.enqueue([reg('A'), show('A', 101)], 1_000);
    assert.equal(first.inserted.length, 2);
    assert.deepEqual(first.ignored, []);
    const again = await store.enqueue([reg('A'), show('A', 101), finish('A')], 2_000);
    assert.equal(again.inserted.length, 1);
    assert.deepEqual(again.ignored, ['A:register', 'A:show:101']);
    const all = await store.list({ callKey: 'A' });
    assert.deepEqual(all.map((c) => [c.step, c.state, c.createdAt]), [['register', 'pending', 1_000], ['show:101', 'pending', 1_000], ['finish', 'pending', 2_000]]);
    assert.deepEqual(all[1]?.params, { CALL_ID: { $ref: 'register', path: ['CALL_ID'] }, USER_ID: 101 });
  });

  test('a step conflict or a bad command rolls back the whole enqueue', async () => {
    const clash = { ...finish('A'), step: 'register' };
    await assert.rejects(store.enqueue([reg('B'), reg('A'), clash], 1), (e) => isConnectorError(e) && e.code === 'OUTBOX_STEP_CONFLICT');
    assert.equal((await store.list({})).length, 0);
    await assert.rejects(store.enqueue([reg('B'), { ...reg('C'), method: '' }], 1), (e) => isConnectorError(e) && e.code === 'OUTBOX_BAD_COMMAND');
    assert.equal((await store.list({})).length, 0);
  });

  test('writes the call row in the same transaction', async () => {
    await store.enqueue([reg('A')], 5, { call: { callKey: 'A', state: { stage: 'ringing' }, now: 5 } });
    const call = await store.getCall('A');
    assert.deepEqual(call, { callKey: 'A', state: { stage: 'ringing' }, b24CallId: null, createdAt: 5, updatedAt: 5, endedAt: null });
  });
});

describe('claim', () => {
  test('orders by priority, then age; marks running; respects limit', async () => {
    await store.enqueue([reg('late1', 'late')], 1);
    await store.enqueue([finish('F')], 2); // head of F is its finish (no register enqueued)
    await store.enqueue([reg('live2')], 3);
    await store.enqueue([reg('live1')], 2);
    const got = await store.claim({ now: 10, limit: 3 });
    assert.deepEqual(got.map((c) => c.callKey), ['live1', 'live2', 'F']);
    assert.ok(got.every((c) => c.state === 'running'));
    const rest = await store.claim({ now: 10, limit: 10 });
    assert.deepEqual(rest.map((c) => c.callKey), ['late1']);
    assert.deepEqual(await store.claim({ now: 10, limit: 10 }), []);
  });

  test('only the head of a call; the rest waits until it is done', async () => {
    await store.enqueue([reg('A'), show('A', 1), finish('A')], 1);
    const first = await store.claim({ now: 5, limit: 10 });
    assert.deepEqual(first.map((c) => c.step), ['register']);
    assert.deepEqual(await store.claim({ now: 5, limit: 10 }), []);
    await store.record([{ id: first[0]!.id, state: 'done', attempts: 1, nextAttemptAt: 5, lastError: null, result: { CALL_ID: 'X' }, solo: false }], 6);
    const second = await store.claim({ now: 7, limit: 10 });
    assert.deepEqual(second.map((c) => c.step), ['show:1']);
  });

  test('a dead command blocks its call until retried or discarded', async () => {
    await store.enqueue([reg('A'), show('A', 1)], 1);
    const [r] = await store.claim({ now: 2, limit: 10 });
    await store.record([{ id: r!.id, state: 'dead', attempts: 1, nextAttemptAt: 2, lastError: { code: 'B24_ERROR_CORE', message: 'x' }, solo: false }], 2);
    assert.deepEqual(await store.claim({ now: 3, limit: 10 }), []);
    assert.equal(await store.retry(r!.id, 4), true);
    const again = await store.claim({ now: 4, limit: 10 });
    assert.deepEqual(again.map((c) => [c.step, c.attempts]), [['register', 0]]);
    await store.record([{ id: r!.id, state: 'dead', attempts: 1, nextAttemptAt: 2, lastError: { code: 'B24_ERROR_CORE', message: 'x' }, solo: false }], 5);
    assert.equal(await store.discard(r!.id, 6), true);
    assert.equal(await store.discard(r!.id, 6), false);
    assert.deepEqual((await store.claim({ now: 7, limit: 10 })).map((c) => c.step), ['show:1']);
    assert.deepEqual((await store.get(r!.id))?.lastError, { code: 'OUTBOX_DISCARDED', message: 'discarded by hand' });
  });

  test('backoff: not claimed before nextAttemptAt', async () => {
    await store.enqueue([reg('A')], 1);
    const [r] = await store.claim({ now: 1, limit: 1 });
    await store.record([{ id: r!.id, state: 'pending', attempts: 1, nextAttemptAt: 1_001, lastError: { code: 'B24_NETWORK', message: 'x' }, solo: false }], 1);
    assert.deepEqual(await store.claim({ now: 1_000, limit: 1 }), []);
    assert.equal(await store.nextDueAt(), 1_001);
    assert.equal((await store.claim({ now: 1_001, limit: 1 })).length, 1);
  });

  test('chains: followers referencing the run come along, up to maxChain', async () => {
    const hide = command('A', 'hide:1', 'telephony.externalcall.hide', { CALL_ID: ref('register', 'CALL_ID') }, 'live');
    const task = command('A', 'task', 'tasks.task.add', { fields: { TITLE: 'x' } }, 'task');
    await store.enqueue([reg('A'), show('A', 1), hide, task, reg('B')], 1);
    const got = await store.claim({ now: 2, limit: 10, maxChain: 3 });
    assert.deepEqual(got.map((c) => `${c.callKey}:${c.step}`), ['A:register', 'B:register', 'A:show:1', 'A:hide:1']);
  });

  test('a chain stops at a follower without a reference into the run', async () => {
    const task = command('A', 'task', 'tasks.task.add', { fields: { TITLE: 'x' } }, 'task');
    await store.enqueue([reg('A'), task, show('A', 1)], 1);
    const got = await store.claim({ now: 2, limit: 10, maxChain: 5 });
    assert.deepEqual(got.map((c) => c.step), ['register']);
  });

  test('maxPriority restricts the heads (reserved live slot)', async () => {
    await store.enqueue([reg('L1', 'late'), reg('V1')], 1);
    const got = await store.claim({ now: 2, limit: 10, maxPriority: 0 });
    assert.deepEqual(got.map((c) => c.callKey), ['V1']);
  });

  test('expired card commands are discarded, unsent, and unblock the call', async () => {
    const card = command('A', 'show:1', 'telephony.externalcall.show', { CALL_ID: 'X' }, 'live', 100);
    await store.enqueue([card, finish('A')], 1);
    const got = await store.claim({ now: 100, limit: 10 });
    assert.deepEqual(got.map((c) => c.step), ['finish']);
    const dropped = await store.getByKey('A:show:1');
    assert.equal(dropped?.state, 'discarded');
    assert.equal(dropped?.lastError?.code, 'OUTBOX_EXPIRED');
  });

  test('the expiry sweep uses its partial index (no walk over every pending row)', { skip: b.name !== 'sqlite' && 'SQLite query plan' }, () => {
    const plan = (store as SqliteStore).db.prepare(`EXPLAIN QUERY PLAN UPDATE outbox INDEXED BY outbox_expiry SET state = 'discarded'
      WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= 5`).all() as Array<{ detail: string }>;
    assert.match(plan.map((p) => p.detail).join(' '), /outbox_expiry/);
  });

  test('record skips rows that are no longer running; released rows are marked uncertain', async () => {
    await store.enqueue([reg('A')], 1);
    const [r] = await store.claim({ now: 1, limit: 1 });
    assert.equal(r!.uncertain, false);
    assert.equal(await store.releaseRunning(2), 1);
    assert.equal((await store.get(r!.id))?.uncertain, true);
    await store.record([{ id: r!.id, state: 'done', attempts: 1, nextAttemptAt: 3, lastError: null, result: 1, solo: false }], 3);
    assert.equal((await store.get(r!.id))?.state, 'pending');
  });
});

describe('steps, stats, purge', () => {
  test('steps returns state and result of referenced commands', async () => {
    await store.enqueue([reg('A')], 1);
    const [r] = await store.claim({ now: 1, limit: 1 });
    await store.record([{ id: r!.id, state: 'done', attempts: 1, nextAttemptAt: 2, lastError: null, result: { CALL_ID: 'X' }, solo: false }], 2);
    const m = await store.steps([{ callKey: 'A', step: 'register' }, { callKey: 'A', step: 'nope' }]);
    assert.deepEqual([...m.values()], [{ state: 'done', result: { CALL_ID: 'X' } }]);
  });

  test('stats: depth, oldest age, counts', async () => {
    await store.enqueue([reg('A'), show('A', 1)], 1_000);
    await store.enqueue([reg('B')], 4_000);
    await store.claim({ now: 5_000, limit: 1 });
    const s = await store.stats(6_000);
    assert.deepEqual(s, { byState: { pending: 2, running: 1, done: 0, dead: 0, discarded: 0 }, depth: 3, oldestAgeMs: 5_000, dead: 0 });
  });

  test('purgeSettled keeps results a pending command of the call still needs', async () => {
    await store.enqueue([reg('A'), finish('A'), reg('B')], 1);
    const got = await store.claim({ now: 1, limit: 10 });
    await store.record(got.map((c) => ({ id: c.id, state: 'done' as const, attempts: 1, nextAttemptAt: 1, lastError: null, result: { CALL_ID: c.callKey }, solo: false })), 2);
    assert.equal(await store.purgeSettled(100), 1);
    assert.deepEqual((await store.list({})).map((c) => `${c.callKey}:${c.step}`), ['A:register', 'A:finish']);
  });
});

describe('calls, kv, events_seen', () => {
  test('calls: upsert keeps b24CallId unless given; open calls; purge ended', async () => {
    await store.upsertCall({ callKey: 'A', state: { n: 1 }, now: 10 });
    assert.equal(await store.setB24CallId('A', 'externalCall.1', 11), true);
    await store.upsertCall({ callKey: 'A', state: { n: 2 }, now: 12 });
    await store.upsertCall({ callKey: 'B', state: {}, now: 13, endedAt: 20 });
    assert.deepEqual(await store.getCall('A'), { callKey: 'A', state: { n: 2 }, b24CallId: 'externalCall.1', createdAt: 10, updatedAt: 12, endedAt: null });
    assert.deepEqual((await store.listOpenCalls()).map((c) => c.callKey), ['A']);
    assert.equal(await store.purgeEndedCalls(21), 1);
    assert.equal(await store.getCall('B'), undefined);
    assert.equal(await store.setB24CallId('nope', 'x', 1), false);
  });

  test('kv: set, get, overwrite, delete', async () => {
    assert.equal(await store.getValue('oauth'), undefined);
    await store.setValue('oauth', { access: 'a', refresh: 'r' }, 1);
    await store.setValue('oauth', { access: 'b', refresh: 'r2' }, 2);
    assert.deepEqual(await store.getValue('oauth'), { access: 'b', refresh: 'r2' });
    assert.equal(await store.deleteValue('oauth'), true);
    assert.equal(await store.deleteValue('oauth'), false);
  });

  test('events_seen: duplicates refused until expiry', async () => {
    assert.equal(await store.markSeen('ev1', 100, 200), true);
    assert.equal(await store.markSeen('ev1', 150, 250), false);
    assert.equal(await store.markSeen('ev1', 200, 300), true);
    assert.equal(await store.markSeen('ev2', 210, 220), true);
    assert.equal(await store.purgeSeen(250), 1);
    assert.equal(await store.markSeen('ev1', 260, 400), false);
  });

  test('a closed store refuses work', async () => {
    await store.close();
    await assert.rejects(store.stats(1), (e) => isConnectorError(e) && e.code === 'STORE_CLOSED');
  });
});
});
