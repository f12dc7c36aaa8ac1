/**
 * The outbox journal on SQLite (libsql, synchronous). Queries and row mapping only;
 * sqlite.ts opens the database, wraps these in the async port and maps driver errors.
 */
import type Database from 'libsql';
import { COMMAND_STATES, OutboxCode } from '../../outbox/command.js';
import type { CommandError, CommandState, CommandUpdate, NewCommand, OutboxCommand } from '../../outbox/command.js';
import { stepKey } from '../../outbox/packer.js';
import type { KnownStep } from '../../outbox/packer.js';
import type { ClaimOptions, EnqueueResult, ListQuery, OutboxStats, StepLookup } from '../../outbox/store-port.js';
import {
  CARD_AFTER_END_MESSAGE, chainRun, EXPIRED_MESSAGE, NO_PRIORITY_LIMIT, RESUMABLE_CODES, rowToCommand, stepConflict, updateValues, validateCommand,
} from './outbox-rows.js';
import type { OutboxRow as Row } from './outbox-rows.js';

export { rowToCommand } from './outbox-rows.js';

const RESUMABLE = RESUMABLE_CODES.map((c) => `'${c}'`).join(', ');

export type SqliteOutbox = ReturnType<typeof createSqliteOutbox>;

/** Synchronous outbox operations over an open, migrated database. */
export function createSqliteOutbox(db: Database.Database) {
  const s = {
    insert: db.prepare(`INSERT INTO outbox (call_key, step, idempotency_key, method, params, priority, state,
        attempts, next_attempt_at, expires_at, created_at, updated_at)
      VALUES (@callKey, @step, @idempotencyKey, @method, @params, @priority, 'pending', 0, @now, @expiresAt, @now, @now)
      ON CONFLICT DO NOTHING`),
    byKey: db.prepare('SELECT * FROM outbox WHERE idempotency_key = ?'),
    byId: db.prepare('SELECT * FROM outbox WHERE id = ?'),
    // INDEXED BY: without it SQLite walks every pending row on each claim (found by bench/outbox.ts).
    expire: db.prepare(`UPDATE outbox INDEXED BY outbox_expiry SET state = 'discarded', last_error_code = @code, last_error_message = '${EXPIRED_MESSAGE}',
        updated_at = @now WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= @now`),
    heads: db.prepare(`SELECT c.* FROM outbox AS c
      WHERE c.state = 'pending' AND c.next_attempt_at <= @now AND c.priority <= @maxPriority
        AND NOT EXISTS (SELECT 1 FROM outbox AS p
          WHERE p.call_key = c.call_key AND p.id < c.id AND p.state IN ('pending', 'running', 'dead'))
      ORDER BY c.priority, c.created_at, c.id LIMIT @limit`),
    followers: db.prepare('SELECT * FROM outbox WHERE call_key = @callKey AND id > @id ORDER BY id LIMIT @n'),
    markRunning: db.prepare(`UPDATE outbox SET state = 'running', locked_at = @now, updated_at = @now WHERE id = @id AND state = 'pending'`),
    record: db.prepare(`UPDATE outbox SET state = @state, attempts = @attempts, next_attempt_at = @nextAttemptAt,
        last_error_code = @code, last_error_message = @message, solo = @solo, locked_at = NULL, updated_at = @now,
        uncertain = MAX(uncertain, @uncertain),
        result = CASE WHEN @state = 'done' THEN @result ELSE result END
      WHERE id = @id AND state = 'running'`),
    step: db.prepare('SELECT state, result FROM outbox WHERE call_key = ? AND step = ?'),
    // The send of a running row may have reached the portal before the crash: mark it uncertain.
    release: db.prepare(`UPDATE outbox SET state = 'pending', uncertain = 1, locked_at = NULL, updated_at = @now WHERE state = 'running'`),
    retry: db.prepare(`UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = @now, updated_at = @now
      WHERE id = @id AND state = 'dead'`),
    discard: db.prepare(`UPDATE outbox SET state = 'discarded', last_error_code = @code, last_error_message = @message, updated_at = @now
      WHERE id = @id AND state IN ('pending', 'dead')`),
    resume: db.prepare(`UPDATE outbox SET next_attempt_at = @now, updated_at = @now
      WHERE state = 'pending' AND next_attempt_at > @now AND attempts > 0
        AND last_error_code IN (${RESUMABLE})`),
    discardCards: db.prepare(`UPDATE outbox SET state = 'discarded', last_error_code = 'OUTBOX_EXPIRED',
        last_error_message = '${CARD_AFTER_END_MESSAGE}', updated_at = @now
      WHERE call_key = @callKey AND state = 'pending' AND expires_at IS NOT NULL AND step LIKE 'show:%'`),
    // A show that went back to pending after a failed send, for a call that has ended since.
    staleShows: db.prepare(`UPDATE outbox INDEXED BY outbox_expiry SET state = 'discarded', last_error_code = 'OUTBOX_EXPIRED',
        last_error_message = '${CARD_AFTER_END_MESSAGE}', updated_at = @now
      WHERE state = 'pending' AND expires_at IS NOT NULL AND step LIKE 'show:%'
        AND EXISTS (SELECT 1 FROM calls WHERE calls.call_key = outbox.call_key AND calls.ended_at IS NOT NULL)`),
    countByState: db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state'),
    oldest: db.prepare(`SELECT MIN(created_at) AS t FROM outbox WHERE state IN ('pending', 'running')`),
    nextDue: db.prepare(`SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'pending'`),
    purge: db.prepare(`DELETE FROM outbox WHERE state IN ('done', 'discarded') AND updated_at < @before
      AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.call_key = outbox.call_key AND p.state IN ('pending', 'running', 'dead'))`),
  };

  function enqueue(commands: readonly NewCommand[], now: number): EnqueueResult {
    const inserted: number[] = [];
    const ignored: string[] = [];
    for (const c of commands) {
      validateCommand(c);
      const info = s.insert.run({
        callKey: c.callKey, step: c.step, idempotencyKey: c.idempotencyKey, method: c.method,
        params: JSON.stringify(c.params), priority: c.priority, now, expiresAt: c.expiresAt ?? null,
      });
      if (info.changes === 1) {
        inserted.push(Number(info.lastInsertRowid));
      } else if (s.byKey.get(c.idempotencyKey)) {
        ignored.push(c.idempotencyKey);
      } else {
        throw stepConflict(c);
      }
    }
    return { inserted, ignored };
  }

  function claim(o: ClaimOptions): OutboxCommand[] {
    s.expire.run({ now: o.now, code: OutboxCode.expired });
    s.staleShows.run({ now: o.now });
    const limit = Math.max(0, Math.floor(o.limit));
    if (limit === 0) return [];
    const heads = s.heads.all({ now: o.now, maxPriority: o.maxPriority ?? NO_PRIORITY_LIMIT, limit }) as Row[];
    const out: Row[] = [...heads];
    const maxChain = Math.max(1, Math.floor(o.maxChain ?? 1));
    for (const head of heads) {
      if (out.length >= limit) break;
      if (maxChain > 1 && head.solo === 0) out.push(...chainAfter(head, o.now, Math.min(maxChain - 1, limit - out.length)));
    }
    for (const r of out) s.markRunning.run({ id: r.id, now: o.now });
    return out.map((r) => ({ ...rowToCommand(r), state: 'running' as const, updatedAt: o.now }));
  }

  /** Consecutive ready followers of a head that each reference a step earlier in the run. */
  function chainAfter(head: Row, now: number, n: number): Row[] {
    if (n <= 0) return [];
    return chainRun(head, s.followers.all({ callKey: head.call_key, id: head.id, n }) as Row[], now);
  }

  function record(updates: readonly CommandUpdate[], now: number): void {
    for (const u of updates) s.record.run({ ...updateValues(u), now });
  }

  function steps(lookups: readonly StepLookup[]): Map<string, KnownStep> {
    const out = new Map<string, KnownStep>();
    for (const l of lookups) {
      const r = s.step.get(l.callKey, l.step) as { state: CommandState; result: string | null } | undefined;
      if (r) out.set(stepKey(l.callKey, l.step), { state: r.state, result: r.result === null ? undefined : JSON.parse(r.result) });
    }
    return out;
  }

  function list(q: ListQuery): OutboxCommand[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit ?? 100 };
    if (q.state) { where.push('state = @state'); params['state'] = q.state; }
    if (q.callKey) { where.push('call_key = @callKey'); params['callKey'] = q.callKey; }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT @limit`;
    return (db.prepare(sql).all(params) as Row[]).map(rowToCommand);
  }

  function stats(now: number): OutboxStats {
    const byState = Object.fromEntries(COMMAND_STATES.map((st) => [st, 0])) as Record<CommandState, number>;
    for (const r of s.countByState.all() as Array<{ state: CommandState; n: number }>) byState[r.state] = r.n;
    const oldest = (s.oldest.get() as { t: number | null }).t;
    return {
      byState,
      depth: byState.pending + byState.running,
      oldestAgeMs: oldest === null ? 0 : Math.max(0, now - oldest),
      dead: byState.dead,
    };
  }

  return {
    enqueue,
    claim,
    record,
    steps,
    list,
    stats,
    get: (id: number) => mapRow(s.byId.get(id)),
    getByKey: (key: string) => mapRow(s.byKey.get(key)),
    releaseRunning: (now: number) => s.release.run({ now }).changes,
    retry: (id: number, now: number) => s.retry.run({ id, now }).changes === 1,
    discard: (id: number, now: number, reason?: CommandError) =>
      s.discard.run({ id, now, code: reason?.code ?? OutboxCode.discarded, message: reason?.message ?? 'discarded by hand' }).changes === 1,
    nextDueAt: () => (s.nextDue.get() as { t: number | null }).t,
    resumeRetries: (now: number) => s.resume.run({ now }).changes,
    discardPendingCards: (callKey: string, now: number) => s.discardCards.run({ callKey, now }).changes,
    purgeSettled: (before: number) => s.purge.run({ before }).changes,
  };
}

function mapRow(r: unknown): OutboxCommand | undefined {
  return r ? rowToCommand(r as Row) : undefined;
}
