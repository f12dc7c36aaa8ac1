/**
 * CDR backfill benchmark: a Master.csv of N calls (one to three records each, the shapes of the
 * lab22 Cdr events), read backwards from the end, parsed, grouped and rebuilt into call summaries —
 * what a restart after a long outage costs before the first call is handed to the flow.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCdrTail } from '../src/adapters/cdr/master-csv.js';
import { trackerConfig } from '../src/core/call/classify.js';
import { groupCdrCalls, summaryFromCdr } from '../src/core/cdr/calls.js';
import { formatCdrLine, gmtCdrTime, SAMPLE_CDR_LAYOUT, type CdrRecord } from '../src/core/cdr/csv.js';

function callRecords(i: number, t: number): CdrRecord[] {
  const base = { accountcode: '', src: `+4930${100000 + i}`, dcontext: 'from-trunk', clid: `"Caller" <+4930${100000 + i}>`, channel: `PJSIP/trunk-${i}`, userfield: '', uniqueid: `1795000000.${i}` };
  if (i % 3 === 0) {
    // a ringall queue: two members, the second answers
    return [
      { ...base, dst: '5551001', dstchannel: `PJSIP/101-${i}a`, lastapp: 'Queue', lastdata: 'sales,t,,,30', start: t, answer: t, end: t + 3_000, duration: 3, billsec: 3, disposition: 'NO ANSWER' },
      { ...base, dst: '5551001', dstchannel: `PJSIP/102-${i}b`, lastapp: 'Queue', lastdata: 'sales,t,,,30', start: t, answer: t, end: t + 60_000, duration: 60, billsec: 60, disposition: 'ANSWERED' },
    ];
  }
  return [{ ...base, dst: '5551000', dstchannel: `PJSIP/10${i % 9}-${i}`, lastapp: 'Dial', lastdata: 'PJSIP/101,20', start: t, answer: t + 3_000, end: t + 90_000, duration: 90, billsec: 87, disposition: 'ANSWERED' }];
}

export async function benchCdr(calls = 100_000): Promise<{ calls: number; records: number; bytes: number; ms: number; callsPerSec: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cdr-'));
  try {
    const t0 = Date.UTC(2026, 10, 22, 0, 0, 0);
    const lines: string[] = [];
    for (let i = 0; i < calls; i++) for (const r of callRecords(i, t0 + i * 1_000)) lines.push(formatCdrLine(r, SAMPLE_CDR_LAYOUT, gmtCdrTime));
    const text = `${lines.join('\n')}\n`;
    const path = join(dir, 'Master.csv');
    writeFileSync(path, text);
    const cfg = trackerConfig();
    const started = performance.now();
    const tail = await readCdrTail(path, t0, SAMPLE_CDR_LAYOUT, 1 << 30);
    let n = 0;
    for (const [key, rows] of groupCdrCalls(tail.records)) if (summaryFromCdr(key, rows, cfg)) n++;
    const ms = performance.now() - started;
    return { calls: n, records: tail.records.length, bytes: text.length, ms, callsPerSec: n / (ms / 1000) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
