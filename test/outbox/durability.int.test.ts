/**
 * Durability of the store on every backend (test/store/backends.ts): a store closed mid-work, and a
 * process killed with SIGKILL, lose nothing they committed.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/adapters/store/open-store.js';
import type { PostgresStore } from '../../src/adapters/store/postgres.js';
import { pragmaValue, type SqliteStore } from '../../src/adapters/store/sqlite.js';
import { command, ref } from '../../src/core/crm/commands.js';
import { createOutboxSender } from '../../src/outbox/sender.js';
import { storeBackends } from '../store/backends.js';
import { createFakeClient } from './fake-client.js';

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
for (const b of storeBackends()) describe(`${b.name}, on disk`, { skip: b.skip }, () => {
  test('commits wait for the disk (SQLite: WAL + synchronous=FULL; PostgreSQL: synchronous_commit=on)', async () => {
    const store = await openStore(await b.freshConfig({ file: true }));
    try {
      if (store.driver === 'sqlite') {
        const db = (store as SqliteStore).db;
        assert.equal(pragmaValue(db, 'journal_mode'), 'wal');
        assert.equal(pragmaValue(db, 'synchronous'), 2); // 2 = FULL
      } else {
        // The test cluster runs with synchronous_commit=off: the store turns it on for its sessions.
        const pool = (store as PostgresStore).pool;
        for (let i = 0; i < 3; i++) assert.equal((await pool.query('SHOW synchronous_commit')).rows[0]?.synchronous_commit, 'on');
      }
    } finally {
      await store.close();
    }
  });

  test('close without finishing, reopen: nothing lost, running rows released and sent', async () => {
    const config = await b.freshConfig({ file: true });
    const first = await openStore(config);
    await first.enqueue([
      command('A', 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: 'A' }, 'live'),
      command('A', 'show:1', 'telephony.externalcall.show', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: 1 }, 'live'),
    ], 10, { call: { callKey: 'A', state: { stage: 'ringing' }, now: 10 } });
    await first.enqueue([command('B', 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: 'B' }, 'late')], 11);
    assert.equal((await first.claim({ now: 12, limit: 10, maxChain: 5 })).length, 3);
    await first.close(); // the "send" never completed

    const second = await openStore(config);
    try {
      assert.deepEqual((await second.stats(13)).byState, { pending: 0, running: 3, done: 0, dead: 0, discarded: 0 });
      assert.deepEqual((await second.listOpenCalls()).map((c) => c.callKey), ['A']);
      const client = createFakeClient();
      const sender = createOutboxSender({ store: second, client, now: () => 20, random: () => 0, pollIntervalMs: 5 });
      await sender.start();
      await waitFor(async () => (await second.stats(21)).byState.done === 3);
      await sender.stop();
      assert.deepEqual((await second.stats(21)).byState, { pending: 0, running: 0, done: 3, dead: 0, discarded: 0 });
    } finally {
      await second.close();
    }
  });

  test('a process killed with SIGKILL mid-work loses nothing it committed', async () => {
    const config = await b.freshConfig({ file: true });
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./crash-child.ts', import.meta.url)), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('READY')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    }

    const store = await openStore(config);
    try {
      assert.deepEqual((await store.stats(2_000)).byState, { pending: 150, running: 40, done: 10, dead: 0, discarded: 0 });
      assert.equal(await store.releaseRunning(3_000), 40); // the sweep start() does; all 40 may have been sent
      assert.equal((await store.list({ limit: 1_000 })).filter((c) => c.uncertain).length, 40);
      const client = createFakeClient();
      const sender = createOutboxSender({ store, client, now: () => 5_000, random: () => 0, pollIntervalMs: 5 });
      await sender.start(); // stale-lock sweep: running → pending
      await waitFor(async () => (await store.stats(6_000)).byState.done === 200);
      await sender.stop();
      assert.deepEqual((await store.stats(6_000)).byState, { pending: 0, running: 0, done: 200, dead: 0, discarded: 0 });
      // the 10 registers recorded done before the kill were not sent again
      const registers = client.executed.filter((e) => e.method === 'telephony.externalcall.register');
      assert.equal(registers.length, 90);
      // and their finishes used the CALL_ID stored before the crash
      const fin = client.executed.filter((e) => e.method === 'telephony.externalcall.finish' && String(e.params['CALL_ID']).startsWith('done-'));
      assert.equal(fin.length, 10);
    } finally {
      await store.close();
    }
  });
});
