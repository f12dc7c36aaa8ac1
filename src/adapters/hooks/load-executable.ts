/**
 * Executable hooks: `NAME.php` (php), `NAME.py` (python3), `NAME.sh` (sh) or an extension-less
 * executable file `NAME` (run itself; its shebang picks the interpreter). Spawned without a shell,
 * JSON on stdin, JSON on stdout; stderr kept (bounded) for the log. At the timeout the whole
 * process group is SIGKILLed, so a shell script's children die with it. stdout is capped.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
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

type FailureCode = Extract<InvokeOutcome, { ok: false }>['code'];

/** One process of a hook: its output, its limits, its single outcome. */
class ProcessRun {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private readonly stderr: TailBuffer;
  private settled = false;

  constructor(
    private readonly command: string,
    args: string[],
    private readonly o: { cwd: string; env: Record<string, string>; maxOutputBytes: number; maxLogBytes: number },
    private readonly done: (o: InvokeOutcome) => void,
  ) {
    this.stderr = new TailBuffer(o.maxLogBytes);
    // detached: its own process group, so the timeout kills the hook and everything it started.
    this.child = spawn(command, args, { shell: false, detached: true, cwd: o.cwd, env: o.env, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  start(inputJson: string): void {
    const { child } = this;
    // ENOENT/EACCES: the interpreter or the file cannot be executed.
    child.on('error', (e: NodeJS.ErrnoException) => this.finish({
      ok: false, code: 'HOOK_INTERPRETER_MISSING', reason: `cannot start ${this.command}: ${e.code ?? e.message}`, details: { command: this.command },
    }));
    child.stdout.on('data', (c: Buffer) => this.onStdout(c));
    child.stderr.on('data', (c: Buffer) => this.stderr.push(c));
    child.stdin.on('error', () => {}); // EPIPE when the hook does not read its input
    child.stdin.end(inputJson);
    child.on('close', (code, sig) => this.onClose(code, sig));
  }

  fail(code: FailureCode, reason: string): void {
    this.killGroup();
    this.finish({ ok: false, code, reason, log: this.stderr.text() || undefined });
  }

  private onStdout(c: Buffer): void {
    this.outBytes += c.length;
    if (this.outBytes > this.o.maxOutputBytes) return this.fail('HOOK_OUTPUT_TOO_LARGE', `stdout exceeded ${this.o.maxOutputBytes} bytes`);
    this.out.push(c);
  }

  private onClose(code: number | null, sig: NodeJS.Signals | null): void {
    const log = this.stderr.text() || undefined;
    if (code === 0) return this.finish({ ok: true, text: Buffer.concat(this.out).toString('utf8'), log });
    const reason = sig ? `killed by ${sig}` : `exit status ${code}`;
    this.finish({ ok: false, code: 'HOOK_EXIT_NONZERO', reason, log, details: { exitCode: code, signal: sig } });
  }

  private killGroup(): void {
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL'); // the group is already gone; make sure the leader is
    }
  }

  private finish(o: InvokeOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.done(o);
  }
}
