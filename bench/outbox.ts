/**
 * Outbox benchmark: enqueue throughput with synchronous=FULL vs NORMAL (WAL, real temp files),
 * claim+record throughput, and the sender end-to-end against an in-process fake portal in batch vs
 * naive mode (how many HTTP requests a backlog costs). `benchOutbox()` returns the figures; run this
 * file directly to print them as JSON.
 *
 * `store: 'postgres'` runs the same on PostgreSQL: a throwaway cluster on loopback with fsync on
 * (test/store/pg-cluster.ts; ASTERISK_B24_TEST_PG_URL names another server), one database per
 * figure; FULL/NORMAL become synchronous_commit on/off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { B24BatchCommand, B24BatchOutcome, B24Client, B24Params } from '../src/adapters/bitrix/types.js';
import { isResultRef } from '../src/adapters/bitrix/types.js';
import type { AppStore } from '../src/adapters/store/app-store.js';
import { openPostgresStore } from '../src/adapters/store/postgres.js';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import { startPgCluster, type PgCluster } from '../test/store/pg-cluster.js';
import { command, ref } from '../src/core/crm/commands.js';
import type { CrmCommand } from '../src/core/crm/commands.js';
import { createOutboxSender } from '../src/outbox/sender.js';

export interface EnqueueFigure {
  readonly synchronous: 'FULL' | 'NORMAL';
  readonly transactions: number;
  readonly commands: number;
  readonly ms: number;
  readonly transactionsPerSec: number;
  readonly commandsPerSec: number;
}

export interface OutboxBenchResult {
  readonly name: 'outbox';
  readonly store: 'sqlite' | 'postgres';
  readonly enqueue: readonly EnqueueFigure[];
  readonly claim: { readonly commands: number; readonly batchSize: number; readonly ms: number; readonly commandsPerSec: number };
  readonly sender: ReadonlyArray<{ readonly mode: 'batch' | 'naive'; readonly commands: number; readonly requests: number; readonly ms: number; readonly commandsPerSec: number }>;
}

export interface OutboxBenchOptions {
  /** Calls to simulate; each is one stage-change transaction of 3 commands. Default 600. */
  readonly calls?: number;
  /** Default sqlite. */
  readonly store?: 'sqlite' | 'postgres';
}

type Open = (name: string, synchronous?: 'FULL' | 'NORMAL') => Promise<AppStore>;

/** One stage change's worth: register, show, finish of one call. */
function callCommands(i: number): CrmCommand[] {
  const k = `bench${i}`;
  return [
    command(k, 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: k, PHONE_NUMBER: '+79161234567', TYPE: 2, USER_ID: 1 }, 'live'),
    command(k, 'show:1', 'telephony.externalcall.show', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: 1 }, 'live'),
    command(k, 'finish', 'telephony.externalcall.finish', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: 1, DURATION: 42 }, 'finish'),
  ];
}

const perSec = (n: number, ms: number): number => Math.round((n * 1000) / Math.max(ms, 0.001));

async function benchEnqueue(open: Open, synchronous: 'FULL' | 'NORMAL', calls: number): Promise<EnqueueFigure> {
  const store = await open(`enqueue-${synchronous}`, synchronous);
  try {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await store.enqueue(callCommands(i), i);
    const ms = performance.now() - t0;
    return { synchronous, transactions: calls, commands: calls * 3, ms: Math.round(ms), transactionsPerSec: perSec(calls, ms), commandsPerSec: perSec(calls * 3, ms) };
  } finally {
    await store.close();
  }
}

async function benchClaim(open: Open, calls: number): Promise<OutboxBenchResult['claim']> {
  const store = await open('claim');
  try {
    for (let i = 0; i < calls; i++) await store.enqueue(callCommands(i), i);
    const t0 = performance.now();
    let n = 0;
    for (;;) {
      const got = await store.claim({ now: calls + 1, limit: 50, maxChain: 10 });
      if (!got.length) break;
      n += got.length;
      await store.record(got.map((c) => ({ id: c.id, state: 'done' as const, attempts: 1, nextAttemptAt: 0, lastError: null, result: { CALL_ID: c.callKey }, solo: false })), calls + 1);
    }
    const ms = performance.now() - t0;
    return { commands: n, batchSize: 50, ms: Math.round(ms), commandsPerSec: perSec(n, ms) };
  } finally {
    await store.close();
  }
}

/** A portal that answers at once; counts HTTP requests. */
function fakePortal(): B24Client & { requests: number } {
  const answer = (method: string, params: B24Params): unknown =>
    method.endsWith('register') ? { CALL_ID: `externalCall.${String(params['EXTERNAL_CALL_ID'])}` } : true;
  const portal = {
    requests: 0,
    async call<T>(method: string, params: B24Params = {}): Promise<T> {
      portal.requests++;
      return answer(method, params) as T;
    },
    async callRaw(method: string, params?: B24Params) {
      return { result: await portal.call(method, params) };
    },
    async batch(commands: readonly B24BatchCommand[]): Promise<B24BatchOutcome> {
      portal.requests++;
      const results: Record<string, unknown> = {};
      for (const c of commands) {
        const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, isResultRef(v) ? (results[v.$ref] as Record<string, unknown> | undefined)?.[v.path[0] ?? ''] : v]));
        results[c.key] = answer(c.method, params);
      }
      return { results, errors: {} };
    },
  };
  return portal;
}

async function benchSender(open: Open, mode: 'batch' | 'naive', calls: number): Promise<OutboxBenchResult['sender'][number]> {
  const store = await open(`sender-${mode}`);
  try {
    for (let i = 0; i < calls; i++) await store.enqueue(callCommands(i), i);
    const client = fakePortal();
    const sender = createOutboxSender({ store, client, mode, now: () => calls + 1 });
    const t0 = performance.now();
    const r = await sender.drain(100_000);
    const ms = performance.now() - t0;
    return { mode, commands: r.done, requests: client.requests, ms: Math.round(ms), commandsPerSec: perSec(r.done, ms) };
  } finally {
    await store.close();
  }
}

export async function benchOutbox(options: OutboxBenchOptions = {}): Promise<OutboxBenchResult> {
  const calls = Math.max(1, Math.floor(options.calls ?? 600));
  const kind = options.store ?? 'sqlite';
  const dir = mkdtempSync(join(tmpdir(), 'bench-outbox-'));
  let cluster: PgCluster | undefined;
  try {
    if (kind === 'postgres') cluster = await startPgCluster({ durable: true });
    const pgc = cluster;
    const open: Open = pgc
      ? async (_name, synchronous) => openPostgresStore({ url: await pgc.createDatabase(), synchronousCommit: synchronous !== 'NORMAL' })
      : async (name, synchronous) => openSqliteStore({ path: join(dir, `${name}.sqlite`), ...(synchronous ? { synchronous } : {}) });
    const enqueue = [await benchEnqueue(open, 'FULL', calls), await benchEnqueue(open, 'NORMAL', calls)];
    const claim = await benchClaim(open, calls);
    const sender = [await benchSender(open, 'batch', calls), await benchSender(open, 'naive', calls)];
    return { name: 'outbox', store: kind, enqueue, claim, sender };
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const store = process.argv.includes('postgres') ? 'postgres' : 'sqlite';
  console.log(JSON.stringify(await benchOutbox({ store }), null, 2));
}
