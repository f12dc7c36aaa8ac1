/** doctor's local.cdr on cdr_pgsql's table (cdr.source: pgsql), against a real PostgreSQL: each problem its line, code and hint. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { checkCdrPgsql } from '../../src/cli/doctor-cdr.js';
import { runDoctorChecks } from '../../src/cli/doctor.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { pgAvailable, stopSharedPgCluster } from '../store/pg-cluster.js';
import { cdrEvents, freepbxRows } from './freepbx-rows.js';
import { createPgCdrDatabase, PG_SKIP, type PgCdrDatabase } from './pgsql-cdr.js';

const skip = pgAvailable() ? false : PG_SKIP;
const TZ = 'Europe/Moscow';
const NOW = () => Date.UTC(2026, 10, 22, 5, 0, 0);
const BASE = { bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc/' } };

const cdrOf = (url: string, pgsql: Record<string, unknown> = {}): Config['cdr'] =>
  parseConfig({ ...BASE, cdr: { source: 'pgsql', pgsql: { url, timezone: TZ, connectTimeoutMs: 1_000, ...pgsql } } }).cdr;

after(() => stopSharedPgCluster());

async function filled(o: Parameters<typeof createPgCdrDatabase>[0] = {}): Promise<PgCdrDatabase> {
  const d = await createPgCdrDatabase(o);
  await d.insert(freepbxRows(cdrEvents('lab22-a_inbound_answered.txt'), TZ), TZ);
  return d;
}

test('a read-only role on cdr_pgsql\'s table: pass, with the calldate type and the last record', { skip }, async () => {
  const db = await filled();
  const r = await checkCdrPgsql(cdrOf(db.url), NOW);
  assert.equal(r.status, 'pass', r.message);
  assert.match(r.message, /^ab24_\w+\.cdr at 127\.0\.0\.1:\d+ readable; calldate timestamptz; linkedid present; last record 2026-11-22T04:50:01\.000Z$/);
  const plain = await filled({ zoned: false });
  const p = await checkCdrPgsql(cdrOf(plain.url), NOW);
  assert.equal(p.status, 'pass', p.message);
  assert.match(p.message, /calldate timestamp in Europe\/Moscow; linkedid present; last record 2026-11-22T04:50:01\.000Z$/);
  const report = await runDoctorChecks(parseConfig({ ...BASE, cdr: { source: 'pgsql', pgsql: { url: db.url } } }), { groups: ['local'], timeoutMs: 5_000 });
  const line = report.checks.find((c) => c.id === 'local.cdr')!;
  assert.deepEqual([line.title, line.status], ['CDR database (calls made while down)', 'pass']);
});

test('cannot log in, cannot read, not a CDR table: fail with the fix', { skip }, async () => {
  const noGrant = await createPgCdrDatabase({ grant: false });
  const denied = await checkCdrPgsql(cdrOf(noGrant.url), NOW);
  assert.deepEqual([denied.status, denied.code], ['fail', 'DOCTOR_CDR_PGSQL_DENIED']);
  assert.match(denied.hint ?? '', /GRANT SELECT ON cdr TO asterisk_b24/);
  const db = await filled();
  const missing = await checkCdrPgsql(cdrOf(db.url, { table: 'cdr2' }), NOW);
  assert.deepEqual([missing.status, missing.code], ['fail', 'DOCTOR_CDR_PGSQL_TABLE']);
  const u = new URL(db.url);
  u.username = 'nobody_here';
  const wrong = await checkCdrPgsql(cdrOf(u.toString()), NOW);
  assert.deepEqual([wrong.status, wrong.code], ['fail', 'DOCTOR_CDR_PGSQL_CONNECT']);
  assert.match(wrong.message, /\(28000\)/);
  assert.match(wrong.hint ?? '', /pg_hba\.conf/);
  const refused = await checkCdrPgsql(cdrOf('postgres://u:p@127.0.0.1:1/asterisk'), NOW);
  assert.deepEqual([refused.status, refused.code], ['fail', 'DOCTOR_CDR_PGSQL_CONNECT']);
  assert.match(refused.hint ?? '', /nothing listens at 127\.0\.0\.1:1/);
  const other = await filled();
  await other.admin('ALTER TABLE cdr DROP COLUMN dstchannel');
  const notCdr = await checkCdrPgsql(cdrOf(other.url), NOW);
  assert.deepEqual([notCdr.status, notCdr.code], ['fail', 'DOCTOR_CDR_PGSQL_TABLE']);
  assert.match(notCdr.message, /has no column dstchannel/);
});

test('warnings: no linkedid, calldate not indexed, more than SELECT, empty, calldate in the future', { skip }, async () => {
  const old = await filled({ index: false });
  await old.admin('ALTER TABLE cdr DROP COLUMN linkedid');
  const r = await checkCdrPgsql(cdrOf(old.url), NOW);
  assert.deepEqual([r.status, r.code], ['warn', 'DOCTOR_CDR_PGSQL_NO_LINKEDID']);
  assert.match(r.message, /no linkedid column.*calldate is not indexed/);
  assert.match(r.hint ?? '', /CREATE INDEX ON cdr \(calldate\)/);

  const rw = await filled();
  await rw.admin(`GRANT INSERT, DELETE ON cdr TO ${rw.role}`);
  const w = await checkCdrPgsql(cdrOf(rw.url), NOW);
  assert.deepEqual([w.status, w.code], ['warn', 'DOCTOR_CDR_PGSQL_NOT_READONLY']);
  assert.match(w.message, /may also INSERT, DELETE/);
  const su = await checkCdrPgsql(cdrOf(rw.adminUrl), NOW);
  assert.match(su.message, /may also everything \(a superuser\)/);

  const empty = await createPgCdrDatabase();
  const e = await checkCdrPgsql(cdrOf(empty.url), NOW);
  assert.deepEqual([e.status, e.code], ['warn', 'DOCTOR_CDR_PGSQL_EMPTY']);

  // A timestamp written on Moscow's clock, read as New York's: 8 hours in the future.
  const plain = await filled({ zoned: false });
  const clock = await checkCdrPgsql(cdrOf(plain.url, { timezone: 'America/New_York' }), NOW);
  assert.deepEqual([clock.status, clock.code], ['warn', 'DOCTOR_CDR_PGSQL_CLOCK']);
  assert.match(clock.hint ?? '', /cdr\.pgsql\.timezone/);
  // A timestamptz ignores cdr.pgsql.timezone; Asterisk's Moscow wall clock stored as UTC lands 3 h late — in the future at NOW.
  const late = await createPgCdrDatabase();
  await late.insert(freepbxRows(cdrEvents('lab22-a_inbound_answered.txt'), TZ), 'UTC');
  const tz = await checkCdrPgsql(cdrOf(late.url, { timezone: 'America/New_York' }), NOW);
  assert.deepEqual([tz.status, tz.code], ['warn', 'DOCTOR_CDR_PGSQL_CLOCK']);
  assert.match(tz.hint ?? '', /cdr_pgsql\.conf/);
});
