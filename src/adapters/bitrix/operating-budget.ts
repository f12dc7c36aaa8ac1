/**
 * Per-method operating-time budget (reference §3.2): the portal sums each method's execution time
 * over 10 one-minute baskets and answers `429 OPERATION_TIME_LIMIT` once the sum passes the limit
 * (480 s / 10 min in the docs' example). Every answer reports `time.operating` (the sum so far)
 * and `time.operating_reset_at` (unix seconds when the oldest basket drops out).
 *
 * This tracker blocks a method whose budget is nearly spent until its reset, and after a 429
 * until the last known reset (at least `minBlockMs`). Time comes in as data (epoch ms).
 */
import type { B24Time } from './types.js';

export interface OperatingBudgetOptions {
  /** Budget per method per 10 minutes, seconds. Default 480 (docs' worked example, JS SDK). */
  readonly limitSec?: number;
  /** Block when `operating` reaches limitSec − reserveSec (room for calls in flight). Default 20. */
  readonly reserveSec?: number;
  /** Shortest block after a 429 or when the reset time is unknown/past. Default 10 000 ms. */
  readonly minBlockMs?: number;
}

interface MethodState {
  operating: number;
  resetAtMs: number;
  blockedUntil: number;
}

export class OperatingBudget {
  readonly limitSec: number;
  readonly reserveSec: number;
  readonly minBlockMs: number;
  private readonly methods = new Map<string, MethodState>();

  constructor(options: OperatingBudgetOptions = {}) {
    this.limitSec = options.limitSec ?? 480;
    this.reserveSec = options.reserveSec ?? 20;
    this.minBlockMs = options.minBlockMs ?? 10_000;
  }

  /** Notes the `time` block of a successful answer of `method`. */
  record(method: string, time: B24Time | undefined, nowMs: number): void {
    if (!time || typeof time.operating !== 'number') return;
    const m = method.toLowerCase();
    const resetAtMs = typeof time.operating_reset_at === 'number' ? time.operating_reset_at * 1000 : 0;
    const state: MethodState = { operating: time.operating, resetAtMs, blockedUntil: 0 };
    if (time.operating >= this.limitSec - this.reserveSec) {
      state.blockedUntil = resetAtMs > nowMs ? resetAtMs : nowMs + this.minBlockMs;
    }
    this.methods.set(m, state);
  }

  /** The portal refused `method` with OPERATION_TIME_LIMIT (such answers carry no `time`). */
  onLimitExceeded(method: string, nowMs: number): void {
    const m = method.toLowerCase();
    const prev = this.methods.get(m);
    const reset = prev && prev.resetAtMs > nowMs ? prev.resetAtMs : 0;
    this.methods.set(m, {
      operating: prev?.operating ?? this.limitSec,
      resetAtMs: prev?.resetAtMs ?? 0,
      blockedUntil: Math.max(reset, nowMs + this.minBlockMs),
    });
  }

  /** Epoch ms until which `method` must not be called; 0 when it is free. */
  blockedUntil(method: string, nowMs: number): number {
    const s = this.methods.get(method.toLowerCase());
    if (!s || s.blockedUntil <= nowMs) return 0;
    return s.blockedUntil;
  }

  /** Methods blocked right now → until (epoch ms), for metrics and the admin panel. */
  blocked(nowMs: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [m, s] of this.methods) if (s.blockedUntil > nowMs) out[m] = s.blockedUntil;
    return out;
  }

  /** Last reported `operating` per method (seconds). */
  usage(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [m, s] of this.methods) out[m] = s.operating;
    return out;
  }
}
