/**
 * The emulator's clock. Token expiry, the request bucket, operating-time baskets, `time` blocks and
 * event `ts` all read it, so a test (or the control API) can move time forward without sleeping.
 */
export interface EmuClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` (never backwards). */
  advance(ms: number): void;
}

/** Wraps a base time source (default: the real clock) with an offset that `advance` grows. */
export function createClock(base: () => number = Date.now): EmuClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance(ms: number) {
      if (Number.isFinite(ms) && ms > 0) offset += ms;
    },
  };
}

/** A clock that only moves when told to: deterministic tests. */
export function createManualClock(startMs: number): EmuClock {
  return createClock(() => startMs);
}
