/**
 * Schema migrations for the SQLite store: numbered SQL in code, applied forward-only, each in its
 * own transaction, recorded in `schema_version`. Never edit a released migration: add the next one.
 */
import type Database from 'libsql';
import { ConnectorError } from '../../errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'outbox',
    sql: `
      CREATE TABLE outbox (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        call_key           TEXT    NOT NULL,
        step               TEXT    NOT NULL,
        idempotency_key    TEXT    NOT NULL,
        method             TEXT    NOT NULL,
        params             TEXT    NOT NULL,
        priority           INTEGER NOT NULL,
        state              TEXT    NOT NULL CHECK (state IN ('pending','running','done','dead','discarded')),
        attempts           INTEGER NOT NULL DEFAULT 0,
        next_attempt_at    INTEGER NOT NULL,
        expires_at         INTEGER,
        solo               INTEGER NOT NULL DEFAULT 0,
        uncertain          INTEGER NOT NULL DEFAULT 0,
        last_error_code    TEXT,
        last_error_message TEXT,
        result             TEXT,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        locked_at          INTEGER
      );
      CREATE UNIQUE INDEX outbox_idempotency ON outbox(idempotency_key);
      CREATE UNIQUE INDEX outbox_call_step ON outbox(call_key, step);
      CREATE INDEX outbox_call_seq ON outbox(call_key, id);
      CREATE INDEX outbox_ready ON outbox(state, priority, created_at, id);
      CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
      CREATE INDEX outbox_expiry ON outbox(expires_at) WHERE expires_at IS NOT NULL AND state = 'pending';
    `,
  },
  {
    version: 2,
    name: 'calls-kv-events',
    sql: `
      CREATE TABLE calls (
        call_key    TEXT PRIMARY KEY,
        state       TEXT    NOT NULL,
        b24_call_id TEXT,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        ended_at    INTEGER
      );
      CREATE INDEX calls_open ON calls(ended_at, created_at);
      CREATE TABLE kv (
        key        TEXT PRIMARY KEY,
        value      TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE events_seen (
        event_id   TEXT PRIMARY KEY,
        seen_at    INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX events_seen_expiry ON events_seen(expires_at);
    `,
  },
  {
    version: 3,
    name: 'call-talkers',
    // Sticky routing (call-talkers.ts): who answered which client number, filled from here on when
    // a call ends, and now from the history already stored (talkersOf's rules, in SQL).
    sql: `
      CREATE TABLE call_talkers (
        call_key      TEXT    NOT NULL,
        conversation  TEXT    NOT NULL,
        client_number TEXT    NOT NULL,
        user_id       INTEGER NOT NULL,
        extension     TEXT    NOT NULL,
        direction     TEXT    NOT NULL CHECK (direction IN ('incoming','outgoing')),
        answered_at   INTEGER NOT NULL,
        talk_ms       INTEGER NOT NULL,
        PRIMARY KEY (call_key, conversation)
      );
      CREATE INDEX call_talkers_client ON call_talkers(client_number, answered_at);
      INSERT OR IGNORE INTO call_talkers
        SELECT c.call_key, json_extract(v.value, '$.id'), json_extract(c.state, '$.clientPhone'), u.value,
          json_extract(v.value, '$.extension'),
          CASE json_extract(c.state, '$.summary.direction') WHEN 'incoming' THEN 'incoming' ELSE 'outgoing' END,
          json_extract(v.value, '$.acceptedAt'),
          max(0, COALESCE(json_extract(v.value, '$.endedAt'), c.ended_at) - json_extract(v.value, '$.acceptedAt'))
        FROM calls AS c
          JOIN json_each(c.state, '$.summary.conversations') AS v
          JOIN json_each(c.state, '$.users') AS u ON u.key = json_extract(v.value, '$.extension')
        WHERE c.ended_at IS NOT NULL AND json_valid(c.state)
          AND json_type(c.state, '$.summary.conversations') = 'array' AND json_type(c.state, '$.users') = 'object'
          AND json_extract(c.state, '$.summary.direction') IN ('incoming', 'outgoing', 'click-to-call')
          AND json_type(c.state, '$.clientPhone') = 'text' AND json_extract(c.state, '$.clientPhone') <> ''
          AND json_type(v.value, '$.id') = 'text' AND json_type(v.value, '$.extension') = 'text'
          AND json_type(v.value, '$.acceptedAt') IN ('integer', 'real')
          AND u.type = 'integer' AND u.value > 0;
    `,
  },
  {
    version: 4,
    name: 'panel-audit',
    // Who changed what through the admin panel (audit-log.ts), newest first by id.
    sql: `
      CREATE TABLE panel_audit (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        INTEGER NOT NULL,
        user_name TEXT    NOT NULL,
        role      TEXT    NOT NULL,
        ip        TEXT    NOT NULL,
        action    TEXT    NOT NULL,
        target    TEXT    NOT NULL,
        details   TEXT    NOT NULL
      );
    `,
  },
];

export interface MigrationReport {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly number[];
}

/** Brings the database to the newest version it knows. Safe to run on every start. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now: number = Date.now()): MigrationReport {
  checkNumbering(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const current = (): number =>
    (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version').get() as { v: number }).v;
  const from = current();
  const newest = migrations.length ? (migrations[migrations.length - 1] as Migration).version : 0;
  if (from > newest) {
    throw new ConnectorError('STORE_SCHEMA_TOO_NEW', `database schema is version ${from}, this build knows up to ${newest}`, {
      details: { from, newest },
    });
  }
  const applied: number[] = [];
  const insert = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    // Re-read inside the transaction: another process may have migrated meanwhile.
    const run = db.transaction(() => {
      if (current() >= m.version) return false;
      db.exec(m.sql);
      insert.run(m.version, m.name, now);
      return true;
    });
    try {
      if (run.immediate()) applied.push(m.version);
    } catch (cause) {
      throw new ConnectorError('STORE_MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed`, { cause, details: { version: m.version } });
    }
  }
  return { from, to: current(), applied };
}

export function checkNumbering(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new ConnectorError('STORE_MIGRATION_ORDER', `migration #${i} has version ${m.version}, expected ${i + 1}`);
    }
  });
}
