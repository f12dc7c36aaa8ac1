/**
 * What both outbox journals (SQLite and PostgreSQL) share: the row layout and its mapping to an
 * OutboxCommand, command validation, the chain rule of a claim and the error codes an outage
 * resume brings forward. Pure; no driver here.
 */
import { ConnectorError } from '../../errors.js';
import { OutboxCode } from '../../outbox/command.js';
import type { CommandState, CommandUpdate, NewCommand, OutboxCommand } from '../../outbox/command.js';
import { referencedSteps } from '../../outbox/refs.js';

/** One `outbox` row as both drivers return it (JSON columns as text, times as numbers). */
export interface OutboxRow {
  id: number;
  call_key: string;
  step: string;
  idempotency_key: string;
  method: string;
  params: string;
  priority: number;
  state: CommandState;
  attempts: number;
  next_attempt_at: number;
  expires_at: number | null;
  solo: number;
  uncertain: number;
  last_error_code: string | null;
  last_error_message: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
}

export function rowToCommand(r: OutboxRow): OutboxCommand {
  return {
    id: r.id,
    callKey: r.call_key,
    step: r.step,
    idempotencyKey: r.idempotency_key,
    method: r.method,
    params: JSON.parse(r.params) as Record<string, unknown>,
    priority: r.priority,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error_code === null ? null : { code: r.last_error_code, message: r.last_error_message ?? '' },
    result: r.result === null ? undefined : JSON.parse(r.result),
    solo: r.solo === 1,
    uncertain: r.uncertain === 1,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** maxPriority when the caller gives none. */
export const NO_PRIORITY_LIMIT = 2 ** 31;

/** Retryable transport failures: after an outage their backoff is cut short (resumeRetries). */
export const RESUMABLE_CODES: readonly string[] = [
  'B24_NETWORK', 'B24_TIMEOUT', 'B24_SERVER_ERROR', 'B24_SERVER_UNAVAILABLE', 'B24_QUERY_LIMIT',
  'B24_OVERLOAD_LIMIT', 'OUTBOX_SEND_TIMEOUT', 'OUTBOX_SEND_FAILED', 'B24_UNKNOWN',
];

export const EXPIRED_MESSAGE = 'expired before it could be sent';
export const CARD_AFTER_END_MESSAGE = 'the call ended before the card could be shown';

/**
 * The followers of a claimed head that come along with it: consecutive (by id), ready, not solo,
 * not expired, and each referencing a step earlier in the run (so it may use a batch reference).
 */
export function chainRun(head: OutboxRow, followers: readonly OutboxRow[], now: number): OutboxRow[] {
  const run: OutboxRow[] = [];
  const steps = new Set([head.step]);
  for (const r of followers) {
    const ready = r.state === 'pending' && r.next_attempt_at <= now && r.solo === 0 && (r.expires_at === null || r.expires_at > now);
    if (!ready) break;
    const refs = referencedSteps(JSON.parse(r.params));
    if (!refs.some((step) => steps.has(step))) break;
    run.push(r);
    steps.add(r.step);
  }
  return run;
}

/** The row values of one update, as both journals bind them. */
export function updateValues(u: CommandUpdate): {
  id: number; state: string; attempts: number; nextAttemptAt: number; solo: number; uncertain: number;
  code: string | null; message: string | null; result: string | null;
} {
  return {
    id: u.id, state: u.state, attempts: u.attempts, nextAttemptAt: u.nextAttemptAt, solo: u.solo ? 1 : 0,
    uncertain: u.uncertain ? 1 : 0,
    code: u.lastError?.code ?? null, message: u.lastError?.message ?? null,
    result: u.state === 'done' ? JSON.stringify(u.result ?? null) : null,
  };
}

export function stepConflict(c: NewCommand): ConnectorError {
  return new ConnectorError(OutboxCode.stepConflict, `call ${c.callKey} already has a step '${c.step}' under another idempotency key`, {
    details: { callKey: c.callKey, step: c.step, idempotencyKey: c.idempotencyKey },
  });
}

export function validateCommand(c: NewCommand): void {
  const bad = (why: string): never => {
    throw new ConnectorError(OutboxCode.badCommand, `bad command ${c.idempotencyKey || '(no key)'}: ${why}`);
  };
  if (!c.callKey) bad('empty callKey');
  if (!c.step) bad('empty step');
  if (!c.idempotencyKey) bad('empty idempotencyKey');
  if (!c.method) bad('empty method');
  if (!c.params || typeof c.params !== 'object' || Array.isArray(c.params)) bad('params must be an object');
  if (!Number.isInteger(c.priority)) bad('priority must be an integer');
  if (c.expiresAt !== undefined && !Number.isFinite(c.expiresAt)) bad('expiresAt must be a number');
}
