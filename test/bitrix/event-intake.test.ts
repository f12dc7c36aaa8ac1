import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createEventIntake, tokenMatches } from '../../src/adapters/bitrix/event-intake.js';
import { EventDeduper } from '../../src/adapters/bitrix/event-dedupe.js';
import { MemoryEventQueue } from '../../src/adapters/bitrix/event-queue.js';
import type { B24Event } from '../../src/adapters/bitrix/event-types.js';
import { captureLogger } from './capture-logger.js';

const APP_TOKEN = '51610fefc120afg4b628cc82d6298cce';

/** The docs' ONEXTERNALCALLSTART example, as the queue server sends it (form, flat keys). */
function callStartForm(overrides: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    event: 'ONEXTERNALCALLSTART',
    event_handler_id: '1055',
    'data[PHONE_NUMBER]': '+494951234567',
    'data[PHONE_NUMBER_INTERNATIONAL]': '+494951234567',
    'data[EXTENSION]': '',
    'data[USER_ID]': '1269',
    'data[CALL_LIST_ID]': '0',
    'data[LINE_NUMBER]': '7',
    'data[IS_MOBILE]': '0',
    'data[CALL_ID]': 'externalCall.89350264e026dace3f2b14d1f438257c.1773236989',
    'data[CRM_ENTITY_TYPE]': 'CONTACT',
    'data[CRM_ENTITY_ID]': '797',
    ts: '1773236988',
    'auth[access_token]': 'eventaccesstoken123',
    'auth[expires_in]': '3600',
    'auth[scope]': 'telephony',
    'auth[domain]': 'some-domain.bitrix24.com',
    'auth[member_id]': 'member-1',
    'auth[refresh_token]': 'eventrefreshtoken456',
    'auth[application_token]': APP_TOKEN,
    ...overrides,
  };
  return new URLSearchParams(fields).toString();
}

function setup(opts: { now?: () => number; window?: number } = {}) {
  const lines: string[] = [];
  const queue = new MemoryEventQueue();
  const app = createEventIntake({
    applicationTokens: () => [APP_TOKEN, 'other-portal-token'],
    queue,
    dedupeWindowMs: opts.window ?? 60_000,
    logger: captureLogger(lines),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const post = (body: string, type = 'application/x-www-form-urlencoded') =>
    app.request('/', { method: 'POST', headers: { 'Content-Type': type }, body });
  return { app, queue, lines, post };
}

describe('event intake', () => {
  test('ONEXTERNALCALLSTART is typed and queued', async () => {
    const { queue, post } = setup({ now: () => 5_000 });
    const res = await post(callStartForm());
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'queued' });
    assert.equal(queue.size, 1);
    const ev = await queue.take();
    assert.equal(ev.event, 'ONEXTERNALCALLSTART');
    assert.equal(ev.source, 'push');
    assert.equal(ev.ts, 1_773_236_988_000);
    assert.equal(ev.receivedAt, 5_000);
    assert.equal(ev.memberId, 'member-1');
    assert.equal(ev.domain, 'some-domain.bitrix24.com');
    assert.deepEqual(ev.data, {
      PHONE_NUMBER: '+494951234567', PHONE_NUMBER_INTERNATIONAL: '+494951234567', EXTENSION: '',
      CALL_ID: 'externalCall.89350264e026dace3f2b14d1f438257c.1773236989', CRM_ENTITY_TYPE: 'CONTACT',
      LINE_NUMBER: '7', USER_ID: 1269, CRM_ENTITY_ID: 797, CALL_LIST_ID: 0, IS_MOBILE: false,
    });
    assert.equal(ev.raw.USER_ID, '1269');
  });

  test('forged or missing token → 401 and nothing queued', async () => {
    const { queue, post, lines } = setup();
    for (const body of [
      callStartForm({ 'auth[application_token]': 'forged' }),
      callStartForm({ 'auth[application_token]': '' }),
      new URLSearchParams({ event: 'ONEXTERNALCALLSTART', 'data[CALL_ID]': 'x', 'data[USER_ID]': '1' }).toString(),
    ]) {
      const res = await post(body);
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: 'B24_EVENT_FORGED' });
    }
    assert.equal(queue.size, 0);
    // a rejected event does not poison the dedupe: the genuine one is still taken
    assert.equal((await post(callStartForm())).status, 200);
    assert.equal(queue.size, 1);
    const text = lines.join('\n');
    for (const s of ['forged', APP_TOKEN, 'eventaccesstoken123', 'eventrefreshtoken456']) {
      assert.ok(!text.includes(s), `${s} in logs`);
    }
  });

  test('the same event twice within the window is taken once; after the window again', async () => {
    let now = 0;
    const { queue, post } = setup({ now: () => now, window: 60_000 });
    assert.deepEqual(await (await post(callStartForm())).json(), { status: 'queued' });
    now = 30_000;
    const dup = await post(callStartForm({ ts: '1773236999' }));
    assert.equal(dup.status, 200);
    assert.deepEqual(await dup.json(), { status: 'duplicate' });
    assert.equal(queue.size, 1);
    now = 61_000;
    assert.deepEqual(await (await post(callStartForm())).json(), { status: 'queued' });
    assert.equal(queue.size, 2);
  });

  test('ONEXTERNALCALLBACKSTART (lower-case name, no CALL_ID) dedupes by payload hash', async () => {
    const { queue, post } = setup();
    const form = (phone: string) => new URLSearchParams({
      event: 'onExternalCallBackStart', 'data[PHONE_NUMBER]': phone, 'data[TEXT]': 'Call back',
      'data[VOICE]': 'ruinternalfemale', 'data[CRM_ENTITY_TYPE]': 'CONTACT', 'data[CRM_ENTITY_ID]': '5785',
      'data[LINE_NUMBER]': '7', 'auth[application_token]': 'other-portal-token', ts: '1773234727',
    }).toString();
    assert.deepEqual(await (await post(form('+494951234567'))).json(), { status: 'queued' });
    assert.deepEqual(await (await post(form('+494951234567'))).json(), { status: 'duplicate' });
    assert.deepEqual(await (await post(form('+494951234568'))).json(), { status: 'queued' });
    const ev = await queue.take();
    assert.equal(ev.event, 'ONEXTERNALCALLBACKSTART');
    assert.equal(ev.data.CRM_ENTITY_ID, 5785);
    assert.equal(ev.data.TEXT, 'Call back');
    assert.equal(queue.size, 1);
  });

  test('JSON body, unknown events, bad payloads', async () => {
    const { queue, post } = setup();
    const json = JSON.stringify({ event: 'ONEXTERNALCALLSTART', data: { CALL_ID: 'c1', USER_ID: '5' },
      auth: { application_token: APP_TOKEN } });
    assert.equal((await post(json, 'application/json')).status, 200);
    const other = await post(new URLSearchParams({ event: 'ONCRMLEADADD', 'auth[application_token]': APP_TOKEN }).toString());
    assert.equal(other.status, 200);
    assert.deepEqual(await other.json(), { status: 'ignored' });
    const bad = await post(new URLSearchParams({ event: 'ONEXTERNALCALLSTART', 'data[USER_ID]': '1',
      'auth[application_token]': APP_TOKEN }).toString());
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'B24_EVENT_BAD_PAYLOAD' });
    assert.equal((await post('{not json', 'application/json')).status, 400);
    assert.equal(queue.size, 1);
    assert.equal((await queue.take()).data.USER_ID, 5);
  });

  test('no token configured → everything is refused', async () => {
    const queue = new MemoryEventQueue();
    const app = createEventIntake({ applicationTokens: () => undefined, queue });
    const res = await app.request('/', { method: 'POST', body: callStartForm(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 401);
    assert.equal(queue.size, 0);
  });

  test('a full queue answers 503 and forgets the dedupe key', async () => {
    const queue = new MemoryEventQueue({ maxSize: 0 });
    const dedupe = new EventDeduper(60_000);
    const app = createEventIntake({ applicationTokens: () => APP_TOKEN, queue, dedupe });
    const res = await app.request('/', { method: 'POST', body: callStartForm(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: 'B24_EVENT_QUEUE_FULL' });
    assert.equal(dedupe.size, 0);
  });

  test('tokenMatches', () => {
    assert.equal(tokenMatches('a', 'a'), true);
    assert.equal(tokenMatches('a', ['b', 'a']), true);
    assert.equal(tokenMatches('a', 'ab'), false);
    assert.equal(tokenMatches(undefined, 'a'), false);
    assert.equal(tokenMatches('', ''), false);
    assert.equal(tokenMatches('a', []), false);
  });
});

describe('MemoryEventQueue', () => {
  const ev = (id: string): B24Event => ({ event: 'ONEXTERNALCALLSTART', data: { CALL_ID: id, USER_ID: 1 }, ts: 0,
    receivedAt: 0, source: 'push', raw: {} });

  test('take waits, subscribe drains in order', async () => {
    const q = new MemoryEventQueue();
    const waiting = q.take();
    await q.push(ev('a'));
    assert.equal((await waiting).data.CALL_ID, 'a');
    await q.push(ev('b'));
    await q.push(ev('c'));
    const seen: string[] = [];
    let unsub = () => {};
    const done = new Promise<void>((resolve) => {
      unsub = q.subscribe((e) => {
        seen.push(e.data.CALL_ID!);
        if (seen.length === 3) resolve();
      });
    });
    await q.push(ev('d'));
    await done;
    assert.deepEqual(seen, ['b', 'c', 'd']);
    unsub();
    await q.push(ev('e'));
    assert.equal(q.size, 1);
  });

  test('take can be aborted', async () => {
    const q = new MemoryEventQueue();
    const ac = new AbortController();
    const p = q.take(ac.signal);
    ac.abort();
    await assert.rejects(p, { code: 'B24_ABORTED' });
    await q.push(ev('x'));
    assert.equal(q.size, 1);
  });
});
