/**
 * Waits, after hang-up, until a call's recording is complete: it has appeared and its size has
 * not changed for `stableMs`. Bounded by `maxWaitMs` (config calls.recordingWaitMs). Time and
 * sleeping come from an injected clock so tests run on virtual time.
 */
import { setTimeout as sleepReal } from 'node:timers/promises';

export interface WaitClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepReal(ms, undefined, signal ? { signal } : undefined),
};

export interface StableFile {
  readonly path: string;
  readonly size: number;
}

export type WaitResult =
  /** Every file found has kept its size for stableMs. */
  | { readonly status: 'ready'; readonly files: readonly StableFile[]; readonly waitedMs: number }
  /** Nothing appeared before the bound. */
  | { readonly status: 'missing'; readonly files: readonly []; readonly waitedMs: number }
  /** Something appeared but was still changing at the bound (files: last sizes seen). */
  | { readonly status: 'timeout'; readonly files: readonly StableFile[]; readonly waitedMs: number };

export interface WaitOptions {
  /** Size unchanged this long = complete (config recordings.stableMs). */
  readonly stableMs: number;
  /** Give up after this long (config calls.recordingWaitMs). */
  readonly maxWaitMs: number;
  /** Poll period; default stableMs / 4 clamped to 50…1000 ms. */
  readonly pollMs?: number;
  readonly clock?: WaitClock;
  readonly signal?: AbortSignal;
}

/** Returns the files that exist right now, with their sizes. */
export type FileFinder = () => Promise<readonly StableFile[]>;

interface Seen {
  size: number;
  since: number;
}

/**
 * Polls `find` until every file it returns has been the same size for `stableMs` (ready), or
 * `maxWaitMs` has passed (missing / timeout). A file that appears later restarts nothing for
 * the others: each path has its own "unchanged since".
 */
export async function waitForStable(find: FileFinder, options: WaitOptions): Promise<WaitResult> {
  const clock = options.clock ?? realClock;
  const pollMs = options.pollMs ?? Math.min(1000, Math.max(50, Math.floor(options.stableMs / 4)));
  const start = clock.now();
  const seen = new Map<string, Seen>();
  for (;;) {
    options.signal?.throwIfAborted();
    const now = clock.now();
    const files = await find();
    for (const f of files) {
      const prev = seen.get(f.path);
      if (!prev || prev.size !== f.size) seen.set(f.path, { size: f.size, since: now });
    }
    const current = files.map((f) => ({ path: f.path, size: f.size }));
    const waitedMs = now - start;
    if (current.length > 0 && current.every((f) => now - seen.get(f.path)!.since >= options.stableMs)) {
      return { status: 'ready', files: current, waitedMs };
    }
    if (waitedMs >= options.maxWaitMs) {
      return current.length === 0
        ? { status: 'missing', files: [], waitedMs }
        : { status: 'timeout', files: current, waitedMs };
    }
    // Sleep to the next poll, or exactly to the moment the files would be stable, whichever first.
    const dueStable = current.length === 0 ? Infinity
      : Math.max(...current.map((f) => seen.get(f.path)!.since + options.stableMs)) - now;
    const step = Math.max(1, Math.min(pollMs, dueStable, start + options.maxWaitMs - now));
    await clock.sleep(step, options.signal);
  }
}
