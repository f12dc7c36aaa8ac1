/**
 * `batch` (reference §4): ≤ 50 commands, `halt=0`, each command serialised as `method?query` with
 * PHP bracket encoding and raw `$result[key][…]` references; the answer's `result`,
 * `result_error`, `result_total`, `result_next`, `result_time` mapped back per key.
 *
 * PHP serialises an empty map as `[]` and a map with keys 0..n-1 as a list, so every member is
 * read through `asKeyed()`.
 */
import type { ConnectorError } from '../../errors.js';
import { b24Error, b24LocalError } from './errors.js';
import { collectRefKeys, encodeBatchCommand } from './encode.js';
import type { B24BatchCommand, B24BatchOutcome } from './types.js';

export const B24_BATCH_MAX = 50;

const KEY_RE = /^[A-Za-z0-9_]+$/;

export interface BatchRequest {
  /** Params of the outer `batch` call. */
  readonly params: { halt: 0; cmd: Record<string, string> };
  /** Lower-case method of each command, for the limiter's operating budget. */
  readonly methods: readonly string[];
  /** key → lower-case method. */
  readonly methodByKey: Readonly<Record<string, string>>;
}

/** Validates and serialises the commands. Throws B24_BATCH_TOO_LARGE / _BAD_KEY / _BAD_REF. */
export function buildBatchRequest(commands: readonly B24BatchCommand[]): BatchRequest {
  if (commands.length > B24_BATCH_MAX) {
    throw b24LocalError('batchTooLarge', `batch of ${commands.length} commands (max ${B24_BATCH_MAX})`, {
      details: { count: commands.length },
    });
  }
  const cmd: Record<string, string> = {};
  const methodByKey: Record<string, string> = {};
  const seen = new Set<string>();
  for (const c of commands) {
    if (!KEY_RE.test(c.key) || seen.has(c.key)) {
      throw b24LocalError('batchBadKey', `batch key "${c.key.slice(0, 40)}" is invalid or repeated`, {
        details: { key: c.key },
      });
    }
    for (const ref of collectRefKeys(c.params)) {
      if (!seen.has(ref)) {
        throw b24LocalError('batchBadRef', `batch command "${c.key}" refers to "${ref}", not an earlier command`, {
          details: { key: c.key, ref },
        });
      }
    }
    seen.add(c.key);
    const method = c.method.toLowerCase();
    methodByKey[c.key] = method;
    cmd[c.key] = encodeBatchCommand(method, c.params);
  }
  return { params: { halt: 0, cmd }, methods: [...new Set(Object.values(methodByKey))], methodByKey };
}

/** PHP members: `[]` (empty), a list (keys 0..n-1) or an object → a keyed record. */
export function asKeyed(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    v.forEach((item, i) => {
      out[String(i)] = item;
    });
    return out;
  }
  if (v && typeof v === 'object') return { ...(v as Record<string, unknown>) };
  return {};
}

export interface B24BatchOutcomeFull extends B24BatchOutcome {
  readonly times: Readonly<Record<string, unknown>>;
  /** key → `result_total` (list commands). */
  readonly totals: Readonly<Record<string, number>>;
  /** key → `result_next` (only where a next page exists). */
  readonly next: Readonly<Record<string, number>>;
}

/** Maps the batch call's `result` back per command key. */
export function parseBatchResult(result: unknown, req: BatchRequest): B24BatchOutcomeFull {
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    throw b24LocalError('badResponse', 'Bitrix24 batch: result is not an object');
  }
  const r = result as Record<string, unknown>;
  const results = asKeyed(r.result);
  const errors: Record<string, ConnectorError> = {};
  for (const [key, raw] of Object.entries(asKeyed(r.result_error))) {
    const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    errors[key] = b24Error({
      method: req.methodByKey[key] ?? key,
      error: typeof e.error === 'string' ? e.error : typeof e.error === 'number' ? String(e.error) : undefined,
      description: typeof e.error_description === 'string' ? e.error_description : undefined,
    });
    delete results[key];
  }
  return {
    results,
    errors,
    times: asKeyed(r.result_time),
    totals: numbers(asKeyed(r.result_total)),
    next: numbers(asKeyed(r.result_next)),
  };
}

function numbers(rec: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(rec)) {
    const n = typeof v === 'number' ? v : Number(v);
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

