/**
 * telephony.externalCall.attachRecord (reference §6.5), the second step of its two-step upload,
 * and telephony.call.attachTranscription (§6.6). Both work only on finished calls.
 */
import { createHash } from 'node:crypto';
import type { MethodResult } from '../../contract.js';
import { B24ApiError, errorCore } from '../errors.js';
import { asInt, asList, isPlainObject, type Params, type Row } from '../params.js';
import type { PortalState, RecordFile } from '../state.js';
import type { MethodContext, MethodTable } from './context.js';

const NOT_FINISHED = 'Call is not found in the statistic table. Looks like it is not finished yet.';

/** The statistics row of a finished call. */
function statisticsOf(state: PortalState, callId: string | undefined): Row | undefined {
  if (callId === undefined) return undefined;
  const call = state.calls.get(callId);
  return call?.statId == null ? undefined : state.statistics.get(call.statId);
}

/** `wav` / `mp3` from the name, or the documented error. */
export function recordFormat(name: string): 'mp3' | 'wav' {
  if (name.trim() === '') throw errorCore('File name is empty');
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext !== 'mp3' && ext !== 'wav') throw errorCore('Wrong file extension. Only wav and mp3 are allowed');
  return ext;
}

/** Strict Base64 (as PHP's base64_decode(…, true)): only the alphabet, padding at the end. */
export function decodeBase64(content: string): Uint8Array {
  const compact = content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw errorCore('File content is not properly encoded. Base64 encoding is expected.');
  }
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

function store(state: PortalState, stat: Row, file: Omit<RecordFile, 'fileId'>): number {
  const fileId = state.counters.fileId++;
  state.records.push({ ...file, fileId });
  // A second attach replaces the record of the call (§6.5).
  stat['RECORD_FILE_ID'] = fileId;
  if (file.url !== null) stat['CALL_RECORD_URL'] = file.url;
  return fileId;
}

/**
 * finish's deprecated RECORD_URL: the portal downloads it in the background and a failure is
 * silent (§6.4 [hist]); here the download is assumed to work when the name is wav/mp3.
 */
export function recordFromFinishUrl(state: PortalState, callId: string, url: string, now: number): number | null {
  const stat = statisticsOf(state, callId);
  const name = decodeURIComponent(url.split(/[?#]/)[0]?.split('/').pop() ?? '');
  const ext = /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase();
  if (!stat || (ext !== 'mp3' && ext !== 'wav')) return null;
  return store(state, stat, { callId, name, size: 0, format: ext, via: 'url', at: now, url, bytes: null });
}

function uploadToken(state: PortalState, callId: string, now: number): string {
  state.counters.uploadSeq += 1;
  return createHash('md5').update(`upload:${state.counters.uploadSeq}:${callId}:${now}`).digest('hex');
}

function attachRecord(p: Params, mc: MethodContext): MethodResult {
  const callId = p.str('CALL_ID');
  const stat = statisticsOf(mc.state, callId);
  if (!stat || callId === undefined) throw errorCore(NOT_FINISHED);
  const url = p.str('RECORD_URL');
  const nameGiven = p.has('FILENAME');
  let name = p.str('FILENAME') ?? '';
  if ((url === undefined || url === '') && !nameGiven) {
    throw errorCore('Required parameters are not set. Request should contain or URL or FILENAME parameter');
  }
  if (url !== undefined && url !== '') {
    // No network here: the download is assumed to succeed; the URL is kept as the record's source.
    if (!nameGiven) name = decodeURIComponent(url.split(/[?#]/)[0]?.split('/').pop() ?? '');
    const format = recordFormat(name);
    return { result: { FILE_ID: store(mc.state, stat, { callId, name, size: 0, format, via: 'url', at: mc.now, url, bytes: null }) } };
  }
  const format = recordFormat(name);
  if (!p.has('FILE_CONTENT')) {
    const token = uploadToken(mc.state, callId, mc.now);
    mc.state.uploads.set(token, { token, callId, filename: name, createdAt: mc.now, usedAt: null });
    const base = mc.baseUrl.replace(/\/+$/, '');
    return { result: { uploadUrl: `${base}/rest/upload.json?token=${encodeURIComponent(`telephony|${token}`)}`, fieldName: 'file' } };
  }
  const content = p.get('FILE_CONTENT');
  if (typeof content !== 'string' || content === '') throw errorCore('File content is empty.');
  const bytes = decodeBase64(content);
  if (bytes.length === 0) throw errorCore('File content is empty.');
  return { result: { FILE_ID: store(mc.state, stat, { callId, name, size: bytes.length, format, via: 'base64', at: mc.now, url: null, bytes }) } };
}

/**
 * Second step of the two-step upload: the HTTP layer received `bytes` at the uploadUrl.
 * `token` may be given as in the URL (`telephony|…`) or bare. A token works once.
 */
export function completeUpload(state: PortalState, token: string, bytes: Uint8Array, filename: string | undefined, now: number): MethodResult {
  const bare = token.startsWith('telephony|') ? token.slice('telephony|'.length) : token;
  const upload = state.uploads.get(bare);
  if (!upload || upload.usedAt !== null) throw new B24ApiError('ERROR_CORE', 'Upload token is not valid', 400);
  const stat = statisticsOf(state, upload.callId);
  if (!stat) throw errorCore(NOT_FINISHED);
  const name = filename !== undefined && filename !== '' ? filename : upload.filename;
  const format = recordFormat(name);
  if (bytes.length === 0) throw errorCore('File content is empty.');
  upload.usedAt = now;
  const fileId = store(state, stat, { callId: upload.callId, name, size: bytes.length, format, via: 'upload', at: now, url: null, bytes });
  return { result: { FILE_ID: fileId } };
}

function checkMessages(list: unknown[]): Row[] {
  return list.map((m, n) => {
    const msg = isPlainObject(m) ? m : {};
    const get = (k: string): unknown => msg[k] ?? msg[k.toLowerCase()];
    const side = get('SIDE');
    if (side !== 'User' && side !== 'Client') throw errorCore(`MESSAGES[${n}][SIDE] should be either Client or User`);
    const start = asInt(get('START_TIME'));
    if (start === undefined || start < 0) throw errorCore(`MESSAGES[${n}][START_TIME] should be greater or equal to zero`);
    const stop = asInt(get('STOP_TIME'));
    if (stop === undefined || stop < 1) throw errorCore(`MESSAGES[${n}][STOP_TIME] should be greater than zero`);
    const text = get('MESSAGE');
    if (typeof text !== 'string' || text.trim() === '') throw errorCore(`MESSAGES[${n}][MESSAGE] is empty`);
    return { SIDE: side, START_TIME: start, STOP_TIME: stop, MESSAGE: text };
  });
}

function attachTranscription(p: Params, mc: MethodContext): MethodResult {
  const callId = p.str('CALL_ID');
  if (callId === undefined || callId === '') throw errorCore('CALL_ID should be set');
  const raw = p.get('MESSAGES');
  if (!Array.isArray(raw) && !isPlainObject(raw)) throw errorCore('MESSAGES should be an array');
  const messages = checkMessages(asList(raw));
  const stat = statisticsOf(mc.state, callId);
  if (!stat) throw errorCore(`Call ${callId} is not found. Is it finished?`);
  const id = mc.state.counters.transcriptId++;
  const cost = p.has('COST') ? Number(p.get('COST')) : null;
  mc.state.transcripts.push({ id, callId, messages, cost, costCurrency: cost === null ? null : (p.str('COST_CURRENCY') ?? ''), at: mc.now });
  stat['TRANSCRIPT_ID'] = String(id);
  return { result: { TRANSCRIPT_ID: id } };
}

export const recordMethods: MethodTable = {
  'telephony.externalcall.attachrecord': { handler: attachRecord },
  'telephony.call.attachtranscription': { handler: attachTranscription },
};
