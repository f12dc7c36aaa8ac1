/**
 * URL hooks: POST the JSON input, read the JSON reply. A PHP hook served by a web server reading
 * `php://input` keeps working unchanged. The body is read with the same cap as an executable's
 * stdout; the runner's signal aborts the request at the timeout.
 */
import { redactUrl } from '../../log.js';
import type { HookPointName } from '../../core/hooks/points.js';
import { abortReason, DEFAULT_MAX_OUTPUT_BYTES, type HookInvoker, type InvokeOutcome } from './invoker.js';

export interface UrlHookOptions {
  readonly maxOutputBytes?: number;
  /** Replaceable for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export class UrlInvoker implements HookInvoker {
  readonly kind = 'url' as const;
  readonly location: string;
  private readonly inflight = new Set<AbortController>();

  constructor(
    readonly point: HookPointName,
    private readonly url: string,
    private readonly options: UrlHookOptions = {},
  ) {
    this.location = redactUrl(url);
  }

  async invoke(inputJson: string, signal: AbortSignal): Promise<InvokeOutcome> {
    const local = new AbortController();
    this.inflight.add(local);
    const both = AbortSignal.any([signal, local.signal]);
    try {
      const res = await (this.options.fetch ?? fetch)(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-asterisk-b24-hook': this.point },
        body: inputJson,
        signal: both,
        redirect: 'error',
      });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        return { ok: false, code: 'HOOK_URL_FAILED', reason: `HTTP ${res.status}`, details: { status: res.status } };
      }
      return await readCapped(res, this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
    } catch (e) {
      if (signal.aborted) return { ok: false, code: 'HOOK_TIMEOUT', reason: abortReason(signal) };
      if (local.signal.aborted) return { ok: false, code: 'HOOK_CLOSED', reason: 'the hook was closed' };
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, code: 'HOOK_URL_FAILED', reason: `request failed: ${cause?.code ?? cause?.message ?? (e as Error).message}` };
    } finally {
      this.inflight.delete(local);
    }
  }

  async close(): Promise<void> {
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
  }
}

/** Reads the body up to `max` bytes; leaving the loop early cancels the rest of the stream. */
async function readCapped(res: Response, max: number): Promise<InvokeOutcome> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > max) {
        return { ok: false, code: 'HOOK_OUTPUT_TOO_LARGE', reason: `response body exceeded ${max} bytes` };
      }
      chunks.push(chunk);
    }
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
