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

/** A call's records are written when it ends: a leg may have ended this long before its call did. */
export const CDR_MARGIN_MS = 60 * 60_000;

export interface CdrBackfillDeps {
  readonly read: (sinceMs: number, layout: CdrCsvLayout) => Promise<CdrTail>;
  readonly layout: CdrCsvLayout;
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
}

/** Backfills the calls whose last record ended in [fromMs, toMs). Never throws. */
export async function backfillFromCdr(fromMs: number, toMs: number, d: CdrBackfillDeps): Promise<BackfillReport> {
  const log = d.logger;
  let tail: CdrTail;
  try {
    tail = await d.read(fromMs - CDR_MARGIN_MS, d.layout);
  } catch (e) {
    log.warn({ code: errorCode(e), err: String(e) }, 'CDR backfill: the CDR file could not be read; calls of the gap are not registered');
    return { calls: 0, skipped: 0, badLines: 0, truncated: false };
  }
  for (const b of tail.bad.slice(0, 3)) log.warn({ code: b.code, reason: b.reason }, 'CDR backfill: a Master.csv line was not understood');
  if (tail.truncated) log.warn({ code: 'CDR_GAP_TOO_LONG', bytesRead: tail.bytesRead }, 'CDR backfill: the gap is longer than the part of Master.csv read; older calls are not registered');
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
  return { calls, skipped, badLines: tail.bad.length, truncated: tail.truncated };
}
