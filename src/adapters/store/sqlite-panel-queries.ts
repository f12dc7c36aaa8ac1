/**
 * Read-only queries the admin panel needs beyond the store ports: call history search (over the
 * flow's stored JSON state, with SQLite's JSON1 functions), the outbox newest first, and the raw
 * facts the charts bucket. New functions over the same tables; nothing here writes. sqliteQueries()
 * offers them as the async StoreQueries of app-store.ts (postgres-queries.ts is the PostgreSQL twin).
 */
import type Database from 'libsql';
import type { CallRecord } from '../../outbox/store-port.js';
import type { CallChartFact, CallSearch, StoreQueries } from './app-store.js';
import type { CommandState, OutboxCommand } from '../../outbox/command.js';
import { rowToCommand } from './outbox-rows.js';
import { lastTalkerSql, toLastTalker } from './call-talkers.js';
import type { TalkerDbRow } from './call-talkers.js';

export type { CallChartFact, CallSearch } from './app-store.js';

interface CallRow {
  call_key: string;
  state: string;
  b24_call_id: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

const STARTED = "COALESCE(json_extract(state, '$.summary.startedAt'), created_at)";

function toRecord(r: CallRow): CallRecord {
  return { callKey: r.call_key, state: JSON.parse(r.state), b24CallId: r.b24_call_id, createdAt: r.created_at, updatedAt: r.updated_at, endedAt: r.ended_at };
}

/** History page: newest call start first, with the total of matching calls. */
export function searchCalls(db: Database.Database, q: CallSearch): { rows: CallRecord[]; total: number } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit, offset: q.offset };
  if (q.endedOnly ?? true) where.push('ended_at IS NOT NULL');
  const digits = q.number?.replace(/\D/g, '') ?? '';
  if (digits) {
    where.push("replace(replace(replace(replace(COALESCE(json_extract(state, '$.summary.clientNumber'), ''), '+', ''), ' ', ''), '-', ''), '(', '') LIKE @number");
    params['number'] = `%${digits}%`;
  }
  if (q.extension) {
    where.push(`(json_extract(state, '$.summary.callerExtension') = @ext OR EXISTS (
      SELECT 1 FROM json_each(state, '$.summary.conversations') AS c WHERE json_extract(c.value, '$.extension') = @ext))`);
    params['ext'] = q.extension;
  }
  if (q.from !== undefined) { where.push(`${STARTED} >= @from`); params['from'] = q.from; }
  if (q.to !== undefined) { where.push(`${STARTED} < @to`); params['to'] = q.to; }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM calls ${w}`).get(params) as { n: number }).n;
  const rows = db.prepare(`SELECT * FROM calls ${w} ORDER BY ${STARTED} DESC, call_key DESC LIMIT @limit OFFSET @offset`).all(params) as CallRow[];
  return { rows: rows.map(toRecord), total };
}

/** Outbox commands newest first (the store port's list is oldest first). */
export function listOutboxNewest(db: Database.Database, q: { state?: CommandState; limit?: number }): OutboxCommand[] {
  const params: Record<string, unknown> = { limit: q.limit ?? 100 };
  let w = '';
  if (q.state) { w = 'WHERE state = @state'; params['state'] = q.state; }
  const rows = db.prepare(`SELECT * FROM outbox ${w} ORDER BY id DESC LIMIT @limit`).all(params);
  return rows.map((r) => rowToCommand(r as Parameters<typeof rowToCommand>[0]));
}

/** The command whose send outcome was recorded last (Bitrix24's last answer), if any. */
export function lastSentCommand(db: Database.Database): OutboxCommand | undefined {
  const r = db.prepare("SELECT * FROM outbox WHERE attempts > 0 OR state = 'done' ORDER BY updated_at DESC, id DESC LIMIT 1").get();
  return r ? rowToCommand(r as Parameters<typeof rowToCommand>[0]) : undefined;
}

/** The command changed last (any state change), for the panel's live outbox event. */
export function lastChangedCommand(db: Database.Database): OutboxCommand | undefined {
  const r = db.prepare('SELECT * FROM outbox ORDER BY updated_at DESC, id DESC LIMIT 1').get();
  return r ? rowToCommand(r as Parameters<typeof rowToCommand>[0]) : undefined;
}

/** Calls started at or after `since`, for the charts. */
export function callFactsSince(db: Database.Database, since: number): CallChartFact[] {
  const rows = db.prepare(`SELECT ${STARTED} AS s, json_extract(state, '$.summary.answeredAt') AS a, ended_at AS e
    FROM calls WHERE ${STARTED} >= ?`).all(since) as Array<{ s: number; a: number | null; e: number | null }>;
  return rows.map((r) => ({ startedAt: r.s, answered: r.a !== null, live: r.e === null }));
}

/** Send attempts of commands last updated at or after `since` (one REST request each, at most). */
export function restFactsSince(db: Database.Database, since: number): Array<{ at: number; requests: number }> {
  const rows = db.prepare("SELECT updated_at AS at, attempts AS n, state FROM outbox WHERE updated_at >= ? AND (attempts > 0 OR state = 'done')").all(since) as Array<{ at: number; n: number }>;
  return rows.map((r) => ({ at: r.at, requests: Math.max(1, r.n) }));
}

/** Calls last updated most recently first (the hooks CLI's sample calls). */
export function recentCalls(db: Database.Database, limit: number): CallRecord[] {
  return (db.prepare('SELECT * FROM calls ORDER BY updated_at DESC, call_key DESC LIMIT ?').all(limit) as CallRow[]).map(toRecord);
}

/** The queries above behind the async StoreQueries interface (what the app uses). */
export function sqliteQueries(db: Database.Database, run: <R>(what: string, fn: () => R) => Promise<R>): StoreQueries {
  return {
    searchCalls: (q) => run('searchCalls', () => searchCalls(db, q)),
    listOutboxNewest: (q) => run('listOutboxNewest', () => listOutboxNewest(db, q)),
    lastSentCommand: () => run('lastSentCommand', () => lastSentCommand(db)),
    lastChangedCommand: () => run('lastChangedCommand', () => lastChangedCommand(db)),
    callFactsSince: (since) => run('callFactsSince', () => callFactsSince(db, since)),
    restFactsSince: (since) => run('restFactsSince', () => restFactsSince(db, since)),
    recentCalls: (limit) => run('recentCalls', () => recentCalls(db, limit)),
    lastTalker: (number, q) => run('lastTalker', () => {
      const { sql, params } = lastTalkerSql(number, q);
      return toLastTalker(db.prepare(sql.replace(/\$\d+/g, '?')).get(...params) as TalkerDbRow | undefined);
    }),
  };
}
