/**
 * telephony.externalCall.attachRecord (reference §6.5) for a file on disk. Small files go in one
 * call as FILE_CONTENT (base64); larger ones in two steps: attachRecord with FILENAME only returns
 * `uploadUrl` + `fieldName`, then the file is POSTed there as multipart/form-data. Never inside a
 * `batch` (the portal refuses file uploads in batch). Only after `finish`: before it the portal
 * answers ERROR_CORE "Call is not found in the statistic table" (B24_METHOD_ERROR).
 *
 * A second attachRecord replaces the earlier record, so re-sending after a failure is safe.
 */
import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ConnectorError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { b24Error, b24LocalError } from '../bitrix/errors.js';
import type { B24Client } from '../bitrix/types.js';
import { recError, REC_CODES } from './errors.js';

export const ATTACH_RECORD_METHOD = 'telephony.externalcall.attachrecord';
/** Default largest file sent inline as base64 (≈ 5.6 MB of JSON). */
export const DEFAULT_INLINE_MAX_BYTES = 4 * 1024 * 1024;

export interface AttachRecordOptions {
  /** Files up to this size go as FILE_CONTENT; larger ones via uploadUrl. Default 4 MiB. */
  readonly inlineMaxBytes?: number;
  /** FILENAME sent to Bitrix24; default the file's base name. Must end in .mp3 or .wav. */
  readonly fileName?: string;
  /** For the multipart POST (default global fetch). */
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Cap of the multipart POST. Default 120 s. */
  readonly uploadTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface AttachRecordResult {
  /** FILE_ID from the portal when it returned one. */
  readonly fileId?: number;
  readonly mode: 'base64' | 'upload';
  readonly bytes: number;
  readonly fileName: string;
}

/** Bitrix24 accepts only these (lower-case extension in FILENAME). */
export function recordFileName(path: string, override?: string): string {
  const name = override ?? basename(path);
  const ext = extname(name);
  const low = ext.toLowerCase();
  if (low !== '.mp3' && low !== '.wav') {
    throw recError(REC_CODES.UNSUPPORTED_FORMAT, `Bitrix24 takes only wav and mp3 recordings, not "${ext || name}"`, { details: { path } });
  }
  return name.slice(0, name.length - ext.length) + low;
}

const mimeOf = (name: string): string => (name.endsWith('.mp3') ? 'audio/mpeg' : 'audio/wav');

function toFileId(result: unknown): number | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const v = (result as Record<string, unknown>).FILE_ID ?? (result as Record<string, unknown>).fileId;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/**
 * Attaches the file at `path` to the finished call `callId`. Errors: the Bitrix24 table's B24_
 * codes (with `retryable`), REC_FILE_UNREADABLE, REC_UNSUPPORTED_FORMAT, REC_UPLOAD_NO_URL,
 * REC_UPLOAD_FAILED.
 */
export async function attachRecord(client: B24Client, callId: string, path: string, options: AttachRecordOptions = {}): Promise<AttachRecordResult> {
  const log = (options.logger ?? silentLogger).child({ component: 'recordings-upload' });
  const fileName = recordFileName(path, options.fileName);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw recError(REC_CODES.FILE_UNREADABLE, `${path}: ${(e as NodeJS.ErrnoException).code ?? 'cannot stat'}`, { cause: e, details: { path } });
  }
  const callOpts = options.signal ? { signal: options.signal } : {};
  if (size <= (options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES)) {
    const content = await readFile(path).catch((e: unknown) => {
      throw recError(REC_CODES.FILE_UNREADABLE, `${path}: ${(e as NodeJS.ErrnoException).code ?? 'cannot read'}`, { cause: e, details: { path } });
    });
    const result = await client.call(ATTACH_RECORD_METHOD, { CALL_ID: callId, FILENAME: fileName, FILE_CONTENT: content.toString('base64') }, callOpts);
    const fileId = toFileId(result);
    log.info({ callId, fileName, bytes: size, mode: 'base64', fileId }, 'recording attached');
    return { ...(fileId === undefined ? {} : { fileId }), mode: 'base64', bytes: size, fileName };
  }
  const step1 = await client.call(ATTACH_RECORD_METHOD, { CALL_ID: callId, FILENAME: fileName }, callOpts);
  const s = (step1 && typeof step1 === 'object' ? step1 : {}) as Record<string, unknown>;
  const uploadUrl = s.uploadUrl;
  if (typeof uploadUrl !== 'string' || uploadUrl === '') {
    throw recError(REC_CODES.UPLOAD_NO_URL, `${ATTACH_RECORD_METHOD} without FILE_CONTENT answered no uploadUrl`, {
      details: { keys: Object.keys(s) } });
  }
  const fieldName = typeof s.fieldName === 'string' && s.fieldName !== '' ? s.fieldName : 'file';
  const result = await postFile(uploadUrl, fieldName, path, fileName, options);
  const fileId = toFileId(result);
  log.info({ callId, fileName, bytes: size, mode: 'upload', fileId }, 'recording attached');
  return { ...(fileId === undefined ? {} : { fileId }), mode: 'upload', bytes: size, fileName };
}

/** Step 2: multipart POST of the file to the uploadUrl; resolves with the answer's `result`. */
async function postFile(uploadUrl: string, fieldName: string, path: string, fileName: string, options: AttachRecordOptions): Promise<unknown> {
  const label = 'attachRecord upload';
  const timeoutMs = options.uploadTimeoutMs ?? 120_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let blob: Blob;
  try {
    // Streamed from disk: a long wav is not read into memory.
    blob = await openAsBlob(path, { type: mimeOf(fileName) });
  } catch (e) {
    throw recError(REC_CODES.FILE_UNREADABLE, `${path}: ${(e as NodeJS.ErrnoException).code ?? 'cannot read'}`, { cause: e, details: { path } });
  }
  const form = new FormData();
  form.append(fieldName, blob, fileName);
  let res: Response;
  let text: string;
  try {
    res = await (options.fetch ?? fetch)(uploadUrl, { method: 'POST', body: form, signal });
    text = await res.text();
  } catch (e) {
    // Never put the upload URL (it carries auth/token) into messages.
    const code = (e as { cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
    if (timeout.aborted) throw b24LocalError('timeout', `Bitrix24 ${label}: no answer within ${timeoutMs} ms`);
    if (options.signal?.aborted) throw b24LocalError('aborted', `Bitrix24 ${label}: cancelled by the caller`);
    throw b24LocalError('network', `Bitrix24 ${label}: network error${code ? ` (${code})` : ''}`, { details: { networkCode: code } });
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const obj = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const error = typeof obj?.error === 'string' || typeof obj?.error === 'number' ? String(obj.error) : undefined;
  if (error !== undefined) {
    const d = obj?.error_description;
    throw b24Error({ method: label, status: res.status, error, ...(typeof d === 'string' ? { description: d } : {}) });
  }
  if (res.status >= 400) throw b24Error({ method: label, status: res.status });
  if (!obj) {
    // The docs do not describe this answer; a 2xx without JSON is taken as accepted.
    if (res.status >= 200 && res.status < 300) return undefined;
    throw new ConnectorError(REC_CODES.UPLOAD_FAILED, `Bitrix24 ${label}: unexpected HTTP ${res.status}`, { details: { status: res.status } });
  }
  return 'result' in obj ? obj.result : obj;
}
