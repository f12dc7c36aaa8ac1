/**
 * The admin panel's and the CLI's read-only queries (StoreQueries), on every backend: history
 * search over the stored call summaries, the outbox newest first, the last answer, chart facts.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import { command } from '../../src/core/crm/commands.js';
import { storeBackends } from './backends.js';

const H = 3_600_000;

function summary(o: { startedAt: number; clientNumber: string; callerExtension?: string; exts?: string[]; answeredAt?: number }) {
  return {
    crm: { registered: true },
    summary: {
      startedAt: o.startedAt, clientNumber: o.clientNumber, ...(o.callerExtension ? { callerExtension: o.callerExtension } : {}),
      conversations: (o.exts ?? []).map((extension) => ({ extension })), answeredAt: o.answeredAt ?? null,
    },
    timeline: [],
  };
}

for (const b of storeBackends()) describe(b.name, { skip: b.skip }, () => {
  let store: AppStore;
  beforeEach(async () => {
    store = await b.open();
    await store.upsertCall({ callKey: 'a', state: summary({ startedAt: 10 * H, clientNumber: '+7 (916) 123-45-67', exts: ['101', '102'], answeredAt: 10 * H + 5 }), endedAt: 11 * H, now: 10 * H });
    await store.upsertCall({ callKey: 'b', state: summary({ startedAt: 12 * H, clientNumber: '+4930111222', callerExtension: '103' }), endedAt: 12 * H + 60_000, now: 12 * H });
    await store.upsertCall({ callKey: 'c', state: summary({ startedAt: 13 * H, clientNumber: '+4930111333', exts: ['101'] }), now: 13 * H });
    // No startedAt in its state: the row's creation time stands in.
    await store.upsertCall({ callKey: 'd', state: { note: 'not a flow state' }, endedAt: 9 * H + 1, now: 9 * H });
  });
  afterEach(async () => {
    await store.close();
  });

  test('history: ended calls, newest start first, with the total', async () => {
    const page = await store.queries.searchCalls({ limit: 2, offset: 0 });
    assert.equal(page.total, 3);
    assert.deepEqual(page.rows.map((r) => r.callKey), ['b', 'a']);
    assert.deepEqual((await store.queries.searchCalls({ limit: 2, offset: 2 })).rows.map((r) => r.callKey), ['d']);
    assert.deepEqual((await store.queries.searchCalls({ limit: 10, offset: 0, endedOnly: false })).rows.map((r) => r.callKey), ['c', 'b', 'a', 'd']);
    assert.deepEqual(page.rows[1]?.state, summary({ startedAt: 10 * H, clientNumber: '+7 (916) 123-45-67', exts: ['101', '102'], answeredAt: 10 * H + 5 }));
  });

  test('history filters: number digits, extension (caller or conversation), start range', async () => {
    const keys = async (q: Parameters<AppStore['queries']['searchCalls']>[0]) => (await store.queries.searchCalls(q)).rows.map((r) => r.callKey);
    assert.deepEqual(await keys({ number: '123-45', limit: 10, offset: 0 }), ['a']);
    assert.deepEqual(await keys({ number: '4930111', limit: 10, offset: 0, endedOnly: false }), ['c', 'b']);
    assert.deepEqual(await keys({ extension: '101', limit: 10, offset: 0, endedOnly: false }), ['c', 'a']);
    assert.deepEqual(await keys({ extension: '103', limit: 10, offset: 0 }), ['b']);
    assert.deepEqual(await keys({ extension: '999', limit: 10, offset: 0 }), []);
    assert.deepEqual(await keys({ from: 10 * H, to: 12 * H, limit: 10, offset: 0 }), ['a']);
    assert.deepEqual(await keys({ from: 9 * H, to: 10 * H, limit: 10, offset: 0 }), ['d']);
  });

  test('chart facts: start, answered, live', async () => {
    const facts = (await store.queries.callFactsSince(10 * H)).sort((x, y) => x.startedAt - y.startedAt);
    assert.deepEqual(facts, [
      { startedAt: 10 * H, answered: true, live: false },
      { startedAt: 12 * H, answered: false, live: false },
      { startedAt: 13 * H, answered: false, live: true },
    ]);
  });

  test('recent calls: last updated first', async () => {
    await store.upsertCall({ callKey: 'a', state: { touched: true }, now: 20 * H });
    assert.deepEqual((await store.queries.recentCalls(2)).map((r) => r.callKey), ['a', 'c']);
  });

  test('outbox: newest first, last answer, last change, REST facts', async () => {
    assert.equal(await store.queries.lastSentCommand(), undefined);
    await store.enqueue([command('x', 'register', 'telephony.externalcall.register', { N: 1 }, 'live')], 100);
    await store.enqueue([command('y', 'register', 'telephony.externalcall.register', { N: 2 }, 'live')], 101);
    await store.enqueue([command('z', 'register', 'telephony.externalcall.register', { N: 3 }, 'late')], 102);
    assert.deepEqual((await store.queries.listOutboxNewest({ limit: 2 })).map((c) => c.callKey), ['z', 'y']);
    const [x] = await store.claim({ now: 200, limit: 1 });
    assert.equal(x?.callKey, 'x');
    await store.record([{ id: x!.id, state: 'done', attempts: 1, nextAttemptAt: 200, lastError: null, result: { CALL_ID: 'X' }, solo: false }], 300);
    const [y] = await store.claim({ now: 400, limit: 1 });
    await store.record([{ id: y!.id, state: 'pending', attempts: 2, nextAttemptAt: 900, lastError: { code: 'B24_NETWORK', message: 'down' }, solo: false }], 500);
    assert.deepEqual((await store.queries.listOutboxNewest({ state: 'done' })).map((c) => c.callKey), ['x']);
    const last = await store.queries.lastSentCommand();
    assert.deepEqual([last?.callKey, last?.lastError?.code], ['y', 'B24_NETWORK']);
    assert.equal((await store.queries.lastChangedCommand())?.callKey, 'y');
    assert.equal(await store.discard((await store.getByKey('z:register'))!.id, 600), true);
    assert.equal((await store.queries.lastChangedCommand())?.state, 'discarded');
    assert.deepEqual((await store.queries.restFactsSince(250)).sort((p, q) => p.at - q.at), [{ at: 300, requests: 1 }, { at: 500, requests: 2 }]);
    assert.equal(store.isOpen, true);
    await store.close();
    assert.equal(store.isOpen, false);
  });
});
