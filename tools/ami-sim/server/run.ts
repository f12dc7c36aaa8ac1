/**
 * Plays one call's TimedEvents on timers. Event times are relative to the run's start, multiplied
 * by the time scale (0 = as fast as possible, one event per event-loop turn so concurrent calls
 * still interleave and sockets drain). Times are absolute from the start, so delays do not drift.
 */
import type { AmiFields, TimedEvent } from '../scenario/types.js';

export interface SimTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

type RealHandle = { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout };

/** Node timers; a zero delay uses setImmediate (a 0 ms setTimeout waits at least 1 ms). */
export const realTimers: SimTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms): RealHandle => (ms <= 0 ? { immediate: setImmediate(fn) } : { timeout: setTimeout(fn, ms) }),
  clearTimeout: (h) => {
    const r = h as RealHandle;
    if ('immediate' in r) clearImmediate(r.immediate);
    else clearTimeout(r.timeout);
  },
};

export type RunOutcome = 'completed' | 'cancelled';

export interface CallHandle {
  readonly id: number;
  /** Resolves after the last event was emitted, or when the call was cancelled. */
  readonly done: Promise<RunOutcome>;
  /** Events not yet emitted. */
  pending(): number;
  /** Drops every event not yet emitted (no events are synthesised here). */
  cancel(): void;
}

export interface RunOptions {
  readonly timeScale: number;
  readonly timers: SimTimers;
  /** Emits one event; called in order. */
  readonly emit: (fields: AmiFields) => void;
}

export function scheduleRun(id: number, events: readonly TimedEvent[], opts: RunOptions): CallHandle {
  const queue = [...events].sort((a, b) => a.atMs - b.atMs); // stable: equal times keep their order
  const start = opts.timers.now();
  let next = 0;
  let handle: unknown;
  let finished = false;
  let resolve!: (o: RunOutcome) => void;
  const done = new Promise<RunOutcome>((r) => (resolve = r));

  const finish = (outcome: RunOutcome): void => {
    if (finished) return;
    finished = true;
    if (handle !== undefined) opts.timers.clearTimeout(handle);
    handle = undefined;
    resolve(outcome);
  };

  const arm = (): void => {
    const ev = queue[next];
    if (!ev) return finish('completed');
    const delay = opts.timeScale <= 0 ? 0 : start + ev.atMs * opts.timeScale - opts.timers.now();
    handle = opts.timers.setTimeout(fire, Math.max(0, delay));
  };

  const fire = (): void => {
    handle = undefined;
    if (finished) return;
    const ev = queue[next++];
    if (ev) opts.emit(ev.fields);
    if (!finished) arm();
  };

  arm();
  return { id, done, pending: () => (finished ? 0 : queue.length - next), cancel: () => finish('cancelled') };
}
