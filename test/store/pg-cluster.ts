/**
 * A throwaway PostgreSQL for tests: `initdb -A trust` into a temp dir and `pg_ctl start` on a free
 * loopback port (as user postgres via runuser when this process is root; the binaries are Debian's
 * /usr/lib/postgresql/<version>/bin). One cluster per test process (node's runner gives each file
 * its own), started on first use and stopped when the process ends; a fresh database per test.
 *
 * ASTERISK_B24_TEST_PG_URL=postgres://user:pw@host:port/db uses that server instead (the role must
 * be allowed to CREATE DATABASE); the databases made here are dropped at the end.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgCluster {
  /** A new empty database; resolves to its URL. */
  createDatabase(): Promise<string>;
  /** Drops a database made by createDatabase (closing its connections first). */
  dropDatabase(url: string): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server (fast shutdown: connections are cut), waits `downMs`, starts it again; undefined for ASTERISK_B24_TEST_PG_URL. */
  readonly restart?: (downMs: number) => Promise<void>;
  /** postgres:// URL of the maintenance database (postgres). */
  readonly adminUrl: string;
}

export interface StartOptions {
  /** Keep fsync and synchronous commits on (benchmarks). Default off: tests only need crash-of-client safety. */
  readonly durable?: boolean;
}

/** Debian's PostgreSQL binaries, newest version first; undefined when none is installed. */
export function findPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return undefined;
}

/** Whether PostgreSQL tests can run here (a server URL is given, or the binaries are installed). */
export function pgAvailable(): boolean {
  return Boolean(process.env['ASTERISK_B24_TEST_PG_URL']) || findPgBin() !== undefined;
}

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
function dbName(): string {
  return `ab24_t${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<R>(url: string, fn: (c: pg.Client) => Promise<R>): Promise<R> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function clusterOver(adminUrl: string, stopServer: () => void, restart?: (downMs: number) => Promise<void>): PgCluster {
  const made = new Set<string>();
  return {
    adminUrl,
    ...(restart ? { restart } : {}),
    async createDatabase() {
      const name = dbName();
      await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
      made.add(name);
      return withDb(adminUrl, name);
    },
    async dropDatabase(url) {
      const name = new URL(url).pathname.slice(1);
      if (!made.delete(name)) return;
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
    async stop() {
      if (process.env['ASTERISK_B24_TEST_PG_URL']) {
        for (const name of made) await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
      }
      made.clear();
      stopServer();
    },
  };
}

/** Starts a cluster (or wraps ASTERISK_B24_TEST_PG_URL). */
export async function startPgCluster(options: StartOptions = {}): Promise<PgCluster> {
  const given = process.env['ASTERISK_B24_TEST_PG_URL'];
  if (given) return clusterOver(given, () => {});
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt install postgresql) and ASTERISK_B24_TEST_PG_URL is not set');
  const dir = mkdtempSync(join(tmpdir(), 'ab24-pg-'));
  const asRoot = process.getuid?.() === 0;
  const argvOf = (exe: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, exe), ...args]] : [join(bin, exe), args];
  const run = (exe: string, args: string[]): void => {
    const [cmd, argv] = argvOf(exe, args);
    execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  /** Asynchronous, so the test process goes on (its store retries) while the server is down. */
  const runAsync = (exe: string, args: string[]): Promise<void> => new Promise((resolve, reject) => {
    const [cmd, argv] = argvOf(exe, args);
    execFile(cmd, argv, { cwd: dir }, (e) => (e ? reject(e) : resolve()));
  });
  if (asRoot) {
    const pw = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir, Number(pw), Number(gid));
  }
  const data = join(dir, 'data');
  let stopped = false;
  const stopServer = (): void => {
    if (stopped) return;
    stopped = true;
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']]
      : [join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']];
    spawnSync(cmd, argv, { stdio: 'ignore', cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', stopServer);
  };
  process.on('exit', stopServer);
  try {
    run('initdb', ['-A', 'trust', '-U', 'postgres', '-D', data, '-N', '-E', 'UTF8', '--locale=C']);
    const quick = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const start = ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-o',
          `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=200${quick}`, 'start'];
        run('pg_ctl', start);
        const restart = async (downMs: number): Promise<void> => {
          await runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
          await new Promise((r) => setTimeout(r, downMs));
          await runAsync('pg_ctl', start);
        };
        return clusterOver(`postgres://postgres@127.0.0.1:${port}/postgres`, stopServer, restart);
      } catch (e) {
        if (attempt >= 3) throw e; // the port was taken between freePort() and the start
      }
    }
  } catch (e) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2_000) : '';
    stopServer();
    const out = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`cannot start a test PostgreSQL: ${(e as Error).message}\n${out}\n${log}`);
  }
}

let shared: Promise<PgCluster> | undefined;

/** The cluster of this test process, started on first use (stop it in an `after` hook). */
export function sharedPgCluster(): Promise<PgCluster> {
  shared ??= startPgCluster();
  return shared;
}

export async function stopSharedPgCluster(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (s) await (await s).stop();
}
