/**
 * cdr_pgsql's table in a throwaway PostgreSQL (test/store/pg-cluster.ts): the layout of Asterisk's
 * documented cdr_pgsql table (calldate, clid, src, dst, dcontext, channel, dstchannel, lastapp,
 * lastdata, duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, peeraccount,
 * linkedid, sequence), calldate a timestamptz or a timestamp without zone, indexed; a LOGIN role
 * with SELECT only. Rows are inserted as cdr_pgsql does: calldate as the PBX's wall-clock text
 * (`'%Y-%m-%d %T'`), which a timestamptz column reads in the session's zone — here the PBX's.
 */
import pg from 'pg';
import { sharedPgCluster } from '../store/pg-cluster.js';
import type { FreepbxRow } from './freepbx-rows.js';

export const PG_SKIP = 'no PostgreSQL here (apt install postgresql, or set ASTERISK_B24_TEST_PG_URL)';

export const PGSQL_CDR_COLUMNS = [
  'calldate', 'clid', 'src', 'dst', 'dcontext', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'duration', 'billsec', 'disposition',
  'amaflags', 'accountcode', 'uniqueid', 'userfield', 'peeraccount', 'linkedid', 'sequence',
] as const;

export interface PgCdrDatabase {
  /** The read-only role's URL. */
  readonly url: string;
  readonly adminUrl: string;
  readonly database: string;
  readonly role: string;
  /** Inserts rows (FreePBX-shaped rows work: their extra columns are dropped) with calldate on `timezone`'s clock. */
  insert(rows: readonly FreepbxRow[], timezone: string): Promise<void>;
  admin(sql: string): Promise<void>;
}

let roles = 0;

export async function createPgCdrDatabase(o: { zoned?: boolean; grant?: boolean; index?: boolean } = {}): Promise<PgCdrDatabase> {
  const cluster = await sharedPgCluster();
  const adminUrl = await cluster.createDatabase();
  const database = new URL(adminUrl).pathname.slice(1);
  const role = `ab24_ro_${process.pid}_${roles++}`;
  const admin = async (sql: string, params: unknown[] = [], timezone?: string): Promise<void> => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      if (timezone) await c.query(`SET TimeZone = '${timezone}'`);
      await c.query(sql, params);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE TABLE cdr (
    calldate ${o.zoned === false ? 'timestamp without time zone' : 'timestamp with time zone'} NOT NULL DEFAULT now(),
    clid varchar(80) NOT NULL DEFAULT '', src varchar(80) NOT NULL DEFAULT '', dst varchar(80) NOT NULL DEFAULT '',
    dcontext varchar(80) NOT NULL DEFAULT '', channel varchar(80) NOT NULL DEFAULT '', dstchannel varchar(80) NOT NULL DEFAULT '',
    lastapp varchar(80) NOT NULL DEFAULT '', lastdata varchar(80) NOT NULL DEFAULT '', duration bigint NOT NULL DEFAULT 0,
    billsec bigint NOT NULL DEFAULT 0, disposition varchar(45) NOT NULL DEFAULT '', amaflags bigint NOT NULL DEFAULT 0,
    accountcode varchar(20) NOT NULL DEFAULT '', uniqueid varchar(150) NOT NULL DEFAULT '', userfield varchar(255) NOT NULL DEFAULT '',
    peeraccount varchar(20) NOT NULL DEFAULT '', linkedid varchar(150) NOT NULL DEFAULT '', sequence integer NOT NULL DEFAULT 0)`);
  if (o.index !== false) await admin('CREATE INDEX cdr_calldate ON cdr (calldate)');
  await admin(`CREATE ROLE ${role} LOGIN`);
  if (o.grant !== false) await admin(`GRANT SELECT ON cdr TO ${role}`);
  const url = new URL(adminUrl);
  url.username = role;
  return {
    url: url.toString(), adminUrl, database, role,
    admin: (sql) => admin(sql),
    async insert(rows, timezone) {
      for (let i = 0; i < rows.length; i += 2_000) {
        const chunk = rows.slice(i, i + 2_000);
        const params: unknown[] = [];
        const values = chunk.map((r) => `(${PGSQL_CDR_COLUMNS.map((c) => {
          params.push(r[c] ?? (c === 'amaflags' || c === 'sequence' ? 0 : ''));
          return `$${params.length}`;
        }).join(', ')})`);
        await admin(`INSERT INTO cdr (${PGSQL_CDR_COLUMNS.join(', ')}) VALUES ${values.join(', ')}`, params, timezone);
      }
    },
  };
}
