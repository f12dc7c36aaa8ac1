/**
 * The connector's small state tables on SQLite: `calls` (restart recovery), `kv` (OAuth tokens,
 * settings) and `events_seen` (dedupe of Bitrix24 event deliveries, with expiry). Synchronous;
 * sqlite.ts wraps them in the async ports.
 */
import type Database from 'libsql';
import type { CallRecord, CallUpsert } from '../../outbox/store-port.js';
import { talkersOf } from './call-talkers.js';

interface CallRow {
  call_key: string;
  state: string;
  b24_call_id: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

function toCall(r: CallRow): CallRecord {
  return {
    callKey: r.call_key,
    state: JSON.parse(r.state),
    b24CallId: r.b24_call_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    endedAt: r.ended_at,
  };
}

export type SqliteState = ReturnType<typeof createSqliteState>;

export function createSqliteState(db: Database.Database) {
  const s = {
    upsertCall: db.prepare(`INSERT INTO calls (call_key, state, b24_call_id, created_at, updated_at, ended_at)
      VALUES (@callKey, @state, @b24CallId, @now, @now, @endedAt)
      ON CONFLICT (call_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
        b24_call_id = CASE WHEN @hasB24CallId THEN excluded.b24_call_id ELSE calls.b24_call_id END,
        ended_at = CASE WHEN @hasEndedAt THEN excluded.ended_at ELSE calls.ended_at END`),
    getCall: db.prepare('SELECT * FROM calls WHERE call_key = ?'),
    openCalls: db.prepare('SELECT * FROM calls WHERE ended_at IS NULL ORDER BY created_at, call_key'),
    setB24: db.prepare('UPDATE calls SET b24_call_id = @b24CallId, updated_at = @now WHERE call_key = @callKey'),
    purgeCalls: db.prepare('DELETE FROM calls WHERE ended_at IS NOT NULL AND ended_at < ?'),
    purgeTalkers: db.prepare('DELETE FROM call_talkers WHERE call_key IN (SELECT call_key FROM calls WHERE ended_at IS NOT NULL AND ended_at < ?)'),
    talker: db.prepare(`INSERT INTO call_talkers (call_key, conversation, client_number, user_id, extension, direction, answered_at, talk_ms)
      VALUES (@callKey, @conversation, @clientNumber, @userId, @extension, @direction, @answeredAt, @talkMs)
      ON CONFLICT (call_key, conversation) DO UPDATE SET client_number = excluded.client_number, user_id = excluded.user_id,
        extension = excluded.extension, direction = excluded.direction, answered_at = excluded.answered_at, talk_ms = excluded.talk_ms`),
    getValue: db.prepare('SELECT value FROM kv WHERE key = ?'),
    setValue: db.prepare(`INSERT INTO kv (key, value, updated_at) VALUES (@key, @value, @now)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
    deleteValue: db.prepare('DELETE FROM kv WHERE key = ?'),
    markSeen: db.prepare(`INSERT INTO events_seen (event_id, seen_at, expires_at) VALUES (@id, @now, @expiresAt)
      ON CONFLICT (event_id) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at
      WHERE events_seen.expires_at <= excluded.seen_at`),
    purgeSeen: db.prepare('DELETE FROM events_seen WHERE expires_at <= ?'),
  };

  return {
    upsertCall(c: CallUpsert): void {
      s.upsertCall.run({
        callKey: c.callKey, state: JSON.stringify(c.state ?? null), now: c.now,
        b24CallId: c.b24CallId ?? null, hasB24CallId: c.b24CallId !== undefined ? 1 : 0,
        endedAt: c.endedAt ?? null, hasEndedAt: c.endedAt !== undefined ? 1 : 0,
      });
      // The call's end: who talked with the client (sticky routing); the caller runs this in a transaction.
      if (typeof c.endedAt === 'number') for (const t of talkersOf(c.callKey, c.state, c.endedAt)) s.talker.run({ ...t });
    },
    getCall(callKey: string): CallRecord | undefined {
      const r = s.getCall.get(callKey) as CallRow | undefined;
      return r ? toCall(r) : undefined;
    },
    listOpenCalls: (): CallRecord[] => (s.openCalls.all() as CallRow[]).map(toCall),
    setB24CallId: (callKey: string, b24CallId: string, now: number): boolean =>
      s.setB24.run({ callKey, b24CallId, now }).changes === 1,
    purgeEndedCalls: (before: number): number => {
      s.purgeTalkers.run(before);
      return s.purgeCalls.run(before).changes;
    },
    getValue(key: string): unknown {
      const r = s.getValue.get(key) as { value: string } | undefined;
      return r ? JSON.parse(r.value) : undefined;
    },
    setValue(key: string, value: unknown, now: number): void {
      s.setValue.run({ key, value: JSON.stringify(value ?? null), now });
    },
    deleteValue: (key: string): boolean => s.deleteValue.run(key).changes === 1,
    markSeen: (eventId: string, now: number, expiresAt: number): boolean =>
      s.markSeen.run({ id: eventId, now, expiresAt }).changes === 1,
    purgeSeen: (now: number): number => s.purgeSeen.run(now).changes,
  };
}
