/** FreePBX's CDR table rows → the records the rebuild takes (pure): times in the PBX's zone, NULLs, '' defaults; config. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdrDbLayout, cdrRecordFromRow, wallClock } from '../../src/core/cdr/db-row.js';
import { groupCdrCalls, summaryFromCdr } from '../../src/core/cdr/calls.js';
import { trackerConfig } from '../../src/core/call/classify.js';
import { parseConfig, maskSecrets } from '../../src/config/load.js';
import { cdrEvents, freepbxRows, goldenEnds } from './freepbx-rows.js';

const MSK = cdrDbLayout('Europe/Moscow');

test('a row: calldate on the PBX\'s clock (Moscow, Berlin in summer, UTC); end = start + duration, answer = end − billsec', () => {
  const row = { calldate: '2026-11-22 07:49:53', duration: 8, billsec: 5, disposition: 'ANSWERED', channel: 'PJSIP/trunk-1', uniqueid: '1.1', linkedid: '1.1', sequence: 7 };
  const r = cdrRecordFromRow(row, MSK);
  assert.ok(r.ok);
  assert.equal(r.record.start, Date.UTC(2026, 10, 22, 4, 49, 53));
  assert.equal(r.record.end, Date.UTC(2026, 10, 22, 4, 50, 1));
  assert.equal(r.record.answer, Date.UTC(2026, 10, 22, 4, 49, 56));
  assert.equal(r.record.linkedid, '1.1');
  assert.equal(r.record.sequence, 7);
  const berlin = cdrRecordFromRow({ ...row, calldate: '2026-07-01 12:00:00' }, cdrDbLayout('Europe/Berlin'));
  assert.ok(berlin.ok && berlin.record.start === Date.UTC(2026, 6, 1, 10, 0, 0), 'summer time +02:00');
  const utc = cdrRecordFromRow(row, cdrDbLayout('UTC'));
  assert.ok(utc.ok && utc.record.start === Date.UTC(2026, 10, 22, 7, 49, 53));
  assert.equal(wallClock(Date.UTC(2026, 10, 22, 4, 49, 53), 'Europe/Moscow'), '2026-11-22 07:49:53');
  assert.equal(wallClock(Date.UTC(2026, 6, 1, 10, 0, 0), 'Europe/Berlin'), '2026-07-01 12:00:00');
  assert.equal(wallClock(Date.UTC(2026, 10, 22, 4, 49, 53), 'UTC'), '2026-11-22 04:49:53');
});

test('NULLs and FreePBX\'s empty strings: no answer, no linkedid, no sequence; bad calldates are reported', () => {
  const r = cdrRecordFromRow({
    calldate: '2026-11-22 07:49:53', clid: null, src: '', dst: null, dcontext: 'from-trunk', channel: 'PJSIP/trunk-1', dstchannel: null,
    lastapp: 'Queue', lastdata: null, duration: '12', billsec: 0, disposition: 'NO ANSWER', uniqueid: '1.2', userfield: null, linkedid: '', sequence: null, did: '',
  }, MSK);
  assert.ok(r.ok);
  assert.equal(r.record.answer, undefined, 'not answered, no billable seconds');
  assert.equal(r.record.duration, 12, 'numbers as strings (DECIMAL / BIGINT)');
  assert.deepEqual([r.record.clid, r.record.dst, r.record.dstchannel, r.record.lastdata, r.record.userfield], ['', '', '', '', '']);
  assert.ok(!('linkedid' in r.record) && !('sequence' in r.record) && !('did' in r.record));
  const member = cdrRecordFromRow({ calldate: '2026-11-22 07:51:04', duration: 3, billsec: 3, disposition: 'NO ANSWER', channel: 'x', uniqueid: '1' }, MSK);
  assert.ok(member.ok && member.record.answer === member.record.start, 'a queue member\'s NO ANSWER row keeps the queue\'s answer time, as in Master.csv');
  for (const calldate of ['0000-00-00 00:00:00', '', null, 'yesterday']) {
    const bad = cdrRecordFromRow({ calldate, duration: 1, billsec: 0, channel: 'x', uniqueid: '1' }, MSK);
    assert.equal(!bad.ok && bad.code, 'CDR_BAD_TIME', String(calldate));
  }
});

test('FreePBX rows of a blind transfer keep the DID (the did column) where Master.csv loses it', () => {
  const did = String(goldenEnds('lab22-g_blind_transfer.txt')[0]!['did']);
  const rows = freepbxRows(cdrEvents('lab22-g_blind_transfer.txt'), 'Europe/Moscow', did).map((r) => cdrRecordFromRow(r, MSK));
  assert.notEqual(rows[0]!.ok && rows[0]!.record.dst, did, 'the first record already shows where the caller went');
  const records = rows.map((p) => (p.ok ? p.record : assert.fail(p.reason)));
  const [[key, group]] = [...groupCdrCalls(records)] as [[string, typeof records]];
  const s = summaryFromCdr(key, group, trackerConfig())!;
  assert.equal(s.direction, 'incoming');
  assert.equal(s.did, did);
});

test('config: cdr.source mysql needs cdr.mysql; one source at a time; the URL is a secret', () => {
  const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc/' } };
  const url = 'mysql://ab24:s3cret@10.0.0.5:3306/asteriskcdrdb';
  const c = parseConfig({ ...base, cdr: { source: 'mysql', mysql: { url, timezone: 'Europe/Moscow' } } });
  assert.deepEqual(c.cdr.mysql, { url, table: 'cdr', timezone: 'Europe/Moscow', connectTimeoutMs: 5_000, queryTimeoutMs: 30_000, pageSize: 5_000, maxRows: 200_000 });
  assert.equal(parseConfig(base).cdr.source, 'csv', 'nothing changes for Master.csv users');
  assert.equal((maskSecrets(c) as { cdr: { mysql: { url: string } } }).cdr.mysql.url, '***');
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'mysql' } }), (e: { code?: string; message: string }) => e.code === 'CONFIG_CDR_MYSQL_MISSING' && /cdr\.mysql\.url/.test(e.message));
  assert.throws(() => parseConfig({ ...base, cdr: { mysql: { url } } }), /set cdr\.source to "mysql"/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'mysql', csvPath: '/x', mysql: { url } } }), /one CDR source at a time/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'mysql', mysql: { url: 'mysql://h/' } } }), /the database in the path/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'mysql', mysql: { url, table: 'cdr; DROP' } } }), /plain table name/);
  assert.throws(() => parseConfig({ ...base, cdr: { source: 'mysql', mysql: { url, timezone: 'Mars/Olympus' } } }), /cdr\.mysql\.timezone: unknown IANA time zone/);
  // The Master.csv flags matter for csv only.
  assert.doesNotThrow(() => parseConfig({ ...base, cdr: { source: 'mysql', loguniqueid: false, mysql: { url } } }));
});
