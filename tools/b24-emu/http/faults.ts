/**
 * Fault injection, switchable at run time (in-process through `emulator.faults`, over HTTP through
 * the control API). Everything is deterministic: a 5xx `fraction` fails requests on a fixed
 * pattern (0.5 → every second request) unless a `seed` asks for a seeded pseudo-random choice.
 */
import { seededRandom as seeded } from '../../../src/core/util/prng.js';

export type DownMode = 'refuse' | 'reset';

export interface FaultSpec {
  /** `refuse`: stop listening (connection refused); `reset`: accept, then destroy the socket. */
  down?: false | true | DownMode | { mode?: DownMode; forMs?: number };
  /** Delay every REST / OAuth answer by this many real milliseconds (0 = off). */
  slowMs?: number;
  /** Answer REST calls with this HTTP status for `fraction` of them, or the next `count` ones. */
  error5xx?: null | { status?: number; fraction?: number; count?: number; seed?: number };
  /** Force 503 QUERY_LIMIT_EXCEEDED (all requests, or the next `count`). */
  rateLimit?: boolean | { count: number };
  /** Simulated processing seconds per method call (feeds `time` and the operating budget). */
  processingSec?: number | null;
  /** Action: expire every access token issued so far (next call → 401 expired_token). */
  expireTokens?: boolean;
  /** Action: forget every refresh token (next refresh → invalid_grant). */
  revokeRefreshTokens?: boolean;
}

export interface FaultState {
  down: null | { mode: DownMode; untilMs?: number };
  slowMs: number;
  error5xx: null | { status: number; fraction: number; remaining?: number; seed?: number };
  rateLimit: null | { remaining?: number };
  processingSec: number | null;
}

export interface FaultHooks {
  onDown(mode: DownMode | null): void;
  expireTokens(): void;
  revokeRefreshTokens(): void;
}

const initial = (): FaultState => ({ down: null, slowMs: 0, error5xx: null, rateLimit: null, processingSec: null });


export class Faults {
  private s: FaultState = initial();
  private acc = 0;
  private rng: (() => number) | null = null;
  private downTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly hooks: FaultHooks) {}

  state(): FaultState {
    return structuredClone(this.s);
  }

  /** Merges `spec` into the current faults; absent keys keep their value. Returns the new state. */
  set(spec: FaultSpec): FaultState {
    if (spec.down !== undefined) this.setDown(spec.down);
    if (spec.slowMs !== undefined) this.s.slowMs = Math.max(0, Number(spec.slowMs) || 0);
    if (spec.error5xx !== undefined) this.setError(spec.error5xx);
    if (spec.rateLimit !== undefined) {
      const r = spec.rateLimit;
      this.s.rateLimit = r === false ? null : r === true ? {} : { remaining: Math.max(0, r.count) };
    }
    if (spec.processingSec !== undefined) {
      this.s.processingSec = spec.processingSec === null ? null : Math.max(0, Number(spec.processingSec));
    }
    if (spec.expireTokens) this.hooks.expireTokens();
    if (spec.revokeRefreshTokens) this.hooks.revokeRefreshTokens();
    return this.state();
  }

  /** Back to normal operation (also brings the listener back up). */
  clear(): FaultState {
    const wasDown = this.s.down !== null;
    this.clearDownTimer();
    this.s = initial();
    this.acc = 0;
    this.rng = null;
    if (wasDown) this.hooks.onDown(null);
    return this.state();
  }

  private setError(e: FaultSpec['error5xx']): void {
    this.acc = 0;
    this.rng = null;
    if (!e) {
      this.s.error5xx = null;
      return;
    }
    const status = e.status ?? 500;
    const fraction = e.count !== undefined ? 1 : Math.min(1, Math.max(0, e.fraction ?? 1));
    this.s.error5xx = { status, fraction };
    if (e.count !== undefined) this.s.error5xx.remaining = Math.max(0, e.count);
    if (e.seed !== undefined) {
      this.s.error5xx.seed = e.seed;
      this.rng = seeded(e.seed);
    }
  }

  private setDown(d: FaultSpec['down']): void {
    this.clearDownTimer();
    if (d === false || d === undefined) {
      const was = this.s.down !== null;
      this.s.down = null;
      if (was) this.hooks.onDown(null);
      return;
    }
    const mode: DownMode = d === true ? 'refuse' : typeof d === 'string' ? d : (d.mode ?? 'refuse');
    const forMs = typeof d === 'object' ? d.forMs : undefined;
    this.s.down = { mode };
    if (forMs !== undefined && forMs > 0) {
      this.s.down.untilMs = Date.now() + forMs;
      this.downTimer = setTimeout(() => this.setDown(false), forMs);
      this.downTimer.unref();
    }
    this.hooks.onDown(mode);
  }

  private clearDownTimer(): void {
    if (this.downTimer) clearTimeout(this.downTimer);
    this.downTimer = null;
  }

  downMode(): DownMode | null {
    return this.s.down?.mode ?? null;
  }

  /** Consumes one forced rate-limit answer if one is armed. */
  takeRateLimit(): boolean {
    const r = this.s.rateLimit;
    if (!r) return false;
    if (r.remaining === undefined) return true;
    if (r.remaining <= 0) {
      this.s.rateLimit = null;
      return false;
    }
    r.remaining -= 1;
    if (r.remaining === 0) this.s.rateLimit = null;
    return true;
  }

  /** The 5xx status to answer this request with, or null. */
  take5xx(): number | null {
    const e = this.s.error5xx;
    if (!e) return null;
    if (e.remaining !== undefined) {
      if (e.remaining <= 0) return null;
      e.remaining -= 1;
      if (e.remaining === 0) this.s.error5xx = null;
      return e.status;
    }
    if (this.rng) return this.rng() < e.fraction ? e.status : null;
    this.acc += e.fraction;
    if (this.acc >= 1 - 1e-9) {
      this.acc -= 1;
      return e.status;
    }
    return null;
  }

  dispose(): void {
    this.clearDownTimer();
  }
}
