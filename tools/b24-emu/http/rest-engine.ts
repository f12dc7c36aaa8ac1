/**
 * Runs REST calls against the portal with the per-method operating-time budget (reference §3.2)
 * and the `batch` method (§4). Pure of HTTP: input is a method, params and who is calling; output
 * is the envelope to send. The request bucket (§3.1) is applied by the caller, once per HTTP request.
 */
import { B24ApiError } from '../contract.js';
import type { InvokeContext, MethodResult } from '../contract.js';
import { SYS, errorBody, phpMap, shortTime, timeBlock, toApiError } from './envelope.js';
import type { ErrorBody, TimeBlock } from './envelope.js';
import { decodeQuery } from './form.js';
import type { OperatingBudget } from './limits.js';
import type { PortalLike } from './portal-port.js';

export interface Caller {
  readonly authType: 'webhook' | 'oauth';
  readonly userId: number;
  readonly clientId?: string;
}

export interface EngineDeps {
  portal(): PortalLike;
  readonly budget: OperatingBudget;
  /** Simulated processing seconds of one call of `method`. */
  processingSec(method: string): number;
  /** Portal time zone for `date_start`/`date_finish`. */
  offsetMinutes(): number;
}

export type CallOutcome =
  | { readonly ok: true; readonly result: MethodResult; readonly time: TimeBlock }
  | { readonly ok: false; readonly error: B24ApiError };

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly error?: B24ApiError;
  readonly time?: TimeBlock;
}

export const MAX_BATCH = 50;

/** Operating time is kept per method and per app or webhook (§3.2). */
function operatingKey(caller: Caller, method: string): string {
  const who = caller.authType === 'oauth' ? `app:${caller.clientId ?? ''}` : `webhook:${caller.userId}`;
  return `${who}|${method.toLowerCase()}`;
}

/** One method call, with its operating-time accounting. */
export function callOne(deps: EngineDeps, method: string, params: Record<string, unknown>, caller: Caller, now: number): CallOutcome {
  const key = operatingKey(caller, method);
  // §3.2 / §11.16: a blocked method answers 429 without running and without a `time` block.
  if (deps.budget.isBlocked(key, now)) return { ok: false, error: SYS.operationTime(method) };
  const ctx: InvokeContext = {
    authType: caller.authType,
    userId: caller.userId,
    now,
    ...(caller.clientId !== undefined ? { clientId: caller.clientId } : {}),
  };
  const processing = deps.processingSec(method);
  let result: MethodResult;
  try {
    result = deps.portal().invoke(method, params, ctx);
  } catch (e) {
    deps.budget.record(key, now, processing); // a failed call used the server's time too
    return { ok: false, error: toApiError(e) };
  }
  const op = deps.budget.record(key, now, processing);
  return { ok: true, result, time: timeBlock(now, processing, deps.offsetMinutes(), op) };
}

/** The success envelope: `result`, then `total`/`next` for lists, then `time` (§1.2). */
export function successBody(result: MethodResult, time: TimeBlock): Record<string, unknown> {
  const body: Record<string, unknown> = { result: result.result };
  if (result.total !== undefined) body['total'] = result.total;
  if (result.next !== undefined) body['next'] = result.next;
  body['time'] = time;
  return body;
}

export function replyFor(outcome: CallOutcome): Reply {
  if (outcome.ok) return { status: 200, body: successBody(outcome.result, outcome.time), time: outcome.time };
  return { status: outcome.error.status, body: { ...errorBody(outcome.error) }, error: outcome.error };
}

const REF = /\$(result|result_error|result_total|result_next|result_time)((?:\[[^\]]*\])+)/g;

interface BatchMaps {
  result: Record<string, unknown>;
  result_error: Record<string, ErrorBody>;
  result_total: Record<string, number>;
  result_next: Record<string, number>;
  result_time: Record<string, TimeBlock>;
}

function lookup(maps: BatchMaps, root: string, path: string): unknown {
  let node: unknown = (maps as unknown as Record<string, unknown>)[root];
  for (const m of path.matchAll(/\[([^\]]*)\]/g)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[m[1] as string];
  }
  return node;
}

/**
 * `$result[cmd][field]…` references to earlier commands. A value that is exactly one reference
 * takes the referenced value as is (arrays too); a reference inside a longer string is replaced by
 * the scalar's text. Unresolvable references stay as written.
 */
function substitute(value: unknown, maps: BatchMaps): unknown {
  if (typeof value === 'string') {
    const whole = value.match(/^\$(result|result_error|result_total|result_next|result_time)((?:\[[^\]]*\])+)$/);
    if (whole) {
      const v = lookup(maps, whole[1] as string, whole[2] as string);
      return v === undefined ? value : v;
    }
    return value.replace(REF, (all, root: string, path: string) => {
      const v = lookup(maps, root, path);
      return v === undefined || (typeof v === 'object' && v !== null) ? all : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, maps));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, maps);
    return out;
  }
  return value;
}

function isTruthyFlag(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true' || v === 'Y' || v === 'y';
}

/** `cmd` as an object (named commands) or a list (keys are indexes), per §4. */
function commandsOf(params: Record<string, unknown>): Array<[string, unknown]> {
  const cmd = params['cmd'] ?? params['CMD'];
  if (Array.isArray(cmd)) return cmd.map((v, i) => [String(i), v]);
  if (cmd && typeof cmd === 'object') return Object.entries(cmd);
  return [];
}

export interface BatchCommandLog {
  readonly key: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly error?: ErrorBody;
  readonly result?: unknown;
}

/** `batch`: commands run in order; HTTP 200 even when commands fail; ≤ 50 commands (§4). */
export function runBatch(
  deps: EngineDeps,
  params: Record<string, unknown>,
  caller: Caller,
  now: number,
  onCommand?: (c: BatchCommandLog) => void,
): Reply {
  const commands = commandsOf(params);
  if (commands.length > MAX_BATCH) {
    const error = SYS.batchLength();
    return { status: error.status, body: { ...errorBody(error) }, error };
  }
  const halt = isTruthyFlag(params['halt'] ?? params['HALT']);
  const maps: BatchMaps = { result: {}, result_error: {}, result_total: {}, result_next: {}, result_time: {} };
  let processing = 0;
  for (const [key, raw] of commands) {
    const text = typeof raw === 'string' ? raw : '';
    const q = text.indexOf('?');
    const method = (q < 0 ? text : text.slice(0, q)).trim();
    const decoded = decodeQuery(q < 0 ? '' : text.slice(q + 1));
    delete decoded['auth']; // the batch's own credentials apply to every command
    const sub = substitute(decoded, maps) as Record<string, unknown>;
    let outcome: CallOutcome;
    if (method.toLowerCase() === 'batch') outcome = { ok: false, error: SYS.batchMethod() };
    else if (method === '') outcome = { ok: false, error: SYS.methodNotFound() };
    else outcome = callOne(deps, method, sub, caller, now);
    if (outcome.ok) {
      maps.result[key] = outcome.result.result;
      if (outcome.result.total !== undefined) maps.result_total[key] = outcome.result.total;
      if (outcome.result.next !== undefined) maps.result_next[key] = outcome.result.next;
      maps.result_time[key] = shortTime(outcome.time);
      processing += outcome.time.processing;
      onCommand?.({ key, method, params: sub, result: outcome.result.result });
    } else {
      maps.result_error[key] = errorBody(outcome.error);
      onCommand?.({ key, method, params: sub, error: errorBody(outcome.error) });
      if (halt) break;
    }
  }
  // The outer batch call is not counted against the operating budget (§3.2), so no operating fields.
  const time = timeBlock(now, processing, deps.offsetMinutes());
  const body = {
    result: {
      result: phpMap(maps.result),
      result_error: phpMap(maps.result_error),
      result_total: phpMap(maps.result_total),
      result_next: phpMap(maps.result_next),
      result_time: phpMap(maps.result_time),
    },
    time,
  };
  return { status: 200, body, time };
}
