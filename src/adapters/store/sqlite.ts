/**
 * The SQLite store (libsql, the better-sqlite3-compatible synchronous driver; ADR 0006): opens the file in WAL mode with synchronous=FULL, runs the
 * migrations, and offers the outbox, calls, kv and events-seen ports. One process owns the file
 * (the outbox sender's stale-lock sweep assumes no other sender is running on it).
 *
 * Why FULL: in WAL mode NORMAL may lose the last transactions on power loss (not on a process
 * crash). A command that vanished after "enqueued" is a call that never reaches the CRM, and our
 * write rate is a few transactions per call stage, far below FULL's ~thousands of commits per
 * second (see docs/outbox.md for the measurement).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { ConnectorError, isConnectorError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import type { Store } from '../../outbox/store-port.js';
import type { AppStore } from './app-store.js';
import { sqliteAuditLog } from './audit-log.js';
import { migrate } from './migrations.js';
import type { Migration } from './migrations.js';
import { createSqliteOutbox } from './sqlite-outbox.js';
import { sqliteQueries } from './sqlite-panel-queries.js';
import { createSqliteState } from './sqlite-state.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' (tests). Parent folders are created. */
  readonly path: string;
  /** Default FULL (durability); NORMAL only for benchmarks or throw-away stores. */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Wait this long for a lock held by another connection, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  readonly logger?: Logger;
  /** Override for tests of the migration runner. */
  readonly migrations?: readonly Migration[];
}

export interface SqliteStore extends AppStore {
  readonly driver: 'sqlite';
  /** The raw handle, for tests and the benchmark only. */
  readonly db: Database.Database;
}

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const log = (options.logger ?? silentLogger).child({ component: 'store' });
  const db = openDatabase(options);
  let schemaVersion: number;
  try {
    const report = migrate(db, options.migrations);
    schemaVersion = report.to;
    if (report.applied.length) log.info({ from: report.from, to: report.to }, 'store migrated');
  } catch (e) {
    db.close();
    throw e;
  }
  const outbox = createSqliteOutbox(db);
  const state = createSqliteState(db);
  const tx = <A extends unknown[], R>(fn: (...args: A) => R) => db.transaction(fn);
  const enqueueTx = tx((commands: Parameters<Store['enqueue']>[0], now: number, opts: Parameters<Store['enqueue']>[2]) => {
    if (opts?.discardCardsOf !== undefined) outbox.discardPendingCards(opts.discardCardsOf, now);
    const r = outbox.enqueue(commands, now);
    if (opts?.call) state.upsertCall(opts.call);
    return r;
  });
  const claimTx = tx(outbox.claim);
  const recordTx = tx(outbox.record);
  const markSeenTx = tx(state.markSeen);
  const upsertCallTx = tx(state.upsertCall);
  const purgeEndedCallsTx = tx(state.purgeEndedCalls);

  let closed = false;
  const run = async <R>(what: string, fn: () => R): Promise<R> => {
    if (closed) throw new ConnectorError('STORE_CLOSED', `store is closed (${what})`);
    try {
      return fn();
    } catch (e) {
      throw mapError(what, e);
    }
  };

  return {
    db,
    driver: 'sqlite',
    location: options.path,
    get isOpen() {
      return !closed && db.open;
    },
    queries: sqliteQueries(db, run),
    audit: sqliteAuditLog(db, run),
    schemaVersion,
    enqueue: (commands, now, opts) => run('enqueue', () => enqueueTx.immediate(commands, now, opts)),
    claim: (o) => run('claim', () => claimTx.immediate(o)),
    record: (updates, now) => run('record', () => recordTx.immediate(updates, now)),
    steps: (lookups) => run('steps', () => outbox.steps(lookups)),
    releaseRunning: (now) => run('releaseRunning', () => outbox.releaseRunning(now)),
    get: (id) => run('get', () => outbox.get(id)),
    getByKey: (key) => run('getByKey', () => outbox.getByKey(key)),
    list: (q) => run('list', () => outbox.list(q)),
    retry: (id, now) => run('retry', () => outbox.retry(id, now)),
    discard: (id, now, reason) => run('discard', () => outbox.discard(id, now, reason)),
    resumeRetries: (now) => run('resumeRetries', () => outbox.resumeRetries(now)),
    discardPendingCards: (callKey, now) => run('discardPendingCards', () => outbox.discardPendingCards(callKey, now)),
    stats: (now) => run('stats', () => outbox.stats(now)),
    nextDueAt: () => run('nextDueAt', () => outbox.nextDueAt()),
    purgeSettled: (before) => run('purgeSettled', () => outbox.purgeSettled(before)),
    upsertCall: (c) => run('upsertCall', () => upsertCallTx.immediate(c)),
    getCall: (k) => run('getCall', () => state.getCall(k)),
    listOpenCalls: () => run('listOpenCalls', () => state.listOpenCalls()),
    setB24CallId: (k, id, now) => run('setB24CallId', () => state.setB24CallId(k, id, now)),
    purgeEndedCalls: (before) => run('purgeEndedCalls', () => purgeEndedCallsTx.immediate(before)),
    getValue: <T>(key: string) => run('getValue', () => state.getValue(key) as T | undefined),
    setValue: (key, value, now) => run('setValue', () => state.setValue(key, value, now)),
    deleteValue: (key) => run('deleteValue', () => state.deleteValue(key)),
    markSeen: (id, now, expiresAt) => run('markSeen', () => markSeenTx.immediate(id, now, expiresAt)),
    purgeSeen: (now) => run('purgeSeen', () => state.purgeSeen(now)),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function openDatabase(options: SqliteStoreOptions): Database.Database {
  const memory = options.path === ':memory:';
  try {
    if (!memory) mkdirSync(dirname(options.path), { recursive: true });
    const db = new Database(options.path);
    if (!memory) {
      const mode = pragmaValue(db, 'journal_mode = WAL');
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`journal_mode stayed ${String(mode)}`);
    }
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (cause) {
    throw new ConnectorError('STORE_OPEN_FAILED', `cannot open SQLite store at ${options.path}`, { cause, details: { path: options.path } });
  }
}

/**
 * The first column of a PRAGMA's answer. libsql's `pragma(…, { simple: true })` returns the whole
 * row (plus a `_metadata` key that `get()` adds), so read it from `all()`, which adds nothing.
 */
export function pragmaValue(db: Database.Database, source: string): unknown {
  const row = (db.prepare(`PRAGMA ${source}`).all() as Array<Record<string, unknown>>)[0];
  return row ? Object.values(row)[0] : undefined;
}

/** Driver errors → ConnectorError; a busy/locked database is worth retrying, the rest is not. */
function mapError(what: string, e: unknown): ConnectorError {
  if (isConnectorError(e)) return e;
  const code = e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
  const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
  return new ConnectorError(busy ? 'STORE_BUSY' : 'STORE_QUERY_FAILED', `store ${what} failed${code ? ` (${code})` : ''}`, {
    retryable: busy,
    cause: e,
    details: { sqliteCode: code },
  });
}
