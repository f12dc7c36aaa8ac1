/**
 * `GET /calls.csv`: the filtered history as CSV, every page of it, behind the login; cells quoted
 * by RFC 4180 and defused against spreadsheet formulas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, HISTORY_CSV_COLUMNS, historyCsv } from '../../src/adapters/http/history-csv.js';
import type { HistoryPage, HistoryQuery } from '../../src/adapters/http/panel-port.js';
import { Jar, login, makeApp, req } from './helpers.js';

test('cells: quotes, separators and line breaks quoted; formula starts defused', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell('Иванов, "ООО"'), '"Иванов, ""ООО"""');
  assert.equal(csvCell('a\nb'), '"a\nb"');
  assert.equal(csvCell('+79161234567'), "'+79161234567");
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvCell('-1'), "'-1");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
});

test('the export walks every page and stops at the total', async () => {
  const asked: HistoryQuery[] = [];
  const history = async (q: HistoryQuery): Promise<HistoryPage> => {
    asked.push(q);
    const total = 1_203;
    const n = Math.max(0, Math.min(q.limit, total - q.offset));
    const rows = Array.from({ length: n }, (_, i) => ({
      summary: { callKey: `k${q.offset + i}`, direction: 'incoming', startedAt: 0, recordings: [], conversations: [] },
      live: false, registered: false, cardVisibleTo: [],
    })) as unknown as HistoryPage['rows'];
    return { rows, total };
  };
  let text = '';
  for await (const chunk of historyCsv(history, { number: '916' })) text += chunk;
  const lines = text.trimEnd().split('\r\n');
  assert.equal(lines.length, 1 + 1_203);
  assert.deepEqual(asked.map((q) => q.offset), [0, 500, 1000]);
  assert.ok(asked.every((q) => q.number === '916'));
});

test('GET /calls.csv: the history with its filters, after login only', async () => {
  const t = await makeApp();
  const anon = await req(t, new Jar(), '/calls.csv');
  assert.equal(anon.status, 303, 'not without a session');
  const jar = new Jar();
  await login(t, jar);
  const res = await req(t, jar, '/calls.csv');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="calls-2026-11-22\.csv"$/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
  assert.equal(lines[0], HISTORY_CSV_COLUMNS.join(','));
  const all = await t.panel.history({ limit: 1000, offset: 0 });
  assert.equal(lines.length - 1, all.total);
  const first = all.rows[0]!;
  assert.ok(lines[1]!.startsWith(`${first.summary.callKey},${new Date(first.summary.startedAt).toISOString()},${first.summary.direction},`));
  // The history page's filters apply.
  const ext = first.summary.conversations[0]?.extension ?? '101';
  const filtered = (await (await req(t, jar, `/calls.csv?extension=${ext}`)).text()).trimEnd().split('\r\n');
  assert.equal(filtered.length - 1, (await t.panel.history({ extension: ext, limit: 1000, offset: 0 })).total);
  const page = await (await req(t, jar, `/calls?extension=${ext}`)).text();
  assert.match(page, new RegExp(`href="/calls\\.csv\\?extension=${ext}"`));
});
