/**
 * One HTTP exchange over Node's global fetch, shared by the REST client and the OAuth refresh:
 * a per-request cap (AbortSignal.timeout) combined with the caller's signal, JSON parsing, and
 * transport failures turned into B24_NETWORK / B24_TIMEOUT / B24_ABORTED.
 *
 * Causes are rebuilt from the original error's code and redacted message only: undici's messages
 * can contain the request URL (and so a webhook secret or a query-string token).
 */
import { b24LocalError } from './errors.js';
import { redactUrl } from '../../log.js';
import type { ConnectorError } from '../../errors.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpExchange {
  readonly status: number;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  readonly json: unknown;
  /** Length of the raw body (for logs; the body itself may hold secrets). */
  readonly bytes: number;
}

export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** For error messages: what this request was (never the URL). */
  readonly label: string;
}

/** Sends one request; resolves with any HTTP answer, rejects only on transport failure. */
export async function exchange(fetchFn: FetchLike, req: HttpRequest): Promise<HttpExchange> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  let res: Response;
  let text: string;
  try {
    const init: RequestInit = { method: req.method, signal };
    if (req.headers) init.headers = req.headers;
    if (req.body !== undefined) init.body = req.body;
    res = await fetchFn(req.url, init);
    text = await res.text();
  } catch (e) {
    throw transportError(e, req, timeout);
  }
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, json, bytes: text.length };
}

function transportError(e: unknown, req: HttpRequest, timeout: AbortSignal): ConnectorError {
  const cause = sanitizedCause(e);
  if (timeout.aborted) {
    return b24LocalError('timeout', `Bitrix24 ${req.label}: no answer within ${req.timeoutMs} ms`, { cause });
  }
  if (req.signal?.aborted) {
    return b24LocalError('aborted', `Bitrix24 ${req.label}: cancelled by the caller`, { cause });
  }
  const code = (cause as { code?: string }).code;
  return b24LocalError('network', `Bitrix24 ${req.label}: network error${code ? ` (${code})` : ''}`, {
    cause,
    details: { label: req.label, networkCode: code },
  });
}

/** A plain Error carrying the original's (and its cause's) code and redacted message. */
function sanitizedCause(e: unknown): Error {
  const inner = e instanceof Error && e.cause instanceof Error ? e.cause : undefined;
  const msg = e instanceof Error ? e.message : String(e);
  const out = new Error(redactUrl(inner ? `${msg}: ${inner.message}` : msg));
  const code = (inner as { code?: unknown } | undefined)?.code ?? (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') (out as Error & { code?: string }).code = code;
  out.name = e instanceof Error ? e.name : 'Error';
  return out;
}
