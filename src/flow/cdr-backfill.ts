/**
 * Calls the connector did not see: a call that began and ended while the connector was stopped (or
 * its AMI session was down) left no event to track, only its CDR records in Master.csv. At every
 * AMI (re)connect after such a gap, the records of calls that ended inside the gap are read back,
 * rebuilt into call summaries (src/core/cdr/calls.ts) and handed to the flow as `call_ended` —
 * registered late (SHOW=0, their own CALL_START_DATE) and finished, exactly once: a call already
 * stored, live, or backfilled before is skipped, and the outbox's idempotency keys hold anyway.
 */
import type { StageChange } from '../core/call/model.js';
import type { TrackerConfig } from '../core/call/classify.js';
import { groupCdrCalls, summaryFromCdr } from '../core/cdr/calls.js';
import type { CdrCsvLayout } from '../core/cdr/csv.js';
import type { CdrTail } from '../adapters/cdr/master-csv.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { AliveStore, AmiGap } from './ami-gap.js';

/** A call's records are written when it ends: a leg may have ended this long before its call did. */
export const CDR_MARGIN_MS = 60 * 60_000;

export interface CdrBackfillDeps {
  /** Records that ended at or after `sinceMs` (a database source also bounds them by `untilMs`). */
  readonly read: (sinceMs: number, layout: CdrCsvLayout, untilMs: number) => Promise<CdrTail>;
  readonly layout: CdrCsvLayout;
  /** Where the records come from, for logs: 'Master.csv' (default) or 'the CDR database'. */
  readonly source?: string;
  readonly trackerConfig: () => TrackerConfig;
  /** Is the call known already (stored, tracked live, or backfilled before)? */
  readonly known: (callKey: string) => Promise<boolean>;
  readonly handle: (changes: readonly StageChange[]) => void;
  readonly logger: Logger;
}

export interface BackfillReport {
  readonly calls: number;
  readonly skipped: number;
  readonly badLines: number;
  readonly truncated: boolean;
  /** The CDR could not be read: nothing was backfilled, the window should be tried again. */
  readonly failed: boolean;
}

/** Backfills the calls whose last record ended in [fromMs, toMs). Never throws. */
export async function backfillFromCdr(fromMs: number, toMs: number, d: CdrBackfillDeps): Promise<BackfillReport> {
  const log = d.logger;
  const source = d.source ?? 'Master.csv';
  let tail: CdrTail;
  try {
    tail = await d.read(fromMs - CDR_MARGIN_MS, d.layout, toMs);
  } catch (e) {
    log.warn({ code: errorCode(e), err: String(e) }, `CDR backfill: ${source} could not be read; calls of the gap are not registered yet`);
    return { calls: 0, skipped: 0, badLines: 0, truncated: false, failed: true };
  }
  for (const b of tail.bad.slice(0, 3)) log.warn({ code: b.code, reason: b.reason }, `CDR backfill: a record of ${source} was not understood`);
  if (tail.truncated) log.warn({ code: 'CDR_GAP_TOO_LONG', bytesRead: tail.bytesRead }, `CDR backfill: the gap is longer than the part of ${source} read; older calls are not registered`);
  let calls = 0;
  let skipped = 0;
  const cfg = d.trackerConfig();
  for (const [key, rows] of groupCdrCalls(tail.records)) {
    const endedAt = Math.max(...rows.map((r) => r.end));
    // CDR times are whole seconds: a call that ended in the second the gap began counts (the
    // `known` check drops it if it was in fact seen).
    if (endedAt < fromMs - 1_000 || endedAt >= toMs) continue;
    if (await d.known(key)) {
      skipped++;
      continue;
    }
    const call = summaryFromCdr(key, rows, cfg);
    if (!call) continue;
    calls++;
    log.info({ callKey: key, startedAt: new Date(call.startedAt).toISOString(), status: call.statusCode }, 'call that ended while the connector was away, rebuilt from its CDR');
    d.handle([{ callKey: key, stage: 'call_ended', at: call.endedAt ?? endedAt, call }]);
  }
  if (calls || skipped || tail.bad.length) log.info({ calls, skipped, badLines: tail.bad.length }, 'CDR backfill done');
  return { calls, skipped, badLines: tail.bad.length, truncated: tail.truncated, failed: false };
}

/** kv: a window whose backfill failed (the CDR database was down), tried again until it works. */
export const CDR_PENDING_KEY = 'cdr.pendingGap';

export interface CdrRetryDeps {
  readonly store: AliveStore;
  /** Backfills [from, to); false when the CDR could not be read. */
  readonly run: (from: number, to: number) => Promise<boolean>;
  readonly logger: Logger;
  /** Delays between attempts while the CDR stays unreadable; the last one repeats. */
  readonly delaysMs?: readonly number[];
}

/**
 * The gaps to backfill, one at a time. A window whose CDR could not be read (a database that is
 * down, a file not there yet) is kept — in the store too, so a restart does not forget it — and
 * tried again on a timer and at the next connect, merged with the next gap. Never throws.
 */
export class CdrGapQueue {
  private pending: AmiGap | undefined;
  private loaded = false;
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private closed = false;

  constructor(private readonly d: CdrRetryDeps) {}

  /** AMI connected: backfills this gap (if any) together with a window still pending. */
  connected(gap: AmiGap | undefined): Promise<void> {
    return this.enqueue(gap);
  }

  /** The window still to be backfilled, if an attempt failed. */
  get waiting(): AmiGap | undefined {
    return this.pending;
  }

  /** No more attempts (one under way is not waited for: a database may take its timeout to answer). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private enqueue(gap: AmiGap | undefined): Promise<void> {
    this.chain = this.chain.then(() => this.attempt(gap)).catch((e: unknown) => {
      this.d.logger.warn({ code: errorCode(e) }, 'CDR backfill: attempt failed');
    });
    return this.chain;
  }

  private async attempt(gap: AmiGap | undefined): Promise<void> {
    if (this.closed) return;
    if (!this.loaded) {
      this.loaded = true;
      const saved = await this.d.store.getValue<AmiGap | null>(CDR_PENDING_KEY).catch(() => undefined);
      if (saved && typeof saved.from === 'number' && typeof saved.to === 'number') this.pending = saved;
    }
    const p = this.pending;
    const w = p && gap ? { from: Math.min(p.from, gap.from), to: Math.max(p.to, gap.to) } : p ?? gap;
    if (!w) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ok = await this.d.run(w.from, w.to).catch(() => false);
    if (ok) {
      this.failures = 0;
      this.pending = undefined;
      if (p) await this.d.store.setValue(CDR_PENDING_KEY, null, Date.now()).catch(() => undefined);
      return;
    }
    this.pending = w;
    await this.d.store.setValue(CDR_PENDING_KEY, w, Date.now()).catch(() => undefined);
    const delays = this.d.delaysMs ?? [30_000, 60_000, 120_000, 300_000, 600_000];
    const delay = delays[Math.min(this.failures++, delays.length - 1)] ?? 600_000;
    this.d.logger.info({ code: 'CDR_BACKFILL_RETRY', from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString(), retryInMs: delay }, 'CDR backfill will be tried again');
    if (this.closed) return;
    this.timer = setTimeout(() => void this.enqueue(undefined), delay);
    this.timer.unref();
  }
}
