/**
 * A row of a CDR table — the one cdr_adaptive_odbc / cdr_mysql write into MySQL/MariaDB (FreePBX,
 * Issabel, VitalPBX: `asteriskcdrdb.cdr`) or the one cdr_pgsql writes into PostgreSQL — → the same
 * record cdr_csv's line gives (csv.ts), so the rebuild (calls.ts) is shared. Pure. The adapters
 * (src/adapters/cdr/mysql.ts, pgsql.ts) hand calldate over as a `YYYY-MM-DD HH:MM:SS` string.
 *
 * The table differs from Master.csv in three ways:
 * - no answer or end time: `calldate` is the CDR's start; end = start + duration, answer = end −
 *   billsec (Asterisk truncates both to whole seconds, so the end may be a second early);
 * - `calldate` is a DATETIME without zone, written in the PBX's local time (cdr_adaptive_odbc's
 *   `usegmtime` is off by default), read here as a `YYYY-MM-DD HH:MM:SS` string;
 * - FreePBX's own columns: `did` (set by its from-trunk context, kept after a transfer),
 *   `recordingfile`, `cnum`/`cnam`… Columns may be NULL or '' (FreePBX's defaults are '').
 */
import { parseCdrTime, zonedTime, type CdrCsvLayout, type CdrRecord } from './csv.js';

/** The columns read, in FreePBX's table; `linkedid`, `sequence` and `did` may be missing on old tables. */
export const CDR_DB_COLUMNS = [
  'calldate', 'clid', 'src', 'dst', 'dcontext', 'channel', 'dstchannel', 'lastapp', 'lastdata', 'duration', 'billsec',
  'disposition', 'accountcode', 'uniqueid', 'userfield', 'did', 'linkedid', 'sequence',
] as const;

/** Without these a row is no CDR the rebuild can use. */
export const CDR_DB_REQUIRED = ['calldate', 'channel', 'dstchannel', 'disposition', 'duration', 'billsec', 'uniqueid', 'dcontext', 'lastapp'] as const;

export type CdrDbColumn = (typeof CDR_DB_COLUMNS)[number];

/** A row as the driver gives it with date strings: text, numbers (or numeric strings), NULL. */
export type CdrDbRow = Partial<Record<CdrDbColumn, string | number | null>>;

export type CdrRowParse = { readonly ok: true; readonly record: CdrRecord } | { readonly ok: false; readonly code: 'CDR_BAD_TIME'; readonly reason: string };

const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

function num(v: string | number | null | undefined): number {
  const n = typeof v === 'number' ? v : Number(v ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * One row → a record. `localTime` converts the PBX's wall clock (calldate) to epoch ms; pass a
 * layout with `usegmtime: true` when the table is written in UTC.
 */
export function cdrRecordFromRow(row: CdrDbRow, layout: CdrCsvLayout): CdrRowParse {
  const calldate = text(row.calldate);
  const start = /^0000-/.test(calldate) ? null : parseCdrTime(calldate, layout);
  if (start == null) return { ok: false, code: 'CDR_BAD_TIME', reason: `bad calldate: ${calldate || '(empty)'}` };
  const duration = num(row.duration);
  const billsec = Math.min(num(row.billsec), duration);
  const disposition = text(row.disposition);
  const end = start + duration * 1000;
  // A queue member's NO ANSWER record has billable seconds too (the queue answered the caller).
  const answer = billsec > 0 || disposition === 'ANSWERED' ? end - billsec * 1000 : undefined;
  const uniqueid = text(row.uniqueid);
  const linkedid = text(row.linkedid);
  const did = text(row.did);
  const sequence = row.sequence === null || row.sequence === undefined || row.sequence === '' ? undefined : Number(row.sequence);
  return {
    ok: true,
    record: {
      accountcode: text(row.accountcode), src: text(row.src), dst: text(row.dst), dcontext: text(row.dcontext), clid: text(row.clid),
      channel: text(row.channel), dstchannel: text(row.dstchannel), lastapp: text(row.lastapp), lastdata: text(row.lastdata),
      start, ...(answer !== undefined ? { answer } : {}), end, duration, billsec, disposition,
      ...(uniqueid ? { uniqueid } : {}), userfield: text(row.userfield), ...(linkedid ? { linkedid } : {}),
      ...(sequence !== undefined && Number.isFinite(sequence) ? { sequence } : {}), ...(did ? { did } : {}),
    },
  };
}

/** Rows read newest first → the records that ended at or after `sinceMs`, by end; the first 20 bad rows. */
export function cdrRowsToRecords(raw: readonly CdrDbRow[], layout: CdrCsvLayout, sinceMs: number): {
  records: CdrRecord[]; bad: Array<{ code: 'CDR_BAD_TIME'; reason: string }>;
} {
  const records: CdrRecord[] = [];
  const bad: Array<{ code: 'CDR_BAD_TIME'; reason: string }> = [];
  for (let i = raw.length - 1; i >= 0; i--) {
    const p = cdrRecordFromRow(raw[i]!, layout);
    if (!p.ok) {
      if (bad.length < 20) bad.push({ code: p.code, reason: p.reason });
      continue;
    }
    if (p.record.end >= sinceMs) records.push(p.record);
  }
  records.sort((a, b) => a.end - b.end);
  return { records, bad };
}

/** The layout that reads calldate: UTC, an IANA zone, or (undefined) this host's zone. */
export function cdrDbLayout(timezone: string | undefined): CdrCsvLayout {
  const base = { loguniqueid: true, loguserfield: true, newcdrcolumns: true };
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return { ...base, usegmtime: true };
  return { ...base, usegmtime: false, ...(timezone ? { localTime: zonedTime(timezone) } : {}) };
}

/** Epoch ms → `YYYY-MM-DD HH:MM:SS` on the PBX's wall clock (the inverse of the layout above), for the WHERE. */
export function wallClock(ms: number, timezone: string | undefined): string {
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const d = new Date(ms);
  if (!timezone) {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}`;
}
