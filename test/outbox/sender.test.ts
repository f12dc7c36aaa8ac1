import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import { command, ref } from '../../src/core/crm/commands.js';
import type { CrmCommand } from '../../src/core/crm/commands.js';
import { ConnectorError } from '../../src/errors.js';
import { createOutboxSender } from '../../src/outbox/sender.js';
import type { SenderOptions } from '../../src/outbox/sender.js';
import type { OutboxCommand } from '../../src/outbox/command.js';
import { storeBackends } from '../store/backends.js';
import { createFakeClient, defaultHandler } from './fake-client.js';
import type { FakeClient } from './fake-client.js';

let store: AppStore;
let client: FakeClient;
let clock: number;

const REGISTER = 'telephony.externalcall.register';
const reg = (k: string, prio: 'live' | 'late' = 'live'): CrmCommand =>
  command(k, 'register', REGISTER, { EXTERNAL_CALL_ID: k, PHONE_NUMBER: '+79161234567', TYPE: 2, USER_ID: 1 }, prio);
const show = (k: string, user: number): CrmCommand =>
  command(k, `show:${user}`, 'telephony.externalcall.show', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: user }, 'live');
const finish = (k: string): CrmCommand =>
  command(k, 'finish', 'telephony.externalcall.finish', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: 1, DURATION: 5 }, 'finish');

/** Holds batch requests in flight until open() is called. */
function hold(): { open: () => void } {
  let open = (): void => {};
  client.gate = new Promise<void>((r) => {
    open = () => {
      client.gate = undefined;
      r();
    };
  });
  return { open: () => open() };
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function sender(over: Partial<SenderOptions> = {}) {
  return createOutboxSender({ store, client, now: () => clock, random: () => 0, ...over });
}

// The sender over every store backend (SQLite, and PostgreSQL when a server can be started here).
for (const b of storeBackends()) describe(b.name, { skip: b.skip }, () => {
beforeEach(async () => {
  store = await b.open();
  client = createFakeClient();
  clock = 1_000_000;
});
afterEach(async () => {
  await store.close();
});

describe('batching', () => {
  test('120 ready commands go out as 3 batches of ≤ 50, each done once', async () => {
    const s = sender({ concurrency: 1, liveReserved: 0 });
    for (let i = 0; i < 120; i++) await s.enqueue([reg(`call${i}`, 'late')]);
    const r = await s.drain();
    assert.deepEqual(client.batches.map((b) => b.length), [50, 50, 20]);
    assert.equal(r.done, 120);
    assert.equal(r.requests, 3);
    assert.deepEqual((await s.stats()).byState, { pending: 0, running: 0, done: 120, dead: 0, discarded: 0 });
  });

  test('register + show + finish of one call travel in one batch with batch references', async () => {
    const s = sender();
    await s.enqueue([reg('A'), show('A', 101), finish('A')]);
    await s.drain();
    assert.equal(client.batches.length, 1);
    const [b] = client.batches;
    const regKey = b![0]!.key;
    assert.deepEqual(b!.map((c) => c.method), [REGISTER, 'telephony.externalcall.show', 'telephony.externalcall.finish']);
    assert.deepEqual(b![1]!.params, { CALL_ID: { $ref: regKey, path: ['CALL_ID'] }, USER_ID: 101 });
    const callId = client.executed[0] && (client.handler(REGISTER, { EXTERNAL_CALL_ID: 'A' }) as { CALL_ID: string }).CALL_ID;
    assert.equal(client.executed[2]?.params['CALL_ID'], callId);
    assert.deepEqual((await store.getByKey('A:finish'))?.result, { CALL_ID: callId, CRM_ACTIVITY_ID: 99 });
  });

  test('a later command references the stored result of an earlier batch', async () => {
    const s = sender();
    await s.enqueue([reg('A')]);
    await s.drain();
    const callId = ((await store.getByKey('A:register'))?.result as { CALL_ID: string }).CALL_ID;
    await s.enqueue([show('A', 7)]);
    await s.drain();
    assert.equal(client.batches.length, 2);
    assert.deepEqual(client.batches[1]![0]!.params, { CALL_ID: callId, USER_ID: 7 });
  });

  test('naive mode sends one request per command, refs resolved from the store', async () => {
    const s = sender({ mode: 'naive' });
    await s.enqueue([reg('A'), show('A', 101)]);
    await s.enqueue([reg('B')]);
    const r = await s.drain();
    assert.equal(client.batches.length, 0);
    assert.deepEqual(client.calls.map((c) => `${c.method}:${String(c.params['EXTERNAL_CALL_ID'] ?? c.params['USER_ID'])}`), [
      `${REGISTER}:A`, `${REGISTER}:B`, 'telephony.externalcall.show:101',
    ]);
    assert.equal(typeof client.calls[2]?.params['CALL_ID'], 'string');
    assert.equal(r.requests, 3);
    assert.equal(r.done, 3);
  });
});

describe('priorities', () => {
  test('1000-command backlog + one live command: the live one is in the first batch', async () => {
    const backlog: CrmCommand[] = [];
    for (let i = 0; i < 1000; i++) backlog.push(command(`old${i}`, 'update', 'crm.activity.update', { id: i }, 'update'));
    await store.enqueue(backlog, clock - 60_000);
    await store.enqueue([reg('ringing')], clock);
    const s = sender({ concurrency: 1, liveReserved: 0 });
    await s.runOnce();
    assert.equal(client.batches[0]?.[0]?.method, REGISTER);
    assert.equal(client.batches[0]?.length, 50);
  });

  test('the reserved slot carries a live command while the general slot is busy', async () => {
    const backlog: CrmCommand[] = [];
    for (let i = 0; i < 100; i++) backlog.push(command(`old${i}`, 'update', 'crm.activity.update', { id: i }, 'update'));
    await store.enqueue(backlog, clock);
    const gate = hold();
    const s = sender({ concurrency: 2, liveReserved: 1, pollIntervalMs: 5 });
    try {
      await s.start();
      await waitFor(() => client.batches.length === 1);
      await new Promise((r) => setTimeout(r, 20)); // several polls: the reserved slot stays free
      assert.equal(s.inFlight, 1);
      assert.equal(client.batches.length, 1);
      await s.enqueue([reg('ringing')]);
      await waitFor(() => client.batches.length === 2);
      assert.equal(s.inFlight, 2);
      assert.deepEqual(client.batches[1]?.map((c) => c.method), [REGISTER]);
    } finally {
      gate.open();
      await s.stop();
    }
  });
});

describe('retries and dead commands', () => {
  test('retryable error: backoff on the fake clock, then success', async () => {
    let failures = 2;
    const base = defaultHandler();
    client.handler = (m, p) => {
      if (m === REGISTER && failures-- > 0) throw new ConnectorError('B24_INTERNAL', 'Internal server error', { retryable: true });
      return base(m, p);
    };
    const s = sender();
    await s.enqueue([reg('A')]);
    await s.runOnce();
    let row = await store.getByKey('A:register');
    assert.deepEqual([row?.state, row?.attempts, row?.nextAttemptAt], ['pending', 1, clock + 500]);
    assert.deepEqual(row?.lastError, { code: 'B24_INTERNAL', message: 'Internal server error' });
    assert.equal((await s.runOnce()).sent, 0); // not due yet
    clock += 500;
    await s.runOnce();
    row = await store.getByKey('A:register');
    assert.deepEqual([row?.state, row?.attempts, row?.nextAttemptAt], ['pending', 2, clock + 1_000]);
    clock += 1_000;
    await s.runOnce();
    row = await store.getByKey('A:register');
    assert.deepEqual([row?.state, row?.attempts, row?.lastError], ['done', 3, null]);
  });

  test('non-retryable error: dead, onDead called, the rest of the call waits', async () => {
    client.handler = (m) => {
      if (m === REGISTER) throw new ConnectorError('B24_ERROR_CORE', 'Unknown TYPE');
      return true;
    };
    const dead: Array<[string, string]> = [];
    const s = sender({ onDead: (c: OutboxCommand, e: ConnectorError) => void dead.push([c.step, e.code]) });
    await s.enqueue([reg('A'), show('A', 1)]);
    const r = await s.drain();
    assert.deepEqual(dead, [['register', 'B24_ERROR_CORE']]);
    assert.equal(r.dead, 1);
    assert.equal(r.notSent, 1); // show rode in the same batch, its answer is ignored
    assert.equal((await store.getByKey('A:show:1'))?.state, 'pending');
    assert.equal((await s.listDead()).length, 1);
    // fixed by hand: retry sends the register, then the show
    client.handler = defaultHandler();
    assert.equal(await s.retry((await s.listDead())[0]!.id), true);
    await s.drain();
    assert.equal((await store.getByKey('A:show:1'))?.state, 'done');
  });

  test('onDone learns the CALL_ID; an observer that throws does not undo the record', async () => {
    const seen: Array<[string, unknown]> = [];
    const s = sender({
      onDone: (c: OutboxCommand, result: unknown) => {
        seen.push([c.step, (result as { CALL_ID?: string }).CALL_ID]);
        throw new Error('observer bug');
      },
    });
    await s.enqueue([reg('A')]);
    await s.drain();
    assert.equal(seen.length, 1);
    assert.match(String(seen[0]?.[1]), /^externalCall\./);
    assert.equal((await store.getByKey('A:register'))?.state, 'done');
  });

  test('whole batch fails retryably: every command retried with backoff', async () => {
    client.batchFailures.push(new ConnectorError('B24_QUERY_LIMIT', 'Too many requests', { retryable: true }));
    const s = sender();
    await s.enqueue([reg('A')]);
    await s.enqueue([reg('B')]);
    const r = await s.runOnce();
    assert.equal(r.retried, 2);
    const rows = await store.list({});
    assert.deepEqual(rows.map((c) => [c.state, c.attempts, c.nextAttemptAt, c.lastError?.code]), [
      ['pending', 1, clock + 500, 'B24_QUERY_LIMIT'], ['pending', 1, clock + 500, 'B24_QUERY_LIMIT'],
    ]);
    clock += 500;
    await s.drain();
    assert.equal((await s.stats()).byState.done, 2);
  });

  test('whole batch refused non-retryably: commands resent alone, only the poison one dies', async () => {
    client.batchFailures.push(new ConnectorError('B24_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage'));
    // One request at a time: with a second slot free, an async store's claim can still be running
    // when the failed batch is recorded, and would send the isolated commands in this same round.
    const s = sender({ concurrency: 1 });
    await s.enqueue([reg('A'), reg('B'), reg('C')].map((c, i) => (i === 1 ? { ...c, method: 'disk.folder.uploadfile', idempotencyKey: 'B:x', step: 'x' } : c)));
    await s.runOnce();
    assert.ok((await store.list({})).every((c) => c.solo && c.state === 'pending' && c.attempts === 1));
    client.batchFailures.push(new ConnectorError('B24_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage'));
    client.handler = defaultHandler();
    const orig = client.batch.bind(client);
    client.batch = async (cmds, o) => {
      if (cmds.some((c) => c.method === 'disk.folder.uploadfile')) throw new ConnectorError('B24_BATCH_METHOD_NOT_ALLOWED', 'no');
      client.batchFailures.length = 0;
      return orig(cmds, o);
    };
    await s.drain();
    const rows = await store.list({});
    assert.deepEqual(rows.map((c) => [c.callKey, c.state]), [['A', 'done'], ['B', 'dead'], ['C', 'done']]);
    assert.ok(client.batches.slice(1).every((b) => b.length === 1));
  });

  test('an unresolvable reference is dead at once without a request', async () => {
    const s = sender();
    await s.enqueue([finish('A')]); // no register was ever enqueued
    const r = await s.drain();
    assert.equal(client.batches.length, 0);
    assert.equal(r.dead, 1);
    assert.equal((await store.getByKey('A:finish'))?.lastError?.code, 'OUTBOX_REF_UNRESOLVED');
  });

  test('maxAttempts makes a retryable failure dead', async () => {
    client.handler = () => { throw new ConnectorError('B24_NETWORK', 'reset', { retryable: true }); };
    const s = sender({ maxAttempts: 2 });
    await s.enqueue([reg('A')]);
    await s.runOnce();
    clock += 10_000;
    await s.runOnce();
    const row = await store.getByKey('A:register');
    assert.deepEqual([row?.state, row?.attempts, row?.lastError?.code], ['dead', 2, 'OUTBOX_ATTEMPTS_EXHAUSTED']);
  });

  test('a send that never answers times out and is retried', async () => {
    client.delayMs = 10_000;
    const s = sender({ sendTimeoutMs: 20 });
    await s.enqueue([reg('A')]);
    await s.runOnce();
    const row = await store.getByKey('A:register');
    assert.deepEqual([row?.state, row?.lastError?.code, row?.uncertain], ['pending', 'OUTBOX_SEND_TIMEOUT', true]);
  });
});

describe('idempotency', () => {
  test('a command is never sent twice after success, even if enqueued again', async () => {
    const s = sender();
    await s.enqueue([reg('A'), show('A', 1)]);
    await s.drain();
    const again = await s.enqueue([reg('A'), show('A', 1)]);
    assert.deepEqual(again.inserted, []);
    await s.drain();
    assert.equal(client.executed.filter((e) => e.method === REGISTER).length, 1);
    assert.equal(client.executed.length, 2);
  });

  test('discard unblocks the call; manual ops report false on wrong states', async () => {
    client.handler = () => { throw new ConnectorError('B24_ERROR_CORE', 'bad'); };
    const s = sender();
    await s.enqueue([reg('A')]);
    await s.drain();
    const [dead] = await s.listDead();
    assert.equal(await s.retry(dead!.id + 100), false);
    assert.equal(await s.discard(dead!.id), true);
    assert.equal(await s.retry(dead!.id), false);
    const st = await s.stats();
    assert.deepEqual([st.depth, st.dead, st.byState.discarded], [0, 0, 1]);
  });
});

describe('loop', () => {
  test('start releases stale running rows, wake sends at once, stop drains and stays stopped', async () => {
    await store.enqueue([reg('A')], clock);
    await store.claim({ now: clock, limit: 10 }); // as if a previous process crashed mid-send
    const s = sender({ pollIntervalMs: 60_000 });
    clock += 1;
    try {
      await s.start();
      await waitFor(async () => (await store.getByKey('A:register'))?.state === 'done');
      await s.enqueue([show('A', 3)]);
      // woken at once, not after the 60 s poll
      await waitFor(async () => (await store.getByKey('A:show:3'))?.state === 'done');
    } finally {
      await s.stop();
    }
    await s.enqueue([finish('A')]);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await store.getByKey('A:finish'))?.state, 'pending');
    await assert.rejects(s.start(), (e) => e instanceof ConnectorError && e.code === 'OUTBOX_SENDER_STATE');
  });

  test('stop waits for the batch in flight to be recorded', async () => {
    const gate = hold();
    const s = sender({ pollIntervalMs: 5 });
    try {
      await s.start();
      await s.enqueue([reg('A')]);
      await waitFor(() => client.batches.length === 1);
      assert.equal(s.inFlight, 1);
      const stopped = s.stop();
      await new Promise((r) => setTimeout(r, 5));
      assert.equal((await store.getByKey('A:register'))?.state, 'running');
      gate.open();
      await stopped;
      assert.equal(s.inFlight, 0);
      assert.equal((await store.getByKey('A:register'))?.state, 'done');
    } finally {
      gate.open();
      await s.stop();
    }
  });
});

describe('store trouble', () => {
  test('a busy store on record is retried; the outcome lands', async () => {
    const s = createOutboxSender({
      store: {
        ...store,
        record: (() => {
          let fails = 2;
          return async (u: Parameters<typeof store.record>[0], t: number) => {
            if (fails-- > 0) throw new ConnectorError('STORE_BUSY', 'busy', { retryable: true });
            return store.record(u, t);
          };
        })(),
      },
      client, now: () => clock, random: () => 0,
    });
    await s.enqueue([reg('A')]);
    await s.runOnce();
    assert.equal((await store.getByKey('A:register'))?.state, 'done');
  });
});

describe('store trouble during dispatch', () => {
  test('a failing steps() lookup releases the claimed commands as uncertain', async () => {
    let broken = true;
    const s = createOutboxSender({
      store: {
        ...store,
        steps: async (l: Parameters<typeof store.steps>[0]) => {
          if (broken) throw new ConnectorError('STORE_QUERY_FAILED', 'disk I/O error');
          return store.steps(l);
        },
      },
      client, now: () => clock, random: () => 0,
    });
    await s.enqueue([reg('A')]);
    await s.runOnce();
    const row = await store.getByKey('A:register');
    assert.deepEqual([row?.state, row?.attempts, row?.uncertain], ['pending', 0, true]);
    assert.equal(client.batches.length, 0);
    broken = false;
    await s.drain();
    assert.equal((await store.getByKey('A:register'))?.state, 'done');
  });
});

describe('ordering under concurrency', () => {
  test('3 slots, small batches, no chaining: each call still goes register → show → finish', async () => {
    for (let i = 0; i < 30; i++) await store.enqueue([reg(`k${i}`, i % 2 ? 'late' : 'live'), show(`k${i}`, i), finish(`k${i}`)], clock - 100 + i);
    client.delayMs = 2;
    const s = sender({ concurrency: 3, liveReserved: 1, batchSize: 7, maxChain: 1, pollIntervalMs: 5 });
    try {
      await s.start();
      await waitFor(async () => (await store.stats(clock)).byState.done === 90);
    } finally {
      await s.stop();
    }
    assert.equal(client.executed.length, 90);
    assert.ok(client.batches.every((b) => b.length <= 7));
    for (let i = 0; i < 30; i++) {
      const rows = await store.list({ callKey: `k${i}` });
      const [r, sh, f] = rows;
      assert.ok(r!.updatedAt <= sh!.updatedAt && sh!.updatedAt <= f!.updatedAt);
      const seq = client.executed.flatMap((e, idx) => (e.params['EXTERNAL_CALL_ID'] === `k${i}` || e.params['CALL_ID'] === (r!.result as { CALL_ID: string }).CALL_ID ? [[idx, e.method]] : []));
      assert.deepEqual(seq.map(([, m]) => String(m).split('.').pop()), ['register', 'show', 'finish']);
    }
  });
});
});
