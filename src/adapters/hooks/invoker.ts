/**
 * The port every loader implements: run one hook once with a JSON input, stop when the signal
 * aborts. Loaders never throw from invoke(); the runner still guards them with its own timer.
 */
import type { HookFailureCode } from '../../core/hooks/codes.js';
import type { HookPointName } from '../../core/hooks/points.js';

export type HookKind = 'module' | 'executable' | 'url' | 'inline';

export type InvokeOutcome =
  | { readonly ok: true; readonly text: string; readonly log?: string }
  | {
      readonly ok: false;
      readonly code: HookFailureCode;
      readonly reason: string;
      /** Captured stderr / console output, bounded, for the log line. */
      readonly log?: string;
      readonly details?: Readonly<Record<string, unknown>>;
    };

export interface HookInvoker {
  readonly point: HookPointName;
  readonly kind: HookKind;
  /** File path or (redacted) URL, for logs and the admin UI. */
  readonly location: string;
  /**
   * Runs the hook. `signal` aborts at the timeout: the loader must stop the work (terminate,
   * SIGKILL, abort the request) and resolve with HOOK_TIMEOUT.
   */
  invoke(inputJson: string, signal: AbortSignal): Promise<InvokeOutcome>;
  /** Releases workers / sockets. Idempotent. */
  close(): Promise<void>;
}

/**
 * The environment hooks see (the env of a module's worker thread, the environment of an executable).
 * Deliberately NOT the connector's own, which holds the Bitrix24 secret; the composition root may
 * pass a wider one (runner option `env`).
 */
export const DEFAULT_HOOK_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
export const DEFAULT_MAX_LOG_BYTES = 8 * 1024;

/** Keeps the last `max` bytes written (stderr, console output of a worker). */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}

  push(chunk: Buffer | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.max && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}

/** Reason text of an aborted signal (the runner aborts with a ConnectorError HOOK_TIMEOUT). */
export function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : 'aborted';
}
