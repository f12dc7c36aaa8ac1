/**
 * The two cloud limits of reference §3, on the emulator clock:
 * - RequestBucket: leaky bucket per portal and source IP (§3.1). Each HTTP request adds 1, the
 *   level drains by `drainPerSec`; a request that would lift it above `capacity` is refused
 *   (503 QUERY_LIMIT_EXCEEDED) and not counted. A batch is one request.
 * - OperatingBudget: per method and per app/webhook, execution time summed in 10 one-minute baskets
 *   (§3.2). The call that crosses the budget still completes; later calls of that method are refused
 *   (429 OPERATION_TIME_LIMIT) until enough baskets expire (10 min after each opened).
 */

export interface BucketLimits {
  readonly capacity: number;
  readonly drainPerSec: number;
}

interface Level { level: number; at: number }

export class RequestBucket {
  private readonly levels = new Map<string, Level>();

  constructor(public limits: BucketLimits) {}

  private drained(key: string, now: number): Level {
    const cur = this.levels.get(key) ?? { level: 0, at: now };
    const elapsedSec = Math.max(0, now - cur.at) / 1000;
    const level = Math.max(0, cur.level - elapsedSec * this.limits.drainPerSec);
    const next = { level, at: now };
    this.levels.set(key, next);
    return next;
  }

  /** Counts one request for `key`; false when it would exceed the bucket (request refused). */
  take(key: string, now: number): boolean {
    const cur = this.drained(key, now);
    if (cur.level + 1 > this.limits.capacity + 1e-9) return false;
    cur.level += 1;
    return true;
  }

  level(key: string, now: number): number {
    return this.drained(key, now).level;
  }

  reset(): void {
    this.levels.clear();
  }

  snapshot(now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of this.levels.keys()) out[key] = Math.round(this.level(key, now) * 1000) / 1000;
    return out;
  }
}

const BASKET_MS = 60_000;
const WINDOW_MS = 10 * BASKET_MS;

interface Basket { openedAt: number; sumSec: number }

export interface OperatingState {
  /** Seconds used in the live baskets. */
  readonly operating: number;
  /** Unix seconds when the oldest live basket expires (0 when there is none). */
  readonly resetAt: number;
}

export class OperatingBudget {
  private readonly baskets = new Map<string, Basket[]>();

  constructor(public budgetSec: number) {}

  private live(key: string, now: number): Basket[] {
    const list = (this.baskets.get(key) ?? []).filter((b) => b.openedAt + WINDOW_MS > now);
    this.baskets.set(key, list);
    return list;
  }

  private stateOf(list: Basket[]): OperatingState {
    const operating = list.reduce((s, b) => s + b.sumSec, 0);
    const oldest = list[0];
    return { operating, resetAt: oldest ? Math.floor((oldest.openedAt + WINDOW_MS) / 1000) : 0 };
  }

  /** True when the method is blocked for this principal right now (sum already over the budget). */
  isBlocked(key: string, now: number): boolean {
    return this.stateOf(this.live(key, now)).operating > this.budgetSec;
  }

  /** Adds one call's processing time; returns the state to report in `time`. */
  record(key: string, now: number, processingSec: number): OperatingState {
    const list = this.live(key, now);
    const last = list[list.length - 1];
    if (last && now < last.openedAt + BASKET_MS) last.sumSec += processingSec;
    else list.push({ openedAt: now, sumSec: processingSec });
    return this.stateOf(list);
  }

  state(key: string, now: number): OperatingState {
    return this.stateOf(this.live(key, now));
  }

  reset(): void {
    this.baskets.clear();
  }

  snapshot(now: number): Record<string, OperatingState> {
    const out: Record<string, OperatingState> = {};
    for (const key of [...this.baskets.keys()]) {
      const st = this.state(key, now);
      if (st.operating > 0) out[key] = st;
    }
    return out;
  }
}
