/**
 * Per-point counters for the admin UI: runs, failures, the last error, timings and a ring buffer of
 * recent runs. In memory; the runner owns one book.
 */
import type { HookFailureCode, HookWarningCode } from '../../core/hooks/codes.js';
import type { HookPointName } from '../../core/hooks/points.js';

export interface RecentRun {
  /** Clock time the run started (epoch ms with the default clock). */
  readonly at: number;
  readonly ok: boolean;
  readonly code?: HookFailureCode;
  readonly warnings: readonly HookWarningCode[];
  readonly durationMs: number;
  /** Fields the hook changed. */
  readonly changed: readonly string[];
  readonly dryRun: boolean;
}

export interface HookStats {
  /** Real runs (dry runs excluded). */
  readonly runs: number;
  readonly failures: number;
  /** Runs that succeeded with a warning (read-only fields dropped …). */
  readonly warnings: number;
  readonly lastError?: { readonly code: HookFailureCode; readonly reason: string; readonly at: number };
  readonly lastDurationMs?: number;
  /** Newest last. */
  readonly recent: readonly RecentRun[];
}

interface Mutable {
  runs: number;
  failures: number;
  warnings: number;
  lastError?: { code: HookFailureCode; reason: string; at: number };
  lastDurationMs?: number;
  recent: RecentRun[];
}

export class RunStatsBook {
  private readonly byPoint = new Map<HookPointName, Mutable>();

  constructor(private readonly ringSize = 20) {}

  record(point: HookPointName, run: RecentRun, reason?: string): void {
    let s = this.byPoint.get(point);
    if (!s) {
      s = { runs: 0, failures: 0, warnings: 0, recent: [] };
      this.byPoint.set(point, s);
    }
    s.recent.push(run);
    if (s.recent.length > this.ringSize) s.recent.shift();
    // A dry run (an administrator trying a hook) shows in the recent runs but not in the counters.
    if (run.dryRun) return;
    s.runs += 1;
    s.lastDurationMs = run.durationMs;
    if (!run.ok) {
      s.failures += 1;
      s.lastError = { code: run.code ?? 'HOOK_INTERNAL', reason: reason ?? '', at: run.at };
    } else if (run.warnings.length) {
      s.warnings += 1;
    }
  }

  /** A snapshot (copies), keyed by point; points that never ran are absent. */
  snapshot(): Partial<Record<HookPointName, HookStats>> {
    const out: Partial<Record<HookPointName, HookStats>> = {};
    for (const [point, s] of this.byPoint) out[point] = { ...s, recent: [...s.recent] };
    return out;
  }
}
