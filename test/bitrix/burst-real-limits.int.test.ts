/**
 * A burst of 200 requests against the emulator enforcing the REAL cloud limits (bucket 50, drain
 * 2 per s): zero 503s, and no slower than the bucket allows. Client limiter and emulator share one
 * virtual clock (the limiter's sleep moves it forward), so the 75 s the bucket imposes pass at once
 * and the result does not depend on the machine's load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, createManualClock } from '../../tools/b24-emu/index.js';
import { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { OAuthAuth } from '../../src/adapters/bitrix/auth.js';
import { B24Limiter, type LimiterClock } from '../../src/adapters/bitrix/limiter.js';

test('200 concurrent requests at 50 / 2 per s: zero QUERY_LIMIT_EXCEEDED, paced at the drain rate', async () => {
  const t0 = Date.UTC(2026, 10, 22, 9, 0, 0);
  const clock = createManualClock(t0);
  const emu = await startEmulator({ clock, limits: { capacity: 50, drainPerSec: 2 } });
  try {
    // A discrete-event clock: a sleeper wakes only when every request sent so far has been answered
    // and no sleeper is due earlier, so the emulator sees each request at the time the client meant.
    const sleepers: Array<{ target: number; wake: () => void }> = [];
    let inflight = 0;
    let started = 0;
    let pumping = false;
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    const pump = async (): Promise<void> => {
      pumping = true;
      for (;;) {
        for (let i = 0; i < 5 || inflight > 0; i++) await tick();
        if (sleepers.length === 0) break;
        sleepers.sort((a, b) => a.target - b.target);
        const next = sleepers.shift()!;
        if (next.target > clock.now()) clock.advance(next.target - clock.now());
        const before = started;
        next.wake();
        for (let i = 0; i < 100 && started === before; i++) await tick();
      }
      pumping = false;
    };
    const virtual: LimiterClock = {
      now: () => clock.now(),
      sleep(ms) {
        return new Promise<void>((wake) => {
          sleepers.push({ target: clock.now() + ms, wake });
          if (!pumping) void pump();
        });
      },
    };
    const countingFetch: typeof fetch = async (input, init) => {
      started++;
      inflight++;
      try {
        return await fetch(input, init);
      } finally {
        inflight--;
      }
    };
    const auth = new OAuthAuth({
      tokens: { accessToken: emu.app.access_token, refreshToken: emu.app.refresh_token, clientEndpoint: emu.app.client_endpoint },
      clientId: emu.app.client_id, clientSecret: emu.app.client_secret, tokenUrl: emu.app.token_url,
    });
    const client = new B24RestClient({ auth, fetch: countingFetch, limiter: new B24Limiter({ capacity: 50, drainPerSec: 2, clock: virtual }) });
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => client.call('user.get', {})));
    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 0, String((failed[0] as PromiseRejectedResult | undefined)?.reason));
    const log = emu.requests.list().filter((e) => e.kind === 'rest');
    assert.equal(log.filter((e) => e.status === 503).length, 0);
    assert.equal(log.filter((e) => e.status === 200).length, 200);
    // 50 at once, then 150 more at 2 per second: about 75 s of (virtual) time, not much more.
    const elapsedSec = (clock.now() - t0) / 1000;
    assert.ok(elapsedSec >= 74 && elapsedSec <= 80, `elapsed ${elapsedSec} s`);
  } finally {
    await emu.close();
  }
});
