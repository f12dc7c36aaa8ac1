/**
 * Store ports: what the outbox, the flow and the OAuth/event code need from persistence.
 * SQLite (src/adapters/store/sqlite.ts) implements them today; a PostgreSQL implementation can
 * follow (claim with `FOR UPDATE SKIP LOCKED`). Every method is async for that reason, and every
 * time is epoch ms passed in by the caller (the store never reads a clock).
 */
import type { CommandError, CommandState, CommandUpdate, NewCommand, OutboxCommand } from './command.js';
import type { KnownStep } from './packer.js';

export interface EnqueueResult {
  /** Ids of the rows inserted, in the order given. */
  readonly inserted: readonly number[];
  /** Idempotency keys that already existed (left untouched). */
  readonly ignored: readonly string[];
}

export interface EnqueueOptions {
  /** Written in the same transaction as the commands (restart recovery sees both or neither). */
  readonly call?: CallUpsert;
  /** Discard the call's pending card commands in the same transaction (the call has ended). */
  readonly discardCardsOf?: string;
}

export interface ClaimOptions {
  readonly now: number;
  /** Upper bound of commands returned (heads plus their chained followers). */
  readonly limit: number;
  /** Only heads whose priority ≤ this (the slot reserved for live cards). */
  readonly maxPriority?: number;
  /**
   * Longest run of one call's consecutive commands claimed together (1 = heads only). A follower
   * joins only if it references a step earlier in the run (so it may use a batch reference).
   */
  readonly maxChain?: number;
}

export interface StepLookup {
  readonly callKey: string;
  readonly step: string;
}

export interface OutboxStats {
  readonly byState: Readonly<Record<CommandState, number>>;
  /** pending + running: what still has to go out. */
  readonly depth: number;
  /** Age of the oldest pending or running command, ms (0 when none). */
  readonly oldestAgeMs: number;
  /** Dead commands wait for a human; they are counted apart. */
  readonly dead: number;
}

export interface ListQuery {
  readonly state?: CommandState;
  readonly callKey?: string;
  readonly limit?: number;
}

export interface OutboxStore {
  /** Atomic: all commands or none. Insert-or-ignore by idempotency key. */
  enqueue(commands: readonly NewCommand[], now: number, options?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Marks ready commands running and returns them: pending, nextAttemptAt ≤ now, every earlier
   * command of the call done or discarded; ordered by priority, then age. Expired card commands
   * are discarded on the way.
   */
  claim(options: ClaimOptions): Promise<OutboxCommand[]>;
  /** Applies updates of running commands in one transaction (rows no longer running are skipped). */
  record(updates: readonly CommandUpdate[], now: number): Promise<void>;
  /** State and result of referenced steps (missing steps are absent from the map). */
  steps(lookups: readonly StepLookup[]): Promise<Map<string, KnownStep>>;
  /** Stale-lock sweep at start: running → pending (a crash may have left them). Returns the count. */
  releaseRunning(now: number): Promise<number>;
  get(id: number): Promise<OutboxCommand | undefined>;
  getByKey(idempotencyKey: string): Promise<OutboxCommand | undefined>;
  list(query: ListQuery): Promise<OutboxCommand[]>;
  /** Dead → pending, attempts reset, due now. False when the command is not dead. */
  retry(id: number, now: number): Promise<boolean>;
  /** Pending or dead → discarded (no longer blocks its call). False otherwise. */
  discard(id: number, now: number, reason?: CommandError): Promise<boolean>;
  stats(now: number): Promise<OutboxStats>;
  /**
   * After an outage: pending commands waiting out a backoff for a retryable transport error
   * (network, timeout, 5xx, limit) become due now, so calls flow again as soon as the portal answers.
   * Returns the count.
   */
  resumeRetries(now: number): Promise<number>;
  /**
   * Card commands (those with an expiry) of `callKey` still pending are discarded: once a call has
   * ended, showing or hiding its card is pointless. Returns the count.
   */
  discardPendingCards(callKey: string, now: number): Promise<number>;
  /** Earliest nextAttemptAt among pending commands, or null. */
  nextDueAt(): Promise<number | null>;
  /** Housekeeping: delete done/discarded rows last updated before `before`. */
  purgeSettled(before: number): Promise<number>;
}

/** A call's persisted state, for restart recovery. */
export interface CallRecord {
  readonly callKey: string;
  /** Tracker/flow state as JSON. */
  readonly state: unknown;
  readonly b24CallId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly endedAt: number | null;
}

export interface CallUpsert {
  readonly callKey: string;
  readonly state: unknown;
  /** Omitted = keep the stored one. */
  readonly b24CallId?: string | null;
  /** Omitted = keep the stored one. */
  readonly endedAt?: number | null;
  readonly now: number;
}

export interface CallStore {
  upsertCall(call: CallUpsert): Promise<void>;
  getCall(callKey: string): Promise<CallRecord | undefined>;
  /** Calls not ended, oldest first (what to rebuild after a restart). */
  listOpenCalls(): Promise<CallRecord[]>;
  setB24CallId(callKey: string, b24CallId: string, now: number): Promise<boolean>;
  /** Delete ended calls whose end is before `before`. */
  purgeEndedCalls(before: number): Promise<number>;
}

export interface KvStore {
  getValue<T = unknown>(key: string): Promise<T | undefined>;
  setValue(key: string, value: unknown, now: number): Promise<void>;
  deleteValue(key: string): Promise<boolean>;
}

export interface EventsSeenStore {
  /**
   * Records an event id until `expiresAt`. True if it is new (or its previous record expired),
   * false if it was already seen — the caller then drops the duplicate delivery.
   */
  markSeen(eventId: string, now: number, expiresAt: number): Promise<boolean>;
  purgeSeen(now: number): Promise<number>;
}

/** Everything one database gives. */
export interface Store extends OutboxStore, CallStore, KvStore, EventsSeenStore {
  /** Schema version after migrations. */
  readonly schemaVersion: number;
  close(): Promise<void>;
}
