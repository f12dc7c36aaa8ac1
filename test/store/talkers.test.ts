/**
 * Sticky routing's history (call_talkers, migration 3) on every backend: rows written with a call's
 * end from the flow's stored state, the lastTalker query (window, talk length, direction, newest
 * first), purged with their calls, and the migration filling the table from the calls already stored.
 */
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { PG_MIGRATIONS } from '../../src/adapters/store/postgres-migrations.js';
import Database from 'libsql';
import { migrate, MIGRATIONS } from '../../src/adapters/store/migrations.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { storeBackends } from './backends.js';
import { CLIENT, flowState } from './flow-state.js';
import type { StoreBackend } from './backends.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 1, 9);

async function ended(store: AppStore, key: string, o: Omit<Parameters<typeof flowState>[0], 'key'>, endedAt?: number): Promise<void> {
  const end = endedAt ?? Math.max(...o.convs.map((c) => c.end ?? c.at ?? T)) + 1_000;
  await store.upsertCall({ callKey: key, state: flowState({ key, ...o }), endedAt: end, now: end });
}

const q = (since: number, minTalkMs = 0, direction?: 'incoming' | 'outgoing') => ({ since, minTalkMs, ...(direction ? { direction } : {}) });

for (const b of storeBackends()) describe(`call_talkers (${b.name})`, { skip: b.skip }, () => {
  let store: AppStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  test('the latest answered conversation with the number, by a user; unanswered, internal, userless and open calls do not count', async () => {
    const s = store = await b.open();
    await ended(s, 'a', { convs: [{ ext: '101', at: T, end: T + 60_000 }] });
    // A later call: 103 rang but did not answer, 102 did (a transfer: both talked, 102 last).
    await ended(s, 'b', { convs: [{ ext: '103' }, { ext: '101', at: T + DAY, end: T + DAY + 10_000 }, { ext: '102', at: T + DAY + 10_000, end: T + DAY + 70_000 }] });
    await ended(s, 'c', { direction: 'internal', convs: [{ ext: '103', at: T + 2 * DAY }] });
    await ended(s, 'd', { convs: [{ ext: '199', at: T + 2 * DAY }] }); // 199 is no Bitrix24 user
    await s.upsertCall({ callKey: 'e', state: flowState({ key: 'e', convs: [{ ext: '103', at: T + 3 * DAY }] }), now: T + 3 * DAY }); // still live
    assert.deepEqual(await s.queries.lastTalker(CLIENT, q(T - DAY)), { userId: 7, extension: '102', at: T + DAY + 10_000, callKey: 'b', direction: 'incoming' });
    assert.equal(await s.queries.lastTalker('+79160000000', q(0)), undefined);
    // The live call ends: now 103 is the last talker.
    await s.upsertCall({ callKey: 'e', state: flowState({ key: 'e', convs: [{ ext: '103', at: T + 3 * DAY, end: T + 3 * DAY + 5_000 }] }), endedAt: T + 3 * DAY + 5_000, now: T + 3 * DAY + 5_000 });
    assert.equal((await s.queries.lastTalker(CLIENT, q(0)))?.userId, 9);
    // Written again (a deferred finish upserts the ended call once more): still one row per conversation.
    await ended(s, 'e', { convs: [{ ext: '103', at: T + 3 * DAY, end: T + 3 * DAY + 5_000 }] });
    assert.equal((await s.queries.lastTalker(CLIENT, q(0)))?.callKey, 'e');
  });

  test('the window, the talk length and the direction filter; an outgoing call counts as the caller\'s', async () => {
    const s = store = await b.open();
    await ended(s, 'in', { convs: [{ ext: '101', at: T, end: T + 120_000 }] });
    await ended(s, 'out', { direction: 'outgoing', convs: [{ ext: '102', at: T + DAY, end: T + DAY + 20_000 }] });
    await ended(s, 'c2c', { direction: 'click-to-call', convs: [{ ext: '103', at: T + 2 * DAY, end: T + 2 * DAY + 3_000 }] });
    const who = async (query: ReturnType<typeof q>) => (await s.queries.lastTalker(CLIENT, query))?.callKey;
    assert.equal(await who(q(T)), 'c2c');
    assert.equal(await who(q(T, 5_000)), 'out');
    assert.equal(await who(q(T, 60_000)), 'in');
    assert.equal(await who(q(T, 0, 'incoming')), 'in');
    assert.equal(await who(q(T, 0, 'outgoing')), 'c2c');
    assert.equal(await who(q(T + 2 * DAY + 1)), undefined);
    assert.equal(await who(q(T, 600_000)), undefined);
    assert.equal((await s.queries.lastTalker(CLIENT, q(T, 0, 'outgoing')))?.direction, 'outgoing');
  });

  test('a conversation without its own end talks until the call ended; purged with its call', async () => {
    const s = store = await b.open();
    await ended(s, 'a', { convs: [{ ext: '101', at: T }] }, T + 30_000);
    assert.equal((await s.queries.lastTalker(CLIENT, q(0, 30_000)))?.callKey, 'a');
    assert.equal(await s.queries.lastTalker(CLIENT, q(0, 30_001)), undefined);
    assert.equal(await s.purgeEndedCalls(T + 30_001), 1);
    assert.equal(await s.queries.lastTalker(CLIENT, q(0)), undefined);
  });

  test('migration 3 fills the table from the calls stored before it', async () => {
    const old = await openAt(b, 2);
    await old.insert('a', flowState({ key: 'a', convs: [{ ext: '101', at: T, end: T + 60_000 }, { ext: '102', at: T + 60_000, end: T + 90_000 }] }), T + 91_000);
    await old.insert('b', flowState({ key: 'b', direction: 'internal', convs: [{ ext: '103', at: T + DAY }] }), T + DAY + 1_000);
    await old.insert('c', flowState({ key: 'c', client: '+74950000000', direction: 'click-to-call', convs: [{ ext: '103', at: T + DAY }] }), T + DAY + 4_000);
    await old.insert('d', { note: 'not a flow state' }, T);
    await old.insert('e', flowState({ key: 'e', convs: [{ ext: '103', at: T + 2 * DAY }] }), null);
    await old.insert('f', flowState({ key: 'f', convs: [{ ext: '101', at: T + 3 * DAY }], users: { '101': -1 } }), T + 3 * DAY + 1_000);
    await old.store.close();
    const s = store = await old.reopen();
    assert.equal(s.schemaVersion, MIGRATIONS.length);
    assert.deepEqual(await s.queries.lastTalker(CLIENT, q(0)), { userId: 7, extension: '102', at: T + 60_000, callKey: 'a', direction: 'incoming' });
    assert.equal((await s.queries.lastTalker(CLIENT, q(0, 31_000)))?.userId, 5);
    assert.equal(await s.queries.lastTalker(CLIENT, q(0, 60_001)), undefined);
    assert.deepEqual(await s.queries.lastTalker('+74950000000', q(0, 4_000, 'outgoing')), { userId: 9, extension: '103', at: T + DAY, callKey: 'c', direction: 'outgoing' });
  });

  test('figures: lastTalker among 20,000 stored calls', async (t) => {
    const s = store = await b.open({ file: true });
    const N = 20_000;
    for (let i = 0; i < N; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => i + j).map((n) =>
        ended(s, `k${n}`, { client: `+7916${String(n % 5_000).padStart(7, '0')}`, convs: [{ ext: ['101', '102', '103'][n % 3]!, at: T + n * 1_000, end: T + n * 1_000 + 30_000 }] })));
    }
    const runs = 200;
    const started = performance.now();
    for (let i = 0; i < runs; i++) {
      const r = await s.queries.lastTalker(`+7916${String((i * 37) % 5_000).padStart(7, '0')}`, q(T, 10_000));
      assert.ok(r);
    }
    const ms = (performance.now() - started) / runs;
    t.diagnostic(`${b.name}: lastTalker over ${N} calls (5,000 numbers): ${ms.toFixed(3)} ms per lookup`);
    assert.ok(ms < 20, `${ms} ms`);
  });
});

/** A store at an older schema version (calls written there by hand: the code writes the newest tables), then reopened at the newest. */
async function openAt(b: StoreBackend, version: number): Promise<{ store: AppStore; insert(key: string, state: unknown, endedAt: number | null): Promise<void>; reopen(): Promise<AppStore> }> {
  const cfg = await b.freshConfig({ file: true });
  const sql = 'INSERT INTO calls (call_key, state, b24_call_id, created_at, updated_at, ended_at) VALUES ($1, $2, NULL, $3, $3, $4)';
  if (cfg.driver === 'postgres') {
    const url = cfg.url ?? '';
    const store = await openPostgresStore({ url, migrations: PG_MIGRATIONS.slice(0, version) });
    return {
      store, reopen: () => openPostgresStore({ url }),
      insert: async (key, state, endedAt) => { await store.pool.query(sql, [key, JSON.stringify(state), T, endedAt]); },
    };
  }
  const db = new Database(cfg.path);
  migrate(db, MIGRATIONS.slice(0, version));
  return {
    store: { close: async () => { db.close(); } } as AppStore, reopen: async () => openSqliteStore({ path: cfg.path }),
    insert: async (key, state, endedAt) => { db.prepare(sql.replace(/\$\d/g, '?')).run(key, JSON.stringify(state), T, T, endedAt); },
  };
}
