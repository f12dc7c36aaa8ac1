/**
 * Executable hooks: `NAME.php` (php), `NAME.py` (python3), `NAME.sh` (sh) or an extension-less
 * executable file `NAME` (run itself; its shebang picks the interpreter). Spawned without a shell,
 * JSON on stdin, JSON on stdout; stderr kept (bounded) for the log. At the timeout the whole
 * process group is SIGKILLed, so a shell script's children die with it. stdout is capped.
 */
import { dirname } from 'node:path';
import type { HookPointName } from '../../core/hooks/points.js';
import { abortReason, DEFAULT_HOOK_ENV, DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_OUTPUT_BYTES, type HookInvoker, type InvokeOutcome } from './invoker.js';
import { ProcessRun } from './json-process.js';

/** How an executable hook is started. */
export type ExecutableRunner = 'php' | 'python' | 'sh' | 'direct';

/** Interpreter commands (a name looked up in PATH, or an absolute path). */
export interface Interpreters {
  readonly php: string;
  readonly python: string;
  readonly sh: string;
}

export const DEFAULT_INTERPRETERS: Interpreters = { php: 'php', python: 'python3', sh: 'sh' };

export interface ExecutableHookOptions {
  readonly interpreters?: Partial<Interpreters>;
  readonly env?: Readonly<Record<string, string>>;
  readonly maxOutputBytes?: number;
  readonly maxLogBytes?: number;
}

export function commandFor(runner: ExecutableRunner, file: string, interpreters: Partial<Interpreters> = {}): { command: string; args: string[] } {
  const i = { ...DEFAULT_INTERPRETERS, ...interpreters };
  switch (runner) {
    case 'php': return { command: i.php, args: [file] };
    case 'python': return { command: i.python, args: [file] };
    case 'sh': return { command: i.sh, args: [file] };
    case 'direct': return { command: file, args: [] };
  }
}

export class ExecutableInvoker implements HookInvoker {
  readonly kind = 'executable' as const;
  private readonly running = new Set<ProcessRun>();

  constructor(
    readonly point: HookPointName,
    readonly location: string,
    private readonly runner: ExecutableRunner,
    private readonly options: ExecutableHookOptions = {},
  ) {}

  invoke(inputJson: string, signal: AbortSignal): Promise<InvokeOutcome> {
    const { command, args } = commandFor(this.runner, this.location, this.options.interpreters);
    return new Promise<InvokeOutcome>((resolve) => {
      const run = new ProcessRun(command, args, {
        cwd: dirname(this.location),
        env: { ...(this.options.env ?? DEFAULT_HOOK_ENV), ASTERISK_B24_HOOK: this.point },
        maxOutputBytes: this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        maxLogBytes: this.options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES,
      }, (o) => {
        this.running.delete(run);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      });
      const onAbort = (): void => run.fail('HOOK_TIMEOUT', abortReason(signal));
      this.running.add(run);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      run.start(inputJson);
    });
  }

  /** Kills every running process of this hook. */
  async close(): Promise<void> {
    for (const run of [...this.running]) run.fail('HOOK_CLOSED', 'the hook was closed');
    this.running.clear();
  }
}
