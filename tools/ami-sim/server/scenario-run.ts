/**
 * Plays a parsed scenario: each call starts at its offset (× time scale) and runs concurrently
 * with the others.
 */
import type { Logger } from '../../../src/log.js';
import type { CallSources } from './call-sources.js';
import type { CallHandle } from './run.js';
import type { Scenario } from './scenario-file.js';

export interface ScenarioStats {
  started: number;
  completed: number;
  failed: number;
}

export interface ScenarioHandle {
  /** Resolves when every call was started and has finished (or the scenario was stopped). */
  readonly done: Promise<ScenarioStats>;
  stop(): void;
}

export function runScenario(sources: CallSources, scenario: Scenario, timeScale: number, log: Logger): ScenarioHandle {
  const stats: ScenarioStats = { started: 0, completed: 0, failed: 0 };
  const timers: NodeJS.Timeout[] = [];
  const handles: CallHandle[] = [];
  const finished: Array<Promise<unknown>> = [];
  let stopped = false;
  let resolveAllStarted!: () => void;
  const allStarted = new Promise<void>((r) => (resolveAllStarted = r));
  let pending = scenario.calls.length;
  const startedOne = (): void => {
    if (--pending === 0) resolveAllStarted();
  };
  if (pending === 0) resolveAllStarted();
  scenario.calls.forEach((call, i) => {
    const t = setTimeout(() => {
      if (stopped) return startedOne();
      const p = sources.startScenarioCall(call, i + 1, { timeScale }).then(
        (h) => {
          stats.started++;
          handles.push(h);
          return h.done.then(() => void stats.completed++);
        },
        (err: unknown) => {
          stats.failed++;
          log.warn({ err: err instanceof Error ? err.message : String(err), call: i }, 'ami-sim scenario: call failed to start');
        },
      );
      finished.push(p);
      startedOne();
    }, Math.max(0, call.at * timeScale));
    timers.push(t);
  });
  const done = allStarted.then(() => Promise.all(finished)).then(() => ({ ...stats }));
  return {
    done,
    stop: () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const h of handles) h.cancel();
      resolveAllStarted();
    },
  };
}
