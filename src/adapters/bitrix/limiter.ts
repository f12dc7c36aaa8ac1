/**
 * The REST client's only place that waits (house style: limits are components, not sleeps).
 *
 * - Leaky bucket (reference §3.1): each request adds 1, the level drains `drainPerSec`; a request
 *   that would lift the level above `capacity` waits. Defaults 50 / 2 per s; Enterprise 250 / 5.
 *   Slots are reserved at once, so concurrent callers queue up in order without a queue object.
 * - Operating budget per method (operating-budget.ts), fed from every answer's `time`.
 * - Feedback: a 503 QUERY_LIMIT_EXCEEDED fills the bucket and pauses everyone briefly (the bucket
 *   is shared with other apps on the same IP, so our model can be behind); a 429 blocks one method.
 *
 * Clock and sleep are injected so unit tests run on virtual time.
 */
import { ConnectorError } from '../../errors.js';
import { OperatingBudget } from './operating-budget.js';
import type { OperatingBudgetOptions } from './operating-budget.js';
import type { B24Time } from './types.js';

export interface LimiterClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: LimiterClock = {
  now: () => Date.now(),
  // Sleeps until Date.now() reaches the target: libuv timers count from a cached loop time and
  // can fire a few ms "early" by the wall clock, which would break the bucket arithmetic.
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const target = Date.now() + ms;
      let t: ReturnType<typeof setTimeout>;
      const onAbort = (): void => {
        clearTimeout(t);
        reject(abortReason(signal));
      };
      const arm = (left: number): void => {
        t = setTimeout(() => {
          const rest = target - Date.now();
          if (rest > 0) return arm(rest);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, left);
      };
      arm(ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortReason(signal: AbortSignal | undefined): ConnectorError {
  return new ConnectorError('B24_ABORTED', 'Bitrix24 request cancelled while waiting for the limiter', {
    retryable: true,
    cause: signal?.reason,
  });
}

export interface LimiterOptions {
  /** Bucket size X (requests above it are refused by the portal). Default 50. */
  readonly capacity?: number;
  /** Drain rate Y, requests per second. Default 2. */
  readonly drainPerSec?: number;
  /**
   * Slots kept free below `capacity`. Requests sent apart can arrive together (network jitter);
   * at 2/s that is a fraction of a slot, so the default is 0. Raise it on a shared IP.
   */
  readonly headroom?: number;
  /** Extra pause after a 503 QUERY_LIMIT_EXCEEDED. Default 1 s + 1/drain (as the JS SDK). */
  readonly queryLimitPauseMs?: number;
  readonly operating?: OperatingBudgetOptions;
  readonly clock?: LimiterClock;
}

/** Presets (reference §3.1). */
export const LIMITER_PRESETS = {
  standard: { capacity: 50, drainPerSec: 2 },
  enterprise: { capacity: 250, drainPerSec: 5 },
} as const;

export interface LimiterStats {
  readonly capacity: number;
  readonly drainPerSec: number;
  /** Current bucket level (including slots reserved by waiting callers). */
  readonly level: number;
  /** Acquires that had to wait, and their total wait. */
  readonly waits: number;
  readonly waitedMs: number;
  readonly acquired: number;
  readonly queryLimitHits: number;
  readonly operationLimitHits: number;
  /** Epoch ms until which all requests are paused (0 = not paused). */
  readonly pausedUntil: number;
  /** Methods blocked by their operating budget → until (epoch ms). */
  readonly blockedMethods: Readonly<Record<string, number>>;
}

export class B24Limiter {
  readonly capacity: number;
  readonly drainPerSec: number;
  readonly budget: OperatingBudget;
  private readonly clock: LimiterClock;
  private readonly queryLimitPauseMs: number;
  private readonly limit: number;
  private level = 0;
  private levelAt: number;
  private pausedUntil = 0;
  private counters = { waits: 0, waitedMs: 0, acquired: 0, queryLimitHits: 0, operationLimitHits: 0 };

  constructor(options: LimiterOptions = {}) {
    this.capacity = options.capacity ?? LIMITER_PRESETS.standard.capacity;
    this.drainPerSec = options.drainPerSec ?? LIMITER_PRESETS.standard.drainPerSec;
    if (!(this.capacity >= 1) || !(this.drainPerSec > 0)) {
      throw new ConnectorError('B24_CONFIG', 'limiter needs capacity >= 1 and drainPerSec > 0');
    }
    this.limit = Math.max(1, this.capacity - (options.headroom ?? 0));
    this.clock = options.clock ?? systemClock;
    this.queryLimitPauseMs = options.queryLimitPauseMs ?? 1000 + 1000 / this.drainPerSec;
    this.budget = new OperatingBudget(options.operating);
    this.levelAt = this.clock.now();
  }

  /**
   * Waits until one request for `methods` (the method, or every command of a batch) may go out.
   * Rejects with B24_ABORTED when `signal` aborts; the reserved slot is given back then.
   */
  async acquire(methods: string | readonly string[] = [], signal?: AbortSignal): Promise<void> {
    const list = typeof methods === 'string' ? [methods] : methods;
    const started = this.clock.now();
    let waited = false;
    // Blocks (503 pause, operating budget) first: they can be long and must not hold a slot.
    for (;;) {
      const now = this.clock.now();
      const until = Math.max(this.pausedUntil, ...list.map((m) => this.budget.blockedUntil(m, now)));
      if (until <= now) break;
      waited = true;
      await this.clock.sleep(until - now, signal);
    }
    const wait = this.reserve(this.clock.now());
    if (wait > 0) {
      waited = true;
      try {
        await this.clock.sleep(wait, signal);
      } catch (e) {
        this.level = Math.max(0, this.level - 1);
        throw e;
      }
    }
    this.counters.acquired++;
    if (waited) {
      this.counters.waits++;
      this.counters.waitedMs += this.clock.now() - started;
    }
  }

  /** How long a request acquired now would wait (pauses and the bucket), without reserving. */
  readyIn(methods: readonly string[] = []): number {
    const now = this.clock.now();
    this.drain(now);
    const blocked = Math.max(this.pausedUntil, ...methods.map((m) => this.budget.blockedUntil(m, now))) - now;
    const over = this.level + 1 - this.limit;
    return Math.max(0, blocked, over > 0 ? Math.ceil((over / this.drainPerSec) * 1000) : 0);
  }

  /** Reserves one slot; returns how long the caller must wait before sending. */
  private reserve(now: number): number {
    this.drain(now);
    this.level += 1;
    const over = this.level - this.limit;
    return over > 0 ? Math.ceil((over / this.drainPerSec) * 1000) : 0;
  }

  private drain(now: number): void {
    const elapsed = Math.max(0, now - this.levelAt) / 1000;
    this.level = Math.max(0, this.level - elapsed * this.drainPerSec);
    this.levelAt = now;
  }

  /** Feeds the `time` block of a successful answer (operating budget of `method`). */
  recordResponse(method: string, time: B24Time | undefined): void {
    this.budget.record(method, time, this.clock.now());
  }

  /** The portal answered QUERY_LIMIT_EXCEEDED: assume a full bucket and pause everyone. */
  onQueryLimit(): void {
    const now = this.clock.now();
    this.drain(now);
    this.level = Math.max(this.level, this.capacity);
    this.pausedUntil = Math.max(this.pausedUntil, now + this.queryLimitPauseMs);
    this.counters.queryLimitHits++;
  }

  /** The portal answered OPERATION_TIME_LIMIT for `method`: block it until its reset. */
  onOperationLimit(method: string): void {
    this.budget.onLimitExceeded(method, this.clock.now());
    this.counters.operationLimitHits++;
  }

  stats(): LimiterStats {
    const now = this.clock.now();
    this.drain(now);
    return {
      capacity: this.capacity,
      drainPerSec: this.drainPerSec,
      level: this.level,
      ...this.counters,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : 0,
      blockedMethods: this.budget.blocked(now),
    };
  }
}
