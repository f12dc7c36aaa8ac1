/** Reading Master.csv backwards, and the backfill's choice of calls (files in a temp folder). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCdrTail } from '../../src/adapters/cdr/master-csv.js';
import { formatCdrLine, gmtCdrTime, SAMPLE_CDR_LAYOUT, type CdrRecord } from '../../src/core/cdr/csv.js';
import { trackerConfig } from '../../src/core/call/classify.js';
import { backfillFromCdr, CDR_MARGIN_MS } from '../../src/flow/cdr-backfill.js';
import type { StageChange } from '../../src/core/call/model.js';
import { silentLogger } from '../../src/log.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const dir = mkdtempSync(join(tmpdir(), 'ab24-cdr-tail-'));

function rec(i: number, endMs: number, extra: Partial<CdrRecord> = {}): CdrRecord {
  return {
    accountcode: '', src: `+49301${String(i).padStart(5, '0')}`, dst: '5551000', dcontext: 'from-trunk', clid: `"Caller ${i}" <+49301${i}>`,
    channel: `PJSIP/trunk-${i}`, dstchannel: `PJSIP/101-${i}`, lastapp: 'Dial', lastdata: 'PJSIP/101,20', start: endMs - 10_000, answer: endMs - 8_000, end: endMs,
    duration: 10, billsec: 8, disposition: 'ANSWERED', uniqueid: `1795000000.${i}`, userfield: '', ...extra,
  };
}

const line = (r: CdrRecord) => formatCdrLine(r, SAMPLE_CDR_LAYOUT, gmtCdrTime);

test('reads backwards across chunk borders down to the given time; bad lines reported, not fatal', async () => {
  // 5,000 calls a minute apart (≈ 1 MB, many 64 KB chunks), one garbage line among the newest.
  const rows = Array.from({ length: 5000 }, (_, i) => rec(i, T0 + i * 60_000));
  const text = rows.map(line);
  text.splice(4990, 0, 'garbage "line');
  const path = join(dir, 'Master.csv');
  writeFileSync(path, `${text.join('\n')}\n`);
  const since = T0 + 4000 * 60_000;
  const tail = await readCdrTail(path, since, SAMPLE_CDR_LAYOUT);
  assert.equal(tail.records.length, 1000);
  assert.equal(tail.records[0]!.uniqueid, '1795000000.4000');
  assert.equal(tail.records.at(-1)!.uniqueid, '1795000000.4999');
  assert.deepEqual(tail.bad.map((b) => b.code), ['CDR_BAD_LINE']);
  assert.equal(tail.truncated, false);
  assert.ok(tail.bytesRead < 400_000, `read ${tail.bytesRead} bytes of the file, not all of it`);
  const capped = await readCdrTail(path, T0, SAMPLE_CDR_LAYOUT, 128 * 1024);
  assert.equal(capped.truncated, true);
  const all = await readCdrTail(path, 0, SAMPLE_CDR_LAYOUT);
  assert.equal(all.records.length, 5000, 'the first line of the file is read too');
  await assert.rejects(readCdrTail(join(dir, 'missing.csv'), 0, SAMPLE_CDR_LAYOUT), { code: 'CDR_UNREADABLE' });
});

test('backfill: only calls whose last record ended inside the gap, never a known one', async () => {
  const gapFrom = T0 + 10 * 60_000;
  const gapTo = T0 + 20 * 60_000;
  const path = join(dir, 'gap.csv');
  writeFileSync(path, [
    rec(1, gapFrom - 5 * 60_000), // before the gap (seen live)
    rec(2, gapFrom + 60_000), // inside
    rec(3, gapFrom + 2 * 60_000), // inside, but already stored
    rec(4, gapTo + 1_000), // after the connect: seen live
    rec(5, gapFrom + 3 * 60_000, { dstchannel: 'PJSIP/102-5', disposition: 'NO ANSWER', answer: undefined as never, billsec: 0 }),
  ].map(line).join('\n'));
  const handled: StageChange[] = [];
  const r = await backfillFromCdr(gapFrom, gapTo, {
    read: (since, layout) => {
      assert.equal(since, gapFrom - CDR_MARGIN_MS, 'read with a margin for records written at their call\'s end');
      return readCdrTail(path, since, layout);
    },
    layout: SAMPLE_CDR_LAYOUT, trackerConfig: () => trackerConfig(),
    known: async (k) => k === '1795000000.3', handle: (c) => handled.push(...c), logger: silentLogger,
  });
  assert.deepEqual(r, { calls: 2, skipped: 1, badLines: 0, truncated: false, failed: false });
  assert.deepEqual(handled.map((c) => [c.callKey, c.stage, c.call.statusCode, c.call.conversations[0]?.extension]), [
    ['1795000000.2', 'call_ended', '200', '101'], ['1795000000.5', 'call_ended', '304', '102'],
  ]);
  const missing = await backfillFromCdr(gapFrom, gapTo, {
    read: (since, layout) => readCdrTail(join(dir, 'nope.csv'), since, layout), layout: SAMPLE_CDR_LAYOUT, trackerConfig: () => trackerConfig(),
    known: async () => false, handle: () => assert.fail('nothing to handle'), logger: silentLogger,
  });
  assert.equal(missing.calls, 0, 'an unreadable file is logged, never thrown');
  assert.equal(missing.failed, true, 'and the window is to be tried again');
});
