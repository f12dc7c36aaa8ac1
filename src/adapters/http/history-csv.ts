/**
 * The call history as CSV (`GET /calls.csv` with the history page's filters): one row per call, for
 * a spreadsheet or a report. RFC 4180 quoting, UTF-8 with a BOM (Excel reads Cyrillic names right),
 * and cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` …) prefixed with `'` —
 * phone numbers start with `+`.
 */
import type { CallView, HistoryPage, HistoryQuery } from './panel-port.js';

export const HISTORY_CSV_COLUMNS = [
  'call_key', 'started_at', 'direction', 'client_number', 'client_name', 'did', 'trunk', 'extensions', 'answered_by',
  'status_code', 'talk_seconds', 'registered', 'b24_call_id', 'responsible_id', 'responsible_name', 'not_registered_because',
] as const;

/** Most rows one export gives (a narrower date range for more). */
export const HISTORY_CSV_MAX_ROWS = 100_000;
const PAGE = 500;

export function csvCell(value: unknown): string {
  let s = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function historyCsvRow(c: CallView): string {
  const s = c.summary;
  const talk = s.answeredAt !== undefined && s.endedAt !== undefined ? Math.round((s.endedAt - s.answeredAt) / 1000) : '';
  const answeredBy = s.conversations.filter((v) => v.acceptedAt !== undefined).map((v) => v.extension);
  const values: Record<(typeof HISTORY_CSV_COLUMNS)[number], unknown> = {
    call_key: s.callKey, started_at: new Date(s.startedAt).toISOString(), direction: s.direction,
    client_number: s.clientNumber, client_name: c.clientName, did: s.did, trunk: s.trunk,
    extensions: [...new Set(s.conversations.map((v) => v.extension))].join(' '), answered_by: [...new Set(answeredBy)].join(' '),
    status_code: s.statusCode, talk_seconds: talk, registered: c.registered ? 'yes' : 'no', b24_call_id: c.b24CallId,
    responsible_id: c.responsible?.id, responsible_name: c.responsible?.name, not_registered_because: c.skipped,
  };
  return HISTORY_CSV_COLUMNS.map((k) => csvCell(values[k])).join(',');
}

/** The whole filtered history, newest first, page by page (never all rows in memory at once). */
export async function* historyCsv(history: (q: HistoryQuery) => Promise<HistoryPage>, filter: Omit<HistoryQuery, 'limit' | 'offset'>): AsyncGenerator<string> {
  yield `\uFEFF${HISTORY_CSV_COLUMNS.join(',')}\r\n`;
  for (let offset = 0; offset < HISTORY_CSV_MAX_ROWS; offset += PAGE) {
    const page = await history({ ...filter, limit: Math.min(PAGE, HISTORY_CSV_MAX_ROWS - offset), offset });
    if (page.rows.length === 0) return;
    yield page.rows.map((r) => `${historyCsvRow(r)}\r\n`).join('');
    if (offset + page.rows.length >= page.total) return;
  }
}
