/**
 * Virtual time for limiter tests: sleep() registers a timer, run() advances the clock to each
 * timer in order (letting promise chains settle in between). No real waiting.
 */
import type { LimiterClock } from '../../src/adapters/bitrix/limiter.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export class FakeClock implements LimiterClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  readonly sleeps: number[] = [];

  constructor(start = 1_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      const timer: Timer = { at: this.t + ms, seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Jump forward without firing anything (simulates idle time). */
  advance(ms: number): void {
    this.t += ms;
  }

  /** Fires timers in time order until none is left (or maxSteps). */
  async run(maxSteps = 100_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      await settle();
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }
}
