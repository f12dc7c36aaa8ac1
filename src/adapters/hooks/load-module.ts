/**
 * JS/TS module hooks: `NAME.mjs|.js|.ts` exporting a default (async) function input → reply, run in
 * a worker thread. One warm worker per module (a cold spawn costs ~50 ms); at the timeout the
 * worker is terminated — which stops a busy loop and a never-settling promise alike — and a fresh
 * one is started for the next run. resourceLimits cap its memory.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { HookFailureCode } from '../../core/hooks/codes.js';
import type { HookPointName } from '../../core/hooks/points.js';
import type { Logger } from '../../log.js';
import { abortReason, DEFAULT_HOOK_ENV, DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_OUTPUT_BYTES, TailBuffer, type HookInvoker, type InvokeOutcome } from './invoker.js';
import { WORKER_SOURCE, type WorkerData, type WorkerResponse } from './worker-host.js';

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 };

export interface ModuleHookOptions {
  readonly logger: Logger;
  readonly maxOutputBytes?: number;
  readonly resourceLimits?: ResourceLimits;
  /** URL of `tsx/esm/api`, required for .ts modules (see resolveTsxApi). */
  readonly tsxApi?: string;
  /** The environment inside the worker (default DEFAULT_HOOK_ENV, never the connector's own). */
  readonly env?: Readonly<Record<string, string>>;
}

/** URL of tsx's ESM API when tsx is installed, else undefined (then .ts hooks are refused). */
export function resolveTsxApi(): string | undefined {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return undefined;
  }
}

interface Pending {
  readonly resolve: (o: InvokeOutcome) => void;
}

/** One live worker and the runs it carries. */
class Slot {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  readonly output = new TailBuffer(DEFAULT_MAX_LOG_BYTES);
  exited = false;
  /** Settles when the module is imported (or failed to), or the worker exits. */
  readonly ready: Promise<void>;
  private markReady: () => void = () => {};
  private lostCode: HookFailureCode = 'HOOK_WORKER_LOST';
  private lostReason = 'the worker exited';

  constructor(data: WorkerData, limits: ResourceLimits, env: Readonly<Record<string, string>>, private readonly logger: Logger) {
    this.ready = new Promise<void>((resolve) => {
      this.markReady = resolve;
    });
    // execArgv: [] keeps the parent's loaders (e.g. --import tsx in tests) out of the worker.
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true, workerData: data, resourceLimits: limits, execArgv: [], env: { ...env }, stdout: true, stderr: true,
    });
    this.worker.stdout.on('data', (c: Buffer) => this.output.push(c));
    this.worker.stderr.on('data', (c: Buffer) => this.output.push(c));
    this.worker.on('message', (m: WorkerResponse) => this.onMessage(m));
    this.worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.lostCode = 'HOOK_OUT_OF_MEMORY';
        this.lostReason = 'the worker exceeded its memory limit';
      } else {
        this.lostReason = `the worker failed: ${e.message}`;
      }
    });
    this.worker.on('exit', () => this.onExit());
  }

  private onMessage(m: WorkerResponse): void {
    if (m.type === 'ready') return this.markReady();
    if (m.type === 'load-failed') {
      this.markReady();
      this.logger.warn({ code: 'HOOK_LOAD_FAILED', reason: m.message }, 'hook module failed to load');
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    const log = m.log + this.output.text() || undefined;
    this.output.clear();
    p.resolve(m.ok ? { ok: true, text: m.text, log } : { ok: false, code: m.code as HookFailureCode, reason: m.message, log });
  }

  private onExit(): void {
    this.exited = true;
    this.markReady();
    const log = this.output.text() || undefined;
    for (const p of this.pending.values()) p.resolve({ ok: false, code: this.lostCode, reason: this.lostReason, log });
    this.pending.clear();
  }

  /** Stops the worker; runs still in it end with `code`. */
  kill(code: HookFailureCode, reason: string): Promise<number> {
    this.lostCode = code;
    this.lostReason = reason;
    return this.worker.terminate();
  }
}

export class ModuleInvoker implements HookInvoker {
  readonly kind = 'module' as const;
  private slot: Slot | undefined;
  private nextId = 1;
  private closed = false;
  private readonly data: WorkerData;

  constructor(
    readonly point: HookPointName,
    readonly location: string,
    private readonly options: ModuleHookOptions,
  ) {
    this.data = {
      file: location,
      tsxApi: location.endsWith('.ts') ? options.tsxApi : undefined,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    };
  }

  /** Starts the worker ahead of the first run (and after a kill), so runs find it warm. */
  warm(): void {
    if (this.closed || (this.slot && !this.slot.exited)) return;
    const env = { ...(this.options.env ?? DEFAULT_HOOK_ENV), ASTERISK_B24_HOOK: this.point };
    this.slot = new Slot(this.data, this.options.resourceLimits ?? DEFAULT_RESOURCE_LIMITS, env, this.options.logger);
    this.slot.worker.unref();
  }

  /** Resolves when the warm worker has imported the module (or failed to). */
  async ready(): Promise<void> {
    this.warm();
    await this.slot?.ready;
  }

  invoke(inputJson: string, signal: AbortSignal): Promise<InvokeOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, code: 'HOOK_CLOSED', reason: 'the hook was closed' });
    this.warm();
    const slot = this.slot!;
    const id = this.nextId++;
    return new Promise<InvokeOutcome>((resolve) => {
      const onAbort = (): void => {
        // Terminating is the only way to stop a busy loop; other runs in this worker end too.
        slot.pending.delete(id);
        resolve({ ok: false, code: 'HOOK_TIMEOUT', reason: abortReason(signal), log: slot.output.text() || undefined });
        void slot.kill('HOOK_WORKER_LOST', 'the worker was stopped for another run\'s timeout');
        // Detach at once and start the replacement, so the next run never reaches the dying worker.
        if (this.slot === slot) this.slot = undefined;
        this.warm();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      slot.pending.set(id, {
        resolve: (o) => {
          signal.removeEventListener('abort', onAbort);
          resolve(o);
          // A worker that died (process.exit, out of memory) is replaced for the next run.
          if (slot.exited) this.warm();
        },
      });
      slot.worker.postMessage({ id, input: inputJson });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slot = this.slot;
    this.slot = undefined;
    if (slot && !slot.exited) await slot.kill('HOOK_CLOSED', 'the hook was closed');
  }
}
