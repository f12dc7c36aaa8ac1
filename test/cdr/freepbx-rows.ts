/**
 * The lab22 transcripts' REAL `Cdr` events (test/cdr/cdr.test.ts reads them for the CSV path) as
 * the rows FreePBX's cdr_adaptive_odbc writes into asteriskcdrdb.cdr for the same CDRs: calldate
 * = start on the PBX's wall clock, no answer/end columns, linkedid = the call's first uniqueid,
 * a growing sequence, FreePBX's `did` on an incoming call's rows, '' in every unused column.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdrRecordFromEvent, type CdrRecord } from '../../src/core/cdr/csv.js';
import { wallClock } from '../../src/core/cdr/db-row.js';

export const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/ami');
export const GOLDEN = join(import.meta.dirname, '../golden');

/** The `Event: Cdr` blocks of a transcript, as records (fixture times are the lab's UTC clock). */
export function cdrEvents(file: string, dir = FIXTURES): CdrRecord[] {
  const out: CdrRecord[] = [];
  for (const block of readFileSync(join(dir, file), 'utf8').split(/\r?\n\r?\n/)) {
    if (!/^Event: Cdr$/m.test(block)) continue;
    const f = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const k = line.indexOf(':');
      if (k > 0) f.set(line.slice(0, k), line.slice(k + 1).replace(/^ /, ''));
    }
    out.push(cdrRecordFromEvent((k) => f.get(k) ?? ''));
  }
  return out;
}

export type FreepbxRow = Record<string, string | number>;

let sequence = 100;

/**
 * Records → FreePBX rows, calldate written in `timezone`; linkedid = the record's uniqueid (the
 * caller's: the tracker's call key). `did`: what FreePBX's from-trunk put in CDR(did) — default:
 * the call's first record's dst when it is still in from-trunk (what Master.csv shows as well).
 */
export function freepbxRows(records: readonly CdrRecord[], timezone: string, did?: string): FreepbxRow[] {
  const firstOf = new Map<string, CdrRecord>();
  for (const r of [...records].sort((a, b) => a.start - b.start)) if (!firstOf.has(r.uniqueid ?? '')) firstOf.set(r.uniqueid ?? '', r);
  return records.map((r) => {
    const first = firstOf.get(r.uniqueid ?? '');
    return {
      calldate: wallClock(r.start, timezone), clid: r.clid, src: r.src, dst: r.dst, dcontext: r.dcontext, channel: r.channel, dstchannel: r.dstchannel,
      lastapp: r.lastapp, lastdata: r.lastdata, duration: r.duration, billsec: r.billsec, disposition: r.disposition, amaflags: 3,
      accountcode: r.accountcode, uniqueid: r.uniqueid ?? '', userfield: r.userfield ?? '',
      did: did ?? (first && first.dcontext === 'from-trunk' ? first.dst : ''), recordingfile: '', cnum: '', cnam: '',
      outbound_cnum: '', outbound_cnam: '', dst_cnam: '', linkedid: r.uniqueid ?? '', peeraccount: '', sequence: sequence++,
    };
  });
}

export function goldenEnds(file: string): Array<Record<string, unknown>> {
  return readFileSync(join(GOLDEN, file.replace(/\.txt$/, '.jsonl')), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['stage'] === 'call_ended');
}
