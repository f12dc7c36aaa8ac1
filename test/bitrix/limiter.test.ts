import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { B24Limiter } from '../../src/adapters/bitrix/limiter.js';
import { OperatingBudget } from '../../src/adapters/bitrix/operating-budget.js';
import { FakeClock } from './fake-clock.js';

describe('leaky bucket', () => {
  test('burst of 50 then 2 per second (sequential)', async () => {
    const clock = new FakeClock(0);
    const lim = new B24Limiter({ clock });
    const at: number[] = [];
    for (let i = 0; i < 60; i++) {
      const p = lim.acquire('user.get');
      await clock.run();
      await p;
      at.push(clock.now());
    }
    assert.deepEqual(at.slice(0, 50), new Array(50).fill(0));
    assert.deepEqual(at.slice(50), [500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
    const s = lim.stats();
    assert.equal(s.acquired, 60);
    assert.equal(s.waits, 10);
    assert.equal(s.waitedMs, 5000);
  });

  test('200 concurrent requests: never more than capacity + drained in any window', async () => {
    const clock = new FakeClock(0);
    const lim = new B24Limiter({ clock });
    const at: number[] = [];
    const all = Array.from({ length: 200 }, () => lim.acquire('crm.lead.get').then(() => at.push(clock.now())));
    await clock.run();
    await Promise.all(all);
    at.sort((a, b) => a - b);
    assert.equal(at.length, 200);
    assert.equal(at.filter((t) => t === 0).length, 50);
    assert.equal(at[199], 75_000); // 150 more at 2/s
    // replay against a strict server bucket (counter > 50 → refuse) — zero refusals
    let level = 0;
    let last = 0;
    for (const t of at) {
      level = Math.max(0, level - ((t - last) / 1000) * 2);
      last = t;
      level += 1;
      assert.ok(level <= 50 + 1e-9, `level ${level} at ${t}`);
    }
    // spacing after the burst is 500 ms
    for (let i = 51; i < 200; i++) assert.equal(at[i]! - at[i - 1]!, 500);
  });

  test('idle time drains the bucket', async () => {
    const clock = new FakeClock(0);
    const lim = new B24Limiter({ clock });
    for (let i = 0; i < 50; i++) await lim.acquire();
    assert.equal(lim.stats().level, 50);
    clock.advance(10_000);
    assert.equal(lim.stats().level, 30);
    for (let i = 0; i < 20; i++) await lim.acquire();
    assert.equal(lim.stats().waits, 0);
  });

  test('enterprise preset 250 / 5', async () => {
    const clock = new FakeClock(0);
    const lim = new B24Limiter({ clock, capacity: 250, drainPerSec: 5 });
    const at: number[] = [];
    const all = Array.from({ length: 252 }, () => lim.acquire().then(() => at.push(clock.now())));
    await clock.run();
    await Promise.all(all);
    at.sort((a, b) => a - b);
    assert.deepEqual(at.slice(249), [0, 200, 400]);
  });

  test('503 feedback fills the bucket and pauses', async () => {
    const clock = new FakeClock(0);
    const lim = new B24Limiter({ clock, queryLimitPauseMs: 1500 });
    await lim.acquire();
    lim.onQueryLimit();
    assert.equal(lim.stats().pausedUntil, 1500);
    const p = lim.acquire();
    await clock.run();
    await p;
    // the full bucket drained 3 slots during the 1.5 s pause: the request goes at its end
    assert.equal(clock.now(), 1500);
    assert.equal(lim.stats().level, 48);
    assert.equal(lim.stats().queryLimitHits, 1);
  });

  test('abort while waiting gives the slot back', async () => {
    const clock = new FakeClock(0);
    const lim = new B24Limiter({ clock });
    for (let i = 0; i < 50; i++) await lim.acquire();
    const ac = new AbortController();
    const p = lim.acquire([], ac.signal);
    assert.equal(lim.stats().level, 51);
    ac.abort();
    await assert.rejects(p);
    assert.equal(lim.stats().level, 50);
  });
});

describe('operating budget', () => {
  test('blocks a nearly spent method until operating_reset_at, others go on', async () => {
    const clock = new FakeClock(1_778_747_192_000);
    const lim = new B24Limiter({ clock, operating: { limitSec: 480, reserveSec: 20 } });
    lim.recordResponse('crm.deal.list', { operating: 100, operating_reset_at: 1_778_747_792 });
    assert.deepEqual(lim.stats().blockedMethods, {});
    lim.recordResponse('crm.deal.list', { operating: 465.5, operating_reset_at: 1_778_747_792 });
    assert.deepEqual(lim.stats().blockedMethods, { 'crm.deal.list': 1_778_747_792_000 });
    // another method is not held back
    await lim.acquire('user.get');
    assert.equal(clock.now(), 1_778_747_192_000);
    const p = lim.acquire('CRM.DEAL.LIST');
    await clock.run();
    await p;
    assert.equal(clock.now(), 1_778_747_792_000);
    // a batch containing the method waits too
    lim.recordResponse('crm.deal.list', { operating: 470, operating_reset_at: 1_778_747_852 });
    const q = lim.acquire(['user.get', 'crm.deal.list']);
    await clock.run();
    await q;
    assert.equal(clock.now(), 1_778_747_852_000);
  });

  test('429 blocks the method until the last reset, at least minBlockMs', () => {
    const b = new OperatingBudget({ minBlockMs: 10_000 });
    b.record('tasks.task.add', { operating: 300, operating_reset_at: 2000 }, 1_000_000);
    b.onLimitExceeded('tasks.task.add', 1_000_000);
    assert.equal(b.blockedUntil('tasks.task.add', 1_000_000), 2_000_000);
    b.onLimitExceeded('user.get', 1_000_000);
    assert.equal(b.blockedUntil('user.get', 1_000_000), 1_010_000);
    assert.equal(b.blockedUntil('user.get', 1_010_000), 0);
    assert.deepEqual(b.usage(), { 'tasks.task.add': 300, 'user.get': 480 });
  });

  test('answers without operating are ignored; a low value unblocks', () => {
    const b = new OperatingBudget();
    b.record('x', undefined, 0);
    b.record('x', { start: 1 }, 0);
    assert.equal(b.blockedUntil('x', 0), 0);
    b.record('x', { operating: 479, operating_reset_at: 100 }, 0);
    assert.equal(b.blockedUntil('x', 0), 100_000);
    b.record('x', { operating: 10, operating_reset_at: 700 }, 0);
    assert.equal(b.blockedUntil('x', 0), 0);
  });
});
