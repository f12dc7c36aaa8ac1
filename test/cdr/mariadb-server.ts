/**
 * A throwaway MariaDB for tests: `mariadb-install-db` into a temp dir and `mariadbd` on a free
 * loopback port (with --user=mysql when this process is root; Debian's mariadb-server package). One
 * server per test process, started on first use and killed when the process ends. Each test gets
 * its own database holding FreePBX's `cdr` table and its own read-only user (GRANT SELECT on that
 * table only), so permission checks are real.
 *
 * ASTERISK_B24_TEST_MYSQL_URL=mysql://root:pw@host:port/ uses that server instead (the user must
 * be allowed to CREATE DATABASE / CREATE USER / GRANT); what is made here is dropped at the end.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

/** FreePBX's asteriskcdrdb.cdr (its framework's table plus the cdr module's cnum… and linkedid, peeraccount, sequence). */
export const FREEPBX_CDR_TABLE = `CREATE TABLE cdr (
  calldate datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  clid varchar(80) NOT NULL DEFAULT '',
  src varchar(80) NOT NULL DEFAULT '',
  dst varchar(80) NOT NULL DEFAULT '',
  dcontext varchar(80) NOT NULL DEFAULT '',
  channel varchar(80) NOT NULL DEFAULT '',
  dstchannel varchar(80) NOT NULL DEFAULT '',
  lastapp varchar(80) NOT NULL DEFAULT '',
  lastdata varchar(80) NOT NULL DEFAULT '',
  duration int(11) NOT NULL DEFAULT 0,
  billsec int(11) NOT NULL DEFAULT 0,
  disposition varchar(45) NOT NULL DEFAULT '',
  amaflags int(11) NOT NULL DEFAULT 0,
  accountcode varchar(20) NOT NULL DEFAULT '',
  uniqueid varchar(32) NOT NULL DEFAULT '',
  userfield varchar(255) NOT NULL DEFAULT '',
  did varchar(50) NOT NULL DEFAULT '',
  recordingfile varchar(255) NOT NULL DEFAULT '',
  cnum varchar(80) NOT NULL DEFAULT '',
  cnam varchar(80) NOT NULL DEFAULT '',
  outbound_cnum varchar(80) NOT NULL DEFAULT '',
  outbound_cnam varchar(80) NOT NULL DEFAULT '',
  dst_cnam varchar(80) NOT NULL DEFAULT '',
  linkedid varchar(32) NOT NULL DEFAULT '',
  peeraccount varchar(80) NOT NULL DEFAULT '',
  sequence int(11) NOT NULL DEFAULT 0,
  KEY calldate (calldate),
  KEY dst (dst),
  KEY accountcode (accountcode),
  KEY did (did),
  KEY recordingfile (recordingfile)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

export interface CdrDatabase {
  /** mysql://reader:pw@127.0.0.1:port/db — the read-only user (SELECT on db.cdr only). */
  readonly url: string;
  readonly database: string;
  readonly user: string;
  /** Runs SQL as the server's admin, in this database. */
  admin(sql: string, params?: unknown[]): Promise<unknown>;
  /** Inserts rows (column → value; every row with the first row's columns) into db.cdr as the PBX would. */
  insert(rows: ReadonlyArray<Record<string, string | number>>): Promise<void>;
}

export interface MariaDbServer {
  /** A new database with FreePBX's cdr table and its own read-only user. */
  createCdrDatabase(options?: { table?: string; grant?: boolean }): Promise<CdrDatabase>;
  readonly port: number;
  /** How long install + start took, ms (0 for ASTERISK_B24_TEST_MYSQL_URL). */
  readonly startMs: number;
  stop(): Promise<void>;
}

function findBin(names: string[], dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']): string | undefined {
  for (const n of names) for (const d of dirs) if (existsSync(join(d, n))) return join(d, n);
  return undefined;
}

/** Whether MariaDB tests can run here (a server URL is given, or mariadbd is installed). */
export function mariadbAvailable(): boolean {
  return Boolean(process.env['ASTERISK_B24_TEST_MYSQL_URL']) || (findBin(['mariadbd', 'mysqld']) !== undefined && findBin(['mariadb-install-db', 'mysql_install_db']) !== undefined);
}

export const MARIADB_SKIP = 'mariadbd not installed (apt install mariadb-server) and ASTERISK_B24_TEST_MYSQL_URL not set';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

let counter = 0;

function over(connect: () => Promise<mysql.Connection>, host: string, port: number, startMs: number, stopServer: () => Promise<void>): MariaDbServer {
  const made: Array<{ db: string; user: string }> = [];
  const admin = async <R>(fn: (c: mysql.Connection) => Promise<R>): Promise<R> => {
    const c = await connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    port, startMs,
    async createCdrDatabase(options = {}) {
      const n = `${process.pid}_${counter++}`;
      const database = `asteriskcdrdb_${n}`;
      const user = `ab24ro_${n}`;
      const password = `pw-${n}-ro`;
      const table = options.table ?? 'cdr';
      await admin(async (c) => {
        await c.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
        await c.query(FREEPBX_CDR_TABLE.replace('CREATE TABLE cdr', `CREATE TABLE ${database}.${table}`));
        await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
        if (options.grant !== false) await c.query(`GRANT SELECT ON ${database}.${table} TO '${user}'@'%'`);
      });
      made.push({ db: database, user });
      return {
        url: `mysql://${user}:${password}@${host}:${port}/${database}`, database, user,
        admin: (sql, params) => admin(async (c) => {
          await c.query(`USE ${database}`);
          return (await c.query(sql, params))[0];
        }),
        insert: (rows) => admin(async (c) => {
          const cols = Object.keys(rows[0] ?? {});
          for (let i = 0; i < rows.length; i += 1_000) {
            const chunk = rows.slice(i, i + 1_000).map((r) => cols.map((k) => r[k] ?? ''));
            await c.query(`INSERT INTO ${database}.${table} (${cols.map((k) => mysql.escapeId(k)).join(', ')}) VALUES ?`, [chunk]);
          }
        }),
      };
    },
    async stop() {
      if (process.env['ASTERISK_B24_TEST_MYSQL_URL']) {
        await admin(async (c) => {
          for (const m of made) {
            await c.query(`DROP DATABASE IF EXISTS ${m.db}`).catch(() => undefined);
            await c.query(`DROP USER IF EXISTS '${m.user}'@'%'`).catch(() => undefined);
          }
        }).catch(() => undefined);
      }
      made.length = 0;
      await stopServer();
    },
  };
}

/** Starts a server (or wraps ASTERISK_B24_TEST_MYSQL_URL). */
export async function startMariaDb(): Promise<MariaDbServer> {
  const given = process.env['ASTERISK_B24_TEST_MYSQL_URL'];
  if (given) {
    const u = new URL(given);
    return over(() => mysql.createConnection({ uri: given }), u.hostname, Number(u.port || 3306), 0, async () => {});
  }
  const daemon = findBin(['mariadbd', 'mysqld']);
  const installDb = findBin(['mariadb-install-db', 'mysql_install_db']);
  if (!daemon || !installDb) throw new Error(MARIADB_SKIP);
  const t0 = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ab24-mariadb-'));
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ['--user=mysql'] : [];
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'mysql']).toString().trim()), Number(execFileSync('id', ['-g', 'mysql']).toString().trim()));
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  let child: ChildProcess | undefined;
  let stopped = false;
  const killNow = (): void => {
    if (stopped) return;
    stopped = true;
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', killNow);
  };
  process.on('exit', killNow);
  try {
    execFileSync(installDb, ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArgs], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    const port = await freePort();
    child = spawn(daemon, [
      '--no-defaults', ...userArgs, `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, '--bind-address=127.0.0.1',
      `--pid-file=${join(dir, 'mysqld.pid')}`, `--log-error=${join(dir, 'error.log')}`, '--skip-name-resolve', '--skip-log-bin',
      '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M', '--innodb-flush-log-at-trx-commit=0', '--performance-schema=OFF',
    ], { stdio: 'ignore' });
    const connect = (): Promise<mysql.Connection> => mysql.createConnection({ socketPath: socket, user: 'root' });
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}`);
      try {
        await (await connect()).end();
        break;
      } catch (e) {
        if (i > 300) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    // A throwaway datadir: no clean shutdown needed (SIGTERM takes seconds).
    const stop = async (): Promise<void> => killNow();
    return over(connect, '127.0.0.1', port, Date.now() - t0, stop);
  } catch (e) {
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-2_000) : '';
    const out = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    killNow();
    throw new Error(`cannot start a test MariaDB: ${(e as Error).message}\n${out}\n${log}`);
  }
}

let shared: Promise<MariaDbServer> | undefined;

/** The server of this test process, started on first use (stop it in an `after` hook). */
export function sharedMariaDb(): Promise<MariaDbServer> {
  shared ??= startMariaDb();
  return shared;
}

export async function stopSharedMariaDb(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (s) await (await s).stop();
}
