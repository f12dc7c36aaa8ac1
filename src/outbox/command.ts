/**
 * The outbox command model: what a row of the durable journal holds. Pure data, no I/O.
 */

/**
 * pending → running → done | pending (retry) | dead; dead → pending (retry by hand) | discarded.
 * `discarded` is terminal like `done` (by hand, or a card command past its `expiresAt`) and does
 * not block the call's later commands.
 */
export type CommandState = 'pending' | 'running' | 'done' | 'dead' | 'discarded';

export const COMMAND_STATES: readonly CommandState[] = ['pending', 'running', 'done', 'dead', 'discarded'];

/** Last failure of a command, as stored (never the whole error object: it may carry secrets). */
export interface CommandError {
  readonly code: string;
  readonly message: string;
}

/**
 * What the flow enqueues is exactly what the planner produces (`CrmCommand`), references included
 * (`{ $ref: step, path }` to an earlier command of the same call): one definition, in the core.
 */
export type { CrmCommand as NewCommand, ResultRef as StepRef } from '../core/crm/commands.js';

/** A stored command. `id` grows with creation order: it is the per-call sequence. */
export interface OutboxCommand {
  readonly id: number;
  readonly callKey: string;
  readonly step: string;
  readonly idempotencyKey: string;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly priority: number;
  readonly state: CommandState;
  /** Sends whose outcome was recorded (success or failure); a crash mid-send does not count. */
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: CommandError | null;
  /** The method's `result` once done (JSON), else undefined. */
  readonly result: unknown;
  /** Send this command alone (set after a whole batch failed non-retryably, to isolate it). */
  readonly solo: boolean;
  /**
   * An earlier send may have reached Bitrix24 without its answer being recorded (the process died
   * mid-send, or the send timed out). Sticky. Observers use it to read an error such as a second
   * `finish`'s "Call is not found" as "already done".
   */
  readonly uncertain: boolean;
  readonly expiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The state change the sender records for one command after a send (or a decision not to send). */
export interface CommandUpdate {
  readonly id: number;
  readonly state: 'pending' | 'done' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: CommandError | null;
  /** Stored only when state is 'done'. */
  readonly result?: unknown;
  readonly solo: boolean;
  /** Sets the sticky `uncertain` flag (never clears it). */
  readonly uncertain?: boolean;
}

/** Error codes the outbox itself produces (see docs/outbox.md). */
export const OutboxCode = {
  /** A reference names a step that is not done (discarded, never enqueued …). */
  refUnresolved: 'OUTBOX_REF_UNRESOLVED',
  /** A reference's path is absent from the referenced command's result. */
  refPathMissing: 'OUTBOX_REF_PATH_MISSING',
  /** The batch answer had neither a result nor an error for the command. */
  noResult: 'OUTBOX_NO_RESULT',
  /** No answer within the sender's send timeout. */
  sendTimeout: 'OUTBOX_SEND_TIMEOUT',
  /** The client threw something that is not a ConnectorError (treated as retryable). */
  sendFailed: 'OUTBOX_SEND_FAILED',
  /** Retryable failures reached the configured maximum of attempts. */
  attemptsExhausted: 'OUTBOX_ATTEMPTS_EXHAUSTED',
  /** A card command passed its expiresAt before it could be sent (state discarded). */
  expired: 'OUTBOX_EXPIRED',
  /** Discarded by hand (state discarded). */
  discarded: 'OUTBOX_DISCARDED',
  /** Enqueue: the same (callKey, step) already exists under another idempotency key. */
  stepConflict: 'OUTBOX_STEP_CONFLICT',
  /** Enqueue: a command is malformed (empty key, params not an object …). */
  badCommand: 'OUTBOX_BAD_COMMAND',
  /** The sender was used after stop() or started twice. */
  senderState: 'OUTBOX_SENDER_STATE',
} as const;
