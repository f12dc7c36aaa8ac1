/**
 * Asterisk's cdr_csv records (`/var/log/asterisk/cdr-csv/Master.csv`), parsed. Pure.
 *
 * The format, as cdr_csv writes it (Asterisk 16–22): one line per CDR, every text field in double
 * quotes with `"` doubled, numbers bare, an absent time as an empty field. Columns: accountcode,
 * src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
 * billsec, disposition, amaflags; then `uniqueid` when `loguniqueid=yes`, `userfield` when
 * `loguserfield=yes`, and `peeraccount, linkedid, sequence` when `newcdrcolumns=yes` (cdr.conf
 * [csv]). Times are `YYYY-MM-DD HH:MM:SS`, in GMT when `usegmtime=yes`, else in the PBX's local time.
 */

/** The [csv] options of cdr.conf that shape a line (the sample cdr.conf's values by default). */
export interface CdrCsvLayout {
  readonly usegmtime: boolean;
  readonly loguniqueid: boolean;
  readonly loguserfield: boolean;
  readonly newcdrcolumns: boolean;
  /**
   * Local times (usegmtime=no) → epoch ms. Default: this host's time zone (the connector usually
   * runs on the PBX host).
   */
  readonly localTime?: (y: number, mo: number, d: number, h: number, mi: number, s: number) => number;
}

export const SAMPLE_CDR_LAYOUT: CdrCsvLayout = { usegmtime: true, loguniqueid: true, loguserfield: true, newcdrcolumns: false };

export type CdrDisposition = 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CONGESTION';

export interface CdrRecord {
  readonly accountcode: string;
  readonly src: string;
  readonly dst: string;
  readonly dcontext: string;
  readonly clid: string;
  readonly channel: string;
  readonly dstchannel: string;
  readonly lastapp: string;
  readonly lastdata: string;
  readonly start: number;
  readonly answer?: number;
  readonly end: number;
  readonly duration: number;
  readonly billsec: number;
  readonly disposition: string;
  readonly uniqueid?: string;
  readonly userfield?: string;
  readonly linkedid?: string;
  readonly sequence?: number;
  /** FreePBX's `did` column (CDR table only): the number the caller dialled, kept after a transfer. */
  readonly did?: string;
}

export type CdrParse = { readonly ok: true; readonly record: CdrRecord } | { readonly ok: false; readonly code: CdrLineError; readonly reason: string };

export type CdrLineError = 'CDR_BAD_LINE' | 'CDR_COLUMNS_MISMATCH' | 'CDR_BAD_TIME';

/** The number of columns a line has under `layout`. */
export function cdrColumnCount(layout: CdrCsvLayout): number {
  return 16 + (layout.loguniqueid ? 1 : 0) + (layout.loguserfield ? 1 : 0) + (layout.newcdrcolumns ? 3 : 0);
}

/** Splits one cdr_csv line into its fields (quotes removed, doubled quotes undone); undefined when malformed. */
export function splitCdrLine(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = line.endsWith('\r') ? line.length - 1 : line.length;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= n) return undefined;
        const ch = line[i]!;
        if (ch === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += ch;
        i++;
      }
      out.push(v);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 || comma > n ? n : comma;
      const raw = line.slice(i, end);
      if (raw.includes('"')) return undefined;
      out.push(raw);
      i = end;
    }
    if (i >= n) return out;
    if (line[i] !== ',') return undefined;
    i++;
    if (i >= n) {
      out.push('');
      return out;
    }
  }
}

const TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function hostLocal(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return new Date(y, mo - 1, d, h, mi, s).getTime();
}

/** `YYYY-MM-DD HH:MM:SS` → epoch ms (GMT or local per layout); '' → undefined; null when malformed. */
export function parseCdrTime(v: string, layout: CdrCsvLayout): number | undefined | null {
  if (v === '') return undefined;
  const m = TIME.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return layout.usegmtime ? Date.UTC(y, mo - 1, d, h, mi, s) : (layout.localTime ?? hostLocal)(y, mo, d, h, mi, s);
}

/** One Master.csv line → a record, or the reason it is not one. */
export function parseCdrLine(line: string, layout: CdrCsvLayout): CdrParse {
  const f = splitCdrLine(line);
  if (!f) return { ok: false, code: 'CDR_BAD_LINE', reason: 'not a cdr_csv line (quotes or commas out of place)' };
  const want = cdrColumnCount(layout);
  if (f.length !== want) {
    return { ok: false, code: 'CDR_COLUMNS_MISMATCH', reason: `${f.length} columns where cdr.conf [csv] as configured gives ${want} (check loguniqueid / loguserfield / newcdrcolumns)` };
  }
  const at = (i: number): string => f[i] ?? '';
  const start = parseCdrTime(at(9), layout);
  const answer = parseCdrTime(at(10), layout);
  const end = parseCdrTime(at(11), layout);
  if (start == null || end == null || answer === null) return { ok: false, code: 'CDR_BAD_TIME', reason: `bad start/answer/end time: ${at(9)} / ${at(10)} / ${at(11)}` };
  let k = 16;
  const uniqueid = layout.loguniqueid ? at(k++) : undefined;
  const userfield = layout.loguserfield ? at(k++) : undefined;
  let linkedid: string | undefined;
  let sequence: number | undefined;
  if (layout.newcdrcolumns) {
    k++; // peeraccount
    linkedid = at(k++);
    sequence = Number(at(k++));
  }
  return {
    ok: true,
    record: {
      accountcode: at(0), src: at(1), dst: at(2), dcontext: at(3), clid: at(4), channel: at(5), dstchannel: at(6),
      lastapp: at(7), lastdata: at(8), start, ...(answer !== undefined ? { answer } : {}), end,
      duration: Number(at(12)) || 0, billsec: Number(at(13)) || 0, disposition: at(14),
      ...(uniqueid ? { uniqueid } : {}), ...(userfield !== undefined ? { userfield } : {}),
      ...(linkedid ? { linkedid } : {}), ...(sequence !== undefined && Number.isFinite(sequence) ? { sequence } : {}),
    },
  };
}

/** A record as cdr_csv writes it (the AMI simulator's Master.csv; tests). */
export function formatCdrLine(r: CdrRecord, layout: CdrCsvLayout, fmtTime: (ms: number) => string): string {
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const t = (ms: number | undefined): string => (ms === undefined ? '' : q(fmtTime(ms)));
  const cols = [
    q(r.accountcode), q(r.src), q(r.dst), q(r.dcontext), q(r.clid), q(r.channel), q(r.dstchannel), q(r.lastapp), q(r.lastdata),
    t(r.start), t(r.answer), t(r.end), String(r.duration), String(r.billsec), q(r.disposition), q('DOCUMENTATION'),
  ];
  if (layout.loguniqueid) cols.push(q(r.uniqueid ?? ''));
  if (layout.loguserfield) cols.push(q(r.userfield ?? ''));
  if (layout.newcdrcolumns) cols.push(q(''), q(r.linkedid ?? ''), String(r.sequence ?? 0));
  return cols.join(',');
}

/**
 * cdr_manager's `Cdr` AMI event → the record cdr_csv writes for the same CDR (same fields, same
 * order). `get` reads a field ('' when absent); the event's times are read with `layout` (the AMI
 * simulator and the lab22 transcripts write them in UTC).
 */
export function cdrRecordFromEvent(get: (key: string) => string, layout: CdrCsvLayout = SAMPLE_CDR_LAYOUT): CdrRecord {
  const t = (k: string): number | undefined => parseCdrTime(get(k), layout) ?? undefined;
  const answer = t('AnswerTime');
  return {
    accountcode: get('AccountCode'), src: get('Source'), dst: get('Destination'), dcontext: get('DestinationContext'), clid: get('CallerID'),
    channel: get('Channel'), dstchannel: get('DestinationChannel'), lastapp: get('LastApplication'), lastdata: get('LastData'),
    start: t('StartTime') ?? 0, ...(answer !== undefined ? { answer } : {}), end: t('EndTime') ?? 0,
    duration: Number(get('Duration')) || 0, billsec: Number(get('BillableSeconds')) || 0, disposition: get('Disposition'),
    uniqueid: get('UniqueID'), userfield: get('UserField'),
  };
}

/** `YYYY-MM-DD HH:MM:SS` of an epoch in GMT. */
export function gmtCdrTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Wall-clock time in an IANA zone → epoch ms (cdr_csv local times written on a host in that zone). */
export function zonedTime(timezone: string): NonNullable<CdrCsvLayout['localTime']> {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  });
  /** Minutes the zone is ahead of UTC at `ms`, as ms. */
  const offsetAt = (ms: number): number => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const wall = Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']) % 24, Number(p['minute']), Number(p['second']));
    return wall - Math.floor(ms / 1000) * 1000;
  };
  return (y, mo, d, h, mi, s) => {
    const guess = Date.UTC(y, mo - 1, d, h, mi, s);
    const first = guess - offsetAt(guess);
    const second = guess - offsetAt(first);
    return second;
  };
}

/** The layout of `config.cdr` (its flags, and `timezone` for local times when set). */
export function cdrLayoutOf(c: { usegmtime: boolean; loguniqueid: boolean; loguserfield: boolean; newcdrcolumns: boolean; timezone?: string | undefined }): CdrCsvLayout {
  return {
    usegmtime: c.usegmtime, loguniqueid: c.loguniqueid, loguserfield: c.loguserfield, newcdrcolumns: c.newcdrcolumns,
    ...(c.timezone ? { localTime: zonedTime(c.timezone) } : {}),
  };
}
