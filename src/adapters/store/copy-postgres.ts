/**
 * The PostgreSQL side of `store copy` / `store backup` (copy-port.ts): one connection of its own,
 * the tables of the store's schema (current_schema(), so a `search_path` in the URL is honoured),
 * rows through a cursor inside a REPEATABLE READ snapshot, the destination written in one
 * transaction, identity sequences moved past the copied ids.
 *
 * "In use": the connector's sessions carry application_name 'asterisk-b24' (postgres-pool.ts);
 * this side calls itself 'asterisk-b24 store' and refuses when another session of the connector is
 * connected to the same database. A connector that has been idle for longer than its pool's idle
 * timeout (30 s, no AMI connection) may hold no session: stop it before copying (operations.md).
 */
import type pg from 'pg';
import { ConnectorError } from '../../errors.js';
import { createPool, mapPgError, redactPgUrl } from './postgres-pool.js';
import { currentVersion, migratePg, PG_MIGRATIONS } from './postgres-migrations.js';
import { silentLogger } from '../../log.js';
import { quoteIdent, SCHEMA_TABLE, type CopyDb, type Row, type TableInfo } from './copy-port.js';

export interface PostgresCopyOptions {
  readonly url: string;
  readonly connectTimeoutMs?: number;
  /** Refuse when a connector session is connected to the database. */
  readonly refuseInUse: boolean;
}

const BATCH = 500;
const CONNECTOR_APP = 'asterisk-b24';

export async function openPostgresCopy(o: PostgresCopyOptions): Promise<CopyDb> {
  const location = redactPgUrl(o.url);
  const pool = createPool({
    url: o.url, poolMax: 2, statementTimeoutMs: 0, applicationName: `${CONNECTOR_APP} store`,
    ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
  }, silentLogger);
  let c: pg.PoolClient;
  try {
    c = await pool.connect();
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new ConnectorError('STORE_OPEN_FAILED', `cannot connect to PostgreSQL at ${location} (${(cause as Error).message})`, { cause, details: { location } });
  }
  c.on('error', () => undefined); // a lost connection fails the query in progress
  const q = async <R extends pg.QueryResultRow = Record<string, unknown>>(what: string, text: string, params?: unknown[]): Promise<pg.QueryResult<R>> => {
    try {
      return await c.query<R>(text, params);
    } catch (e) {
      throw mapPgError(what, e);
    }
  };
  const close = async (): Promise<void> => {
    c.release();
    await pool.end().catch(() => undefined);
  };
  try {
    if (o.refuseInUse) {
      const others = (await q<{ pid: number; addr: string | null }>('in-use check', `SELECT pid, client_addr::text AS addr FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`, [CONNECTOR_APP])).rows;
      if (others.length) {
        const who = others.map((r) => `pid ${r.pid}${r.addr ? ` from ${r.addr}` : ''}`).join(', ');
        throw new ConnectorError('STORE_COPY_IN_USE', `${location} is in use by a connector (${who}): stop it first`, { details: { location, sessions: others.length } });
      }
    }
  } catch (e) {
    await close();
    throw e;
  }

  const sequenceName = async (t: TableInfo): Promise<{ column: string; seq: string } | undefined> => {
    const rows = (await q<{ col: string; seq: string | null }>('sequence', `SELECT column_name AS col,
        pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) AS seq
      FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, [t.name])).rows;
    const r = rows.find((x) => x.seq);
    return r?.seq ? { column: r.col, seq: r.seq } : undefined;
  };
  let cursors = 0;

  return {
    driver: 'postgres',
    location,
    version: () => currentVersion(c),
    async migrateTo(version) {
      await migratePg(pool, PG_MIGRATIONS.slice(0, version)).catch((e: unknown) => {
        throw mapPgError('migrate', e);
      });
    },
    async tables() {
      const names = (await q<{ name: string }>('tables', `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> $1`, [SCHEMA_TABLE])).rows.map((r) => r.name).sort();
      const out: TableInfo[] = [];
      for (const name of names) {
        const columns = (await q<{ col: string }>('columns', `SELECT column_name AS col FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, [name])).rows.map((r) => r.col);
        const key = (await q<{ col: string }>('key', `SELECT a.attname AS col FROM pg_index i
          CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          WHERE i.indrelid = format('%I.%I', current_schema(), $1::text)::regclass AND i.indisprimary ORDER BY k.ord`, [name])).rows.map((r) => r.col);
        out.push({ name, columns, key });
      }
      return out;
    },
    async begin(mode) {
      await q('begin', mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      if (mode === 'read') await q('begin', 'SELECT 1'); // the snapshot is taken at the first statement
    },
    async commit() {
      await q('commit', 'COMMIT');
    },
    async rollback() {
      await c.query('ROLLBACK').catch(() => undefined);
    },
    async *scan(t, columns) {
      const name = `ab24_copy_${cursors++}`;
      const order = t.key.length ? ` ORDER BY ${t.key.map(quoteIdent).join(', ')}` : '';
      await q('scan', `DECLARE ${name} NO SCROLL CURSOR FOR SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(t.name)}${order}`);
      try {
        for (;;) {
          const r = await c.query({ text: `FETCH ${BATCH} FROM ${name}`, rowMode: 'array' }).catch((e: unknown) => {
            throw mapPgError('scan', e);
          });
          if (r.rows.length === 0) break;
          yield r.rows as Row[];
        }
      } finally {
        await c.query(`CLOSE ${name}`).catch(() => undefined);
      }
    },
    async count(t) {
      return Number((await q<{ n: number }>('count', `SELECT COUNT(*) AS n FROM ${quoteIdent(t.name)}`)).rows[0]?.n ?? 0);
    },
    async sequence(t) {
      const s = await sequenceName(t);
      if (!s) return undefined;
      const r = (await q<{ last_value: number; is_called: boolean }>('sequence', `SELECT last_value, is_called FROM ${s.seq}`)).rows[0];
      return { column: s.column, value: r ? (r.is_called ? r.last_value : r.last_value - 1) : 0 };
    },
    async clear(tables) {
      if (tables.length) await q('clear', `TRUNCATE ${tables.map((t) => quoteIdent(t.name)).join(', ')} RESTART IDENTITY`);
    },
    async insert(t, columns, rows) {
      const per = Math.max(1, Math.min(1_000, Math.floor(60_000 / Math.max(1, columns.length))));
      for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const params: unknown[] = [];
        const values = chunk.map((row) => `(${row.map((v) => {
          params.push(v === undefined ? null : v);
          return `$${params.length}`;
        }).join(', ')})`);
        await q('insert', `INSERT INTO ${quoteIdent(t.name)} (${columns.map(quoteIdent).join(', ')}) VALUES ${values.join(', ')}`, params);
      }
    },
    async setSequence(t, value) {
      const s = await sequenceName(t);
      if (!s) return;
      await q('sequence', value > 0 ? 'SELECT setval($1::regclass, $2, true)' : 'SELECT setval($1::regclass, 1, false)', value > 0 ? [s.seq, value] : [s.seq]);
    },
    close,
  };
}
