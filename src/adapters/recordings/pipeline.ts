/**
 * RecordingPipeline: after a call ends, find its recording, wait until the file is complete,
 * convert it to mp3, let hook 7 (process_record_file_path) swap the path, then attach it to the
 * finished Bitrix24 call (or build the link-mode description). `prepare` never throws for
 * "no recording": it answers NoRecording with a reason; `upload` throws coded errors for the
 * outbox to retry (`retryable`).
 *
 * PreparedRecording is plain JSON, so the caller can keep it in an outbox payload.
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { errorCode } from '../../errors.js';
import type { HookPort } from '../../flow/ports.js';
import { silentLogger, type Logger } from '../../log.js';
import type { B24Client } from '../bitrix/types.js';
import { convertToMp3, DEFAULT_CONVERT_TIMEOUT_MS, isMp3 } from './convert.js';
import { recError, REC_CODES } from './errors.js';
import { recordLinkFields, recordPublicUrl, type RecordLinkFields } from './link.js';
import { locateRecordings, type LocatedRecording } from './locate.js';
import { attachRecord, DEFAULT_INLINE_MAX_BYTES, type AttachRecordResult } from './upload.js';
import { waitForStable, type StableFile, type WaitClock } from './wait-stable.js';

export const RECORD_FILE_PATH_HOOK = 'process_record_file_path';
/** A wav of only its header (44 bytes) holds no audio. */
const WAV_HEADER_BYTES = 44;

/** What the pipeline needs of a call (CallSummary fits). */
export interface RecordingCall {
  readonly callKey: string;
  /** MIXMONITOR_FILENAME values (full paths or bare names). */
  readonly recordings: readonly string[];
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Uniqueids, used to find files by name when `recordings` is empty. */
  readonly conversations?: ReadonlyArray<{ readonly uniqueid: string }>;
}

export interface PreparedRecording {
  readonly kind: 'prepared';
  readonly callKey: string;
  /** The file to send. */
  readonly path: string;
  /** FILENAME for attachRecord (lower-case .mp3 / .wav). */
  readonly fileName: string;
  readonly format: 'mp3' | 'wav';
  readonly bytes: number;
  /** The file the PBX wrote. */
  readonly sourcePath: string;
  readonly converted: boolean;
  /** process_record_file_path replied with another path. */
  readonly hooked: boolean;
  /** Folder with the converted file: removed by cleanup(). */
  readonly tempDir?: string;
  readonly waitedMs: number;
}

export type NoRecordingReason =
  | 'disabled' | 'not-recorded' | 'missing' | 'timeout' | 'empty' | 'unsupported-format' | 'unreadable';

export interface NoRecording {
  readonly kind: 'none';
  readonly callKey: string;
  readonly reason: NoRecordingReason;
  /** REC_ code for logs and counters ('disabled' has none). */
  readonly code?: string;
  readonly detail?: string;
  readonly waitedMs?: number;
}

export interface RecordingPipelineOptions {
  readonly recordings: Config['recordings'];
  /** config.calls.recordingWaitMs */
  readonly maxWaitMs: number;
  /** For upload(); not needed for prepare() or link(). */
  readonly client?: B24Client;
  readonly hooks?: HookPort;
  readonly logger?: Logger;
  /** Converted files go under it. Default: <os tmpdir>/asterisk-b24-recordings. */
  readonly workDir?: string;
  /** Link mode: copy the file here so the HTTP server can serve it under publicBaseUrl. */
  readonly publishDir?: string;
  readonly clock?: WaitClock;
  readonly pollMs?: number;
  readonly convertTimeoutMs?: number;
  readonly inlineMaxBytes?: number;
  readonly uploadTimeoutMs?: number;
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  readonly utcOffsetMinutes?: number;
  /** ffmpeg processes at once (calls ending together must not starve the host). Default 2. */
  readonly maxConcurrentConversions?: number;
}

export interface PrepareOptions {
  /** call_full for hook 7. */
  readonly callFull?: Record<string, unknown>;
  readonly signal?: AbortSignal;
}

export interface RecordLink extends RecordLinkFields {
  readonly url: string;
  /** Where the file was copied for serving (publishDir set). */
  readonly publishedPath?: string;
}

const formatOf = (path: string): 'mp3' | 'wav' | undefined => {
  const e = extname(path).toLowerCase();
  return e === '.mp3' ? 'mp3' : e === '.wav' ? 'wav' : undefined;
};

export class RecordingPipeline {
  private o: RecordingPipelineOptions;
  private readonly log: Logger;
  private readonly workDir: string;
  private readonly slots: Semaphore;

  constructor(options: RecordingPipelineOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger).child({ component: 'recordings' });
    this.workDir = options.workDir ?? join(tmpdir(), 'asterisk-b24-recordings');
    this.slots = new Semaphore(Math.max(1, options.maxConcurrentConversions ?? 2));
  }

  /**
   * New recordings settings while running (the admin panel): calls prepared from now on use them;
   * a preparation already waiting for its file keeps the values it started with.
   */
  reconfigure(config: Pick<Config, 'recordings' | 'calls'>): void {
    const r = config.recordings;
    this.o = { ...this.o, recordings: r, maxWaitMs: config.calls.recordingWaitMs, ...(r.mode === 'link' ? { publishDir: r.publishDir } : {}) };
  }

  /** locate → wait until stable → convert → hook 7. */
  async prepare(call: RecordingCall, options: PrepareOptions = {}): Promise<PreparedRecording | NoRecording> {
    const log = this.log.child({ callKey: call.callKey });
    const none = (reason: NoRecordingReason, code?: string, detail?: string, waitedMs?: number): NoRecording => {
      const out: NoRecording = { kind: 'none', callKey: call.callKey, reason,
        ...(code ? { code } : {}), ...(detail ? { detail } : {}), ...(waitedMs === undefined ? {} : { waitedMs }) };
      // Unrecorded calls are the norm on many PBXes: only unexpected outcomes are info.
      const quiet = reason === 'disabled' || reason === 'not-recorded';
      (quiet ? log.debug : log.info).call(log, { reason, code, detail, waitedMs }, 'no recording for the call');
      return out;
    };
    const r = this.o.recordings;
    if (!r.enabled) return none('disabled');
    const find = this.finder(call, log);
    if (call.recordings.length === 0 && (await find()).length === 0) {
      return none('not-recorded', undefined, 'no MIXMONITOR_FILENAME seen and no file named after the call ids');
    }
    const waited = await waitForStable(find, {
      stableMs: r.stableMs, maxWaitMs: this.o.maxWaitMs,
      ...(this.o.pollMs === undefined ? {} : { pollMs: this.o.pollMs }),
      ...(this.o.clock ? { clock: this.o.clock } : {}), ...(options.signal ? { signal: options.signal } : {}),
    });
    if (waited.status === 'missing') {
      return none('missing', REC_CODES.MISSING, `not found: ${call.recordings.join(', ')} (dirs: ${r.dirs.join(', ')})`, waited.waitedMs);
    }
    if (waited.status === 'timeout') {
      return none('timeout', REC_CODES.WAIT_TIMEOUT, `still growing: ${waited.files.map((f) => f.path).join(', ')}`, waited.waitedMs);
    }
    const source = pickLargest(waited.files);
    if (waited.files.length > 1) log.info({ files: waited.files, chosen: source.path }, 'several recordings: the largest is sent');
    if (source.size === 0 || (formatOf(source.path) === 'wav' && source.size <= WAV_HEADER_BYTES)) {
      return none('empty', REC_CODES.EMPTY, source.path, waited.waitedMs);
    }
    const sendable = await this.convert(source.path, log, options.signal);
    if ('reason' in sendable) return none(sendable.reason, sendable.code, sendable.detail, waited.waitedMs);
    const final = await this.applyHook(sendable.path, options.callFull, log);
    const bytes = final.path === sendable.path ? sendable.bytes : final.bytes;
    const prepared: PreparedRecording = {
      kind: 'prepared', callKey: call.callKey, path: final.path, fileName: fileNameOf(final.path),
      format: formatOf(final.path)!, bytes, sourcePath: source.path, converted: sendable.converted,
      hooked: final.path !== sendable.path, ...(sendable.tempDir ? { tempDir: sendable.tempDir } : {}),
      waitedMs: waited.waitedMs,
    };
    log.info({ path: prepared.path, bytes, converted: prepared.converted, hooked: prepared.hooked, waitedMs: waited.waitedMs },
      'recording prepared');
    return prepared;
  }

  /** attachRecord for a finished call (base64 or two-step by size). Throws coded errors. */
  async upload(callId: string, prepared: PreparedRecording, options: { signal?: AbortSignal } = {}): Promise<AttachRecordResult> {
    if (!this.o.client) throw recError(REC_CODES.NO_CLIENT, 'RecordingPipeline.upload needs options.client');
    return attachRecord(this.o.client, callId, prepared.path, {
      fileName: prepared.fileName,
      inlineMaxBytes: this.o.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES,
      logger: this.log.child({ callKey: prepared.callKey }),
      ...(this.o.uploadTimeoutMs === undefined ? {} : { uploadTimeoutMs: this.o.uploadTimeoutMs }),
      ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Link mode: the activity DESCRIPTION (player + link) for hook 14, after copying the file to
   * publishDir when one is set. Throws REC_LINK_NO_BASE_URL / REC_LINK_PRIVATE_URL / REC_PUBLISH_FAILED.
   */
  async link(prepared: PreparedRecording, label?: string): Promise<RecordLink> {
    const url = recordPublicUrl(this.o.recordings.publicBaseUrl, prepared.fileName);
    let publishedPath: string | undefined;
    if (this.o.publishDir) {
      publishedPath = join(this.o.publishDir, prepared.fileName);
      try {
        await mkdir(this.o.publishDir, { recursive: true });
        await copyFile(prepared.path, publishedPath);
      } catch (e) {
        throw recError(REC_CODES.PUBLISH_FAILED, `cannot copy ${prepared.path} to ${this.o.publishDir}: ${errorCode(e)}`, {
          retryable: true, cause: e, details: { path: prepared.path, publishDir: this.o.publishDir } });
      }
    }
    return { url, ...recordLinkFields(url, label), ...(publishedPath ? { publishedPath } : {}) };
  }

  /** Removes the converted copy (never the PBX's own file). */
  async cleanup(prepared: PreparedRecording): Promise<void> {
    if (prepared.tempDir) await rm(prepared.tempDir, { recursive: true, force: true });
  }

  private finder(call: RecordingCall, log: Logger): () => Promise<StableFile[]> {
    const times = [call.startedAt, call.endedAt].filter((t): t is number => t !== undefined);
    const ids = [call.callKey, ...(call.conversations ?? []).map((c) => c.uniqueid)];
    const reported = new Set<string>();
    return async () => {
      const found: LocatedRecording[] = await locateRecordings({ names: call.recordings, times, ids }, {
        dirs: this.o.recordings.dirs,
        ...(this.o.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: this.o.utcOffsetMinutes }),
        onProblem: (path, code) => {
          if (reported.has(path)) return;
          reported.add(path);
          log.warn({ path, errno: code, code: REC_CODES.FILE_UNREADABLE }, 'recording path cannot be checked');
        },
      });
      return found.map((f) => ({ path: f.path, size: f.size }));
    };
  }

  /** mp3 when possible; otherwise the wav as is; other formats without ffmpeg cannot be sent. */
  private async convert(path: string, log: Logger, signal?: AbortSignal): Promise<
    { path: string; bytes: number; converted: boolean; tempDir?: string } |
    { reason: NoRecordingReason; code: string; detail: string }> {
    const r = this.o.recordings;
    const asIs = async (): Promise<{ path: string; bytes: number; converted: false } | { reason: NoRecordingReason; code: string; detail: string }> => {
      try {
        return { path, bytes: (await stat(path)).size, converted: false };
      } catch (e) {
        return { reason: 'unreadable', code: REC_CODES.FILE_UNREADABLE, detail: `${path}: ${errorCode(e)}` };
      }
    };
    if (isMp3(path)) return asIs();
    if (r.convertToMp3) {
      try {
        const c = await this.slots.run(() => convertToMp3(path, {
          ffmpegPath: r.ffmpegPath, workDir: this.workDir, timeoutMs: this.o.convertTimeoutMs ?? DEFAULT_CONVERT_TIMEOUT_MS,
          ...(signal ? { signal } : {}),
        }));
        log.debug({ path, out: c.path, bytes: c.bytes, ms: c.durationMs }, 'recording converted');
        return { path: c.path, bytes: c.bytes, converted: true, ...(c.tempDir ? { tempDir: c.tempDir } : {}) };
      } catch (e) {
        const code = errorCode(e);
        if (code === REC_CODES.FILE_UNREADABLE) return { reason: 'unreadable', code, detail: (e as Error).message };
        log.warn({ path, code, err: (e as Error).message }, 'mp3 conversion failed; sending the original');
      }
    }
    if (formatOf(path) === 'wav') return asIs();
    return { reason: 'unsupported-format', code: REC_CODES.UNSUPPORTED_FORMAT,
      detail: `${path}: Bitrix24 takes only wav/mp3 and the file could not be converted` };
  }

  /** Hook 7 (its runner enforces the fixed 10 s timeout); any unusable answer keeps `path`. */
  private async applyHook(path: string, callFull: Record<string, unknown> | undefined, log: Logger): Promise<{ path: string; bytes: number }> {
    const hooks = this.o.hooks;
    if (!hooks || !hooks.has(RECORD_FILE_PATH_HOOK)) return { path, bytes: -1 };
    const outcome = await hooks.run(RECORD_FILE_PATH_HOOK, { path, ...(callFull ? { call_full: callFull } : {}) });
    const next = outcome.data.path;
    if (outcome.source !== 'hook' || next === path) return { path, bytes: -1 };
    if (typeof next !== 'string' || next.trim() === '' || formatOf(next) === undefined) {
      log.warn({ code: REC_CODES.HOOK_PATH_INVALID, path: String(next) }, 'process_record_file_path: not a wav/mp3 path; original kept');
      return { path, bytes: -1 };
    }
    const st = await stat(next).catch(() => undefined);
    if (!st?.isFile() || st.size === 0) {
      log.warn({ code: REC_CODES.HOOK_PATH_INVALID, path: next }, 'process_record_file_path: file missing or empty; original kept');
      return { path, bytes: -1 };
    }
    log.info({ from: path, to: next }, 'process_record_file_path changed the recording');
    return { path: next, bytes: st.size };
  }
}

/** At most `n` tasks at once, the rest in arrival order. */
class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly n: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds n.
    if (this.active >= this.n) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function pickLargest(files: readonly StableFile[]): StableFile {
  return files.reduce((a, b) => (b.size > a.size ? b : a));
}

function fileNameOf(path: string): string {
  const name = basename(path);
  const ext = extname(name);
  return name.slice(0, name.length - ext.length) + ext.toLowerCase();
}

/** Builds the pipeline from the whole config (the composition root's one-liner). */
export function createRecordingPipeline(config: Pick<Config, 'recordings' | 'calls'>,
  deps: Omit<RecordingPipelineOptions, 'recordings' | 'maxWaitMs'> = {}): RecordingPipeline {
  return new RecordingPipeline({ ...deps, recordings: config.recordings, maxWaitMs: config.calls.recordingWaitMs });
}
