/**
 * The built CLI (`npm run build`; the TypeScript sources through tsx when dist/ is missing):
 * `store copy` SQLite → PostgreSQL (SQLite → SQLite where PostgreSQL is missing) and back,
 * `store backup`, their tables, refusals and exit codes 0/1/2.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type StoreConfig } from '../../src/adapters/store/open-store.js';
import { populate, readBack, releaseClosed } from './copy-fixture.js';
import { pgAvailable, sharedPgCluster, stopSharedPgCluster } from './pg-cluster.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'ab24-store-cli-'));
const withPg = pgAvailable();
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (withPg) await stopSharedPgCluster();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const built = existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'));
  const cmd = built ? [join(ROOT, 'bin', 'asterisk-b24')] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'run.ts')];
  return new Promise((resolve) => {
    execFile(process.execPath, [...cmd, ...args], { cwd: ROOT, env: { ...process.env, ASTERISK_B24_STORE_URL: '' } }, (e, stdout, stderr) => {
      resolve({ code: e ? Number((e as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function configFile(name: string, store: StoreConfig): string {
  const path = join(dir, `${name}.json`);
  const s = store.driver === 'postgres' ? { driver: 'postgres', url: store.url } : { path: store.path };
  writeFileSync(path, JSON.stringify({ bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc123/' }, store: s }));
  return path;
}

async function readStore(cfg: StoreConfig, p: Parameters<typeof readBack>[1]): Promise<unknown> {
  const r = await (async () => {
    const s = await openStore(cfg);
    try {
      return await readBack(s, p);
    } finally {
      await s.close();
    }
  })();
  await releaseClosed();
  return r;
}

test('store copy there and back, store backup, through the built CLI', async (t) => {
  const a: StoreConfig = { driver: 'sqlite', path: join(dir, 'a.sqlite') };
  const { p, before } = await (async () => {
    const s = await openStore(a);
    try {
      const pp = await populate(s, 50);
      return { p: pp, before: await readBack(s, pp) };
    } finally {
      await s.close();
    }
  })();
  await releaseClosed();
  const b: StoreConfig = withPg ? { driver: 'postgres', path: '', url: await (await sharedPgCluster()).createDatabase() } : { driver: 'sqlite', path: join(dir, 'b.sqlite') };
  const aJson = configFile('a', a);
  const bJson = configFile('b', b);

  const started = Date.now();
  const copied = await cli(['store', 'copy', '--from-config', aJson, '--to-config', bJson]);
  t.diagnostic(`store copy to ${b.driver}: ${Date.now() - started} ms with the process start`);
  assert.equal(copied.code, 0, copied.stderr);
  assert.match(copied.stdout, /^copied .*a\.sqlite → .* \(schema version 4\)/);
  assert.match(copied.stdout, /^table +source +copied +checksum +next id/m);
  assert.match(copied.stdout, new RegExp(`^outbox +150 +150 +[0-9a-f]{16} +${p.maxIdIssued + 1} +ok$`, 'm'));
  assert.match(copied.stdout, /^calls +50 +50 +[0-9a-f]{16} +ok$/m);
  assert.match(copied.stdout, /^panel_audit +2 +2 +[0-9a-f]{16} +3 +ok$/m);
  assert.deepEqual(await readStore(b, p), before);

  const again = await cli(['store', 'copy', '--from-config', aJson, '--to-config', bJson]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /STORE_COPY_DEST_NOT_EMPTY/);

  // And back, into a fresh SQLite file given directly.
  const c: StoreConfig = { driver: 'sqlite', path: join(dir, 'c.sqlite') };
  const back = await cli(['store', 'copy', '--from-config', bJson, '--to-config', configFile('c', c), '--json']);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(JSON.parse(back.stdout).ok, true);
  assert.deepEqual(await readStore(c, p), before);

  const file = join(dir, 'backup.sqlite');
  const backup = await cli(['store', 'backup', '--config', bJson, '--to', file]);
  assert.equal(backup.code, 0, backup.stderr);
  assert.match(backup.stdout, /quick_check: ok/);
  if (withPg) assert.match(backup.stdout, /pg_dump -Fc -d 'postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+' -f .*backup\.dump/);
  assert.deepEqual(await readStore({ driver: 'sqlite', path: file }, p), before);
  // A backup restores with `store copy --from-sqlite`.
  const d: StoreConfig = { driver: 'sqlite', path: join(dir, 'd.sqlite') };
  const restore = await cli(['store', 'copy', '--from-sqlite', file, '--to-config', configFile('d', d)]);
  assert.equal(restore.code, 0, restore.stderr);
  assert.deepEqual(await readStore(d, p), before);

  assert.equal((await cli(['store', 'copy', '--to-config', bJson])).code, 2);
  assert.equal((await cli(['store', 'backup', '--config', aJson])).code, 2);
  assert.equal((await cli(['store', 'move'])).code, 2);
});
