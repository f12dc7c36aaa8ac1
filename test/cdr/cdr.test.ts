/**
 * CDR backfill core: cdr_csv lines parsed; records grouped into calls and summarised like the
 * tracker. The records are the REAL `Cdr` events of the lab22 transcripts (cdr_manager writes the
 * same fields as cdr_csv, in the same order), written as Master.csv lines; each call's summary is
 * checked against the tracker's own call_ended for the same transcript (test/golden).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trackerConfig } from '../../src/core/call/classify.js';
import { cdrLayoutOf, cdrRecordFromEvent, formatCdrLine, gmtCdrTime, parseCdrLine, splitCdrLine, zonedTime, SAMPLE_CDR_LAYOUT, type CdrRecord } from '../../src/core/cdr/csv.js';
import { parseConfig } from '../../src/config/load.js';
import { trackerConfigFrom } from '../../src/cli/replay.js';
import { groupCdrCalls, summaryFromCdr } from '../../src/core/cdr/calls.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/ami');
const GOLDEN = join(import.meta.dirname, '../golden');

/** The `Event: Cdr` blocks of a transcript, as records (fixture times are the lab's UTC clock). */
function cdrEvents(file: string, dir = FIXTURES): CdrRecord[] {
  const text = readFileSync(join(dir, file), 'utf8');
  const out: CdrRecord[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
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

function goldenEnd(file: string): Record<string, unknown> {
  const lines = readFileSync(join(GOLDEN, file.replace(/\.txt$/, '.jsonl')), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return lines.filter((l) => l['stage'] === 'call_ended').at(-1)!;
}

test('cdr_csv quoting: doubled quotes, empty times, bare numbers; column count per cdr.conf', () => {
  assert.deepEqual(splitCdrLine('"a","b ""x"" c",,5,"",7'), ['a', 'b "x" c', '', '5', '', '7']);
  assert.equal(splitCdrLine('"unterminated'), undefined);
  assert.equal(splitCdrLine('"a"x,"b"'), undefined);
  const line = '"","+4930123456","5551000","from-trunk","""External Caller"" <+4930123456>","PJSIP/trunk-00000036","PJSIP/101-00000037","Dial","PJSIP/101,8","2026-11-22 04:49:53","2026-11-22 04:49:56","2026-11-22 04:50:01",8,5,"ANSWERED","DOCUMENTATION","1795322993.66",""';
  const r = parseCdrLine(line, SAMPLE_CDR_LAYOUT);
  assert.ok(r.ok);
  assert.equal(r.record.clid, '"External Caller" <+4930123456>');
  assert.equal(r.record.start, Date.UTC(2026, 10, 22, 4, 49, 53));
  assert.equal(r.record.uniqueid, '1795322993.66');
  const short = parseCdrLine(line, { ...SAMPLE_CDR_LAYOUT, loguniqueid: false });
  assert.equal(!short.ok && short.code, 'CDR_COLUMNS_MISMATCH');
  const local = parseCdrLine(line, { ...SAMPLE_CDR_LAYOUT, usegmtime: false, localTime: (y, mo, d, h, mi, s) => Date.UTC(y, mo - 1, d, h - 3, mi, s) });
  assert.ok(local.ok && local.record.start === Date.UTC(2026, 10, 22, 1, 49, 53), 'local time at +03:00');
  const bad = parseCdrLine(line.replace('2026-11-22 04:49:53', 'yesterday'), SAMPLE_CDR_LAYOUT);
  assert.equal(!bad.ok && bad.code, 'CDR_BAD_TIME');
  const withNew = formatCdrLine({ ...r.record, linkedid: '1795322993.66', sequence: 3 }, { ...SAMPLE_CDR_LAYOUT, newcdrcolumns: true }, gmtCdrTime);
  const back = parseCdrLine(withNew, { ...SAMPLE_CDR_LAYOUT, newcdrcolumns: true });
  assert.ok(back.ok && back.record.linkedid === '1795322993.66' && back.record.sequence === 3);
});

const CASES = [
  'lab22-a_inbound_answered.txt', 'lab22-b1_inbound_noanswer.txt', 'lab22-b2_inbound_busy.txt', 'lab22-b3_inbound_cancel.txt',
  'lab22-c_outbound_answered.txt', 'lab22-e_queue_ringall_second_answers.txt', 'lab22-f_queue_linear.txt',
  'lab22-g_blind_transfer.txt', 'lab22-i_ivr_abandon.txt', 'lab22-i2_queue_abandon.txt', 'lab22-j_mixmonitor_recording.txt',
];

for (const file of CASES) {
  test(`${file}: the call rebuilt from its CDRs matches the tracker's call_ended`, () => {
    const lines = cdrEvents(file).map((r) => formatCdrLine(r, SAMPLE_CDR_LAYOUT, gmtCdrTime));
    const records = lines.map((l) => parseCdrLine(l, SAMPLE_CDR_LAYOUT)).map((p) => (p.ok ? p.record : assert.fail(p.reason)));
    const calls = groupCdrCalls(records);
    assert.equal(calls.size, 1, 'one call');
    const [key, rows] = [...calls][0]!;
    const s = summaryFromCdr(key, rows, trackerConfig())!;
    const g = goldenEnd(file);
    assert.equal(key, g['call'], 'same call key as the tracker');
    // After a blind transfer cdr_csv keeps only where the caller went, not the DID it called.
    const did = file === 'lab22-g_blind_transfer.txt' ? undefined : g['did'];
    // cdr_csv writes NO ANSWER for a caller who gave up too: both are 304, only the words differ.
    const outcome = g['outcome'] === 'cancelled' ? 'no_answer' : g['outcome'];
    assert.deepEqual(
      { direction: s.direction, client: s.clientNumber, did: s.did, trunk: s.trunk, status: s.statusCode, outcome: s.outcome?.reason },
      { direction: g['direction'], client: g['client'], did, trunk: g['trunk'], status: g['status'], outcome },
    );
    assert.equal(s.conversations.length, g['conversations'], 'as many conversations as the tracker saw');
  });
}

// Recorded on Asterisk 22.10.1 for this project (test/fixtures/ami-recorded): pickup, ring group,
// park + retrieve, transfers by the phone (REFER), an announcement after no answer, two calls at once.
const RECORDED = join(import.meta.dirname, '../fixtures/ami-recorded');
const RECORDED_CASES = [
  'lab22-k_directed_pickup.txt', 'lab22-l_group_pickup.txt', 'lab22-m_ring_group.txt', 'lab22-n_park_retrieve.txt',
  'lab22-o_attended_transfer.txt', 'lab22-q_refer_blind_transfer.txt', 'lab22-r_noanswer_announcement.txt', 'lab22-s_two_calls_one_trunk.txt',
];

for (const file of RECORDED_CASES) {
  test(`${file} (recorded): every call rebuilt from its CDRs matches the tracker's call_ended`, () => {
    const records = cdrEvents(file, RECORDED).map((r) => formatCdrLine(r, SAMPLE_CDR_LAYOUT, gmtCdrTime))
      .map((l) => parseCdrLine(l, SAMPLE_CDR_LAYOUT)).map((p) => (p.ok ? p.record : assert.fail(p.reason)));
    const ended = readFileSync(join(GOLDEN, file.replace(/\.txt$/, '.jsonl')), 'utf8').trim().split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['stage'] === 'call_ended');
    const calls = groupCdrCalls(records);
    // The retrieving phone's own ParkedCall CDR is not a call (it is in the parked call's records).
    assert.deepEqual([...calls.keys()].sort(), ended.map((g) => String(g['call'])).sort(), 'the same calls as the tracker');
    for (const [key, rows] of calls) {
      const s = summaryFromCdr(key, rows, trackerConfig())!;
      const g = ended.find((x) => x['call'] === key)!;
      assert.deepEqual({ direction: s.direction, status: s.statusCode, outcome: s.outcome?.reason, conversations: s.conversations.length },
        { direction: g['direction'], status: g['status'], outcome: g['outcome'], conversations: g['conversations'] }, key);
      if (s.direction !== 'incoming') continue; // internal calls (the consultation leg) are not sent by default
      // After a transfer by the phone (REFER) cdr_csv keeps where the caller went, not the DID.
      const did = file === 'lab22-q_refer_blind_transfer.txt' ? undefined : g['did'];
      assert.deepEqual({ client: s.clientNumber, did: s.did, trunk: s.trunk }, { client: g['client'], did, trunk: g['trunk'] }, key);
    }
  });
}

// FMC (lab22-t…x: forwarded to Alice's mobile): with FMC on, the rebuilt calls say what the tracker
// said live — the mobile leg is Alice's conversation, with its number; the desk phone that rang along
// with it is no transfer.
const FMC_CASES = [
  'lab22-t_ring_desk_and_mobile_mobile_answers.txt', 'lab22-u_followme_local_mobile_answers.txt', 'lab22-v_forward_to_mobile_answered.txt',
  'lab22-w_ring_desk_and_mobile_desk_answers.txt', 'lab22-x_forward_to_mobile_busy.txt',
];

for (const file of FMC_CASES) {
  test(`${file} (recorded, FMC): the rebuilt call's conversations and status are the tracker's`, () => {
    const json = (f: string): unknown => JSON.parse(readFileSync(join(GOLDEN, f), 'utf8'));
    const cfg = trackerConfigFrom(json('lab22.portal.json'), json('fmc.config.json'));
    const records = cdrEvents(file, RECORDED).map((r) => formatCdrLine(r, SAMPLE_CDR_LAYOUT, gmtCdrTime))
      .map((l) => parseCdrLine(l, SAMPLE_CDR_LAYOUT)).map((p) => (p.ok ? p.record : assert.fail(p.reason)));
    const golden = readFileSync(join(GOLDEN, file.replace(/\.txt$/, '.jsonl')), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const ended = golden.filter((l) => l['stage'] === 'call_ended');
    // Without linkedid the `;2` half's own record is not a call of its own (it is left out).
    assert.deepEqual([...groupCdrCalls(records).keys()], ended.map((g) => String(g['call'])), 'the same call');
    // With linkedid (all the call's channels share the first one's, as in FreePBX's table) it joins the call.
    const calls = groupCdrCalls(records.map((r) => ({ ...r, linkedid: String(ended[0]!['call']) })));
    const [key, rows] = [...calls][0]!;
    const s = summaryFromCdr(key, rows, cfg)!;
    const g = ended[0]!;
    assert.deepEqual({ status: s.statusCode, conversations: s.conversations.length }, { status: g['status'], conversations: g['conversations'] });
    // (CDR says NO ANSWER where the live events said CANCEL: compare answered or not.)
    const answered = new Set(golden.filter((l) => l['stage'] === 'conversation_accepted').map((l) => l['conversation']));
    const live = golden.filter((l) => l['stage'] === 'conversation_ended').map((l) => `${String(l['extension'])} ${String(l['via'])} ${String(l['mobile'] ?? '-')} ${answered.has(l['conversation'])}`).sort();
    const rebuilt = s.conversations.map((c) => `${c.extension} ${c.via} ${c.mobile ?? '-'} ${c.acceptedAt !== undefined}`).sort();
    assert.deepEqual(rebuilt, live);
    // Without FMC the mobile leg is nobody's: only the desk phone's conversation is rebuilt.
    assert.ok(summaryFromCdr(key, rows, trackerConfigFrom(json('lab22.portal.json'), undefined))!.conversations.every((c) => c.mobile === undefined));
  });
}

test('local CDR times in the PBX host\'s zone (usegmtime=no, cdr.timezone), across DST', () => {
  assert.equal(zonedTime('Europe/Moscow')(2026, 11, 22, 4, 49, 53), Date.UTC(2026, 10, 22, 1, 49, 53));
  assert.equal(zonedTime('Europe/Berlin')(2026, 7, 1, 12, 0, 0), Date.UTC(2026, 6, 1, 10, 0, 0), 'summer: +02:00');
  assert.equal(zonedTime('Europe/Berlin')(2026, 1, 15, 12, 0, 0), Date.UTC(2026, 0, 15, 11, 0, 0), 'winter: +01:00');
  assert.equal(zonedTime('America/New_York')(2026, 11, 22, 0, 30, 0), Date.UTC(2026, 10, 22, 5, 30, 0));
  const layout = cdrLayoutOf({ usegmtime: false, loguniqueid: true, loguserfield: true, newcdrcolumns: false, timezone: 'Europe/Moscow' });
  const line = formatCdrLine({
    accountcode: '', src: '1', dst: '2', dcontext: 'from-trunk', clid: '', channel: 'PJSIP/trunk-1', dstchannel: 'PJSIP/101-2', lastapp: 'Dial', lastdata: '',
    start: 0, end: 0, duration: 0, billsec: 0, disposition: 'NO ANSWER', uniqueid: '1.1', userfield: '',
  }, layout, () => '2026-11-22 12:00:00');
  const r = parseCdrLine(line, layout);
  assert.ok(r.ok && r.record.start === Date.UTC(2026, 10, 22, 9, 0, 0));
  const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc/' } };
  assert.throws(() => parseConfig({ ...base, cdr: { csvPath: '/x', timezone: 'Mars/Olympus' } }), /cdr\.timezone: unknown IANA time zone/);
  assert.throws(() => parseConfig({ ...base, cdr: { csvPath: '/x', loguniqueid: false } }), /loguniqueid=yes or newcdrcolumns=yes/);
});
