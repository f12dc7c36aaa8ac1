/**
 * The Bitrix24 REST client (implements B24Client from types.ts) over Node 20's global fetch:
 * JSON POST to `{base}/{method}.json`, method names normalised to lower case, a 60 s cap per
 * request plus the caller's signal, every request through the limiter, every failure through
 * the error table. Retries are the outbox's business; the client itself repeats a request only
 * once after an OAuth refresh.
 */
import { ConnectorError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import type { B24Auth } from './auth.js';
import { buildBatchRequest, parseBatchResult } from './batch.js';
import type { B24BatchOutcomeFull } from './batch.js';
import { b24Error, b24LocalError, isTokenRejection } from './errors.js';
import { B24Limiter } from './limiter.js';
import { exchange } from './transport.js';
import type { FetchLike, HttpExchange } from './transport.js';
import type { B24BatchCommand, B24CallOptions, B24Client, B24Envelope, B24Params, B24Time } from './types.js';

export interface B24RestClientOptions {
  readonly auth: B24Auth;
  /** Shared by everything that talks to the same portal from this host. Default: 50 / 2 per s. */
  readonly limiter?: B24Limiter;
  readonly logger?: Logger;
  readonly fetch?: FetchLike;
  /** Cap per HTTP request. Default 60 000 ms (the cloud cuts requests at 60 s). */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /** Told about every HTTP request (metrics): method (`batch` for a batch), outcome, seconds, error code. */
  readonly onRequest?: (method: string, ok: boolean, seconds: number, code?: string) => void;
}

const METHOD_RE = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/** `Telephony.ExternalCall.Register.json` → `telephony.externalcall.register`. */
export function normalizeMethod(method: string): string {
  const m = method.trim().toLowerCase().replace(/\.json$/, '');
  if (!METHOD_RE.test(m)) {
    throw b24LocalError('badMethod', `invalid Bitrix24 method name "${m.slice(0, 60)}"`);
  }
  return m;
}

export class B24RestClient implements B24Client {
  readonly limiter: B24Limiter;
  private readonly auth: B24Auth;
  private readonly log: Logger;
  private readonly fetchFn: FetchLike;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly onRequest: B24RestClientOptions['onRequest'];

  constructor(options: B24RestClientOptions) {
    this.onRequest = options.onRequest;
    this.auth = options.auth;
    this.limiter = options.limiter ?? new B24Limiter();
    this.log = (options.logger ?? silentLogger).child({ component: 'b24-client' });
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.userAgent = options.userAgent ?? 'asterisk-b24';
  }

  async call<T = unknown>(method: string, params: B24Params = {}, options: B24CallOptions = {}): Promise<T> {
    const env = await this.callRaw(method, params, options);
    return env.result as T;
  }

  callRaw(method: string, params: B24Params = {}, options: B24CallOptions = {}): Promise<B24Envelope> {
    const m = normalizeMethod(method);
    return this.send(m, params, [m], options.signal);
  }

  async batch(commands: readonly B24BatchCommand[], options: B24CallOptions = {}): Promise<B24BatchOutcomeFull> {
    if (commands.length === 0) return { results: {}, errors: {}, times: {}, totals: {}, next: {} };
    const req = buildBatchRequest(commands);
    const env = await this.send('batch', req.params, req.methods, options.signal);
    const out = parseBatchResult(env.result, req);
    for (const [key, err] of Object.entries(out.errors)) {
      const m = req.methodByKey[key];
      if (err.code === 'B24_OPERATION_TIME_LIMIT' && m) this.limiter.onOperationLimit(m);
      this.log.debug({ method: m, key, code: err.code }, 'bitrix24 batch command failed');
    }
    return out;
  }

  /** Milliseconds until a request could leave without waiting in the limiter. */
  readyIn(): number {
    return this.limiter.readyIn();
  }

  /** One logical call: limiter, request, classification, at most one retry after a refresh. */
  private async send(method: string, params: B24Params, limitMethods: readonly string[],
    signal: AbortSignal | undefined): Promise<B24Envelope> {
    for (let attempt = 0; ; attempt++) {
      await this.limiter.acquire(limitMethods, signal);
      const target = this.auth.target(method, params);
      const started = Date.now();
      try {
        const res = await exchange(this.fetchFn, {
          url: target.url,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': this.userAgent },
          body: JSON.stringify(target.body),
          timeoutMs: this.timeoutMs,
          label: method,
          ...(signal ? { signal } : {}),
        });
        const env = interpret(method, res);
        this.limiter.recordResponse(method, env.time);
        this.observe(method, true, started);
        this.log.debug({ method, status: res.status, ms: Date.now() - started, attempt, auth: this.auth.label },
          'bitrix24 call');
        return env;
      } catch (e) {
        const err = e instanceof ConnectorError ? e : b24LocalError('unknown', `Bitrix24 ${method}: unexpected failure`);
        this.feedback(err, limitMethods);
        this.observe(method, false, started, err.code);
        this.log.warn({ method, code: err.code, retryable: err.retryable, status: err.details?.status,
          ms: Date.now() - started, attempt, auth: this.auth.label }, 'bitrix24 call failed');
        if (attempt === 0 && isTokenRejection(err) && (await this.auth.renew(target))) continue;
        throw err;
      }
    }
  }

  private observe(method: string, ok: boolean, started: number, code?: string): void {
    try {
      this.onRequest?.(method, ok, (Date.now() - started) / 1000, code);
    } catch {
      // an observer must never break a request
    }
  }

  private feedback(err: ConnectorError, methods: readonly string[]): void {
    if (err.code === 'B24_QUERY_LIMIT') this.limiter.onQueryLimit();
    if (err.code === 'B24_OPERATION_TIME_LIMIT') for (const m of methods) this.limiter.onOperationLimit(m);
  }
}

/** HTTP answer → envelope, or the mapped error. */
function interpret(method: string, res: HttpExchange): B24Envelope {
  const body = res.json;
  const obj = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const rawError = obj?.error;
  const error = typeof rawError === 'string' ? rawError : typeof rawError === 'number' ? String(rawError) : undefined;
  if (obj && error !== undefined && (res.status >= 400 || !('result' in obj))) {
    const d = obj.error_description;
    throw b24Error({ method, status: res.status, error, description: typeof d === 'string' ? d : undefined });
  }
  if (res.status >= 400) throw b24Error({ method, status: res.status });
  if (!obj || !('result' in obj)) {
    throw b24LocalError('badResponse', `Bitrix24 ${method}: answer is not a REST envelope`, {
      details: { method, status: res.status, bytes: res.bytes },
    });
  }
  const env: { result: unknown; total?: number; next?: number; time?: B24Time } = { result: obj.result };
  const total = toNumber(obj.total);
  const next = toNumber(obj.next);
  if (total !== undefined) env.total = total;
  if (next !== undefined) env.next = next;
  if (obj.time && typeof obj.time === 'object' && !Array.isArray(obj.time)) env.time = obj.time as B24Time;
  return env;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Convenience factory. */
export function createB24Client(options: B24RestClientOptions): B24RestClient {
  return new B24RestClient(options);
}
