/**
 * The PostgreSQL connection side of the store: the `pg` pool (types parsed the way the SQLite
 * rows come back: BIGINT epoch ms as numbers, JSON columns as their text), transactions on one
 * pooled client, driver errors mapped to ConnectorError, and the URL without its password for
 * messages and logs.
 */
import pg from 'pg';
import { ConnectorError, isConnectorError } from '../../errors.js';
import type { Logger } from '../../log.js';

export type Queryable = pg.Pool | pg.PoolClient;

export interface PgPoolOptions {
  /** postgres://user:password@host:5432/database (a secret: it holds the password). */
  readonly url: string;
  /** Connections at most. Default 5 (the connector runs a handful of queries at once). */
  readonly poolMax?: number;
  /** Give up connecting after this, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** A statement running longer is cancelled by the server, ms. Default 30 000. */
  readonly statementTimeoutMs?: number;
  /** false only for benchmarks or throw-away stores (commits no longer wait for the WAL flush). */
  readonly synchronousCommit?: boolean;
  /** Shown in pg_stat_activity. Default 'asterisk-b24' (what `store copy` looks for: copy-postgres.ts). */
  readonly applicationName?: string;
}

const INT8 = 20;
const NUMERIC = 1700;
const JSON_OID = 114;
const JSONB = 3802;

/**
 * Epoch ms and ids fit a double exactly (up to 2^53); COUNT(*) is BIGINT too. JSON stays text so
 * that SQL NULL (no result) and JSON null (a result of null) stay apart, as on SQLite.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === JSON_OID || oid === JSONB) return (v: string) => v;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

export function createPool(o: PgPoolOptions, log: Logger): pg.Pool {
  const { url, options } = splitOptions(o.url);
  const pool = new pg.Pool({
    connectionString: url,
    max: o.poolMax ?? 5,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5_000,
    statement_timeout: o.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: 60_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: o.applicationName ?? 'asterisk-b24',
    // Durability as SQLite's synchronous=FULL: a commit returns once its WAL is flushed, whatever
    // the server's default. Set at connection start-up, after any `options` the URL carries.
    options: [options, `-c synchronous_commit=${o.synchronousCommit === false ? 'off' : 'on'}`].filter(Boolean).join(' '),
    types,
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process:
  // the pool discards it and the next query opens a new one.
  pool.on('error', (e) => log.warn({ code: 'STORE_UNAVAILABLE', cause: pgCode(e) }, 'PostgreSQL dropped an idle connection'));
  return pool;
}

/**
 * The URL's own `options` (e.g. `-c search_path=crm`) taken out of it: pg lets the URL override the
 * pool's settings, and ours must be added to them, not replaced.
 */
function splitOptions(url: string): { url: string; options: string } {
  try {
    const u = new URL(url);
    const options = u.searchParams.get('options') ?? '';
    u.searchParams.delete('options');
    return { url: u.toString(), options };
  } catch {
    return { url, options: '' };
  }
}

/** Runs `fn` in one transaction on one client; rolls back when it throws. */
export async function inTransaction<R>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<R>): Promise<R> {
  const c = await pool.connect();
  let broken = false;
  // A checked-out client has no error listener of the pool's: a connection lost mid-transaction
  // would be an uncaught 'error' event (a crash). The failing query rejects anyway.
  const onError = (): void => {
    broken = true;
  };
  c.on('error', onError);
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw e;
  } finally {
    c.removeListener('error', onError);
    c.release(broken);
  }
}

/** The URL with its password masked (and any password= query parameter). */
export function redactPgUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|key/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

function pgCode(e: unknown): string {
  return e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
}

const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * Driver errors → ConnectorError. A lost or refused connection (the server restarts, a failover)
 * and lock contention are worth retrying; a bad statement or a missing privilege is not.
 */
export function mapPgError(what: string, e: unknown): ConnectorError {
  if (isConnectorError(e)) return e;
  const code = pgCode(e);
  const message = e instanceof Error ? e.message : String(e);
  const busy = code === '40001' || code === '40P01' || code === '55P03';
  const unavailable = code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
    || UNAVAILABLE_ERRNO.has(code) || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
  const stable = busy ? 'STORE_BUSY' : unavailable ? 'STORE_UNAVAILABLE' : 'STORE_QUERY_FAILED';
  return new ConnectorError(stable, `store ${what} failed${code ? ` (${code})` : ''}: ${message}`, {
    retryable: busy || unavailable,
    cause: e,
    details: { pgCode: code },
  });
}
