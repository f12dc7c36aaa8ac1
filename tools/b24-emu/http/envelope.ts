/**
 * Response envelopes of reference §1.2–1.4: `{result, total?, next?, time}` on success,
 * `{error, error_description}` with an HTTP status on failure, and the `time` block.
 */
import { B24ApiError } from '../contract.js';
import type { OperatingState } from './limits.js';

export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** ISO-8601 with an explicit offset, as Bitrix24 prints dates: `2026-03-10T11:19:38+03:00`. */
export function isoWithOffset(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/**
 * The `time` block. The emulator clock does not move while a request is processed, so `finish`
 * is `start` plus the simulated processing time.
 */
export function timeBlock(startMs: number, processingSec: number, offsetMin: number, op?: OperatingState): TimeBlock {
  const start = startMs / 1000;
  const finish = start + processingSec;
  const t: TimeBlock = {
    start: round6(start),
    finish: round6(finish),
    duration: round6(finish - start),
    processing: round6(processingSec),
    date_start: isoWithOffset(startMs, offsetMin),
    date_finish: isoWithOffset(startMs + processingSec * 1000, offsetMin),
  };
  if (op) {
    t.operating_reset_at = op.resetAt;
    t.operating = round6(op.operating);
  }
  return t;
}

/** Batch sub-results carry only the first six fields (§1.2). */
export function shortTime(t: TimeBlock): TimeBlock {
  const { start, finish, duration, processing, date_start, date_finish } = t;
  return { start, finish, duration, processing, date_start, date_finish };
}

/**
 * A keyed map serialized the way PHP's json_encode does: empty → `[]`, keys exactly 0..n-1 in
 * order → a JSON list, anything else → an object (§4, §10).
 */
export function phpMap(map: Record<string, unknown>): unknown {
  const keys = Object.keys(map);
  if (keys.length === 0) return [];
  if (keys.every((k, i) => k === String(i))) return keys.map((k) => map[k]);
  return map;
}

export interface ErrorBody {
  error: string;
  error_description: string;
}

/** System errors the HTTP layer raises itself (reference §1.4, exact codes, texts and statuses). */
export const SYS = {
  queryLimit: () => new B24ApiError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503),
  noAuth: () => new B24ApiError('NO_AUTH_FOUND', 'Wrong authorization data', 401),
  expiredToken: () => new B24ApiError('expired_token', 'The access token provided has expired', 401),
  invalidToken: () => new B24ApiError('invalid_token', 'The access token provided is invalid', 401),
  internal: () => new B24ApiError('INTERNAL_SERVER_ERROR', 'Internal server error', 500),
  overload: () => new B24ApiError('OVERLOAD_LIMIT', 'REST API is blocked due to overload', 503),
  batchLength: () => new B24ApiError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded', 400),
  batchMethod: () =>
    new B24ApiError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 405),
  // No text is documented for OPERATION_TIME_LIMIT (§1.4); ours says what happened.
  operationTime: (method: string) =>
    new B24ApiError('OPERATION_TIME_LIMIT', `Method ${method} is blocked due to operation time limit`, 429),
  methodNotFound: () => new B24ApiError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404),
} as const;

export function errorBody(e: B24ApiError): ErrorBody {
  return { error: e.error, error_description: e.description };
}

/** Anything thrown while running a method, as the documented error (unknown throws → 500). */
export function toApiError(e: unknown): B24ApiError {
  if (e instanceof B24ApiError) return e;
  if (e && typeof e === 'object' && 'error' in e && 'description' in e && 'status' in e) {
    const x = e as { error: unknown; description: unknown; status: unknown };
    if (typeof x.error === 'string' && typeof x.description === 'string' && typeof x.status === 'number') {
      return new B24ApiError(x.error, x.description, x.status);
    }
  }
  return SYS.internal();
}
