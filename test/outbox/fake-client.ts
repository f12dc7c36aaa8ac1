/**
 * A fake B24Client for outbox tests: records every request, resolves batch references like the
 * portal does (`$result[key][path]`, an unknown one becomes ''), and lets a test decide each
 * method's answer. Register mimics the 30-minute reuse: the same EXTERNAL_CALL_ID → same CALL_ID.
 */
import type { B24BatchCommand, B24BatchOutcome, B24CallOptions, B24Client, B24Envelope, B24Params } from '../../src/adapters/bitrix/types.js';
import { isResultRef } from '../../src/adapters/bitrix/types.js';
import { ConnectorError } from '../../src/errors.js';

export type Handler = (method: string, params: B24Params) => unknown;

export interface FakeClient extends B24Client {
  /** Every batch request, as sent (params still holding B24ResultRef). */
  readonly batches: B24BatchCommand[][];
  /** Every single call. */
  readonly calls: Array<{ method: string; params: B24Params }>;
  /** Every command executed, in order, with references resolved. */
  readonly executed: Array<{ method: string; params: B24Params }>;
  /** Set to make the next batch requests fail as a whole (shifted per request). */
  readonly batchFailures: ConnectorError[];
  handler: Handler;
  /** Delay before answering, ms (0 = answer on the next microtask). */
  delayMs: number;
  /** When set, batch requests wait for it after being recorded (to hold them "in flight"). */
  gate: Promise<void> | undefined;
}

export function defaultHandler(): Handler {
  const calls = new Map<string, string>();
  let n = 0;
  return (method, params) => {
    const m = method.toLowerCase();
    if (m === 'telephony.externalcall.register') {
      const ext = String(params['EXTERNAL_CALL_ID'] ?? `anon${++n}`);
      let id = calls.get(ext);
      if (!id) {
        id = `externalCall.${String(++n).padStart(32, '0')}.1700000000`;
        calls.set(ext, id);
      }
      return { CALL_ID: id, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 7 };
    }
    if (m === 'telephony.externalcall.show' || m === 'telephony.externalcall.hide') return Boolean(params['CALL_ID']);
    if (m === 'telephony.externalcall.finish') {
      if (!params['CALL_ID']) throw new ConnectorError('B24_ERROR_CORE', 'CALL_ID is empty');
      return { CALL_ID: params['CALL_ID'], CRM_ACTIVITY_ID: 99 };
    }
    return true;
  };
}

function resolve(value: unknown, results: Record<string, unknown>): unknown {
  if (isResultRef(value)) {
    let cur: unknown = results[value.$ref];
    for (const p of value.path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
    return cur ?? '';
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, resolve(v, results)]));
  }
  return value;
}

export function createFakeClient(handler: Handler = defaultHandler()): FakeClient {
  const wait = (ms: number, signal?: AbortSignal) =>
    ms <= 0 ? Promise.resolve() : new Promise<void>((res) => {
      const t = setTimeout(res, ms);
      signal?.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
    });
  const fake: FakeClient = {
    batches: [],
    calls: [],
    executed: [],
    batchFailures: [],
    handler,
    delayMs: 0,
    gate: undefined,
    async call<T>(method: string, params: B24Params = {}, options?: B24CallOptions): Promise<T> {
      fake.calls.push({ method, params });
      await wait(fake.delayMs, options?.signal);
      fake.executed.push({ method, params });
      return fake.handler(method, params) as T;
    },
    async callRaw(method: string, params?: B24Params, options?: B24CallOptions): Promise<B24Envelope> {
      return { result: await fake.call(method, params, options) };
    },
    async batch(commands: readonly B24BatchCommand[], options?: B24CallOptions): Promise<B24BatchOutcome> {
      if (commands.length > 50) throw new ConnectorError('B24_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
      fake.batches.push([...commands]);
      if (fake.gate) await fake.gate;
      await wait(fake.delayMs, options?.signal);
      const failure = fake.batchFailures.shift();
      if (failure) throw failure;
      const results: Record<string, unknown> = {};
      const errors: Record<string, ConnectorError> = {};
      for (const c of commands) {
        const params = resolve(c.params, results) as B24Params;
        fake.executed.push({ method: c.method, params });
        try {
          results[c.key] = fake.handler(c.method, params);
        } catch (e) {
          errors[c.key] = e instanceof ConnectorError ? e : new ConnectorError('B24_UNKNOWN', String(e));
        }
      }
      return { results, errors };
    },
  };
  return fake;
}
