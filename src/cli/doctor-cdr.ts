/**
 * Doctor check of the CDR database (`cdr.source: mysql` or `pgsql`): the connector can log in, the
 * table is an Asterisk CDR table (linkedid present?), the user may read it (and, better, only read
 * it), calldate is indexed, and the newest record is not in the future (a wrong timezone).
 */
import type mysql from 'mysql2/promise';
import type { Config } from '../config/schema.js';
import { cdrTableColumns, closeCdrDb, connectCdrDb, describeCdrDb, queryError, selectableColumns } from '../adapters/cdr/mysql.js';
import { closePgCdr, connectPgCdr, pgCdrTable, pgQueryError, pgSelectableColumns, pgTableName, PG_TIMESTAMPTZ } from '../adapters/cdr/pgsql.js';
import { cdrDbLayout, cdrRecordFromRow, type CdrDbRow } from '../core/cdr/db-row.js';
import { errorCode, isConnectorError } from '../errors.js';
import { fail, pass, skip, warn, type CheckOutcome } from './doctor-check.js';

type CdrConfig = Config['cdr'];

/** The CDR database's check for `cdr.source` mysql or pgsql. */
export function checkCdrDatabase(c: CdrConfig, now: () => number = Date.now): Promise<CheckOutcome> {
  return c.source === 'pgsql' ? checkCdrPgsql(c, now) : checkCdrMysql(c, now);
}

/** The statements that give the connector a read-only user (docs/operations.md). */
export function grantHint(database: string, table: string): string {
  return `as the database admin: CREATE USER 'asterisk-b24'@'<connector host>' IDENTIFIED BY '<password>'; ` +
    `GRANT SELECT ON ${database}.${table} TO 'asterisk-b24'@'<connector host>'; then put that user in cdr.mysql.url`;
}

function connectHint(driverCode: string, host: string): string {
  if (driverCode === 'ER_ACCESS_DENIED_ERROR') return 'wrong user or password in cdr.mysql.url (a password with @ : / must be URL-encoded), or the user is not allowed from this host';
  if (driverCode === 'ECONNREFUSED') return `nothing listens at ${host}: FreePBX's MariaDB listens on 127.0.0.1 only by default — run the connector on the PBX host, or set bind-address and open port 3306 to this host`;
  if (driverCode === 'ENOTFOUND') return 'the host name in cdr.mysql.url does not resolve';
  return `${host} does not answer: check the address, port and firewall (cdr.mysql.connectTimeoutMs)`;
}

async function one(conn: mysql.Connection, sql: string, timeoutMs: number, table: string): Promise<mysql.RowDataPacket[]> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql, timeout: timeoutMs });
    return rows;
  } catch (e) {
    throw queryError(e, `cannot read ${table}`, table);
  }
}

/** Privileges of the user beyond SELECT (from SHOW GRANTS), e.g. ['INSERT', 'ALL PRIVILEGES']. */
async function writePrivileges(conn: mysql.Connection, timeoutMs: number): Promise<string[]> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>({ sql: 'SHOW GRANTS', timeout: timeoutMs }).catch(() => [[] as mysql.RowDataPacket[]]);
  const found = new Set<string>();
  for (const r of rows) {
    const text = String(Object.values(r)[0] ?? '');
    const privs = /^GRANT (.+?) ON /.exec(text)?.[1] ?? '';
    for (const p of ['ALL PRIVILEGES', 'INSERT', 'UPDATE', 'DELETE', 'DROP', 'ALTER']) if (new RegExp(`\\b${p}\\b`).test(privs)) found.add(p);
  }
  return [...found];
}

export async function checkCdrMysql(c: CdrConfig, now: () => number = Date.now): Promise<CheckOutcome> {
  const my = c.mysql;
  if (!my) return skip('cdr.mysql is not set');
  const where = describeCdrDb(my.url);
  const name = `${where.database}.${my.table} at ${where.host}`;
  let conn: mysql.Connection;
  try {
    conn = await connectCdrDb(my);
  } catch (e) {
    const driverCode = String((isConnectorError(e) ? e.details?.['driverCode'] : undefined) ?? '');
    if (errorCode(e) === 'CDR_MYSQL_DENIED') return fail(`${name}: the user may not use the database (${driverCode})`, grantHint(where.database, my.table), 'DOCTOR_CDR_MYSQL_DENIED');
    return fail(`cannot connect to ${where.database} at ${where.host} (${driverCode || errorCode(e)})`, connectHint(driverCode, where.host), 'DOCTOR_CDR_MYSQL_CONNECT');
  }
  try {
    let columns: Set<string>;
    try {
      columns = await cdrTableColumns(conn, my.table, my.queryTimeoutMs);
      selectableColumns(columns, my.table);
    } catch (e) {
      if (errorCode(e) === 'CDR_MYSQL_DENIED') {
        return fail(`${name}: no SELECT on the table (or it does not exist)`, grantHint(where.database, my.table), 'DOCTOR_CDR_MYSQL_DENIED');
      }
      if (errorCode(e) === 'CDR_MYSQL_TABLE') {
        return fail(`${name}: ${(e as Error).message}`,
          'point cdr.mysql.url at the CDR database (FreePBX: asteriskcdrdb) and cdr.mysql.table at its table (FreePBX: CDRDBTABLENAME, default cdr)', 'DOCTOR_CDR_MYSQL_TABLE');
      }
      throw e;
    }
    const [last] = await one(conn, `SELECT calldate, duration, billsec, disposition FROM \`${my.table}\` ORDER BY calldate DESC LIMIT 1`, my.queryTimeoutMs, my.table);
    const warnings: Array<[string, string, string]> = [];
    if (!columns.has('linkedid')) {
      warnings.push(['no linkedid column: records are grouped by uniqueid (a transfer\'s legs may split)',
        'FreePBX\'s cdr module adds linkedid, peeraccount, sequence (fwconsole ma upgrade cdr); or ALTER TABLE … ADD linkedid VARCHAR(32) NOT NULL DEFAULT \'\'', 'DOCTOR_CDR_MYSQL_NO_LINKEDID']);
    }
    const index = await one(conn, `SHOW INDEX FROM \`${my.table}\` WHERE Column_name = 'calldate' AND Seq_in_index = 1`, my.queryTimeoutMs, my.table).catch(() => undefined);
    if (index && index.length === 0) {
      warnings.push(['calldate is not indexed: each backfill scans the whole table', `as the database admin: ALTER TABLE ${where.database}.${my.table} ADD INDEX calldate (calldate)`, 'DOCTOR_CDR_MYSQL_NO_INDEX']);
    }
    const extra = await writePrivileges(conn, my.queryTimeoutMs);
    if (extra.length > 0) {
      warnings.push([`the user may also ${extra.join(', ')}: the connector only reads`, grantHint(where.database, my.table), 'DOCTOR_CDR_MYSQL_NOT_READONLY']);
    }
    const timezone = my.timezone ?? c.timezone;
    const rec = last ? cdrRecordFromRow(last as CdrDbRow, cdrDbLayout(timezone)) : undefined;
    if (!rec) {
      warnings.push([`${name} is readable but empty`, 'make a test call and check that Asterisk writes a row (cdr_adaptive_odbc / cdr_mysql loaded: asterisk -rx "cdr show status")', 'DOCTOR_CDR_MYSQL_EMPTY']);
    } else if (rec.ok && rec.record.start > now() + 10 * 60_000) {
      warnings.push([`the newest record began at ${new Date(rec.record.start).toISOString()}, in the future: calldate is read in the wrong time zone`,
        'set cdr.mysql.timezone to the PBX\'s zone (timedatectl on the PBX), or "UTC" when cdr_adaptive_odbc has usegmtime=yes', 'DOCTOR_CDR_MYSQL_CLOCK']);
    }
    const lastText = rec?.ok ? `last record ${new Date(rec.record.end).toISOString()}` : rec ? `last record unreadable (${rec.reason})` : 'no record';
    const summary = `${name} readable; ${columns.has('linkedid') ? 'linkedid present' : 'no linkedid'}; ${lastText}`;
    if (warnings.length === 0) return pass(summary);
    return warn(`${summary} — ${warnings.map((w) => w[0]).join('; ')}`, warnings.map((w) => w[1]).join(' | '), warnings[0]![2]);
  } finally {
    await closeCdrDb(conn);
  }
}

/** The statements that give the connector a read-only PostgreSQL role. */
export function pgGrantHint(database: string, table: string): string {
  const schema = table.includes('.') ? table.split('.')[0]! : 'public';
  return `as the database admin: CREATE ROLE asterisk_b24 LOGIN PASSWORD '<password>'; GRANT CONNECT ON DATABASE ${database} TO asterisk_b24; ` +
    `GRANT USAGE ON SCHEMA ${schema} TO asterisk_b24; GRANT SELECT ON ${table} TO asterisk_b24; then put that role in cdr.pgsql.url`;
}

function pgConnectHint(driverCode: string, host: string): string {
  if (driverCode === '28P01') return 'wrong user or password in cdr.pgsql.url (a password with @ : / must be URL-encoded)';
  if (driverCode === '28000') return `the server refused the role: it does not exist, may not log in, or pg_hba.conf has no line for this host (${host})`;
  if (driverCode === '3D000') return 'no such database: the path of cdr.pgsql.url is cdr_pgsql.conf\'s dbname';
  if (driverCode === 'ECONNREFUSED') return `nothing listens at ${host}: PostgreSQL listens on localhost only by default — set listen_addresses and a pg_hba.conf line for this host, or run the connector on the database host`;
  if (driverCode === 'ENOTFOUND') return 'the host name in cdr.pgsql.url does not resolve';
  return `${host} does not answer: check the address, port and firewall (cdr.pgsql.connectTimeoutMs)`;
}

export async function checkCdrPgsql(c: CdrConfig, now: () => number = Date.now): Promise<CheckOutcome> {
  const p = c.pgsql;
  if (!p) return skip('cdr.pgsql is not set');
  const where = describeCdrDb(p.url);
  const name = `${where.database}.${p.table} at ${where.host}`;
  let client: Awaited<ReturnType<typeof connectPgCdr>>;
  try {
    client = await connectPgCdr(p);
  } catch (e) {
    const driverCode = String((isConnectorError(e) ? e.details?.['driverCode'] : undefined) ?? '');
    if (errorCode(e) === 'CDR_PGSQL_DENIED') return fail(`${name}: the role may not connect to the database (${driverCode})`, pgGrantHint(where.database, p.table), 'DOCTOR_CDR_PGSQL_DENIED');
    return fail(`cannot connect to ${where.database} at ${where.host} (${driverCode || errorCode(e)})`, pgConnectHint(driverCode, where.host), 'DOCTOR_CDR_PGSQL_CONNECT');
  }
  try {
    let t: Awaited<ReturnType<typeof pgCdrTable>>;
    try {
      t = await pgCdrTable(client, p.table);
      pgSelectableColumns(t, p.table);
    } catch (e) {
      if (errorCode(e) === 'CDR_PGSQL_DENIED') return fail(`${name}: no SELECT on the table`, pgGrantHint(where.database, p.table), 'DOCTOR_CDR_PGSQL_DENIED');
      if (errorCode(e) === 'CDR_PGSQL_TABLE') {
        return fail(`${name}: ${(e as Error).message}`, 'point cdr.pgsql.url at cdr_pgsql.conf\'s dbname and cdr.pgsql.table at its table (default cdr)', 'DOCTOR_CDR_PGSQL_TABLE');
      }
      throw e;
    }
    const zoned = t.calldateType === PG_TIMESTAMPTZ;
    const q = async <R>(sql: string, params: unknown[] = []): Promise<R[]> => {
      try {
        return (await client.query(sql, params)).rows as R[];
      } catch (e) {
        throw pgQueryError(e, `cannot read ${p.table}`, p.table);
      }
    };
    await q("SET TimeZone = 'UTC'");
    const [last] = await q<CdrDbRow>(`SELECT to_char(t.calldate, 'YYYY-MM-DD HH24:MI:SS') AS calldate, t.duration, t.billsec, t.disposition FROM ${pgTableName(p.table)} AS t ORDER BY t.calldate DESC LIMIT 1`);
    const warnings: Array<[string, string, string]> = [];
    if (!t.columns.has('linkedid')) {
      warnings.push(['no linkedid column: records are grouped by uniqueid (a transfer\'s legs may split)',
        `ALTER TABLE ${p.table} ADD COLUMN linkedid varchar(150), ADD COLUMN peeraccount varchar(80), ADD COLUMN sequence integer (cdr_pgsql fills the columns it finds after a reload)`, 'DOCTOR_CDR_PGSQL_NO_LINKEDID']);
    }
    const [indexed] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = $1 AND a.attname = 'calldate'`, [t.oid]).catch(() => [undefined]);
    if (indexed && indexed.n === 0) {
      warnings.push(['calldate is not indexed: each backfill scans the whole table', `as the database admin: CREATE INDEX ON ${p.table} (calldate)`, 'DOCTOR_CDR_PGSQL_NO_INDEX']);
    }
    const [privs] = await q<{ rolsuper: boolean; ins: boolean; upd: boolean; del: boolean; trunc: boolean }>(
      `SELECT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS rolsuper, has_table_privilege($1::oid, 'INSERT') AS ins,
              has_table_privilege($1::oid, 'UPDATE') AS upd, has_table_privilege($1::oid, 'DELETE') AS del, has_table_privilege($1::oid, 'TRUNCATE') AS trunc`, [t.oid]);
    const extra = privs?.rolsuper ? ['everything (a superuser)'] : privs ? (['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] as const).filter((_, i) => [privs.ins, privs.upd, privs.del, privs.trunc][i]) : [];
    if (extra.length > 0) {
      warnings.push([`the role may also ${extra.join(', ')}: the connector only reads`, pgGrantHint(where.database, p.table), 'DOCTOR_CDR_PGSQL_NOT_READONLY']);
    }
    const timezone = p.timezone ?? c.timezone;
    const rec = last ? cdrRecordFromRow(last, cdrDbLayout(zoned ? 'UTC' : timezone)) : undefined;
    if (!rec) {
      warnings.push([`${name} is readable but empty`, 'make a test call and check that Asterisk writes a row (cdr_pgsql loaded: asterisk -rx "cdr show status")', 'DOCTOR_CDR_PGSQL_EMPTY']);
    } else if (rec.ok && rec.record.start > now() + 10 * 60_000) {
      warnings.push([`the newest record began at ${new Date(rec.record.start).toISOString()}, in the future: calldate is read in the wrong time zone`,
        zoned
          ? 'calldate is a timestamptz: Asterisk wrote its local time in another zone than the database session\'s — set timezone in cdr_pgsql.conf, or the role\'s TimeZone (ALTER ROLE … SET timezone), to the PBX\'s zone'
          : 'set cdr.pgsql.timezone to the PBX\'s zone (timedatectl on the PBX), or "UTC" when cdr_pgsql.conf has timezone=UTC', 'DOCTOR_CDR_PGSQL_CLOCK']);
    }
    const lastText = rec?.ok ? `last record ${new Date(rec.record.end).toISOString()}` : rec ? `last record unreadable (${rec.reason})` : 'no record';
    const summary = `${name} readable; calldate ${zoned ? 'timestamptz' : `timestamp in ${timezone ?? 'this host\'s zone'}`}; ${t.columns.has('linkedid') ? 'linkedid present' : 'no linkedid'}; ${lastText}`;
    if (warnings.length === 0) return pass(summary);
    return warn(`${summary} — ${warnings.map((w) => w[0]).join('; ')}`, warnings.map((w) => w[1]).join(' | '), warnings[0]![2]);
  } finally {
    await closePgCdr(client);
  }
}
