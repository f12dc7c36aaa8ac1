/**
 * wav (PCM, GSM-in-WAV, ulaw/alaw, anything ffmpeg reads) → mp3 with the system ffmpeg, spawned
 * without a shell, killed on timeout. 16 kbit/s CBR mono is plenty for 8 kHz telephony audio
 * (≈ 120 kB per minute). The output goes to a fresh folder under the work dir with the input's
 * stem, so the name Bitrix24 shows stays the PBX's name.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { recError, REC_CODES } from './errors.js';

export interface ConvertOptions {
  /** config.recordings.ffmpegPath ('ffmpeg' = looked up in PATH). */
  readonly ffmpegPath: string;
  /** Folder for converted files (created when missing). */
  readonly workDir: string;
  /** Kill ffmpeg after this long. Default 60 s. */
  readonly timeoutMs?: number;
  /** libmp3lame bit rate. Default '16k'. */
  readonly bitrate?: string;
  readonly signal?: AbortSignal;
}

export interface Converted {
  /** The file to send: the mp3, or the input itself when it already was an mp3. */
  readonly path: string;
  /** false: passed through (input already mp3). */
  readonly converted: boolean;
  readonly bytes: number;
  readonly durationMs: number;
  /** The folder created for the output (remove it after the upload); undefined when passed through. */
  readonly tempDir?: string;
}

export interface FfmpegAvailability {
  readonly ok: boolean;
  /** First line of `ffmpeg -version` when ok. */
  readonly version?: string;
  /** REC_FFMPEG_MISSING / REC_FFMPEG_FAILED / REC_FFMPEG_TIMEOUT when not ok. */
  readonly code?: string;
  readonly message?: string;
}

export const DEFAULT_CONVERT_TIMEOUT_MS = 60_000;

/** The exact ffmpeg argument list (exported for docs and tests). `-f mp3` lets us write to a .part name. */
export function ffmpegArgs(input: string, output: string, bitrate = '16k'): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-i', input, '-ac', '1', '-codec:a', 'libmp3lame', '-b:a', bitrate, '-f', 'mp3', output];
}

interface RunResult {
  readonly stdout: string;
  readonly stderrTail: string;
}

/** Runs a program without a shell; rejects with a REC_FFMPEG_* error on spawn failure, exit ≠ 0 or timeout. */
function run(path: string, args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let timedOut = false;
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve({ stdout, stderrTail: stderr });
    };
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = (): void => kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => { if (stdout.length < 8192) stdout += c; });
    // Keep only the tail: ffmpeg's last lines say what went wrong.
    child.stderr.on('data', (c: string) => { stderr = (stderr + c).slice(-2000); });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(recError(REC_CODES.FFMPEG_MISSING, `${path} cannot be started (${e.code ?? e.message})`, {
        cause: e, details: { ffmpegPath: path, errno: e.code } }));
    });
    child.on('close', (code, sig) => {
      if (timedOut) {
        finish(recError(REC_CODES.FFMPEG_TIMEOUT, `${path} killed after ${timeoutMs} ms`, {
          retryable: true, details: { ffmpegPath: path, timeoutMs } }));
      } else if (sig || code !== 0) {
        finish(recError(REC_CODES.FFMPEG_FAILED, `${path} failed (${sig ?? `exit ${String(code)}`}): ${lastLine(stderr)}`, {
          details: { ffmpegPath: path, exitCode: code, signal: sig, stderr: stderr.slice(-500) } }));
      } else {
        finish(undefined);
      }
    });
  });
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return (lines.at(-1) ?? '').slice(0, 200);
}

/** Is ffmpeg runnable at `path`? (for `doctor` and for deciding whether to convert at all). */
export async function ffmpegAvailable(path: string, timeoutMs = 5_000): Promise<FfmpegAvailability> {
  try {
    const { stdout } = await run(path, ['-hide_banner', '-version'], timeoutMs);
    return { ok: true, version: stdout.split('\n')[0]?.trim() ?? '' };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: err.code ?? REC_CODES.FFMPEG_FAILED, message: err.message ?? String(e) };
  }
}

export const isMp3 = (path: string): boolean => extname(path).toLowerCase() === '.mp3';

/**
 * Converts `input` to mp3 in a new folder under `workDir` (an mp3 input is passed through).
 * Throws REC_FFMPEG_MISSING / REC_FFMPEG_FAILED / REC_FFMPEG_TIMEOUT / REC_CONVERT_EMPTY /
 * REC_FILE_UNREADABLE; nothing is left behind on failure.
 */
export async function convertToMp3(input: string, options: ConvertOptions): Promise<Converted> {
  const started = Date.now();
  let inputSize: number;
  try {
    inputSize = (await stat(input)).size;
  } catch (e) {
    throw recError(REC_CODES.FILE_UNREADABLE, `${input}: ${(e as NodeJS.ErrnoException).code ?? 'cannot stat'}`, { cause: e, details: { path: input } });
  }
  if (isMp3(input)) return { path: input, converted: false, bytes: inputSize, durationMs: 0 };
  await mkdir(options.workDir, { recursive: true });
  const dir = await mkdtemp(join(options.workDir, 'rec-'));
  const stem = basename(input, extname(input)) || 'recording';
  const out = join(dir, `${stem}.mp3`);
  const part = `${out}.part`;
  try {
    await run(options.ffmpegPath, ffmpegArgs(input, part, options.bitrate), options.timeoutMs ?? DEFAULT_CONVERT_TIMEOUT_MS, options.signal);
    const size = (await stat(part).catch(() => undefined))?.size ?? 0;
    if (size === 0) throw recError(REC_CODES.CONVERT_EMPTY, `${options.ffmpegPath} produced no audio from ${input}`, { details: { path: input } });
    // Renamed only when complete: a killed ffmpeg never leaves a file that looks finished.
    await rename(part, out);
    return { path: out, converted: true, bytes: size, durationMs: Date.now() - started, tempDir: dir };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
