/**
 * Transcripts of recorded calls (`recordings.transcriber`): the connector runs the user's
 * speech-to-text program on the PBX's recording and hands its reply to Bitrix24
 * (`telephony.call.attachTranscription`). The program gets one JSON object on stdin — the file and
 * what is known of the call — and answers with the method's own JSON on stdout (see
 * src/core/crm/transcript.ts and docs/recordings.md). It runs without a shell in its own process
 * group, killed with its children at `timeoutMs`; at most `concurrency` run at once, the rest wait.
 *
 * A finished transcript is kept in the store (`transcript.<callKey>`) until it is attached, so a
 * crash between the two never makes the program run twice; a run that failed is not kept (a retry
 * from the panel runs it again).
 */
import { dirname } from 'node:path';
import { access, constants } from 'node:fs/promises';
import { checkTranscript, type Transcript } from '../../core/crm/transcript.js';
import type { KvStore } from '../../outbox/store-port.js';
import type { Logger } from '../../log.js';
import { DEFAULT_HOOK_ENV, DEFAULT_MAX_LOG_BYTES, type InvokeOutcome } from '../hooks/invoker.js';
import { ProcessRun } from '../hooks/json-process.js';

export interface TranscriberSettings {
  /** The program (absolute path, or a name looked up in PATH). */
  readonly command: string;
  readonly args: readonly string[];
  /** Longest run, ms; then the program and its children are killed. */
  readonly timeoutMs: number;
  /** How long the outbox step waits for a run before it backs off and comes back (at least this long later), ms. */
  readonly waitMs: number;
  /** Programs running at once. */
  readonly concurrency: number;
}

/** What the program gets on stdin. */
export interface TranscriptionJob {
  readonly callKey: string;
  readonly callId: string;
  /** The recording as the PBX wrote it. */
  readonly file: string;
  readonly direction?: string;
  readonly clientNumber?: string;
  /** Extension of the employee who talked (the finish's user), when known. */
  readonly extension?: string;
  /** ISO-8601. */
  readonly startedAt?: string;
  readonly talkSeconds?: number;
}

export type TranscriptionState =
  /** `pollMs`: when to ask again. */
  | { readonly kind: 'running'; readonly pollMs: number }
  | { readonly kind: 'done'; readonly transcript: Transcript }
  | { readonly kind: 'failed'; readonly code: TranscriptFailure; readonly message: string; readonly log?: string };

export type TranscriptFailure =
  | 'REC_TRANSCRIPT_NO_FILE' | 'REC_TRANSCRIPT_FAILED' | 'REC_TRANSCRIPT_TIMEOUT' | 'REC_TRANSCRIPT_BAD_REPLY';

export const TRANSCRIPT_KEY_PREFIX = 'transcript.';
const MAX_REPLY_BYTES = 4 * 1024 * 1024;
/** Least wait before the outbox step asks again about a running program, ms. */
const MIN_POLL_MS = 1_000;

export interface TranscriberOptions {
  /** The running settings (undefined: transcripts are off). Read at each run. */
  readonly settings: () => TranscriberSettings | undefined;
  readonly kv: KvStore;
  readonly now: () => number;
  readonly logger: Logger;
}

export class Transcriber {
  private readonly runs = new Map<string, Promise<TranscriptionState>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private readonly killers = new Set<() => void>();

  constructor(private readonly o: TranscriberOptions) {}

  /** A kept transcript of a call, if its program already answered. */
  async kept(callKey: string): Promise<Transcript | undefined> {
    return this.o.kv.getValue<Transcript>(TRANSCRIPT_KEY_PREFIX + callKey);
  }

  async forget(callKey: string): Promise<void> {
    await this.o.kv.deleteValue(TRANSCRIPT_KEY_PREFIX + callKey);
  }

  /**
   * The state of the call's transcript after waiting at most `waitMs`: starts the program unless it
   * is running already (one run per call at a time).
   */
  async request(job: TranscriptionJob): Promise<TranscriptionState> {
    const settings = this.o.settings();
    if (!settings) return { kind: 'failed', code: 'REC_TRANSCRIPT_FAILED', message: 'recordings.transcriber is not set' };
    let run = this.runs.get(job.callKey);
    if (!run) {
      run = this.run(job, settings).finally(() => this.runs.delete(job.callKey));
      this.runs.set(job.callKey, run);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pending: TranscriptionState = { kind: 'running', pollMs: Math.max(MIN_POLL_MS, settings.waitMs) };
    const waited = new Promise<TranscriptionState>((r) => { timer = setTimeout(() => r(pending), settings.waitMs); });
    try {
      return await Promise.race([run, waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Programs running or queued. */
  get pending(): number {
    return this.runs.size;
  }

  /** Kills running programs (the connector stops); their steps run them again after the restart. */
  close(): void {
    for (const kill of [...this.killers]) kill();
  }

  private async run(job: TranscriptionJob, settings: TranscriberSettings): Promise<TranscriptionState> {
    const log = this.o.logger.child({ callKey: job.callKey });
    try {
      await access(job.file, constants.R_OK);
    } catch (e) {
      return { kind: 'failed', code: 'REC_TRANSCRIPT_NO_FILE', message: `the recording ${job.file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    await this.slot(settings.concurrency);
    const started = this.o.now();
    try {
      const outcome = await this.spawn(job, settings);
      const state = this.judge(outcome, settings);
      if (state.kind === 'done') {
        await this.o.kv.setValue(TRANSCRIPT_KEY_PREFIX + job.callKey, state.transcript, this.o.now());
        log.info({ messages: state.transcript.MESSAGES.length, ms: this.o.now() - started }, 'transcript made');
      } else if (state.kind === 'failed') {
        log.warn({ code: state.code, reason: state.message, log: state.log }, 'transcriber failed');
      }
      return state;
    } finally {
      this.release();
    }
  }

  private spawn(job: TranscriptionJob, settings: TranscriberSettings): Promise<InvokeOutcome> {
    return new Promise<InvokeOutcome>((resolve) => {
      const cwd = settings.command.includes('/') ? dirname(settings.command) : process.cwd();
      const proc = new ProcessRun(settings.command, [...settings.args], {
        cwd, env: { ...DEFAULT_HOOK_ENV, ASTERISK_B24_TRANSCRIBE: job.callKey },
        maxOutputBytes: MAX_REPLY_BYTES, maxLogBytes: DEFAULT_MAX_LOG_BYTES,
      }, (o) => {
        clearTimeout(timer);
        this.killers.delete(kill);
        resolve(o);
      });
      const kill = (): void => proc.fail('HOOK_CLOSED', 'the connector stopped');
      const timer = setTimeout(() => proc.fail('HOOK_TIMEOUT', `no reply within ${settings.timeoutMs} ms`), settings.timeoutMs);
      this.killers.add(kill);
      proc.start(JSON.stringify(job));
    });
  }

  private judge(o: InvokeOutcome, settings: TranscriberSettings): TranscriptionState {
    if (!o.ok) {
      // Killed because the connector stops: not the program's fault; the step runs it after the restart.
      if (o.code === 'HOOK_CLOSED') return { kind: 'running', pollMs: MIN_POLL_MS };
      const code = o.code === 'HOOK_TIMEOUT' ? 'REC_TRANSCRIPT_TIMEOUT' : 'REC_TRANSCRIPT_FAILED';
      const why = o.code === 'HOOK_INTERPRETER_MISSING' ? `cannot start ${settings.command}: ${o.reason}` : o.reason;
      return { kind: 'failed', code, message: why, ...(o.log ? { log: o.log } : {}) };
    }
    let reply: unknown;
    try {
      reply = JSON.parse(o.text);
    } catch {
      return { kind: 'failed', code: 'REC_TRANSCRIPT_BAD_REPLY', message: `stdout is not JSON: ${o.text.slice(0, 120)}`, ...(o.log ? { log: o.log } : {}) };
    }
    const checked = checkTranscript(reply);
    if (!checked.ok) return { kind: 'failed', code: 'REC_TRANSCRIPT_BAD_REPLY', message: `${checked.path || 'reply'}: ${checked.message}` };
    return { kind: 'done', transcript: checked.transcript };
  }

  private async slot(limit: number): Promise<void> {
    if (this.active < Math.max(1, limit)) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes on
    else this.active--;
  }
}
