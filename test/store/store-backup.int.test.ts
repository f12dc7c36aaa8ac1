/**
 * `store backup` while the store is in use: a SQLite store being written to and a PostgreSQL store
 * with a connector session both give a verified SQLite file that opens as a store and reads back
 * as the source did at the snapshot; an existing file is refused without --force.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type StoreConfig } from '../../src/adapters/store/open-store.js';
import { backupStore } from '../../src/adapters/store/store-copy-open.js';
import { command } from '../../src/core/crm/commands.js';
import { isConnectorError } from '../../src/errors.js';
import { populate, readBack, releaseClosed, T0 } from './copy-fixture.js';
import { pgAvailable, sharedPgCluster, stopSharedPgCluster } from './pg-cluster.js';

const skip = pgAvailable() ? false : 'no PostgreSQL here (apt install postgresql, or set ASTERISK_B24_TEST_PG_URL)';
const dir = mkdtempSync(join(tmpdir(), 'ab24-backup-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!skip) await stopSharedPgCluster();
});

async function readFile(path: string, p: Parameters<typeof readBack>[1]): Promise<unknown> {
  await releaseClosed();
  const r = await (async () => {
    const s = await openStore({ driver: 'sqlite', path });
    try {
      return await readBack(s, p);
    } finally {
      await s.close();
    }
  })();
  await releaseClosed();
  return r;
}

describe('store backup', () => {
  test('SQLite being written to: a consistent, verified file; an existing file needs --force', async () => {
    const cfg: StoreConfig = { driver: 'sqlite', path: join(dir, 'live.sqlite') };
    const s = await openStore(cfg);
    const p = await populate(s);
    const before = await readBack(s, p);
    // The connector keeps writing while the backup runs.
    let n = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await s.enqueue([command(`live.${n}`, 'register', 'telephony.externalcall.register', { N: n }, 'live')], T0 + 50_000 + n);
        n++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const file = join(dir, 'backup.sqlite');
    const r = await backupStore(cfg, file);
    writing = false;
    await writer;
    assert.equal(r.ok, true);
    assert.equal(r.check, 'ok');
    const outbox = r.tables.find((t) => t.table === 'outbox');
    assert.ok(outbox && outbox.copied === outbox.source);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('partial')), []);
    await s.close();
    // Everything written before the backup began is in it; what came during it, up to the snapshot.
    const copied = (await readFile(file, p)) as { outbox: Array<{ callKey: string }> };
    const live = copied.outbox.filter((c) => c.callKey.startsWith('live.')).length;
    assert.ok(live <= n);
    const { outbox: _o, stats: _s, newest: _n, nextDueAt: _d, lastSent: _l, ...rest } = copied as unknown as Record<string, unknown>;
    const { outbox: _o2, stats: _s2, newest: _n2, nextDueAt: _d2, lastSent: _l2, ...restBefore } = before as Record<string, unknown>;
    assert.deepEqual(rest, restBefore);
    assert.deepEqual(copied.outbox.filter((c) => !c.callKey.startsWith('live.')), (before as { outbox: unknown[] }).outbox);

    await assert.rejects(backupStore(cfg, file), (e: unknown) => isConnectorError(e) && e.code === 'STORE_BACKUP_EXISTS');
    await releaseClosed();
    assert.equal((await backupStore(cfg, file, { force: true })).ok, true);
    assert.equal(existsSync(`${file}-journal`), false);
  });

  test('PostgreSQL with a connector session: snapshot into a SQLite file', { skip }, async () => {
    const cfg: StoreConfig = { driver: 'postgres', path: '', url: await (await sharedPgCluster()).createDatabase() };
    const s = await openStore(cfg);
    try {
      const p = await populate(s);
      const before = await readBack(s, p);
      const file = join(dir, 'pg-backup.sqlite');
      const r = await backupStore(cfg, file);
      assert.equal(r.ok, true);
      assert.deepEqual(await readFile(file, p), before);
    } finally {
      await s.close();
    }
  });
});
