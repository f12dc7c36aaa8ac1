/**
 * The SQLite side of `store copy` / `store backup` (copy-port.ts), on a connection of its own.
 *
 * "In use" is the file lock SQLite itself keeps: every open connection to a WAL database holds a
 * shared lock on the file for as long as it is open (a running connector, crashed or not, holds
 * none once its process is gone). `exclusive` asks for the database's exclusive lock
 * (locking_mode=EXCLUSIVE + a write transaction): refused while any other process — or any other
 * connection of this one — has the file open, and held until close, so a connector cannot start
 * on it mid-copy. `snapshot` shares the file with a running connector and reads inside one read
 * transaction (WAL: a consistent snapshot that does not block the connector's writes). `backup` is
 * a new file in rollback-journal mode: every commit lands in the file itself, so it is complete
 * the moment the copy commits, and can be renamed into place (the connector turns WAL on when it
 * opens it).
 *
 * libsql closes a connection for real only once its prepared statements are garbage-collected;
 * a written WAL destination is therefore checkpointed into its file before close().
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { ConnectorError } from '../../errors.js';
import { migrate, MIGRATIONS } from './migrations.js';
import { quoteIdent, SCHEMA_TABLE, type CopyDb, type Row, type SequenceInfo, type TableInfo } from './copy-port.js';

export interface SqliteCopyOptions {
  readonly path: string;
  /** `exclusive`: take the file (refused while it is open elsewhere); `snapshot`: share it; `backup`: a new file of our own. */
  readonly lock: 'exclusive' | 'snapshot' | 'backup';
  /** The file must exist already (a source). */
  readonly mustExist: boolean;
}

const BATCH = 500;

export function openSqliteCopy(o: SqliteCopyOptions): CopyDb {
  if (o.path === ':memory:' || o.path === '') {
    throw new ConnectorError('STORE_COPY_BAD_TARGET', 'an in-memory SQLite store cannot be copied (store.path is ":memory:")');
  }
  if (o.mustExist && !existsSync(o.path)) {
    throw new ConnectorError('STORE_COPY_SOURCE_EMPTY', `no SQLite store at ${o.path} (the file does not exist)`, { details: { path: o.path } });
  }
  let db: Database.Database;
  try {
    if (!o.mustExist) mkdirSync(dirname(o.path), { recursive: true });
    db = new Database(o.path);
    db.exec(`PRAGMA busy_timeout = ${o.lock === 'exclusive' ? 200 : 5_000}`);
  } catch (cause) {
    throw new ConnectorError('STORE_OPEN_FAILED', `cannot open SQLite store at ${o.path}`, { cause, details: { path: o.path } });
  }
  if (o.lock === 'exclusive') {
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('BEGIN IMMEDIATE');
      db.exec('COMMIT');
    } catch (cause) {
      db.close();
      const code = (cause as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
        throw new ConnectorError('STORE_COPY_IN_USE', `${o.path} is open in another process (a running connector?): stop it first`, {
          cause, details: { path: o.path },
        });
      }
      throw new ConnectorError('STORE_OPEN_FAILED', `cannot open SQLite store at ${o.path}`, { cause, details: { path: o.path } });
    }
  }
  if (!o.mustExist) db.exec('PRAGMA synchronous = FULL');
  const journal = o.lock === 'backup' ? 'DELETE' : 'WAL';
  if (o.lock === 'backup') db.exec('PRAGMA journal_mode = DELETE');
  let wrote = false;

  const hasTable = (name: string): boolean =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").raw().all(name).length > 0;
  const autoincrement = (t: TableInfo): string | undefined => {
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").raw().all(t.name)[0] as unknown[] | undefined)?.[0];
    return typeof sql === 'string' && /AUTOINCREMENT/i.test(sql) && t.key.length === 1 ? t.key[0] : undefined;
  };

  return {
    driver: 'sqlite',
    location: o.path,
    async version() {
      if (!hasTable(SCHEMA_TABLE)) return 0;
      return Number((db.prepare(`SELECT COALESCE(MAX(version), 0) FROM ${SCHEMA_TABLE}`).raw().all()[0] as unknown[])[0]);
    },
    async migrateTo(version) {
      db.exec(`PRAGMA journal_mode = ${journal}`);
      wrote = true;
      migrate(db, MIGRATIONS.slice(0, version));
    },
    async tables() {
      const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name")
        .raw().all(SCHEMA_TABLE) as unknown[][]).map((r) => String(r[0]));
      return names.map((name) => {
        const cols = db.prepare(`PRAGMA table_info(${quoteIdent(name)})`).all() as Array<{ name: string; pk: number }>;
        return {
          name,
          columns: cols.map((c) => c.name),
          key: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        };
      });
    },
    async begin(mode) {
      db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
      // A deferred transaction takes its snapshot at the first read: take it now.
      if (mode === 'read') db.prepare('SELECT COUNT(*) FROM sqlite_master').raw().all();
    },
    async commit() {
      db.exec('COMMIT');
    },
    async rollback() {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    async *scan(t, columns) {
      const order = t.key.length ? ` ORDER BY ${t.key.map(quoteIdent).join(', ')}` : ' ORDER BY rowid';
      const stmt = db.prepare(`SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(t.name)}${order}`).raw();
      let batch: Row[] = [];
      for (const row of stmt.iterate() as Iterable<unknown[]>) {
        batch.push(row);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
    async count(t) {
      return Number((db.prepare(`SELECT COUNT(*) FROM ${quoteIdent(t.name)}`).raw().all()[0] as unknown[])[0]);
    },
    async sequence(t): Promise<SequenceInfo | undefined> {
      const column = autoincrement(t);
      if (!column) return undefined;
      const seq = hasTable('sqlite_sequence') ? db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').raw().all(t.name)[0] as unknown[] | undefined : undefined;
      return { column, value: Number(seq?.[0] ?? 0) };
    },
    async clear(tables) {
      for (const t of tables) db.exec(`DELETE FROM ${quoteIdent(t.name)}`);
      if (hasTable('sqlite_sequence')) {
        const del = db.prepare('DELETE FROM sqlite_sequence WHERE name = ?');
        for (const t of tables) del.run(t.name);
      }
    },
    async insert(t, columns, rows) {
      const stmt = db.prepare(`INSERT INTO ${quoteIdent(t.name)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      for (const row of rows) stmt.run(row.map(toSqlite));
    },
    async setSequence(t, value) {
      if (!autoincrement(t) || !hasTable('sqlite_sequence')) return;
      if (db.prepare('UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?').run(value, t.name).changes === 0) {
        db.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)').run(t.name, value);
      }
    },
    async close() {
      if (db.open) {
        if (db.inTransaction) db.exec('ROLLBACK');
        if (wrote && journal === 'WAL') db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').raw().all();
        db.close();
      }
    },
  };
}

/** A value from either driver as libsql binds it. */
function toSqlite(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint' || Buffer.isBuffer(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new ConnectorError('STORE_COPY_UNSUPPORTED_VALUE', `a value of type ${typeof v} (${Object.prototype.toString.call(v)}) cannot be written to SQLite`);
}
