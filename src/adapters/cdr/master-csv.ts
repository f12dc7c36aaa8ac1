/**
 * Reads the end of Asterisk's `Master.csv` (cdr_csv) back to a point in time. cdr_csv appends the
 * records of a call when the call ends, so the file is in end-time order up to one call's length
 * (a queue member's record ended when it stopped ringing, but is written at the call's end): callers
 * pass `sinceMs` with a margin. Read backwards in chunks until a whole line ends before `sinceMs`
 * (or the file starts, or `maxBytes` were read).
 */
import { open } from 'node:fs/promises';
import { ConnectorError } from '../../errors.js';
import { parseCdrLine, type CdrCsvLayout, type CdrLineError, type CdrRecord } from '../../core/cdr/csv.js';

export interface CdrTail {
  /** Records that ended at or after `sinceMs`, in file order. */
  readonly records: CdrRecord[];
  /** Lines that could not be parsed (with their code), newest first, at most 20. */
  readonly bad: Array<{ code: CdrLineError; reason: string }>;
  /** The read stopped at `maxBytes` before reaching `sinceMs`: older records may be missing. */
  readonly truncated: boolean;
  readonly bytesRead: number;
}

const CHUNK = 64 * 1024;

export async function readCdrTail(path: string, sinceMs: number, layout: CdrCsvLayout, maxBytes = 64 * 1024 * 1024): Promise<CdrTail> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new ConnectorError('CDR_UNREADABLE', `cannot read the CDR file ${path}`, { cause: e, details: { path } });
  }
  try {
    const size = (await fh.stat()).size;
    let pos = size;
    let carry = Buffer.alloc(0);
    const records: CdrRecord[] = [];
    const bad: CdrTail['bad'] = [];
    let done = false;
    let read = 0;
    while (!done && pos > 0 && read < maxBytes) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, pos);
      read += len;
      const data = Buffer.concat([buf, carry]);
      // The first (partial) line of the chunk waits for the previous chunk, unless the file starts here.
      const nl = pos > 0 ? data.indexOf(0x0a) : -1;
      carry = nl >= 0 ? data.subarray(0, nl) : pos > 0 ? data : Buffer.alloc(0);
      const whole = nl >= 0 ? data.subarray(nl + 1) : pos > 0 ? Buffer.alloc(0) : data;
      const lines = whole.toString('utf8').split('\n').filter((l) => l.trim() !== '');
      for (let i = lines.length - 1; i >= 0; i--) {
        const p = parseCdrLine(lines[i]!, layout);
        if (!p.ok) {
          if (bad.length < 20) bad.push({ code: p.code, reason: p.reason });
          continue;
        }
        if (p.record.end < sinceMs) {
          done = true;
          break;
        }
        records.push(p.record);
      }
    }
    return { records: records.reverse(), bad, truncated: !done && pos > 0, bytesRead: read };
  } finally {
    await fh.close();
  }
}
