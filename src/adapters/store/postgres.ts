/**
 * The PostgreSQL store (ADR 0008): the same ports and the same semantics as the SQLite store
 * (sqlite.ts), over a `pg` pool. Enqueue (with its call row and card discard), claim and record
 * each run in one transaction; claims lock with `FOR UPDATE SKIP LOCKED`. Durability is the
 * server's: a commit returns once PostgreSQL has flushed its WAL (synchronous_commit=on, the
 * default), the equivalent of SQLite's synchronous=FULL.
 *
 * As with SQLite, one connector owns the database: the start-up sweep (releaseRunning) takes back
 * every running row, which would steal the work of a second connector running on the same tables.
 */
import type pg from 'pg';
import { ConnectorError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import type { AppStore } from './app-store.js';
import type { Migration } from './migrations.js';
import { migratePg } from './postgres-migrations.js';
import {
  pgClaim, pgDiscard, pgDiscardPendingCards, pgEnqueue, pgGet, pgGetByKey, pgList, pgNextDueAt, pgPurgeSettled, pgRecord,
  pgReleaseRunning, pgResumeRetries, pgRetry, pgStats, pgSteps, pgSweepExpired,
} from './postgres-outbox.js';
import { createPool, inTransaction, mapPgError, redactPgUrl } from './postgres-pool.js';
import type { PgPoolOptions } from './postgres-pool.js';
import { postgresQueries } from './postgres-queries.js';
import { postgresAuditLog } from './audit-log.js';
import {
  pgDeleteValue, pgGetCall, pgGetValue, pgListOpenCalls, pgMarkSeen, pgPurgeEndedCalls, pgPurgeSeen, pgSetB24CallId, pgSetValue, pgUpsertCall,
} from './postgres-state.js';

export interface PostgresStoreOptions extends PgPoolOptions {
  readonly logger?: Logger;
  /**
   * How long an idempotent operation is retried while the server is unreachable or busy (a restart,
   * a failover), ms. Default 10 000. 0 = fail at once.
   */
  readonly retryForMs?: number;
  /** Override for tests of the migration runner. */
  readonly migrations?: readonly Migration[];
}

export interface PostgresStore extends AppStore {
  readonly driver: 'postgres';
  /** The pool, for tests and the benchmark only. */
  readonly pool: pg.Pool;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const log = (options.logger ?? silentLogger).child({ component: 'store' });
  const location = redactPgUrl(options.url);
  const pool = createPool(options, log);
  let schemaVersion: number;
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    await pool.end().catch(() => undefined);
    const code = cause && typeof cause === 'object' && 'code' in cause ? `${String((cause as { code: unknown }).code)}: ` : '';
    const reason = `${code}${cause instanceof Error ? cause.message : String(cause)}`;
    throw new ConnectorError('STORE_OPEN_FAILED', `cannot connect to PostgreSQL at ${location} (${reason})`, { cause, details: { location } });
  }
  try {
    const report = await migratePg(pool, options.migrations);
    schemaVersion = report.to;
    if (report.applied.length) log.info({ from: report.from, to: report.to }, 'store migrated');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw mapPgError('migrate', e);
  }

  let closed = false;
  const retryForMs = Math.max(0, options.retryForMs ?? 10_000);
  const once = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
    if (closed) throw new ConnectorError('STORE_CLOSED', `store is closed (${what})`);
    try {
      return await fn();
    } catch (e) {
      throw mapPgError(what, e);
    }
  };
  /**
   * Idempotent writes (insert-or-ignore, upserts, updates guarded by the row's state) are retried
   * while the server is away, so a PostgreSQL restart does not drop a call's stage or leave a sent
   * command running. A retry after a commit whose answer was lost finds its rows there and changes
   * nothing. Reads fail at once (the panel must not hang; the sender polls again anyway).
   */
  const write = async <R>(what: string, fn: () => Promise<R>): Promise<R> => {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(what, fn);
      } catch (e) {
        const err = e as ConnectorError;
        const delay = Math.min(2_000, 100 * 2 ** attempt);
        if (!err.retryable || closed || Date.now() - started + delay > retryForMs) throw err;
        if (attempt === 0) log.warn({ code: err.code, what }, 'PostgreSQL unavailable; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const run = once;
  const tx = <R>(what: string, fn: (c: pg.PoolClient) => Promise<R>): Promise<R> => write(what, () => inTransaction(pool, fn));

  return {
    pool,
    driver: 'postgres',
    location,
    get isOpen() {
      return !closed;
    },
    queries: postgresQueries(pool, run),
    audit: postgresAuditLog(pool, run),
    schemaVersion,
    enqueue: (commands, now, opts) => tx('enqueue', async (c) => {
      if (opts?.discardCardsOf !== undefined) await pgDiscardPendingCards(c, opts.discardCardsOf, now);
      const r = await pgEnqueue(c, commands, now);
      if (opts?.call) await pgUpsertCall(c, opts.call);
      return r;
    }),
    // Not retried here: the sender claims again at its next pump.
    claim: (o) => run('claim', async () => {
      await pgSweepExpired(pool, o.now);
      return inTransaction(pool, (c) => pgClaim(c, o));
    }),
    record: (updates, now) => write('record', () => pgRecord(pool, updates, now)),
    steps: (lookups) => run('steps', () => pgSteps(pool, lookups)),
    releaseRunning: (now) => write('releaseRunning', () => pgReleaseRunning(pool, now)),
    get: (id) => run('get', () => pgGet(pool, id)),
    getByKey: (key) => run('getByKey', () => pgGetByKey(pool, key)),
    list: (q) => run('list', () => pgList(pool, q)),
    retry: (id, now) => run('retry', () => pgRetry(pool, id, now)),
    discard: (id, now, reason) => run('discard', () => pgDiscard(pool, id, now, reason)),
    resumeRetries: (now) => write('resumeRetries', () => pgResumeRetries(pool, now)),
    discardPendingCards: (callKey, now) => write('discardPendingCards', () => pgDiscardPendingCards(pool, callKey, now)),
    stats: (now) => run('stats', () => pgStats(pool, now)),
    nextDueAt: () => run('nextDueAt', () => pgNextDueAt(pool)),
    purgeSettled: (before) => run('purgeSettled', () => pgPurgeSettled(pool, before)),
    upsertCall: (c) => tx('upsertCall', (cl) => pgUpsertCall(cl, c)),
    getCall: (k) => run('getCall', () => pgGetCall(pool, k)),
    listOpenCalls: () => run('listOpenCalls', () => pgListOpenCalls(pool)),
    setB24CallId: (k, id, now) => write('setB24CallId', () => pgSetB24CallId(pool, k, id, now)),
    purgeEndedCalls: (before) => run('purgeEndedCalls', () => pgPurgeEndedCalls(pool, before)),
    getValue: async <T>(key: string) => (await run('getValue', () => pgGetValue(pool, key))) as T | undefined,
    setValue: (key, value, now) => write('setValue', () => pgSetValue(pool, key, value, now)),
    deleteValue: (key) => run('deleteValue', () => pgDeleteValue(pool, key)),
    // Not retried: a second attempt after a lost answer would call a new event a duplicate.
    markSeen: (id, now, expiresAt) => run('markSeen', () => pgMarkSeen(pool, id, now, expiresAt)),
    purgeSeen: (now) => run('purgeSeen', () => pgPurgeSeen(pool, now)),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
