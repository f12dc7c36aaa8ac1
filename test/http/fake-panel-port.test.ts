import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakePanelPort } from '../../src/adapters/http/fake-panel-port.js';
import { bucketSeries } from '../../src/adapters/http/chart-buckets.js';
import type { PanelEvent } from '../../src/adapters/http/panel-port.js';

const NOW = Date.parse('2026-11-22T10:30:00Z');

test('seeded history is deterministic, goes through the real planner and has one dead finish', async () => {
  const a = new FakePanelPort({ now: () => NOW });
  const b = new FakePanelPort({ now: () => NOW });
  const ha = await a.history({ limit: 100, offset: 0 });
  assert.equal(ha.total, 24);
  assert.deepEqual(ha.rows.map((r) => r.summary.callKey), (await b.history({ limit: 100, offset: 0 })).rows.map((r) => r.summary.callKey));
  const dead = await a.outbox.list({ state: 'dead' });
  assert.deepEqual(dead.map((c) => [c.step, c.method, c.lastError?.code]), [['finish', 'telephony.externalcall.finish', 'OUTBOX_ATTEMPTS_EXHAUSTED']]);
  const detail = await a.call(dead[0]?.callKey ?? '');
  assert.deepEqual(detail?.commands.map((c) => c.step), ['register', 'show:9:1', 'finish']);
  assert.equal((await a.health()).outbox.dead, 1);
});

test('simulateCall: stage events in order, card visible while ringing, explanation at the end', async () => {
  let now = NOW;
  const p = new FakePanelPort({ now: () => now, stepMs: 1 });
  const events: PanelEvent[] = [];
  const off = p.subscribe((e) => {
    events.push(e);
    now += 1000;
  });
  let liveSeen: string[] = [];
  const off2 = p.subscribe((e) => {
    if (e.type === 'call' && e.stage === 'conversation_requested') void p.liveCalls().then((l) => { liveSeen = l.flatMap((c) => c.cardVisibleTo.map((u) => u.name)); });
  });
  const key = await p.simulateCall({ from: '+79161112233', extension: '103', answer: false });
  off();
  off2();
  assert.deepEqual(events.filter((e) => e.type === 'call').map((e) => e.type === 'call' && e.stage), ['conversation_requested', 'conversation_ended', 'call_ended']);
  assert.deepEqual(liveSeen, ['Chen Li']);
  const d = await p.call(key);
  assert.equal(d?.live, false);
  assert.equal(d?.summary.statusCode, '304');
  assert.deepEqual(d?.explanation.registered.ok, true);
  assert.match(d?.explanation.assigned.reason ?? '', /^finished for user 9: status 304/);
  assert.equal(p.listenerCount, 0);
});

test('retry: dead → pending → done a moment later, with outbox events', async () => {
  const p = new FakePanelPort({ stepMs: 3 });
  const events: PanelEvent[] = [];
  p.subscribe((e) => events.push(e));
  const [id] = p.deadCommandIds();
  assert.ok(id);
  assert.equal(await p.outbox.retry(id), true);
  assert.equal(await p.outbox.retry(id), false);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events.map((e) => e.type === 'outbox' && [e.id, e.state]), [[id, 'pending'], [id, 'done']]);
  assert.equal(await p.outbox.discard(id), false);
  p.close();
});

test('chart buckets: 24 hourly buckets ending with the current hour; answered, missed, live, REST', () => {
  const s = bucketSeries('24h', NOW, 2, [
    { startedAt: NOW - 60_000, answered: true, live: false },
    { startedAt: NOW - 120_000, answered: false, live: false },
    { startedAt: NOW - 1000, answered: false, live: true },
    { startedAt: NOW - 25 * 3_600_000, answered: true, live: false },
  ], [{ at: NOW - 5000, requests: 3 }, { at: NOW - 3_600_000, requests: 2 }]);
  assert.equal(s.buckets.length, 24);
  assert.equal(s.buckets[23]?.start, Date.parse('2026-11-22T10:00:00Z'));
  assert.deepEqual(s.buckets[23], { start: Date.parse('2026-11-22T10:00:00Z'), calls: 3, answered: 1, missed: 1, restRequests: 3, restLimit: 7200 });
  assert.equal(s.buckets[22]?.restRequests, 2);
  assert.equal(s.buckets.reduce((a, b) => a + b.calls, 0), 3);
  assert.equal(bucketSeries('7d', NOW, 2, [], []).buckets.length, 28);
});
