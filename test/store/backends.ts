/**
 * The store backends a behaviour test runs against: SQLite always, PostgreSQL when a server can
 * be had (pg-cluster.ts: the binaries are installed or ASTERISK_B24_TEST_PG_URL is set; otherwise
 * its tests are skipped with the reason). Each test gets a fresh, empty database.
 *
 *   for (const b of storeBackends()) describe(b.name, () => { … await b.open() … });
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import pg from 'pg';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import { migrate, MIGRATIONS, type Migration, type MigrationReport } from '../../src/adapters/store/migrations.js';
import { openStore, type StoreConfig } from '../../src/adapters/store/open-store.js';
import { migratePg, PG_MIGRATIONS } from '../../src/adapters/store/postgres-migrations.js';
import { pgAvailable, sharedPgCluster, stopSharedPgCluster } from './pg-cluster.js';

/** A database opened without the store, to drive the migration runner by hand. */
export interface RawDatabase {
  migrate(migrations?: readonly Migration[]): Promise<MigrationReport>;
  /** schema_version rows, by version. */
  versions(): Promise<Array<{ version: number; name: string }>>;
  hasTable(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreBackend {
  readonly name: 'sqlite' | 'postgres';
  /** Set when the backend cannot run here (pass it as the `skip` option of describe/test). */
  readonly skip: string | false;
  /** The backend's own migration list (same versions and names on both). */
  readonly migrations: readonly Migration[];
  /** Config of a fresh, empty database (`file`: SQLite on disk instead of :memory:). */
  freshConfig(opts?: { file?: boolean }): Promise<StoreConfig>;
  /** A store over a fresh database. */
  open(opts?: { file?: boolean }): Promise<AppStore>;
  raw(): Promise<RawDatabase>;
}

function sqliteBackend(): StoreBackend {
  let dir: string | undefined;
  let n = 0;
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const freshConfig = async (opts?: { file?: boolean }): Promise<StoreConfig> => {
    if (!opts?.file) return { driver: 'sqlite', path: ':memory:' };
    dir ??= mkdtempSync(join(tmpdir(), 'ab24-store-'));
    return { driver: 'sqlite', path: join(dir, `s${n++}.sqlite`) };
  };
  return {
    name: 'sqlite',
    skip: false,
    migrations: MIGRATIONS,
    freshConfig,
    open: async (opts) => openStore(await freshConfig(opts)),
    async raw() {
      const db = new Database(':memory:');
      return {
        migrate: async (ms) => migrate(db, ms ?? MIGRATIONS),
        versions: async () => db.prepare('SELECT version, name FROM schema_version ORDER BY version').all() as Array<{ version: number; name: string }>,
        hasTable: async (name) => db.prepare('SELECT name FROM sqlite_master WHERE name = ?').get(name) !== undefined,
        close: async () => {
          db.close();
        },
      };
    },
  };
}

function postgresBackend(): StoreBackend {
  const skip = pgAvailable() ? false : 'no PostgreSQL here (apt install postgresql, or set ASTERISK_B24_TEST_PG_URL)';
  let used = false;
  after(async () => {
    if (used) await stopSharedPgCluster();
  });
  const freshConfig = async (): Promise<StoreConfig> => {
    used = true;
    const url = await (await sharedPgCluster()).createDatabase();
    return { driver: 'postgres', path: '', url, poolMax: 4 };
  };
  return {
    name: 'postgres',
    skip,
    migrations: PG_MIGRATIONS,
    freshConfig,
    open: async () => openStore(await freshConfig()),
    async raw() {
      const { url } = await freshConfig();
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      return {
        migrate: (ms) => migratePg(pool, ms),
        versions: async () => (await pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_version ORDER BY version')).rows,
        hasTable: async (name) => (await pool.query("SELECT to_regclass($1)::text AS t", [name])).rows[0]?.t !== null,
        close: () => pool.end(),
      };
    },
  };
}

/** SQLite and PostgreSQL (call at the top level of a test file: it registers the clean-up hooks). */
export function storeBackends(): StoreBackend[] {
  return [sqliteBackend(), postgresBackend()];
}
