/**
 * Executable hooks: `NAME.php` (php), `NAME.py` (python3), `NAME.sh` (sh) or an extension-less
 * executable file `NAME` (run itself; its shebang picks the interpreter). Spawned without a shell,
 * JSON on stdin, JSON on stdout; stderr kept (bounded) for the log. At the timeout the whole
 * process group is SIGKILLed, so a shell script's children die with it. stdout is capped.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { HookPointName } from '../../core/hooks/points.js';
import { abortReason, DEFAULT_HOOK_ENV, DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_OUTPUT_BYTES, TailBuffer, type HookInvoker, type InvokeOutcome } from './invoker.js';

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
  private readonly running = new Set<() => void>();

  constructor(
    readonly point: HookPointName,
    readonly location: string,
    private readonly runner: ExecutableRunner,
    private readonly options: ExecutableHookOptions = {},
  ) {}

  invoke(inputJson: string, signal: AbortSignal): Promise<InvokeOutcome> {
    const { command, args } = commandFor(this.runner, this.location, this.options.interpreters);
    const maxOut = this.options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stderr = new TailBuffer(this.options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES);
    return new Promise<InvokeOutcome>((resolve) => {
      const child = spawn(command, args, {
        shell: false,
        detached: true, // own process group: the timeout kills the hook and everything it started
        cwd: dirname(this.location),
        env: { ...(this.options.env ?? DEFAULT_HOOK_ENV), ASTERISK_B24_HOOK: this.point },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      let outBytes = 0;
      let settled = false;
      const finish = (o: InvokeOutcome): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        this.running.delete(killGroup);
        resolve(o);
      };
      const killGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL'); // the group is already gone; make sure the leader is
        }
      };
      const fail = (code: Extract<InvokeOutcome, { ok: false }>['code'], reason: string, details?: Record<string, unknown>): void => {
        killGroup();
        finish({ ok: false, code, reason, log: stderr.text() || undefined, details });
      };
      const onAbort = (): void => fail('HOOK_TIMEOUT', abortReason(signal));
      this.running.add(killGroup);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();

      child.on('error', (e: NodeJS.ErrnoException) => {
        // ENOENT/EACCES: the interpreter or the file cannot be executed.
        finish({ ok: false, code: 'HOOK_INTERPRETER_MISSING', reason: `cannot start ${command}: ${e.code ?? e.message}`, details: { command } });
      });
      child.stdout.on('data', (c: Buffer) => {
        outBytes += c.length;
        if (outBytes > maxOut) return fail('HOOK_OUTPUT_TOO_LARGE', `stdout exceeded ${maxOut} bytes`);
        out.push(c);
      });
      child.stderr.on('data', (c: Buffer) => stderr.push(c));
      child.stdin.on('error', () => {}); // EPIPE when the hook does not read its input
      child.stdin.end(inputJson);
      child.on('close', (code, sig) => {
        const log = stderr.text() || undefined;
        if (code === 0) return finish({ ok: true, text: Buffer.concat(out).toString('utf8'), log });
        finish({
          ok: false,
          code: 'HOOK_EXIT_NONZERO',
          reason: sig ? `killed by ${sig}` : `exit status ${code}`,
          log,
          details: { exitCode: code, signal: sig },
        });
      });
    });
  }

  /** Kills every running process of this hook. */
  async close(): Promise<void> {
    for (const kill of [...this.running]) kill();
    this.running.clear();
  }
}
