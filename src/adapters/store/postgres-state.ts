/**
 * The small state tables on PostgreSQL — `calls` (restart recovery), `kv` (OAuth tokens,
 * settings), `events_seen` (dedupe with expiry) — with the semantics of sqlite-state.ts.
 */
import type { CallRecord, CallUpsert } from '../../outbox/store-port.js';
import type { Queryable } from './postgres-pool.js';
import { talkersOf } from './call-talkers.js';

export interface PgCallRow {
  call_key: string;
  state: string;
  b24_call_id: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

export function pgCallRecord(r: PgCallRow): CallRecord {
  return { callKey: r.call_key, state: JSON.parse(r.state), b24CallId: r.b24_call_id, createdAt: r.created_at, updatedAt: r.updated_at, endedAt: r.ended_at };
}

async function count(q: Queryable, sql: string, params: unknown[]): Promise<number> {
  return (await q.query(sql, params)).rowCount ?? 0;
}

export async function pgUpsertCall(q: Queryable, c: CallUpsert): Promise<void> {
  await q.query(`INSERT INTO calls (call_key, state, b24_call_id, created_at, updated_at, ended_at)
    VALUES ($1, $2, $3, $4, $4, $5)
    ON CONFLICT (call_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
      b24_call_id = CASE WHEN $6::boolean THEN excluded.b24_call_id ELSE calls.b24_call_id END,
      ended_at = CASE WHEN $7::boolean THEN excluded.ended_at ELSE calls.ended_at END`,
  [c.callKey, JSON.stringify(c.state ?? null), c.b24CallId ?? null, c.now, c.endedAt ?? null, c.b24CallId !== undefined, c.endedAt !== undefined]);
  // The call's end: who talked with the client (sticky routing); the caller runs this in a transaction.
  if (typeof c.endedAt !== 'number') return;
  for (const t of talkersOf(c.callKey, c.state, c.endedAt)) {
    await q.query(`INSERT INTO call_talkers (call_key, conversation, client_number, user_id, extension, direction, answered_at, talk_ms)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (call_key, conversation) DO UPDATE SET client_number = excluded.client_number, user_id = excluded.user_id,
        extension = excluded.extension, direction = excluded.direction, answered_at = excluded.answered_at, talk_ms = excluded.talk_ms`,
    [t.callKey, t.conversation, t.clientNumber, t.userId, t.extension, t.direction, t.answeredAt, t.talkMs]);
  }
}

export async function pgGetCall(q: Queryable, callKey: string): Promise<CallRecord | undefined> {
  const r = (await q.query<PgCallRow>('SELECT * FROM calls WHERE call_key = $1', [callKey])).rows[0];
  return r ? pgCallRecord(r) : undefined;
}

export async function pgListOpenCalls(q: Queryable): Promise<CallRecord[]> {
  return (await q.query<PgCallRow>('SELECT * FROM calls WHERE ended_at IS NULL ORDER BY created_at, call_key')).rows.map(pgCallRecord);
}

export async function pgSetB24CallId(q: Queryable, callKey: string, b24CallId: string, now: number): Promise<boolean> {
  return (await count(q, 'UPDATE calls SET b24_call_id = $2, updated_at = $3 WHERE call_key = $1', [callKey, b24CallId, now])) === 1;
}

/** One statement, so the calls and their talker rows go together. */
export async function pgPurgeEndedCalls(q: Queryable, before: number): Promise<number> {
  const r = await q.query<{ n: number }>(`WITH gone AS (DELETE FROM calls WHERE ended_at IS NOT NULL AND ended_at < $1 RETURNING call_key),
    talkers AS (DELETE FROM call_talkers WHERE call_key IN (SELECT call_key FROM gone))
    SELECT COUNT(*)::int AS n FROM gone`, [before]);
  return r.rows[0]?.n ?? 0;
}

export async function pgGetValue(q: Queryable, key: string): Promise<unknown> {
  const r = (await q.query<{ value: string }>('SELECT value FROM kv WHERE key = $1', [key])).rows[0];
  return r ? JSON.parse(r.value) : undefined;
}

export async function pgSetValue(q: Queryable, key: string, value: unknown, now: number): Promise<void> {
  await q.query(`INSERT INTO kv (key, value, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, [key, JSON.stringify(value ?? null), now]);
}

export async function pgDeleteValue(q: Queryable, key: string): Promise<boolean> {
  return (await count(q, 'DELETE FROM kv WHERE key = $1', [key])) === 1;
}

/** One statement: a concurrent duplicate waits for the first insert, then finds it unexpired. */
export async function pgMarkSeen(q: Queryable, eventId: string, now: number, expiresAt: number): Promise<boolean> {
  return (await count(q, `INSERT INTO events_seen (event_id, seen_at, expires_at) VALUES ($1, $2, $3)
    ON CONFLICT (event_id) DO UPDATE SET seen_at = excluded.seen_at, expires_at = excluded.expires_at
    WHERE events_seen.expires_at <= excluded.seen_at`, [eventId, now, expiresAt])) === 1;
}

export function pgPurgeSeen(q: Queryable, now: number): Promise<number> {
  return count(q, 'DELETE FROM events_seen WHERE expires_at <= $1', [now]);
}
