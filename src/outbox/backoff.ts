/**
 * Retry delay: exponential with jitter, capped. Pure — the random number comes in as data so the
 * sender can inject its source and tests can pin it.
 */

export interface BackoffPolicy {
  /** Delay after the first failure, ms. */
  readonly baseMs: number;
  /** Growth per further failure. */
  readonly factor: number;
  /** Upper bound of any delay, ms (also of a server's retry-after hint). */
  readonly capMs: number;
  /**
   * Share of the delay that is random, 0..1. 0.5 = "equal jitter": the delay lies in
   * [raw/2, raw]. Jitter spreads the retries of a backlog so they do not hit the portal together.
   */
  readonly jitter: number;
}

/** 1 s, 2 s, 4 s … up to 5 min, half of it random. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, factor: 2, capMs: 300_000, jitter: 0.5 };

/**
 * Delay before the next attempt.
 * @param failures failed attempts so far, ≥ 1 (1 → about baseMs)
 * @param rand a number in [0, 1)
 * @param hintMs optional minimum wait the server asked for (e.g. until an operating-limit reset)
 */
export function backoffDelay(failures: number, rand: number, policy: BackoffPolicy = DEFAULT_BACKOFF, hintMs?: number): number {
  const n = Math.max(1, Math.floor(failures));
  // Math.pow can overflow to Infinity for huge n; min() with the cap keeps it finite.
  const raw = Math.min(policy.capMs, policy.baseMs * Math.pow(policy.factor, n - 1));
  const jitter = clamp01(policy.jitter);
  const r = clamp01(rand);
  const delay = Math.round(raw * (1 - jitter) + raw * jitter * r);
  if (hintMs !== undefined && Number.isFinite(hintMs) && hintMs > delay) return Math.min(policy.capMs, Math.ceil(hintMs));
  return delay;
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 : x;
}
