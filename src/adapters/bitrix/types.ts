/**
 * The shape of the Bitrix24 REST client as the rest of the connector sees it.
 * (Implemented by client.ts; consumed by the outbox sender, routing, user directory, doctor.)
 *
 * Errors: every failure is thrown as a ConnectorError whose `code` comes from the one error table
 * (errors.ts, e.g. B24_QUERY_LIMIT, B24_TOKEN_EXPIRED, B24_NETWORK, B24_NOT_FOUND …) and whose
 * `retryable` says whether sending the same request later can succeed.
 */
import type { ConnectorError } from '../../errors.js';

/** Parameters of one REST method, as JSON (nested objects and arrays allowed). */
export type B24Params = Record<string, unknown>;

/**
 * A reference, inside batch params, to the result of an earlier command of the same batch:
 * serialised as `$result[key][path0][path1]…`. Example: `{ $ref: 'reg', path: ['CALL_ID'] }`.
 */
export interface B24ResultRef {
  readonly $ref: string;
  readonly path: readonly string[];
}

export function isResultRef(v: unknown): v is B24ResultRef {
  return !!v && typeof v === 'object' && typeof (v as { $ref?: unknown }).$ref === 'string' &&
    Array.isArray((v as { path?: unknown }).path);
}

export interface B24BatchCommand {
  /** Unique key inside the batch (letters, digits, `_`); results and errors are keyed by it. */
  readonly key: string;
  readonly method: string;
  /** May contain B24ResultRef values pointing at commands earlier in the same batch. */
  readonly params: B24Params;
}

export interface B24BatchOutcome {
  /** key → `result` of that command (present only for commands that succeeded). */
  readonly results: Readonly<Record<string, unknown>>;
  /** key → mapped error (present only for commands that failed). */
  readonly errors: Readonly<Record<string, ConnectorError>>;
  /** key → `result_time` entry when the portal returned one. */
  readonly times?: Readonly<Record<string, unknown>>;
}

export interface B24CallOptions {
  /** Abort the HTTP request (the client also applies its own cap, 60 s by default). */
  readonly signal?: AbortSignal;
}

export interface B24Client {
  /** Calls one method; resolves with its `result` (and total/next for lists via callRaw). */
  call<T = unknown>(method: string, params?: B24Params, options?: B24CallOptions): Promise<T>;
  /** Full envelope (`result`, `total`, `next`, `time`) of one call. */
  callRaw(method: string, params?: B24Params, options?: B24CallOptions): Promise<B24Envelope>;
  /**
   * One `batch` request with ≤ 50 commands and halt=0. Resolves with per-command results and
   * errors; rejects only when the batch request itself failed (network, limit, auth …).
   */
  batch(commands: readonly B24BatchCommand[], options?: B24CallOptions): Promise<B24BatchOutcome>;
  /** Milliseconds until a request could leave without waiting in the rate limiter (0 = now). */
  readyIn?(): number;
}

export interface B24Envelope {
  readonly result: unknown;
  readonly total?: number;
  readonly next?: number;
  readonly time?: B24Time;
}

/** The `time` block of a REST answer (see reference §limits). */
export interface B24Time {
  readonly start?: number;
  readonly finish?: number;
  readonly duration?: number;
  readonly processing?: number;
  readonly date_start?: string;
  readonly date_finish?: string;
  readonly operating?: number;
  readonly operating_reset_at?: number;
}
