/**
 * One run of a JSON-in / JSON-out program: spawned without a shell in its own process group, the
 * input written to stdin, stdout capped, stderr kept (bounded) for the log; `fail()` SIGKILLs the
 * whole group (a shell script's children die with it). Used by executable hooks and the
 * transcriber (src/adapters/recordings/transcriber.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { TailBuffer, type InvokeOutcome } from './invoker.js';

export type FailureCode = Extract<InvokeOutcome, { ok: false }>['code'];

/** One process: its output, its limits, its single outcome. */
export class ProcessRun {
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
