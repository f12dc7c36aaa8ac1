import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../../src/errors.js';
import { EventDeduper } from '../../src/adapters/bitrix/event-dedupe.js';
import { createEventIntake } from '../../src/adapters/bitrix/event-intake.js';
import { MemoryEventQueue } from '../../src/adapters/bitrix/event-queue.js';
import { OfflineEventPoller } from '../../src/adapters/bitrix/offline-poller.js';
import type { B24Client, B24Params } from '../../src/adapters/bitrix/types.js';
import { FakeClock } from './fake-clock.js';

/** An in-memory portal offline queue behind the B24Client interface. */
class OfflinePortal implements B24Client {
  readonly calls: Array<{ method: string; params: B24Params }> = [];
  handlers: Array<Record<string, unknown>> = [];
  offline: Array<{ ID: string; EVENT_NAME: string; EVENT_DATA: unknown; TIMESTAMP_X: string; MESSAGE_ID: string; pid?: string }> = [];
  private pid = 0;
  failNext: ConnectorError | undefined;

  async call<T>(method: string, params: B24Params = {}): Promise<T> {
    this.calls.push({ method, params });
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    switch (method) {
      case 'event.get':
        return this.handlers as T;
      case 'event.bind':
        if (this.handlers.some((h) => h.event === params.event && h.offline === 1)) {
          throw new ConnectorError('B24_HANDLER_ALREADY_EXISTS', 'x');
        }
        this.handlers.push({ event: params.event, handler: '', auth_type: '0', offline: 1 });
        return true as T;
      case 'event.offline.get': {
        const free = this.offline.filter((e) => !e.pid).slice(0, Number(params.limit));
        const pid = free.length ? `pid${++this.pid}` : null;
        for (const e of free) e.pid = pid!;
        return { process_id: pid, events: free.map(({ pid: _p, ...rest }) => rest) } as T;
      }
      case 'event.offline.clear': {
        const ids = params.id as string[];
        this.offline = this.offline.filter((e) => !(e.pid === params.process_id && ids.includes(e.ID)));
        return true as T;
      }
      default:
        throw new Error(`unexpected ${method}`);
    }
  }
  async callRaw(): Promise<never> {
    throw new Error('n/a');
  }
  async batch(): Promise<never> {
    throw new Error('n/a');
  }

  add(id: string, name: string, data: unknown): void {
    this.offline.push({ ID: id, EVENT_NAME: name, EVENT_DATA: data, TIMESTAMP_X: '2026-03-11T17:28:46+03:00', MESSAGE_ID: id });
  }
}

const CALL = { CALL_ID: 'externalCall.aa.1', USER_ID: '1269', PHONE_NUMBER: '+4949', CALL_LIST_ID: '0', IS_MOBILE: '1' };

describe('OfflineEventPoller', () => {
  test('binds the missing offline handlers once (event.get first)', async () => {
    const portal = new OfflinePortal();
    portal.handlers.push({ event: 'ONEXTERNALCALLSTART', handler: '', auth_type: '0', offline: 1 });
    portal.handlers.push({ event: 'ONEXTERNALCALLBACKSTART', handler: 'https://x/', auth_type: '0', offline: 0 });
    const poller = new OfflineEventPoller({ client: portal, queue: new MemoryEventQueue(), dedupe: new EventDeduper() });
    assert.deepEqual(await poller.ensureBound(), ['ONEXTERNALCALLBACKSTART']);
    assert.deepEqual(portal.calls.map((c) => c.method), ['event.get', 'event.bind']);
    assert.deepEqual(portal.calls[1]!.params, { event: 'ONEXTERNALCALLBACKSTART', event_type: 'offline' });
    assert.deepEqual(await poller.ensureBound(), []);
    assert.equal(portal.calls.filter((c) => c.method === 'event.bind').length, 1);
  });

  test('polls with clear=0, queues, then clears by process_id and ids', async () => {
    const portal = new OfflinePortal();
    portal.add('11', 'ONEXTERNALCALLSTART', CALL);
    portal.add('12', 'ONCRMLEADADD', { FIELDS: { ID: 1 } });
    portal.add('13', 'ONEXTERNALCALLSTART', CALL); // same event twice in the offline queue
    const queue = new MemoryEventQueue();
    const poller = new OfflineEventPoller({ client: portal, queue, dedupe: new EventDeduper(), limit: 10 });
    const out = await poller.pollOnce();
    assert.deepEqual(out, { received: 3, queued: 1, duplicates: 1, skipped: 1, cleared: 3 });
    const get = portal.calls.find((c) => c.method === 'event.offline.get')!;
    assert.deepEqual(get.params, { clear: 0, limit: 10 });
    const clear = portal.calls.find((c) => c.method === 'event.offline.clear')!;
    assert.deepEqual(clear.params, { process_id: 'pid1', id: ['11', '12', '13'] });
    assert.equal(portal.offline.length, 0);
    const ev = await queue.take();
    assert.equal(ev.source, 'poll');
    assert.equal(ev.ts, Date.parse('2026-03-11T17:28:46+03:00'));
    assert.deepEqual(ev.data, { CALL_ID: 'externalCall.aa.1', USER_ID: 1269, PHONE_NUMBER: '+4949', CALL_LIST_ID: 0, IS_MOBILE: true });
    assert.equal(queue.size, 0);
  });

  test('a polled event is delivered once even when it is also pushed', async () => {
    const portal = new OfflinePortal();
    const queue = new MemoryEventQueue();
    const dedupe = new EventDeduper(60_000);
    const intake = createEventIntake({ applicationTokens: () => 'tok', queue, dedupe });
    const poller = new OfflineEventPoller({ client: portal, queue, dedupe });
    portal.add('1', 'ONEXTERNALCALLSTART', { data: CALL }); // wrapped form is accepted too
    assert.equal((await poller.pollOnce()).queued, 1);
    const body = new URLSearchParams({ event: 'ONEXTERNALCALLSTART', 'data[CALL_ID]': CALL.CALL_ID,
      'data[USER_ID]': '1269', 'auth[application_token]': 'tok' }).toString();
    const res = await intake.request('/', { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(await res.json(), { status: 'duplicate' });
    assert.equal((await poller.pollOnce()).received, 0);
    assert.equal(queue.size, 1);
  });

  test('an event whose push failed is not cleared', async () => {
    const portal = new OfflinePortal();
    portal.add('1', 'ONEXTERNALCALLSTART', CALL);
    portal.add('2', 'ONEXTERNALCALLSTART', { ...CALL, CALL_ID: 'externalCall.bb.2' });
    const queue = new MemoryEventQueue({ maxSize: 1 });
    const poller = new OfflineEventPoller({ client: portal, queue, dedupe: new EventDeduper() });
    const out = await poller.pollOnce();
    assert.deepEqual(out, { received: 2, queued: 1, duplicates: 0, skipped: 0, cleared: 1 });
    assert.deepEqual(portal.offline.map((e) => e.ID), ['2']);
  });

  test('start/stop: binds, polls every interval, survives errors, stops cleanly', async () => {
    const portal = new OfflinePortal();
    const clock = new FakeClock(0);
    const queue = new MemoryEventQueue();
    const poller = new OfflineEventPoller({ client: portal, queue, dedupe: new EventDeduper(), intervalMs: 1000, clock });
    poller.start();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(portal.calls.map((c) => c.method),
      ['event.get', 'event.bind', 'event.bind', 'event.offline.get']);
    portal.add('7', 'ONEXTERNALCALLSTART', CALL);
    portal.failNext = new ConnectorError('B24_QUERY_LIMIT', 'x', { retryable: true });
    // tick 1: error (logged), tick 2: the event arrives
    const first = clock.sleeps.length;
    const wait = queue.take();
    const tick = async () => {
      clock.advance(1000);
      await clock.run(1);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    await tick();
    await tick();
    const ev = await wait;
    assert.equal(ev.data.CALL_ID, 'externalCall.aa.1');
    assert.ok(clock.sleeps.length > first);
    assert.ok(clock.sleeps.every((ms) => ms === 1000));
    await poller.stop();
    const n = portal.calls.length;
    clock.advance(5000);
    await clock.run();
    assert.equal(portal.calls.length, n);
  });
});
