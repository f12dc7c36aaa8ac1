/**
 * Job states and transitions of the outbox journal, pure. The sender asks `decide()` what a send
 * outcome means for a command; the store only writes what comes out of here.
 */
import { isConnectorError } from '../errors.js';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { OutboxCode } from './command.js';
import type { CommandError, CommandState, CommandUpdate, OutboxCommand } from './command.js';

/** Legal transitions; anything else is a bug in the caller. */
export const TRANSITIONS: Readonly<Record<CommandState, readonly CommandState[]>> = {
  pending: ['running', 'discarded'],
  running: ['done', 'pending', 'dead'],
  dead: ['pending', 'discarded'],
  done: [],
  discarded: [],
};

export function canTransition(from: CommandState, to: CommandState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States after which later commands of the same call may go out. */
export function isSettled(state: CommandState): boolean {
  return state === 'done' || state === 'discarded';
}

/** A failure, classified once: the outbox acts only on `retryable`. */
export interface ClassifiedError extends CommandError {
  readonly retryable: boolean;
  /** Minimum wait the error asked for (details.retryAfterMs), if any. */
  readonly retryAfterMs?: number;
}

/** What happened to one command in a send. */
export type SendOutcome =
  | { readonly kind: 'success'; readonly result: unknown }
  | { readonly kind: 'failure'; readonly error: ClassifiedError }
  /** The whole batch failed non-retryably: isolate each command in its own batch next time. */
  | { readonly kind: 'batch-rejected'; readonly error: ClassifiedError }
  /** Not (meaningfully) executed: back to pending without counting an attempt. */
  | { readonly kind: 'not-sent' }
  /** Cannot ever be sent as it is (e.g. unresolvable reference): dead at once. */
  | { readonly kind: 'fatal'; readonly error: CommandError };

export interface DecideContext {
  readonly now: number;
  /** A number in [0, 1) for the jitter. */
  readonly rand: number;
  readonly backoff?: BackoffPolicy;
  /** 0 = retry retryable failures forever (the default: nothing is dropped during an outage). */
  readonly maxAttempts?: number;
}

/** The update to record for a running command given the outcome of its send. */
export function decide(cmd: OutboxCommand, outcome: SendOutcome, ctx: DecideContext): CommandUpdate {
  const base = { id: cmd.id, solo: cmd.solo };
  switch (outcome.kind) {
    case 'success':
      return { ...base, state: 'done', attempts: cmd.attempts + 1, nextAttemptAt: ctx.now, lastError: null, result: outcome.result };
    case 'not-sent':
      return { ...base, state: 'pending', attempts: cmd.attempts, nextAttemptAt: ctx.now, lastError: cmd.lastError };
    case 'fatal':
      return { ...base, state: 'dead', attempts: cmd.attempts, nextAttemptAt: ctx.now, lastError: outcome.error };
    case 'batch-rejected':
      // Someone in the batch is poison; resend everyone alone right away to find out who.
      return { id: cmd.id, solo: true, state: 'pending', attempts: cmd.attempts + 1, nextAttemptAt: ctx.now, lastError: plain(outcome.error) };
    case 'failure':
      return failure(cmd, outcome.error, ctx);
  }
}

function failure(cmd: OutboxCommand, error: ClassifiedError, ctx: DecideContext): CommandUpdate {
  const attempts = cmd.attempts + 1;
  const lastError = plain(error);
  // A timed-out request may still have been executed by the portal.
  const mark = error.code === OutboxCode.sendTimeout ? { uncertain: true } : {};
  if (!error.retryable) return { id: cmd.id, solo: cmd.solo, state: 'dead', attempts, nextAttemptAt: ctx.now, lastError, ...mark };
  const max = ctx.maxAttempts ?? 0;
  if (max > 0 && attempts >= max) {
    return {
      id: cmd.id, solo: cmd.solo, state: 'dead', attempts, nextAttemptAt: ctx.now,
      lastError: { code: OutboxCode.attemptsExhausted, message: `${attempts} attempts; last: ${error.code}: ${error.message}` },
    };
  }
  const delay = backoffDelay(attempts, ctx.rand, ctx.backoff ?? DEFAULT_BACKOFF, error.retryAfterMs);
  return { id: cmd.id, solo: cmd.solo, state: 'pending', attempts, nextAttemptAt: ctx.now + delay, lastError, ...mark };
}

function plain(e: CommandError): CommandError {
  return { code: e.code, message: e.message };
}

/**
 * Classify anything a client threw or returned. ConnectorErrors carry their own `retryable`;
 * anything else is a bug or an unexpected failure in the client — retried, since dropping a CRM
 * write is worse than repeating one the backoff keeps rare.
 */
export function classifyError(e: unknown): ClassifiedError {
  if (isConnectorError(e)) {
    const hint = e.details?.['retryAfterMs'];
    const base = { code: e.code, message: e.message, retryable: e.retryable };
    return typeof hint === 'number' && Number.isFinite(hint) ? { ...base, retryAfterMs: hint } : base;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: OutboxCode.sendFailed, message, retryable: true };
}

/** The command as it is after an update (for observers), without reading the store again. */
export function applyUpdate(cmd: OutboxCommand, u: CommandUpdate, now: number): OutboxCommand {
  return {
    ...cmd,
    state: u.state,
    attempts: u.attempts,
    nextAttemptAt: u.nextAttemptAt,
    lastError: u.lastError,
    solo: u.solo,
    uncertain: cmd.uncertain || u.uncertain === true,
    result: u.state === 'done' ? u.result : cmd.result,
    updatedAt: now,
  };
}
