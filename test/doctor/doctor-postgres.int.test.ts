/**
 * `doctor` on a PostgreSQL store (local.store): passes on an empty or a migrated database, and
 * fails with a hint when nothing listens, the database is missing, or the role may not write.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStore } from '../../src/adapters/store/open-store.js';
import { parseConfig } from '../../src/config/load.js';
import { runDoctorChecks } from '../../src/cli/doctor.js';
import { pgAvailable, sharedPgCluster, stopSharedPgCluster } from '../store/pg-cluster.js';
import { PG_MIGRATIONS } from '../../src/adapters/store/postgres-migrations.js';
import { byId } from './harness.js';

const skip = pgAvailable() ? false : 'no PostgreSQL here (apt install postgresql, or set ASTERISK_B24_TEST_PG_URL)';
after(async () => {
  if (!skip) await stopSharedPgCluster();
});

async function storeCheck(url: string) {
  const config = parseConfig({ bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc/' }, store: { driver: 'postgres', url } });
  const report = await runDoctorChecks(config, { groups: ['local'], timeoutMs: 3_000 });
  return byId(report.checks, 'local.store');
}

describe('doctor, PostgreSQL store', { skip }, () => {
  test('empty database, then migrated: pass, with the schema version', async () => {
    const url = await (await sharedPgCluster()).createDatabase();
    const empty = await storeCheck(url);
    assert.equal(empty.status, 'pass', empty.message);
    assert.match(empty.message, /empty database .*writable/);
    await (await openStore({ driver: 'postgres', path: '', url })).close();
    const migrated = await storeCheck(url);
    assert.equal(migrated.status, 'pass', migrated.message);
    assert.match(migrated.message, new RegExp(`PostgreSQL \\d+.*schema version ${PG_MIGRATIONS.length}, writable`));
    // The probe left nothing behind.
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    assert.equal((await c.query("SELECT COUNT(*)::int AS n FROM kv WHERE key = 'doctor.probe'")).rows[0]?.n, 0);
    await c.end();
  });

  test('a role that may only read: DOCTOR_STORE_NOT_WRITABLE with a GRANT hint', async () => {
    const url = await (await sharedPgCluster()).createDatabase();
    await (await openStore({ driver: 'postgres', path: '', url })).close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const role = `ro_${process.pid}`;
    await c.query(`DROP ROLE IF EXISTS ${role}`);
    await c.query(`CREATE ROLE ${role} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    await c.end();
    const u = new URL(url);
    u.username = role;
    const r = await storeCheck(u.toString());
    assert.equal(r.status, 'fail');
    assert.equal(r.code, 'DOCTOR_STORE_NOT_WRITABLE');
    assert.match(r.hint ?? '', /GRANT|OWNER/);
  });

  test('nothing listens / no such database: DOCTOR_STORE_CONNECT with a hint, no password shown', async () => {
    const admin = new URL((await sharedPgCluster()).adminUrl);
    admin.password = 'hunter2';
    const down = new URL(admin);
    down.port = '1';
    const r1 = await storeCheck(down.toString());
    assert.equal(r1.status, 'fail');
    assert.equal(r1.code, 'DOCTOR_STORE_CONNECT');
    assert.match(r1.hint ?? '', /listen_addresses/);
    assert.doesNotMatch(r1.message, /hunter2/);
    const missing = new URL(admin);
    missing.password = '';
    missing.pathname = '/no_such_db';
    const r2 = await storeCheck(missing.toString());
    assert.equal(r2.code, 'DOCTOR_STORE_CONNECT');
    assert.match(r2.hint ?? '', /createdb/);
  });
});
