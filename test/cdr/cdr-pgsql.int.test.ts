/**
 * Backfill from cdr_pgsql's table in a REAL PostgreSQL (test/store/pg-cluster.ts): the lab22
 * transcripts' Cdr events written as cdr_pgsql rows give the same calls as the same events written
 * to Master.csv — with a timestamptz calldate and with a timestamp on the PBX's clock; paging reads
 * every row once; a database that is down, silent, refuses the role or is no CDR table fails fast
 * with its own code, and the window is backfilled once it is back.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPgCdrRows, type PgsqlCdrOptions } from '../../src/adapters/cdr/pgsql.js';
import { readCdrTail } from '../../src/adapters/cdr/master-csv.js';
import { cdrDbLayout, wallClock } from '../../src/core/cdr/db-row.js';
import { formatCdrLine, gmtCdrTime, SAMPLE_CDR_LAYOUT, type CdrRecord } from '../../src/core/cdr/csv.js';
import { trackerConfig } from '../../src/core/call/classify.js';
import type { CallSummary, StageChange } from '../../src/core/call/model.js';
import { backfillFromCdr, CdrGapQueue, CDR_PENDING_KEY, type CdrBackfillDeps } from '../../src/flow/cdr-backfill.js';
import { errorCode } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { pgAvailable, stopSharedPgCluster } from '../store/pg-cluster.js';
import { cdrEvents, freepbxRows } from './freepbx-rows.js';
import { createPgCdrDatabase, PG_SKIP } from './pgsql-cdr.js';

const skip = pgAvailable() ? false : PG_SKIP;
const TZ = 'Europe/Moscow';
const LAYOUT = cdrDbLayout(TZ);
const RECORDED = join(import.meta.dirname, '../fixtures/ami-recorded');
const CASES: Array<[string, string | undefined]> = [
  ...['lab22-a_inbound_answered.txt', 'lab22-b1_inbound_noanswer.txt', 'lab22-b2_inbound_busy.txt', 'lab22-b3_inbound_cancel.txt',
    'lab22-c_outbound_answered.txt', 'lab22-e_queue_ringall_second_answers.txt', 'lab22-f_queue_linear.txt', 'lab22-g_blind_transfer.txt',
    'lab22-i_ivr_abandon.txt', 'lab22-i2_queue_abandon.txt', 'lab22-j_mixmonitor_recording.txt'].map((f): [string, undefined] => [f, undefined]),
  ...['lab22-k_directed_pickup.txt', 'lab22-l_group_pickup.txt', 'lab22-m_ring_group.txt', 'lab22-n_park_retrieve.txt',
    'lab22-o_attended_transfer.txt', 'lab22-q_refer_blind_transfer.txt', 'lab22-r_noanswer_announcement.txt', 'lab22-s_two_calls_one_trunk.txt']
    .map((f): [string, string] => [f, RECORDED]),
];

const options = (url: string, extra: Partial<PgsqlCdrOptions> = {}): PgsqlCdrOptions => ({
  url, table: 'cdr', timezone: TZ, connectTimeoutMs: 2_000, queryTimeoutMs: 10_000, pageSize: 5_000, maxRows: 200_000, ...extra,
});

after(() => stopSharedPgCluster());
/** What a summary says, with times to the second the table can tell (end = start + truncated duration). */
function view(c: CallSummary): unknown {
  return {
    direction: c.direction, client: c.clientNumber, did: c.did, trunk: c.trunk, status: c.statusCode, outcome: c.outcome?.reason, queue: c.queue,
    started: c.startedAt, answered: c.answeredAt !== undefined,
    conversations: c.conversations.map((v) => [v.extension, v.via, v.dialStatus, v.acceptedAt !== undefined, v.endReason]),
  };
}

async function backfill(read: CdrBackfillDeps['read'], layout: CdrBackfillDeps['layout'], from: number, to: number): Promise<Map<string, CallSummary>> {
  const out = new Map<string, CallSummary>();
  const r = await backfillFromCdr(from, to, {
    read, layout, trackerConfig: () => trackerConfig(), known: async () => false, logger: silentLogger,
    handle: (changes: readonly StageChange[]) => {
      for (const ch of changes) if (ch.stage === 'call_ended') out.set(ch.callKey, ch.call);
    },
  });
  assert.equal(r.failed, false);
  return out;
}

for (const zoned of [true, false]) {
  test(`cdr_pgsql rows of the lab22 calls (calldate ${zoned ? 'timestamptz' : 'timestamp on the PBX clock'}) → the same calls as from Master.csv`, { skip }, async () => {
    const db = await createPgCdrDatabase({ zoned });
    const records: CdrRecord[] = CASES.flatMap(([file, dir]) => cdrEvents(file, dir));
    await db.insert(CASES.flatMap(([file, dir]) => freepbxRows(cdrEvents(file, dir), TZ, '')), TZ);
    const csv = join(mkdtempSync(join(tmpdir(), 'ab24-cdr-pg-')), 'Master.csv');
    writeFileSync(csv, `${[...records].sort((a, b) => a.end - b.end).map((r) => formatCdrLine(r, SAMPLE_CDR_LAYOUT, gmtCdrTime)).join('\n')}\n`);
    const from = Math.min(...records.map((r) => r.start));
    const to = Math.max(...records.map((r) => r.end)) + 2_000;

    const fromCsv = await backfill((since, layout) => readCdrTail(csv, since, layout), SAMPLE_CDR_LAYOUT, from, to);
    // A timestamptz needs no zone: the connector's own (UTC here) is not used.
    const read: CdrBackfillDeps['read'] = (since, layout, until) => readPgCdrRows(options(db.url, zoned ? { timezone: undefined } : {}), layout, since, until);
    const fromDb = await backfill(read, zoned ? cdrDbLayout(undefined) : LAYOUT, from, to);
    assert.ok(fromCsv.size >= CASES.length, `${fromCsv.size} calls`);
    assert.deepEqual([...fromDb.keys()].sort(), [...fromCsv.keys()].sort(), 'the same calls');
    for (const [key, c] of fromCsv) {
      const m = fromDb.get(key)!;
      assert.deepEqual(view(m), view(c), key);
      assert.ok(Math.abs(m.endedAt! - c.endedAt!) <= 1_000, `${key}: end within the second Asterisk truncates`);
      assert.equal(m.rebuiltFrom, 'cdr');
    }
    const a = fromDb.get(cdrEvents('lab22-a_inbound_answered.txt')[0]!.uniqueid!)!;
    assert.deepEqual([a.direction, a.statusCode, a.did, a.conversations[0]?.extension], ['incoming', '200', '5551000', '101']);
  });
}

test('paging: every row once across page and second boundaries (fractions too); maxRows keeps the newest; rows/s', { skip }, async () => {
  for (const zoned of [true, false]) {
    const own = await createPgCdrDatabase({ zoned });
    const T0 = Date.UTC(2026, 0, 10, 8, 0, 0);
    const rows = [];
    // 20,000 one-leg calls, 4 a second, and 700 in one busy second (more than a page).
    for (let i = 0; i < 20_000; i++) rows.push(row(i, T0 + Math.floor(i / 4) * 1_000));
    for (let i = 0; i < 700; i++) rows.push(row(100_000 + i, T0 + 3_000_000));
    await own.insert(rows, TZ);
    // Another writer's sub-second calldates (cdr_adaptive_odbc, DEFAULT now()): 300 rows in one second, 3 ms apart.
    await own.admin(`INSERT INTO cdr (calldate, channel, dstchannel, lastapp, dcontext, duration, billsec, disposition, uniqueid, linkedid)
      SELECT (timestamp '${wallClock(T0 + 4_000_000, TZ)}' + g * interval '3 milliseconds') ${zoned ? `AT TIME ZONE '${TZ}'` : ''}, 'PJSIP/x-' || g, '', 'Dial', 'from-trunk', 10, 8, 'ANSWERED', 'f.' || g, 'f.' || g
      FROM generate_series(1, 300) g`);
    const total = 21_000;
    const all = await readPgCdrRows(options(own.url, { pageSize: 500 }), LAYOUT, T0, T0 + 6_000_000);
    assert.equal(all.rowsRead, total);
    assert.equal(new Set(all.records.map((r) => r.uniqueid)).size, total, 'no row twice');
    assert.equal(all.truncated, false);
    const small = await readPgCdrRows(options(own.url, { pageSize: 100 }), LAYOUT, T0 + 3_990_000, T0 + 6_000_000);
    assert.equal(small.records.filter((r) => r.uniqueid?.startsWith('f.')).length, 300, 'a page of 100 inside one second of fractions');
    const t = performance.now();
    const big = await readPgCdrRows(options(own.url), LAYOUT, T0, T0 + 6_000_000);
    const ms = performance.now() - t;
    console.log(`# ${zoned ? 'timestamptz' : 'timestamp'}: read ${big.rowsRead} rows in ${ms.toFixed(0)} ms: ${Math.round(big.rowsRead / (ms / 1000))} rows/s (page 5000)`);
    const capped = await readPgCdrRows(options(own.url, { pageSize: 1_000, maxRows: 5_000 }), LAYOUT, T0, T0 + 6_000_000);
    assert.equal(capped.truncated, true);
    assert.ok(capped.rowsRead >= 5_000 && capped.rowsRead < 6_000);
    assert.equal(Math.max(...capped.records.map((r) => r.start)), Math.max(...all.records.map((r) => r.start)), 'the newest are kept');
    const part = await readPgCdrRows(options(own.url), LAYOUT, T0 + 1_000_000, T0 + 2_000_000);
    assert.ok(part.records.every((r) => r.end >= T0 + 1_000_000 && r.start < T0 + 2_000_000));
    assert.equal(part.records.length, 4_000 + 4 * 10, 'one-leg calls of 10 s: those that began in the window or ended in it');
  }

  function row(i: number, start: number): Record<string, string | number> {
    return {
      calldate: wallClock(start, TZ), clid: `"C" <+4930${i}>`, src: `+4930${i}`, dst: '5551000', dcontext: 'from-trunk', channel: `PJSIP/trunk-${i}`,
      dstchannel: `PJSIP/101-${i}`, lastapp: 'Dial', lastdata: 'PJSIP/101,20', duration: 10, billsec: 8, disposition: 'ANSWERED',
      uniqueid: `1768000000.${i}`, linkedid: `1768000000.${i}`, sequence: i,
    };
  }
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'OK', (e: unknown) => errorCode(e));
}

test('errors: no grant, no such role, no CONNECT, no such table, not a CDR table, nothing listening, a silent server — each fast, with its code', { skip }, async () => {
  const read = (url: string, extra: Partial<PgsqlCdrOptions> = {}) => readPgCdrRows(options(url, extra), LAYOUT, 0, Date.now());
  const noGrant = await createPgCdrDatabase({ grant: false });
  assert.equal(await codeOf(read(noGrant.url)), 'CDR_PGSQL_DENIED');
  // Column privileges: the role may read some columns only.
  await noGrant.admin(`GRANT SELECT (calldate, channel) ON cdr TO ${noGrant.role}`);
  assert.equal(await codeOf(read(noGrant.url)), 'CDR_PGSQL_DENIED');
  const db = await createPgCdrDatabase();
  const u = new URL(db.url);
  u.username = 'nobody_here';
  assert.equal(await codeOf(read(u.toString())), 'CDR_PGSQL_CONNECT');
  const noConnect = await createPgCdrDatabase();
  await noConnect.admin(`REVOKE CONNECT ON DATABASE ${noConnect.database} FROM PUBLIC`);
  assert.equal(await codeOf(read(noConnect.url)), 'CDR_PGSQL_DENIED');
  // PostgreSQL, unlike MySQL, tells a missing table from one the role may not read.
  assert.equal(await codeOf(read(db.url, { table: 'cdr_missing' })), 'CDR_PGSQL_TABLE');
  const noChannel = await createPgCdrDatabase();
  await noChannel.admin('ALTER TABLE cdr DROP COLUMN channel');
  assert.equal(await codeOf(read(noChannel.url)), 'CDR_PGSQL_TABLE');
  const textDate = await createPgCdrDatabase();
  await textDate.admin('ALTER TABLE cdr ALTER COLUMN calldate DROP DEFAULT, ALTER COLUMN calldate TYPE integer USING 0');
  assert.equal(await codeOf(read(textDate.url)), 'CDR_PGSQL_TABLE');
  // A query the server cancels (statement_timeout).
  await db.admin(`CREATE FUNCTION slow() RETURNS text LANGUAGE sql AS 'SELECT pg_sleep(2)::text'; CREATE VIEW cdr_slow AS SELECT *, slow() AS x FROM cdr`);
  await db.admin(`GRANT SELECT ON cdr_slow TO ${db.role}`);
  await db.insert([{ calldate: wallClock(Date.now() - 60_000, TZ), channel: 'x', uniqueid: '1', duration: 1, billsec: 0, disposition: 'NO ANSWER' }], TZ);
  let t = Date.now();
  assert.equal(await codeOf(read(db.url, { table: 'cdr_slow', queryTimeoutMs: 300 })), 'CDR_PGSQL_QUERY');
  assert.ok(Date.now() - t < 1_500, `cancelled after queryTimeoutMs (${Date.now() - t} ms)`);
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  t = Date.now();
  assert.equal(await codeOf(read(`postgres://u:p@127.0.0.1:${closed}/asterisk`)), 'CDR_PGSQL_CONNECT');
  assert.ok(Date.now() - t < 1_000, 'refused at once');
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => sockets.push(s)).listen(0, '127.0.0.1');
  await new Promise((r) => silent.once('listening', r));
  t = Date.now();
  assert.equal(await codeOf(read(`postgres://u:p@127.0.0.1:${(silent.address() as { port: number }).port}/asterisk`, { connectTimeoutMs: 500 })), 'CDR_PGSQL_CONNECT');
  assert.ok(Date.now() - t < 2_000, `a silent server gives up after connectTimeoutMs (${Date.now() - t} ms)`);
  for (const s of sockets) s.destroy();
  silent.close();
});

test('a database that is down: the window is kept (in the store too) and backfilled once it is back, once', { skip }, async () => {
  const kv = new Map<string, unknown>();
  const store = { getValue: async <T>(k: string) => kv.get(k) as T | undefined, setValue: async (k: string, v: unknown) => void kv.set(k, v) };
  const own = await createPgCdrDatabase();
  const records = cdrEvents('lab22-a_inbound_answered.txt');
  await own.insert(freepbxRows(records, TZ), TZ);
  let url = 'postgres://u:p@127.0.0.1:1/asterisk';
  const handled: string[] = [];
  const run = async (from: number, to: number): Promise<boolean> => {
    const r = await backfillFromCdr(from, to, {
      read: (since, layout, until) => readPgCdrRows(options(url), layout, since, until), layout: LAYOUT, source: 'the CDR database',
      trackerConfig: () => trackerConfig(), known: async (k) => handled.includes(k), logger: silentLogger,
      handle: (changes) => handled.push(...changes.map((c) => c.callKey)),
    });
    return !r.failed;
  };
  const gap = { from: records[0]!.start - 1_000, to: records.at(-1)!.end + 5_000 };
  const q = new CdrGapQueue({ store, run, logger: silentLogger, delaysMs: [100] });
  await q.connected(gap);
  assert.deepEqual(q.waiting, gap, 'kept while the database is down');
  assert.deepEqual(kv.get(CDR_PENDING_KEY), gap, 'and in the store, for a restart');
  q.close();
  url = own.url;
  const q2 = new CdrGapQueue({ store, run, logger: silentLogger, delaysMs: [100] });
  await q2.connected(undefined);
  assert.deepEqual(handled, [records[0]!.uniqueid]);
  assert.equal(q2.waiting, undefined);
  assert.equal(kv.get(CDR_PENDING_KEY), null);
  url = 'postgres://u:p@127.0.0.1:1/asterisk';
  await q2.connected({ from: gap.to, to: gap.to + 60_000 });
  assert.ok(q2.waiting);
  url = own.url;
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(q2.waiting, undefined, 'tried again on its own');
  assert.equal(handled.length, 1, 'nothing twice');
  q2.close();
});
