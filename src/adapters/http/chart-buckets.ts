/**
 * Chart series from raw facts: calls (start, answered, still live) and REST sends (time, count) →
 * fixed buckets (1 h over 24 h, 6 h over 7 days). Pure; the real PanelPort and the fake share it.
 */
import type { ChartRange, ChartSeries } from './panel-port.js';

export interface CallFact {
  readonly startedAt: number;
  readonly answered: boolean;
  readonly live: boolean;
}

export interface RestFact {
  readonly at: number;
  readonly requests: number;
}

export function bucketSeries(range: ChartRange, now: number, drainPerSec: number, calls: Iterable<CallFact>, rest: Iterable<RestFact>): ChartSeries {
  const bucketMs = range === '24h' ? 3_600_000 : 6 * 3_600_000;
  const count = range === '24h' ? 24 : 28;
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  const start = end - count * bucketMs;
  const restLimit = Math.round((drainPerSec * bucketMs) / 1000);
  const buckets = Array.from({ length: count }, (_, i) => ({ start: start + i * bucketMs, calls: 0, answered: 0, missed: 0, restRequests: 0, restLimit }));
  for (const c of calls) {
    const b = buckets[Math.floor((c.startedAt - start) / bucketMs)];
    if (!b) continue;
    b.calls++;
    if (c.answered) b.answered++;
    else if (!c.live) b.missed++;
  }
  for (const r of rest) {
    const b = buckets[Math.floor((r.at - start) / bucketMs)];
    if (b) b.restRequests += r.requests;
  }
  return { range, bucketMs, buckets };
}
