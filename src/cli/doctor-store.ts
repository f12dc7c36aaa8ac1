/**
 * Doctor check of a PostgreSQL store (`store.driver: "postgres"`): the server answers at
 * store.url, it is not a read-only standby, the schema version is one this build knows, and the
 * role may write the connector's tables (or create them, on an empty database). Every write is
 * made inside a transaction that is rolled back: the check leaves nothing behind.
 */
import pg from 'pg';
import type { Config } from '../config/schema.js';
import { storeLocation } from '../adapters/store/open-store.js';
import { currentVersion, PG_MIGRATIONS } from '../adapters/store/postgres-migrations.js';
import { fail, pass, type CheckOutcome } from './doctor-check.js';

function codeOf(e: unknown): string {
  return e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : 'ERROR';
}

/** What to do about a failed connection, by the driver's or the server's error code. */
function connectHint(code: string, database: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing listens there: is PostgreSQL running, and does listen_addresses (postgresql.conf) include this address?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name in store.url does not resolve';
    case '28P01':
    case '28000':
      return 'authentication refused: check the user and password in store.url and the pg_hba.conf line for this host (docs/operations.md)';
    case '3D000':
      return `the database does not exist: createdb -O asterisk_b24 ${database} (docs/operations.md)`;
    default:
      return 'check store.url (postgres://user:password@host:5432/database), the firewall and that PostgreSQL runs';
  }
}

export async function checkPostgresStore(s: Config['store'], timeoutMs: number): Promise<CheckOutcome> {
  const where = storeLocation(s);
  const database = (() => {
    try {
      return new URL(s.url ?? '').pathname.slice(1) || 'asterisk_b24';
    } catch {
      return 'asterisk_b24';
    }
  })();
  const client = new pg.Client({
    connectionString: s.url,
    connectionTimeoutMillis: Math.max(500, Math.min(s.connectTimeoutMs, timeoutMs - 500)),
    statement_timeout: Math.max(500, timeoutMs - 500),
    application_name: 'asterisk-b24 doctor',
  });
  client.on('error', () => undefined); // a dropped connection surfaces as the query's error
  try {
    try {
      await client.connect();
    } catch (e) {
      const code = codeOf(e);
      return fail(`cannot connect to ${where} (${code}: ${(e as Error).message})`, connectHint(code, database), 'DOCTOR_STORE_CONNECT');
    }
    const info = (await client.query<{ v: string; standby: boolean; ro: string }>(
      "SELECT current_setting('server_version') AS v, pg_is_in_recovery() AS standby, current_setting('default_transaction_read_only') AS ro")).rows[0];
    const server = `PostgreSQL ${info?.v ?? '?'}`;
    if (info?.standby || info?.ro === 'on') {
      return fail(`${where} is read-only (${info.standby ? 'a standby in recovery' : 'default_transaction_read_only = on'})`,
        'point store.url at the primary server', 'DOCTOR_STORE_READ_ONLY');
    }
    const version = await currentVersion(client);
    const newest = PG_MIGRATIONS.length;
    if (version > newest) {
      return fail(`${where}: schema version ${version}, this build knows up to ${newest}`,
        'a newer connector migrated this database: run that version (or restore a backup taken before the upgrade)', 'DOCTOR_STORE_SCHEMA_TOO_NEW');
    }
    try {
      await client.query('BEGIN');
      if (version === 0) {
        await client.query('CREATE TABLE asterisk_b24_doctor_probe (x INTEGER)');
      } else {
        await client.query(`INSERT INTO kv (key, value, updated_at) VALUES ('doctor.probe', '"ok"', 0)
          ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at`);
        // Privileges are checked when a statement starts, even when no row matches.
        await client.query('UPDATE outbox SET updated_at = updated_at WHERE false');
        await client.query('DELETE FROM outbox WHERE false');
        await client.query('UPDATE calls SET updated_at = updated_at WHERE false');
        await client.query('DELETE FROM events_seen WHERE false');
      }
    } catch (e) {
      const code = codeOf(e);
      return fail(`${where}: the role cannot ${version === 0 ? 'create tables' : 'write the connector\'s tables'} (${code}: ${(e as Error).message})`,
        `make the role the owner of the database (ALTER DATABASE ${database} OWNER TO <role>) or GRANT it CREATE on the schema and INSERT, UPDATE, DELETE on its tables (docs/operations.md)`,
        'DOCTOR_STORE_NOT_WRITABLE');
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
    const schema = version === 0 ? `empty database (the connector creates its tables, version ${newest}, at start)`
      : version < newest ? `schema version ${version} (migrated to ${newest} at the next start)` : `schema version ${version}`;
    return pass(`${where}: ${server}, ${schema}, writable`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
