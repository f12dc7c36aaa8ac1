/**
 * The outbox journal on PostgreSQL: the same queries as sqlite-outbox.ts in PostgreSQL's dialect.
 * Every function takes the client to run on; postgres.ts opens the transactions (enqueue, claim,
 * record) and maps driver errors.
 *
 * Claim locks the heads it takes with `FOR UPDATE SKIP LOCKED`, so two claimers never take the same
 * row and never wait on each other; a call's next command is not a head while an earlier one is
 * pending, running or dead (in the claimer's snapshot), which keeps per-call order.
 */
import { COMMAND_STATES, OutboxCode } from '../../outbox/command.js';
import type { CommandError, CommandState, CommandUpdate, NewCommand, OutboxCommand } from '../../outbox/command.js';
import { stepKey } from '../../outbox/packer.js';
import type { KnownStep } from '../../outbox/packer.js';
import type { ClaimOptions, EnqueueResult, ListQuery, OutboxStats, StepLookup } from '../../outbox/store-port.js';
import {
  CARD_AFTER_END_MESSAGE, chainRun, EXPIRED_MESSAGE, NO_PRIORITY_LIMIT, RESUMABLE_CODES, rowToCommand, stepConflict, updateValues, validateCommand,
} from './outbox-rows.js';
import type { OutboxRow } from './outbox-rows.js';
import type { Queryable } from './postgres-pool.js';

const BLOCKING = `('pending', 'running', 'dead')`;

async function rows(q: Queryable, sql: string, params: unknown[] = []): Promise<OutboxRow[]> {
  return (await q.query<OutboxRow>(sql, params)).rows;
}

async function count(q: Queryable, sql: string, params: unknown[]): Promise<number> {
  return (await q.query(sql, params)).rowCount ?? 0;
}

/** Atomic when `q` is a transaction's client (postgres.ts makes sure). */
export async function pgEnqueue(q: Queryable, commands: readonly NewCommand[], now: number): Promise<EnqueueResult> {
  for (const c of commands) validateCommand(c);
  const inserted: number[] = [];
  const ignored: string[] = [];
  // One row at a time: the identity column is the per-call sequence, so ids follow the order given.
  for (const c of commands) {
    const r = await q.query<{ id: number }>(`INSERT INTO outbox (call_key, step, idempotency_key, method, params, priority, state,
        attempts, next_attempt_at, expires_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $8, $7, $7)
      ON CONFLICT DO NOTHING RETURNING id`,
    [c.callKey, c.step, c.idempotencyKey, c.method, JSON.stringify(c.params), c.priority, now, c.expiresAt ?? null]);
    const id = r.rows[0]?.id;
    if (id !== undefined) inserted.push(id);
    else if ((await q.query('SELECT 1 FROM outbox WHERE idempotency_key = $1', [c.idempotencyKey])).rowCount) ignored.push(c.idempotencyKey);
    else throw stepConflict(c);
  }
  return { inserted, ignored };
}

/**
 * Card commands past their expiry, and shows of calls that have ended, are discarded unsent. Run
 * before the claim's transaction, on its own: it may wait for rows a claimer holds, and the claim
 * itself then never waits on anything (no deadlock between claimers).
 */
export async function pgSweepExpired(q: Queryable, now: number): Promise<void> {
  await q.query(`UPDATE outbox SET state = 'discarded', last_error_code = $2, last_error_message = '${EXPIRED_MESSAGE}', updated_at = $1
    WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= $1`, [now, OutboxCode.expired]);
  // A show that went back to pending after a failed send, for a call that has ended since.
  await q.query(`UPDATE outbox SET state = 'discarded', last_error_code = 'OUTBOX_EXPIRED', last_error_message = '${CARD_AFTER_END_MESSAGE}', updated_at = $1
    WHERE state = 'pending' AND expires_at IS NOT NULL AND step LIKE 'show:%'
      AND EXISTS (SELECT 1 FROM calls WHERE calls.call_key = outbox.call_key AND calls.ended_at IS NOT NULL)`, [now]);
}

/**
 * Run inside a transaction, after pgSweepExpired: the rows taken stay locked until it commits.
 * Only SKIP LOCKED reads and updates of rows it holds: it never waits for another claimer.
 */
export async function pgClaim(q: Queryable, o: ClaimOptions): Promise<OutboxCommand[]> {
  const limit = Math.max(0, Math.floor(o.limit));
  if (limit === 0) return [];
  const heads = await rows(q, `SELECT c.* FROM outbox AS c
    WHERE c.state = 'pending' AND c.next_attempt_at <= $1 AND c.priority <= $2::bigint
      AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.call_key = c.call_key AND p.id < c.id AND p.state IN ${BLOCKING})
    ORDER BY c.priority, c.created_at, c.id LIMIT $3
    FOR UPDATE OF c SKIP LOCKED`, [o.now, o.maxPriority ?? NO_PRIORITY_LIMIT, limit]);
  const out: OutboxRow[] = [...heads];
  const maxChain = Math.max(1, Math.floor(o.maxChain ?? 1));
  for (const head of heads) {
    if (out.length >= limit) break;
    const n = Math.min(maxChain - 1, limit - out.length);
    if (n <= 0 || head.solo !== 0) continue;
    const followers = await rows(q, 'SELECT * FROM outbox WHERE call_key = $1 AND id > $2 ORDER BY id LIMIT $3', [head.call_key, head.id, n]);
    const run = chainRun(head, followers, o.now);
    if (run.length === 0) continue;
    // Lock the run; it is cut at the first row somebody else holds (order within the call).
    const locked = await q.query<{ id: number }>(`SELECT id FROM outbox WHERE id = ANY($1::bigint[]) AND state = 'pending'
      FOR UPDATE SKIP LOCKED`, [run.map((r) => r.id)]);
    const ids = new Set(locked.rows.map((r) => r.id));
    const cut = run.findIndex((r) => !ids.has(r.id));
    out.push(...(cut === -1 ? run : run.slice(0, cut)));
  }
  if (out.length === 0) return [];
  await q.query(`UPDATE outbox SET state = 'running', locked_at = $1, updated_at = $1 WHERE id = ANY($2::bigint[])`, [o.now, out.map((r) => r.id)]);
  return out.map((r) => ({ ...rowToCommand(r), state: 'running' as const, updatedAt: o.now }));
}

/** One statement for the whole batch; rows no longer running are skipped. */
export async function pgRecord(q: Queryable, updates: readonly CommandUpdate[], now: number): Promise<void> {
  const seen = new Set<number>();
  const vals = updates.filter((u) => !seen.has(u.id) && seen.add(u.id)).map(updateValues);
  if (vals.length === 0) return;
  await q.query(`UPDATE outbox AS o SET state = u.state, attempts = u.attempts, next_attempt_at = u.next_at,
      last_error_code = u.code, last_error_message = u.message, solo = u.solo, locked_at = NULL, updated_at = $1,
      uncertain = GREATEST(o.uncertain, u.uncertain),
      result = CASE WHEN u.state = 'done' THEN u.result::json ELSE o.result END
    FROM unnest($2::bigint[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::smallint[], $9::smallint[], $10::text[])
      AS u(id, state, attempts, next_at, code, message, solo, uncertain, result)
    WHERE o.id = u.id AND o.state = 'running'`, [
    now, vals.map((v) => v.id), vals.map((v) => v.state), vals.map((v) => v.attempts), vals.map((v) => v.nextAttemptAt),
    vals.map((v) => v.code), vals.map((v) => v.message), vals.map((v) => v.solo), vals.map((v) => v.uncertain), vals.map((v) => v.result),
  ]);
}

export async function pgSteps(q: Queryable, lookups: readonly StepLookup[]): Promise<Map<string, KnownStep>> {
  const out = new Map<string, KnownStep>();
  if (lookups.length === 0) return out;
  const r = await q.query<{ call_key: string; step: string; state: CommandState; result: string | null }>(
    `SELECT o.call_key, o.step, o.state, o.result FROM outbox AS o
      JOIN unnest($1::text[], $2::text[]) AS l(call_key, step) ON o.call_key = l.call_key AND o.step = l.step`,
    [lookups.map((l) => l.callKey), lookups.map((l) => l.step)]);
  const found = new Map(r.rows.map((x) => [stepKey(x.call_key, x.step), x]));
  // In the order asked, as the SQLite journal answers.
  for (const l of lookups) {
    const x = found.get(stepKey(l.callKey, l.step));
    if (x) out.set(stepKey(l.callKey, l.step), { state: x.state, result: x.result === null ? undefined : JSON.parse(x.result) });
  }
  return out;
}

export async function pgList(q: Queryable, query: ListQuery): Promise<OutboxCommand[]> {
  const where: string[] = [];
  const params: unknown[] = [query.limit ?? 100];
  if (query.state) { params.push(query.state); where.push(`state = $${params.length}`); }
  if (query.callKey) { params.push(query.callKey); where.push(`call_key = $${params.length}`); }
  return (await rows(q, `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $1`, params)).map(rowToCommand);
}

export async function pgStats(q: Queryable, now: number): Promise<OutboxStats> {
  const byState = Object.fromEntries(COMMAND_STATES.map((st) => [st, 0])) as Record<CommandState, number>;
  const r = await q.query<{ state: CommandState; n: number }>('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state');
  for (const x of r.rows) byState[x.state] = x.n;
  const oldest = (await q.query<{ t: number | null }>(`SELECT MIN(created_at) AS t FROM outbox WHERE state IN ('pending', 'running')`)).rows[0]?.t ?? null;
  return {
    byState,
    depth: byState.pending + byState.running,
    oldestAgeMs: oldest === null ? 0 : Math.max(0, now - oldest),
    dead: byState.dead,
  };
}

export async function pgGet(q: Queryable, id: number): Promise<OutboxCommand | undefined> {
  const r = (await rows(q, 'SELECT * FROM outbox WHERE id = $1', [id]))[0];
  return r ? rowToCommand(r) : undefined;
}

export async function pgGetByKey(q: Queryable, key: string): Promise<OutboxCommand | undefined> {
  const r = (await rows(q, 'SELECT * FROM outbox WHERE idempotency_key = $1', [key]))[0];
  return r ? rowToCommand(r) : undefined;
}

/** The send of a running row may have reached the portal before the crash: mark it uncertain. */
export function pgReleaseRunning(q: Queryable, now: number): Promise<number> {
  return count(q, `UPDATE outbox SET state = 'pending', uncertain = 1, locked_at = NULL, updated_at = $1 WHERE state = 'running'`, [now]);
}

export async function pgRetry(q: Queryable, id: number, now: number): Promise<boolean> {
  return (await count(q, `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2, updated_at = $2
    WHERE id = $1 AND state = 'dead'`, [id, now])) === 1;
}

export async function pgDiscard(q: Queryable, id: number, now: number, reason?: CommandError): Promise<boolean> {
  return (await count(q, `UPDATE outbox SET state = 'discarded', last_error_code = $3, last_error_message = $4, updated_at = $2
    WHERE id = $1 AND state IN ('pending', 'dead')`, [id, now, reason?.code ?? OutboxCode.discarded, reason?.message ?? 'discarded by hand'])) === 1;
}

export function pgResumeRetries(q: Queryable, now: number): Promise<number> {
  return count(q, `UPDATE outbox SET next_attempt_at = $1, updated_at = $1
    WHERE state = 'pending' AND next_attempt_at > $1 AND attempts > 0 AND last_error_code = ANY($2::text[])`, [now, RESUMABLE_CODES]);
}

export function pgDiscardPendingCards(q: Queryable, callKey: string, now: number): Promise<number> {
  return count(q, `UPDATE outbox SET state = 'discarded', last_error_code = 'OUTBOX_EXPIRED', last_error_message = '${CARD_AFTER_END_MESSAGE}', updated_at = $2
    WHERE call_key = $1 AND state = 'pending' AND expires_at IS NOT NULL AND step LIKE 'show:%'`, [callKey, now]);
}

export async function pgNextDueAt(q: Queryable): Promise<number | null> {
  return (await q.query<{ t: number | null }>(`SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'pending'`)).rows[0]?.t ?? null;
}

export function pgPurgeSettled(q: Queryable, before: number): Promise<number> {
  return count(q, `DELETE FROM outbox AS o WHERE o.state IN ('done', 'discarded') AND o.updated_at < $1
    AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.call_key = o.call_key AND p.state IN ${BLOCKING})`, [before]);
}
