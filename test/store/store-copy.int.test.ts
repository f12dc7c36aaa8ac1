/**
 * `store copy` on real backends: a store populated through the store API (copy-fixture.ts) copied
 * SQLite → PostgreSQL and PostgreSQL → SQLite reads back identically through the same API, the
 * destination goes on where the source stopped (new outbox ids above every id the source handed
 * out, the same commands claimable), and the refusals: a source or destination in use, a
 * non-empty destination without --force, a table the migrations do not create, the same store.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import pg from 'pg';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import { openStore, type StoreConfig } from '../../src/adapters/store/open-store.js';
import { copyStoreByConfig } from '../../src/adapters/store/store-copy-open.js';
import { command } from '../../src/core/crm/commands.js';
import { isConnectorError } from '../../src/errors.js';
import { populate, readBack, releaseClosed, T0, type Populated } from './copy-fixture.js';
import { pgAvailable, sharedPgCluster, stopSharedPgCluster } from './pg-cluster.js';

const skip = pgAvailable() ? false : 'no PostgreSQL here (apt install postgresql, or set ASTERISK_B24_TEST_PG_URL)';
const dir = mkdtempSync(join(tmpdir(), 'ab24-copy-'));
let files = 0;
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!skip) await stopSharedPgCluster();
});

const sqlite = (): StoreConfig => ({ driver: 'sqlite', path: join(dir, `s${files++}.sqlite`) });
const postgres = async (): Promise<StoreConfig> => ({ driver: 'postgres', path: '', url: await (await sharedPgCluster()).createDatabase() });

/** Runs `fn` on an open store, closes it, and lets libsql really close the file (releaseClosed). */
async function withStore<R>(cfg: StoreConfig, fn: (s: AppStore) => Promise<R>): Promise<R> {
  const r = await (async () => {
    const s = await openStore(cfg);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  })();
  await releaseClosed();
  return r;
}

async function filled(cfg: StoreConfig, calls?: number): Promise<{ p: Populated; before: unknown }> {
  return withStore(cfg, async (s) => {
    const p = await populate(s, calls);
    return { p, before: await readBack(s, p) };
  });
}

/** copyStoreByConfig, then the copier's own connections really closed (releaseClosed). */
async function copy(...args: Parameters<typeof copyStoreByConfig>): ReturnType<typeof copyStoreByConfig> {
  try {
    return await copyStoreByConfig(...args);
  } finally {
    await releaseClosed();
  }
}

const code = (c: string) => (e: unknown) => isConnectorError(e) && e.code === c;

/** The destination reads back as the source did, and a connector on it would continue. */
async function assertContinues(to: StoreConfig, p: Populated, before: unknown): Promise<void> {
  await releaseClosed();
  await withStore(to, async (s) => {
    assert.deepEqual(await readBack(s, p), before);
    const r = await s.enqueue([command('after.copy', 'register', 'telephony.externalcall.register', { X: 1 }, 'live')], T0 + 30_000);
    assert.ok(r.inserted[0]! > p.maxIdIssued, `new id ${r.inserted[0]} must exceed every id the source handed out (${p.maxIdIssued})`);
    // The start-up sweep and the next claim behave as on the source.
    assert.equal(await s.releaseRunning(T0 + 30_000), 1);
    const claimed = await s.claim({ now: T0 + 200_000, limit: 100, maxChain: 3 });
    assert.ok(claimed.some((c) => c.callKey === 'after.copy'));
    assert.equal(claimed.filter((c) => c.state !== 'running').length, 0);
    // Seen events stay seen; tokens are there.
    assert.equal(await s.markSeen('ev-2', T0 + 5, T0 + 86_400_000), false);
    assert.equal((await s.getValue<{ refreshToken: string }>('bitrix.oauth.tokens'))?.refreshToken, 'ref-1');
  });
}

describe('store copy, SQLite ↔ PostgreSQL', { skip }, () => {
  test('SQLite → PostgreSQL: every table, read back identically, ids continue', async () => {
    const from = sqlite();
    const { p, before } = await filled(from);
    const states = (before as { stats: { byState: Record<string, number> } }).stats.byState;
    for (const st of ['pending', 'running', 'done', 'dead', 'discarded']) assert.ok((states[st] ?? 0) > 0, `the fixture has ${st} commands`);
    const to = await postgres();
    const report = await copy(from, to);
    assert.equal(report.ok, true);
    assert.deepEqual(report.tables.map((t) => t.table), ['call_talkers', 'calls', 'events_seen', 'kv', 'outbox', 'panel_audit']);
    for (const t of report.tables) assert.equal(t.copied, t.source);
    const audit = report.tables.find((t) => t.table === 'panel_audit');
    assert.equal(audit?.copied, 2, 'the audit log is copied (migration 4)');
    assert.ok((audit?.sequence ?? 0) >= 2, 'new audit entries continue after the copied ids');
    assert.ok((report.tables.find((t) => t.table === 'outbox')?.sequence ?? 0) >= p.maxIdIssued);
    await assertContinues(to, p, before);
  });

  test('PostgreSQL → SQLite: the same, the other way', async () => {
    const from = await postgres();
    const { p, before } = await filled(from);
    const to = sqlite();
    const report = await copy(from, to);
    assert.equal(report.ok, true);
    await assertContinues(to, p, before);
  });

  test('a connector session on the PostgreSQL source or destination: refused', async () => {
    const from = await postgres();
    await filled(from, 2);
    const other = sqlite();
    await filled(other, 1);
    await withStore(from, async (running) => {
      await running.getValue('x'); // the pool holds a session named asterisk-b24
      await assert.rejects(copy(from, sqlite()), code('STORE_COPY_IN_USE'));
      await assert.rejects(copy(other, from, { force: true }), code('STORE_COPY_IN_USE'));
    });
    const to = sqlite();
    assert.equal((await copy(from, to)).ok, true);
  });

  test('non-empty PostgreSQL destination: refused without --force, replaced with it (sequence too)', async () => {
    const to = await postgres();
    await filled(to, 20);
    const from = sqlite();
    const { p, before } = await filled(from, 3);
    await assert.rejects(copy(from, to), code('STORE_COPY_DEST_NOT_EMPTY'));
    const r = await copy(from, to, { force: true });
    assert.equal(r.ok, true);
    await releaseClosed();
    await withStore(to, async (s) => {
      assert.deepEqual(await readBack(s, p), before);
      const id = (await s.enqueue([command('n', 'register', 'm', {}, 'live')], T0)).inserted[0]!;
      assert.equal(id, p.maxIdIssued + 1, 'the sequence follows the copied store, not the replaced one');
    });
  });

  test('figures: 2,000 calls (6,000 commands) SQLite → PostgreSQL', async (t) => {
    const from = sqlite();
    await filled(from, 2_000);
    const to = await postgres();
    const r = await copy(from, to);
    assert.equal(r.ok, true);
    t.diagnostic(`copied ${r.tables.map((x) => `${x.table} ${x.copied}`).join(', ')} in ${r.ms} ms`);
  });
});

describe('store copy, refusals (SQLite)', () => {
  test('SQLite → SQLite round trip; the source open in another connection is "in use"', async () => {
    const from = sqlite();
    const { p, before } = await filled(from);
    await withStore(from, () => assert.rejects(copy(from, sqlite()), code('STORE_COPY_IN_USE')));
    const to = sqlite();
    assert.equal((await copy(from, to)).ok, true);
    await assertContinues(to, p, before);
  });

  test('destination in use, not empty, the same store, a missing source', async () => {
    const from = sqlite();
    await filled(from, 2);
    const to = sqlite();
    await filled(to, 1);
    await withStore(to, () => assert.rejects(copy(from, to, { force: true }), code('STORE_COPY_IN_USE')));
    await assert.rejects(copy(from, to), code('STORE_COPY_DEST_NOT_EMPTY'));
    assert.equal((await copy(from, to, { force: true })).ok, true);
    await assert.rejects(copy(from, { ...from }), code('STORE_COPY_BAD_TARGET'));
    await assert.rejects(copy({ driver: 'sqlite', path: join(dir, 'missing.sqlite') }, sqlite()), code('STORE_COPY_SOURCE_EMPTY'));
  });

  test('a table the migrations do not create stops the copy before anything is written', async () => {
    const from = sqlite();
    await filled(from, 1);
    const db = new Database(from.path);
    db.exec('CREATE TABLE custom_notes (id INTEGER PRIMARY KEY, note TEXT)');
    db.close();
    await releaseClosed();
    const to = sqlite();
    await assert.rejects(copy(from, to), (e: unknown) => code('STORE_COPY_SCHEMA_MISMATCH')(e) && /custom_notes/.test((e as Error).message));
    await releaseClosed();
    await withStore(to, async (s) => assert.equal((await s.list({ limit: 10 })).length, 0));
  });
});

describe('store copy, PostgreSQL catalogs', { skip }, () => {
  test('a table the migrations do not create in the PostgreSQL source: refused, named', async () => {
    const from = await postgres();
    await filled(from, 1);
    const c = new pg.Client({ connectionString: from.url });
    await c.connect();
    await c.query('CREATE TABLE custom_notes (id INTEGER PRIMARY KEY)');
    await c.end();
    await assert.rejects(copy(from, sqlite()), (e: unknown) => code('STORE_COPY_SCHEMA_MISMATCH')(e) && /custom_notes/.test((e as Error).message));
  });
});
