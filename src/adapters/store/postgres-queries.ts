/**
 * The admin panel's and the CLI's read-only queries on PostgreSQL (the twin of
 * sqlite-panel-queries.ts): call history search over the flow's stored JSON state with
 * PostgreSQL's JSON operators, the outbox newest first, and the raw facts the charts bucket.
 */
import type { CommandState, OutboxCommand } from '../../outbox/command.js';
import type { CallRecord } from '../../outbox/store-port.js';
import type { CallSearch, StoreQueries } from './app-store.js';
import { rowToCommand } from './outbox-rows.js';
import { lastTalkerSql, toLastTalker } from './call-talkers.js';
import type { TalkerDbRow } from './call-talkers.js';
import type { OutboxRow } from './outbox-rows.js';
import type { Queryable } from './postgres-pool.js';
import { pgCallRecord } from './postgres-state.js';
import type { PgCallRow } from './postgres-state.js';

/** The call's start from its stored summary, else the row's creation. */
const STARTED = "COALESCE((state #>> '{summary,startedAt}')::float8, created_at)";

async function searchCalls(q: Queryable, s: CallSearch): Promise<{ rows: CallRecord[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const bind = (v: unknown): string => `$${params.push(v)}`;
  if (s.endedOnly ?? true) where.push('ended_at IS NOT NULL');
  const digits = s.number?.replace(/\D/g, '') ?? '';
  if (digits) {
    where.push(`replace(replace(replace(replace(COALESCE(state #>> '{summary,clientNumber}', ''), '+', ''), ' ', ''), '-', ''), '(', '') LIKE ${bind(`%${digits}%`)}`);
  }
  if (s.extension) {
    const ext = bind(s.extension);
    where.push(`(state #>> '{summary,callerExtension}' = ${ext} OR EXISTS (
      SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(state #> '{summary,conversations}') = 'array'
        THEN state #> '{summary,conversations}' ELSE '[]'::json END) AS c WHERE c ->> 'extension' = ${ext}))`);
  }
  if (s.from !== undefined) where.push(`${STARTED} >= ${bind(s.from)}`);
  if (s.to !== undefined) where.push(`${STARTED} < ${bind(s.to)}`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM calls ${w}`, params)).rows[0]?.n ?? 0;
  const page = await q.query<PgCallRow>(`SELECT * FROM calls ${w} ORDER BY ${STARTED} DESC, call_key DESC
    LIMIT ${bind(s.limit)} OFFSET ${bind(s.offset)}`, params);
  return { rows: page.rows.map(pgCallRecord), total };
}

async function listOutboxNewest(q: Queryable, o: { state?: CommandState; limit?: number }): Promise<OutboxCommand[]> {
  const r = o.state
    ? await q.query<OutboxRow>('SELECT * FROM outbox WHERE state = $2 ORDER BY id DESC LIMIT $1', [o.limit ?? 100, o.state])
    : await q.query<OutboxRow>('SELECT * FROM outbox ORDER BY id DESC LIMIT $1', [o.limit ?? 100]);
  return r.rows.map(rowToCommand);
}

async function one(q: Queryable, sql: string): Promise<OutboxCommand | undefined> {
  const r = (await q.query<OutboxRow>(sql)).rows[0];
  return r ? rowToCommand(r) : undefined;
}

/** The queries over a pool; `run` adds the closed check and the error mapping. */
export function postgresQueries(q: Queryable, run: <R>(what: string, fn: () => Promise<R>) => Promise<R>): StoreQueries {
  return {
    searchCalls: (s) => run('searchCalls', () => searchCalls(q, s)),
    listOutboxNewest: (o) => run('listOutboxNewest', () => listOutboxNewest(q, o)),
    lastSentCommand: () => run('lastSentCommand', () =>
      one(q, "SELECT * FROM outbox WHERE attempts > 0 OR state = 'done' ORDER BY updated_at DESC, id DESC LIMIT 1")),
    lastChangedCommand: () => run('lastChangedCommand', () => one(q, 'SELECT * FROM outbox ORDER BY updated_at DESC, id DESC LIMIT 1')),
    callFactsSince: (since) => run('callFactsSince', async () => {
      const r = await q.query<{ s: number; a: string | null; e: number | null }>(`SELECT ${STARTED} AS s,
        state #>> '{summary,answeredAt}' AS a, ended_at AS e FROM calls WHERE ${STARTED} >= $1`, [since]);
      return r.rows.map((x) => ({ startedAt: x.s, answered: x.a !== null, live: x.e === null }));
    }),
    restFactsSince: (since) => run('restFactsSince', async () => {
      const r = await q.query<{ at: number; n: number }>(`SELECT updated_at AS at, attempts AS n FROM outbox
        WHERE updated_at >= $1 AND (attempts > 0 OR state = 'done')`, [since]);
      return r.rows.map((x) => ({ at: x.at, requests: Math.max(1, x.n) }));
    }),
    recentCalls: (limit) => run('recentCalls', async () =>
      (await q.query<PgCallRow>('SELECT * FROM calls ORDER BY updated_at DESC, call_key DESC LIMIT $1', [limit])).rows.map(pgCallRecord)),
    lastTalker: (number, t) => run('lastTalker', async () => {
      const { sql, params } = lastTalkerSql(number, t);
      return toLastTalker((await q.query<TalkerDbRow>(sql, params)).rows[0]);
    }),
  };
}
