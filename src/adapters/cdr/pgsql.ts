/**
 * Reads CDR rows of a time window from the PostgreSQL table cdr_pgsql (or cdr_adaptive_odbc) writes.
 * Read-only, as the MySQL source (mysql.ts): one connection per read, one REPEATABLE READ READ ONLY
 * transaction (one snapshot across pages), SELECT only; the same calldate window, newest-first pages
 * that end on a calldate boundary, `maxRows`, and the same row → record mapping (core/cdr/db-row.ts).
 *
 * calldate's type decides the zone: a `timestamp with time zone` is an instant (read in UTC, no
 * zone to configure); a `timestamp without time zone` is the PBX's wall clock, read in `timezone`.
 * Columns are discovered from pg_catalog, with the user's SELECT privilege on each.
 */
import pg from 'pg';
import { ConnectorError } from '../../errors.js';
import { CDR_DB_COLUMNS, CDR_DB_REQUIRED, cdrDbLayout, cdrRowsToRecords, wallClock, type CdrDbRow } from '../../core/cdr/db-row.js';
import type { CdrCsvLayout } from '../../core/cdr/csv.js';
import { CDR_LOOKBACK_MS, describeCdrDb, type CdrDbOptions, type CdrRows } from './mysql.js';
import { readNewestFirst } from './newest-first.js';

/** `table` may be schema-qualified (`asterisk.cdr`); `timezone` is for a `timestamp without time zone` calldate only. */
export type PgsqlCdrOptions = CdrDbOptions;

/** What pg_catalog says about the table. */
export interface PgCdrTable {
  /** Columns the user may SELECT (lower case). */
  readonly columns: Set<string>;
  /** Columns present but not readable by the user. */
  readonly hidden: Set<string>;
  /** `timestamp with time zone`, `timestamp without time zone`, … */
  readonly calldateType: string;
  readonly oid: number;
}

export const PG_TIMESTAMPTZ = 'timestamp with time zone';
export const PG_TIMESTAMP = 'timestamp without time zone';

/** `cdr` / `asterisk.cdr` → `"cdr"` / `"asterisk"."cdr"` (the config allows plain names only). */
export function pgTableName(table: string): string {
  return table.split('.').map((p) => `"${p.replaceAll('"', '""')}"`).join('.');
}

function driverCode(e: unknown): string {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : 'UNKNOWN';
}

/** A driver error of a query → a stable code (SQLSTATE 42P01/42703 missing, 42501 no privilege, anything else). */
export function pgQueryError(e: unknown, what: string, table: string): ConnectorError {
  const code = driverCode(e);
  const details = { table, driverCode: code };
  if (code === '42P01' || code === '42703' || code === '3F000') return new ConnectorError('CDR_PGSQL_TABLE', `${what}: ${(e as Error).message}`, { cause: e, details });
  if (code === '42501') return new ConnectorError('CDR_PGSQL_DENIED', `${what}: ${(e as Error).message}`, { cause: e, details });
  return new ConnectorError('CDR_PGSQL_QUERY', `${what}: ${(e as Error).message}`, { retryable: true, cause: e, details });
}

/** Opens one connection (never a pool: the backfill runs a few times a day). */
export async function connectPgCdr(o: Pick<PgsqlCdrOptions, 'url' | 'connectTimeoutMs' | 'queryTimeoutMs'>): Promise<pg.Client> {
  const where = describeCdrDb(o.url);
  const client = new pg.Client({
    connectionString: o.url, connectionTimeoutMillis: o.connectTimeoutMs, statement_timeout: o.queryTimeoutMs,
    query_timeout: o.queryTimeoutMs + 1_000, application_name: 'asterisk-b24 cdr',
  });
  client.on('error', () => undefined); // a connection lost later fails the next query instead of the process
  try {
    await client.connect();
    return client;
  } catch (e) {
    void client.end().catch(() => undefined);
    const details = { ...where, driverCode: driverCode(e) };
    // No CONNECT privilege on the database.
    if (driverCode(e) === '42501') {
      throw new ConnectorError('CDR_PGSQL_DENIED', `the CDR database ${where.database} at ${where.host} refused the user: ${(e as Error).message}`, { cause: e, details });
    }
    throw new ConnectorError('CDR_PGSQL_CONNECT', `cannot connect to the CDR database ${where.database} at ${where.host}: ${(e as Error).message}`, {
      retryable: true, cause: e, details,
    });
  }
}

/** The table's columns, their readability and calldate's type; CDR_PGSQL_TABLE when there is no such table. */
export async function pgCdrTable(client: pg.Client, table: string): Promise<PgCdrTable> {
  let rows: Array<{ name: string; type: string; readable: boolean; oid: number }>;
  try {
    ({ rows } = await client.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, has_column_privilege(c.oid, a.attnum, 'SELECT') AS readable, c.oid::int AS oid
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.oid = to_regclass($1)`, [pgTableName(table)]));
  } catch (e) {
    throw pgQueryError(e, `cannot list the columns of ${table}`, table);
  }
  if (rows.length === 0) throw new ConnectorError('CDR_PGSQL_TABLE', `there is no table ${table} (or its schema is not on the search path)`, { details: { table } });
  const columns = new Set<string>();
  const hidden = new Set<string>();
  for (const r of rows) (r.readable ? columns : hidden).add(r.name.toLowerCase());
  return { columns, hidden, calldateType: rows.find((r) => r.name.toLowerCase() === 'calldate')?.type ?? '', oid: rows[0]!.oid };
}

/** The columns to select, or CDR_PGSQL_DENIED / _TABLE when a required one is unreadable or missing. */
export function pgSelectableColumns(t: PgCdrTable, table: string): string[] {
  const unreadable = CDR_DB_REQUIRED.filter((c) => t.hidden.has(c));
  if (unreadable.length > 0) {
    throw new ConnectorError('CDR_PGSQL_DENIED', `permission denied for table ${table} (no SELECT on ${unreadable.join(', ')})`, { details: { table, columns: unreadable } });
  }
  const missing = CDR_DB_REQUIRED.filter((c) => !t.columns.has(c));
  if (missing.length > 0) {
    throw new ConnectorError('CDR_PGSQL_TABLE', `${table} has no column ${missing.join(', ')}: not an Asterisk CDR table`, { details: { table, missing } });
  }
  if (t.calldateType !== PG_TIMESTAMPTZ && t.calldateType !== PG_TIMESTAMP) {
    throw new ConnectorError('CDR_PGSQL_TABLE', `${table}.calldate is ${t.calldateType}: a timestamp (with or without time zone) is needed`, {
      details: { table, calldateType: t.calldateType },
    });
  }
  return CDR_DB_COLUMNS.filter((c) => t.columns.has(c));
}

/** Rows that ended at or after `sinceMs` and began before `untilMs`, oldest first. */
export async function readPgCdrRows(o: PgsqlCdrOptions, layout: CdrCsvLayout, sinceMs: number, untilMs: number): Promise<CdrRows> {
  const client = await connectPgCdr(o);
  try {
    const t = await pgCdrTable(client, o.table);
    const cols = pgSelectableColumns(t, o.table);
    const zoned = t.calldateType === PG_TIMESTAMPTZ;
    const q = async (sql: string, params: unknown[] = []): Promise<Array<CdrDbRow & { calldate_key?: string }>> => {
      try {
        return (await client.query(sql, params)).rows as Array<CdrDbRow & { calldate_key?: string }>;
      } catch (e) {
        throw pgQueryError(e, `cannot read ${o.table}`, o.table);
      }
    };
    await q('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // A timestamptz is shown, compared and read in UTC; a timestamp is the PBX's wall clock.
    await q("SET LOCAL TimeZone = 'UTC'");
    const type = zoned ? 'timestamptz' : 'timestamp';
    const bound = (ms: number): string => (zoned ? new Date(ms).toISOString() : wallClock(ms, o.timezone));
    // `t.calldate` everywhere: a bare `calldate` in ORDER BY would be the to_char output column.
    const list = cols.map((c) => (c === 'calldate' ? `to_char(t.calldate, 'YYYY-MM-DD HH24:MI:SS') AS calldate` : `t."${c}"`));
    const select = `SELECT ${list.join(', ')}, t.calldate::text AS calldate_key FROM ${pgTableName(o.table)} AS t`;
    const lo = bound(sinceMs - (o.lookbackMs ?? CDR_LOOKBACK_MS));
    // Pages end on the exact calldate (fractions too: `calldate_key`), not on the displayed second.
    const { rows: raw, truncated } = await readNewestFirst<CdrDbRow & { calldate_key?: string }, string>({
      page: (upper, limit) => q(`${select} WHERE t.calldate >= $1::${type} AND t.calldate ${upper.inclusive ? '<=' : '<'} $2::${type} ORDER BY t.calldate DESC LIMIT $3`,
        [lo, upper.value, limit]),
      at: (value) => q(`${select} WHERE t.calldate = $1::${type}`, [value]),
      keyOf: (row) => String(row.calldate_key),
    }, bound(untilMs), o.pageSize, o.maxRows);
    await q('ROLLBACK').catch(() => undefined);
    const { records, bad } = cdrRowsToRecords(raw, zoned ? cdrDbLayout('UTC') : layout, sinceMs);
    return { records, bad, truncated, bytesRead: 0, rowsRead: raw.length };
  } finally {
    await closePgCdr(client);
  }
}

/** Ends the connection politely, or gives up waiting after a second (the socket is closed anyway). */
export async function closePgCdr(client: pg.Client): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((r) => { timer = setTimeout(r, 1_000); }),
  ]);
  clearTimeout(timer);
}
