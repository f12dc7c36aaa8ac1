/**
 * What only the PostgreSQL store has to prove (the shared behaviour is in test/outbox/store.test.ts):
 * concurrent claimers never take the same command nor break a call's order (SKIP LOCKED), the
 * URL's own options are kept, a dropped connection is replaced, and connection failures are
 * reported without the password.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStore } from '../../src/adapters/store/open-store.js';
import type { PostgresStore } from '../../src/adapters/store/postgres.js';
import { inTransaction, redactPgUrl } from '../../src/adapters/store/postgres-pool.js';
import { command, ref } from '../../src/core/crm/commands.js';
import { isConnectorError } from '../../src/errors.js';
import type { OutboxCommand } from '../../src/outbox/command.js';
import { pgAvailable, sharedPgCluster, stopSharedPgCluster } from './pg-cluster.js';

const skip = pgAvailable() ? false : 'no PostgreSQL here (apt install postgresql, or set ASTERISK_B24_TEST_PG_URL)';
after(async () => {
  if (!skip) await stopSharedPgCluster();
});

async function fresh(): Promise<string> {
  return (await sharedPgCluster()).createDatabase();
}

describe('PostgreSQL store', { skip }, () => {
  test('two claimers on one database: every command once, each call in order', async () => {
    const url = await fresh();
    const a = await openStore({ driver: 'postgres', path: '', url });
    const b = await openStore({ driver: 'postgres', path: '', url });
    try {
      const calls = 60;
      for (let i = 0; i < calls; i++) {
        await a.enqueue([
          command(`c${i}`, 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: `c${i}` }, 'live'),
          command(`c${i}`, 'show:1', 'telephony.externalcall.show', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: 1 }, 'live'),
          command(`c${i}`, 'hide:1', 'telephony.externalcall.hide', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: 1 }, 'live'),
          command(`c${i}`, 'finish', 'telephony.externalcall.finish', { CALL_ID: ref('register', 'CALL_ID') }, 'finish'),
        ], i);
      }
      const taken = new Map<number, number>();
      const done = new Set<number>();
      const byCall = new Map<string, OutboxCommand[]>();
      let violations = 0;
      const worker = async (s: typeof a): Promise<void> => {
        for (let idle = 0; idle < 3;) {
          const got = await s.claim({ now: 1_000, limit: 7, maxChain: 2 });
          if (got.length === 0) {
            idle++;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          idle = 0;
          for (const c of got) {
            taken.set(c.id, (taken.get(c.id) ?? 0) + 1);
            const list = byCall.get(c.callKey) ?? [];
            // Everything earlier of this call is done already, or claimed in this same batch.
            if (list.some((p) => p.id > c.id) || list.some((p) => !done.has(p.id) && !got.includes(p))) violations++;
            list.push(c);
            byCall.set(c.callKey, list);
          }
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          await s.record(got.map((c) => ({ id: c.id, state: 'done' as const, attempts: 1, nextAttemptAt: 0, lastError: null, result: { CALL_ID: c.callKey }, solo: false })), 1_001);
          for (const c of got) done.add(c.id);
        }
      };
      await Promise.all([worker(a), worker(b), worker(a), worker(b)]);
      assert.equal(taken.size, calls * 4);
      assert.ok([...taken.values()].every((n) => n === 1), 'a command was claimed twice');
      assert.equal(violations, 0);
      assert.deepEqual((await a.stats(2_000)).byState, { pending: 0, running: 0, done: calls * 4, dead: 0, discarded: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the URL\'s options are kept (search_path), and commits still wait for the WAL', async () => {
    const url = await fresh();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('CREATE SCHEMA crm');
    const u = new URL(url);
    u.searchParams.set('options', '-c search_path=crm');
    const store = (await openStore({ driver: 'postgres', path: '', url: u.toString() })) as PostgresStore;
    try {
      await store.setValue('k', 1, 1);
      assert.equal((await admin.query("SELECT to_regclass('crm.kv')::text AS t")).rows[0]?.t, 'crm.kv');
      assert.equal((await admin.query("SELECT to_regclass('public.kv')::text AS t")).rows[0]?.t, null);
      assert.equal((await store.pool.query('SHOW synchronous_commit')).rows[0]?.synchronous_commit, 'on');
    } finally {
      await store.close();
      await admin.end();
    }
  });

  test('a connection the server drops is replaced; the store goes on', async () => {
    const url = await fresh();
    const store = (await openStore({ driver: 'postgres', path: '', url })) as PostgresStore;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await store.setValue('k', 'v', 1);
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'asterisk-b24' AND pid <> pg_backend_pid()");
      await new Promise((r) => setTimeout(r, 50));
      let value: unknown;
      for (let i = 0; i < 3 && value === undefined; i++) {
        try {
          value = await store.getValue('k');
        } catch (e) {
          assert.ok(isConnectorError(e) && e.retryable, `a lost connection is retryable: ${String(e)}`);
        }
      }
      assert.equal(value, 'v');
    } finally {
      await store.close();
      await admin.end();
    }
  });

  test('a connection lost in the middle of a transaction: the transaction fails, the process does not', async () => {
    const url = await fresh();
    const store = (await openStore({ driver: 'postgres', path: '', url })) as PostgresStore;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await assert.rejects(inTransaction(store.pool, async (c) => {
        const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 100)); // the 'error' event arrives while checked out
        await c.query('SELECT 1');
      }));
      await store.setValue('after', 1, 1);
      assert.equal(await store.getValue('after'), 1);
    } finally {
      await store.close();
      await admin.end();
    }
  });

  test('a server restart while the connector writes: the writes wait for it and nothing is lost', async (t) => {
    const cluster = await sharedPgCluster();
    if (!cluster.restart) return t.skip('ASTERISK_B24_TEST_PG_URL: cannot restart that server');
    const url = await cluster.createDatabase();
    const store = await openStore({ driver: 'postgres', path: '', url });
    try {
      await store.enqueue([command('A', 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: 'A' }, 'live')], 1);
      const restarting = cluster.restart(700);
      // Wait until the server refuses connections: the enqueue below meets it down.
      for (let down = false; !down;) {
        const probe = new pg.Client({ connectionString: url });
        // The server may go down while the probe is connected: its 'error' must not be uncaught.
        probe.on('error', () => undefined);
        down = await probe.connect().then(() => false, () => true);
        await probe.end().catch(() => undefined);
        if (!down) await new Promise((r) => setTimeout(r, 20));
      }
      const t0 = Date.now();
      const during = await store.enqueue([command('B', 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: 'B' }, 'live')], 2,
        { call: { callKey: 'B', state: { stage: 'ringing' }, now: 2 } });
      const waited = Date.now() - t0;
      await restarting;
      assert.equal(during.inserted.length + during.ignored.length, 1);
      assert.ok(waited >= 200, `the enqueue waited for the server (${waited} ms)`);
      assert.deepEqual((await store.list({})).map((c) => c.callKey), ['A', 'B']);
      assert.deepEqual((await store.getCall('B'))?.state, { stage: 'ringing' });
    } finally {
      await store.close();
    }
  });

  test('no server there: STORE_OPEN_FAILED, the message names the URL without its password', async () => {
    const cluster = await sharedPgCluster();
    const u = new URL(cluster.adminUrl);
    u.port = '1';
    u.password = 's3cret';
    await assert.rejects(openStore({ driver: 'postgres', path: '', url: u.toString(), connectTimeoutMs: 1_000 }), (e) => {
      assert.ok(isConnectorError(e));
      assert.equal(e.code, 'STORE_OPEN_FAILED');
      assert.match(e.message, /127\.0\.0\.1:1/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
  });
});

test('redactPgUrl masks the password and password-like parameters', () => {
  assert.equal(redactPgUrl('postgres://ab24:pa%40ss@db.example:5432/crm?sslmode=require&password=x'),
    'postgres://ab24:***@db.example:5432/crm?sslmode=require&password=***');
  assert.equal(redactPgUrl('postgres://db/crm'), 'postgres://db/crm');
  assert.equal(redactPgUrl('not a url'), 'postgres://(unparsable url)');
});
