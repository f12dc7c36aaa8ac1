/**
 * Reads CDR rows of a time window from the MySQL/MariaDB table cdr_adaptive_odbc or cdr_mysql write
 * (FreePBX, Issabel, VitalPBX: `asteriskcdrdb.cdr`). Read-only: one connection per read, one
 * READ ONLY transaction (a consistent snapshot across pages on InnoDB), SELECT only.
 *
 * The WHERE is a range on `calldate` (indexed in FreePBX's table), read newest first in pages that
 * end on a calldate boundary, at most `maxRows` (newest-first.ts): the oldest rows of a very long gap
 * are left out (`truncated`), as the CSV reader leaves out the file's start.
 */
import mysql from 'mysql2/promise';
import { ConnectorError } from '../../errors.js';
import { CDR_DB_COLUMNS, CDR_DB_REQUIRED, cdrRowsToRecords, wallClock, type CdrDbRow } from '../../core/cdr/db-row.js';
import type { CdrCsvLayout } from '../../core/cdr/csv.js';
import type { CdrTail } from './master-csv.js';
import { readNewestFirst } from './newest-first.js';

/** What every CDR database source is given (the `cdr.mysql` / `cdr.pgsql` settings). */
export interface CdrDbOptions {
  /** mysql://user:password@host:3306/asteriskcdrdb, postgres://user:password@host:5432/asterisk */
  readonly url: string;
  readonly table: string;
  /** IANA zone a calldate without zone is written in (undefined: this host's zone). */
  readonly timezone?: string | undefined;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly pageSize: number;
  readonly maxRows: number;
  /** calldate is a record's START: look this much further back for calls that ended after `since` (default 3 h). */
  readonly lookbackMs?: number;
}

export type MysqlCdrOptions = CdrDbOptions;

/** Calls are rarely longer: a record that began this long before the window's start is not read. */
export const CDR_LOOKBACK_MS = 3 * 3_600_000;

export interface CdrRows extends CdrTail {
  readonly rowsRead: number;
}

/** Where a URL points, without its credentials (for messages and logs). */
export function describeCdrDb(url: string): { host: string; database: string } {
  try {
    const u = new URL(url);
    return { host: u.port ? `${u.hostname}:${u.port}` : u.hostname, database: decodeURIComponent(u.pathname.slice(1)) };
  } catch {
    return { host: '?', database: '?' };
  }
}

/** MySQL server error codes that mean "no privilege". */
const DENIED = new Set(['ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR']);

function driverCode(e: unknown): string {
  return (e as { code?: unknown }).code && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : 'UNKNOWN';
}

/** A driver error of a query → a stable code (missing table/column, no privilege, anything else). */
export function queryError(e: unknown, what: string, table: string): ConnectorError {
  const code = driverCode(e);
  if (code === 'ER_NO_SUCH_TABLE' || code === 'ER_BAD_FIELD_ERROR') {
    return new ConnectorError('CDR_MYSQL_TABLE', `${what}: ${(e as Error).message}`, { cause: e, details: { table, driverCode: code } });
  }
  if (DENIED.has(code)) return new ConnectorError('CDR_MYSQL_DENIED', `${what}: ${(e as Error).message}`, { cause: e, details: { table, driverCode: code } });
  return new ConnectorError('CDR_MYSQL_QUERY', `${what}: ${(e as Error).message}`, { retryable: true, cause: e, details: { table, driverCode: code } });
}

/** Opens one connection (never a pool: the backfill runs a few times a day). */
export async function connectCdrDb(o: Pick<MysqlCdrOptions, 'url' | 'connectTimeoutMs'>): Promise<mysql.Connection> {
  const where = describeCdrDb(o.url);
  try {
    const conn = await mysql.createConnection({
      uri: o.url, connectTimeout: o.connectTimeoutMs, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, charset: 'utf8mb4',
    });
    conn.on('error', () => undefined); // a connection lost later fails the next query instead of the process
    return conn;
  } catch (e) {
    // A user with no privilege on the database is refused at login.
    if (DENIED.has(driverCode(e))) {
      throw new ConnectorError('CDR_MYSQL_DENIED', `the CDR database ${where.database} at ${where.host} refused the user: ${(e as Error).message}`, {
        cause: e, details: { ...where, driverCode: driverCode(e) },
      });
    }
    throw new ConnectorError('CDR_MYSQL_CONNECT', `cannot connect to the CDR database ${where.database} at ${where.host}: ${(e as Error).message}`, {
      retryable: true, cause: e, details: { ...where, driverCode: driverCode(e) },
    });
  }
}

/** The table's column names (lower case). */
export async function cdrTableColumns(conn: mysql.Connection, table: string, timeoutMs: number): Promise<Set<string>> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql: 'SHOW COLUMNS FROM ??', timeout: timeoutMs }, [table]);
    return new Set(rows.map((r) => String(r['Field']).toLowerCase()));
  } catch (e) {
    throw queryError(e, `cannot list the columns of ${table}`, table);
  }
}

/** The columns to select, or CDR_MYSQL_TABLE when a required one is missing. */
export function selectableColumns(present: Set<string>, table: string): string[] {
  const missing = CDR_DB_REQUIRED.filter((c) => !present.has(c));
  if (missing.length > 0) {
    throw new ConnectorError('CDR_MYSQL_TABLE', `${table} has no column ${missing.join(', ')}: not an Asterisk CDR table`, { details: { table, missing } });
  }
  return CDR_DB_COLUMNS.filter((c) => present.has(c));
}

/** Rows that ended at or after `sinceMs` and began before `untilMs`, oldest first. */
export async function readCdrRows(o: MysqlCdrOptions, layout: CdrCsvLayout, sinceMs: number, untilMs: number): Promise<CdrRows> {
  const conn = await connectCdrDb(o);
  try {
    const cols = selectableColumns(await cdrTableColumns(conn, o.table, o.queryTimeoutMs), o.table);
    const q = async (sql: string, params: unknown[]): Promise<CdrDbRow[]> => {
      try {
        const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql, timeout: o.queryTimeoutMs }, params);
        return rows as CdrDbRow[];
      } catch (e) {
        throw queryError(e, `cannot read ${o.table}`, o.table);
      }
    };
    await q('START TRANSACTION READ ONLY', []);
    const lo = wallClock(sinceMs - (o.lookbackMs ?? CDR_LOOKBACK_MS), o.timezone);
    const select = `SELECT ${cols.map((c) => mysql.escapeId(c)).join(', ')} FROM ${mysql.escapeId(o.table)}`;
    const { rows: raw, truncated } = await readNewestFirst<CdrDbRow, string>({
      page: (upper, limit) => q(`${select} WHERE calldate >= ? AND calldate ${upper.inclusive ? '<=' : '<'} ? ORDER BY calldate DESC LIMIT ?`, [lo, upper.value, limit]),
      at: (value) => q(`${select} WHERE calldate = ?`, [value]),
      keyOf: (row) => String(row.calldate),
    }, wallClock(untilMs, o.timezone), o.pageSize, o.maxRows);
    await q('ROLLBACK', []).catch(() => undefined);
    const { records, bad } = cdrRowsToRecords(raw, layout, sinceMs);
    return { records, bad, truncated, bytesRead: 0, rowsRead: raw.length };
  } finally {
    await closeCdrDb(conn);
  }
}

/** Ends the connection politely, or cuts it when the server does not answer within a second. */
export async function closeCdrDb(conn: mysql.Connection): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = await Promise.race([
    conn.end().then(() => true, () => false),
    new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 1_000); }),
  ]);
  clearTimeout(timer);
  if (!ended) conn.destroy();
}
