/** doctor's local.cdr on the CDR database (cdr.source: mysql), against a real MariaDB: each problem its line, code and hint. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { checkCdrMysql } from '../../src/cli/doctor-cdr.js';
import { runDoctorChecks } from '../../src/cli/doctor.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { cdrEvents, freepbxRows } from './freepbx-rows.js';
import { mariadbAvailable, MARIADB_SKIP, sharedMariaDb, stopSharedMariaDb, type CdrDatabase } from './mariadb-server.js';

const skip = mariadbAvailable() ? false : MARIADB_SKIP;
const TZ = 'Europe/Moscow';
const NOW = () => Date.UTC(2026, 10, 22, 5, 0, 0);
const BASE = { bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc/' } };

const cdrOf = (url: string, mysql: Record<string, unknown> = {}): Config['cdr'] =>
  parseConfig({ ...BASE, cdr: { source: 'mysql', mysql: { url, timezone: TZ, connectTimeoutMs: 1_000, ...mysql } } }).cdr;

let db: CdrDatabase;
before(async () => {
  if (skip) return;
  db = await (await sharedMariaDb()).createCdrDatabase();
  await db.insert(freepbxRows(cdrEvents('lab22-a_inbound_answered.txt'), TZ));
});
after(() => stopSharedMariaDb());

async function filled(): Promise<CdrDatabase> {
  const d = await (await sharedMariaDb()).createCdrDatabase();
  await d.insert(freepbxRows(cdrEvents('lab22-a_inbound_answered.txt'), TZ));
  return d;
}

test('a read-only user on FreePBX\'s table: pass, with the last record', { skip }, async () => {
  const r = await checkCdrMysql(cdrOf(db.url), NOW);
  assert.equal(r.status, 'pass', r.message);
  assert.match(r.message, /^asteriskcdrdb_\w+\.cdr at 127\.0\.0\.1:\d+ readable; linkedid present; last record 2026-11-22T04:50:01\.000Z$/);
  const report = await runDoctorChecks(parseConfig({ ...BASE, cdr: { source: 'mysql', mysql: { url: db.url, timezone: TZ } } }), { groups: ['local'], timeoutMs: 5_000 });
  const line = report.checks.find((c) => c.id === 'local.cdr')!;
  assert.deepEqual([line.title, line.status], ['CDR database (calls made while down)', 'pass']);
});

test('cannot log in, cannot read, not a CDR table: fail with the fix', { skip }, async () => {
  const server = await sharedMariaDb();
  const noGrant = await server.createCdrDatabase({ grant: false });
  const denied = await checkCdrMysql(cdrOf(noGrant.url), NOW);
  assert.deepEqual([denied.status, denied.code], ['fail', 'DOCTOR_CDR_MYSQL_DENIED']);
  assert.match(denied.hint ?? '', new RegExp(`GRANT SELECT ON ${noGrant.database}\\.cdr TO 'asterisk-b24'`));
  const missing = await checkCdrMysql(cdrOf(db.url, { table: 'cdr2' }), NOW);
  assert.deepEqual([missing.status, missing.code], ['fail', 'DOCTOR_CDR_MYSQL_DENIED'], 'a read-only user cannot see a table it may not read');
  const wrong = await checkCdrMysql(cdrOf(db.url.replace(/:pw-[^@]+@/, ':nope@')), NOW);
  assert.deepEqual([wrong.status, wrong.code], ['fail', 'DOCTOR_CDR_MYSQL_CONNECT']);
  assert.match(wrong.message, /\(ER_ACCESS_DENIED_ERROR\)/);
  assert.match(wrong.hint ?? '', /wrong user or password/);
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const refused = await checkCdrMysql(cdrOf(`mysql://u:p@127.0.0.1:${port}/asteriskcdrdb`), NOW);
  assert.deepEqual([refused.status, refused.code], ['fail', 'DOCTOR_CDR_MYSQL_CONNECT']);
  assert.match(refused.hint ?? '', /nothing listens at 127\.0\.0\.1:\d+/);
  const other = await filled();
  await other.admin('ALTER TABLE cdr DROP COLUMN dstchannel');
  const notCdr = await checkCdrMysql(cdrOf(other.url), NOW);
  assert.deepEqual([notCdr.status, notCdr.code], ['fail', 'DOCTOR_CDR_MYSQL_TABLE']);
  assert.match(notCdr.message, /has no column dstchannel/);
});

test('warnings: no linkedid, calldate not indexed, more than SELECT, empty, calldate in the future', { skip }, async () => {
  const old = await filled();
  await old.admin('ALTER TABLE cdr DROP COLUMN linkedid, DROP INDEX calldate');
  const r = await checkCdrMysql(cdrOf(old.url), NOW);
  assert.deepEqual([r.status, r.code], ['warn', 'DOCTOR_CDR_MYSQL_NO_LINKEDID']);
  assert.match(r.message, /no linkedid column.*calldate is not indexed/);
  assert.match(r.hint ?? '', /ADD INDEX calldate \(calldate\)/);

  const rw = await filled();
  await rw.admin(`GRANT INSERT, DELETE ON ${rw.database}.cdr TO '${rw.user}'@'%'`);
  const w = await checkCdrMysql(cdrOf(rw.url), NOW);
  assert.deepEqual([w.status, w.code], ['warn', 'DOCTOR_CDR_MYSQL_NOT_READONLY']);
  assert.match(w.message, /may also INSERT, DELETE/);

  const empty = await (await sharedMariaDb()).createCdrDatabase();
  const e = await checkCdrMysql(cdrOf(empty.url), NOW);
  assert.deepEqual([e.status, e.code], ['warn', 'DOCTOR_CDR_MYSQL_EMPTY']);

  // Rows written on Moscow's clock, read as New York's: 8 hours in the future.
  const clock = await checkCdrMysql(cdrOf(db.url, { timezone: 'America/New_York' }), NOW);
  assert.deepEqual([clock.status, clock.code], ['warn', 'DOCTOR_CDR_MYSQL_CLOCK']);
  assert.match(clock.hint ?? '', /cdr\.mysql\.timezone/);
});
