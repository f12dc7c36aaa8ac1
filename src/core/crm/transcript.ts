/**
 * A transcriber's reply → the parameters of `telephony.call.attachTranscription` (reference §6.6).
 * The reply uses the method's own names, so a transcriber written for the REST docs needs no
 * mapping: `{"MESSAGES": [{"SIDE": "User"|"Client", "START_TIME": s, "STOP_TIME": s, "MESSAGE": text}],
 * "COST"?: number, "COST_CURRENCY"?: text}`. Speech-to-text tools give times in fractions of a second:
 * START_TIME is rounded down and STOP_TIME up (never below 1 nor below the start), the only leniency.
 * Everything else Bitrix24 would refuse is refused here, with the path of the offending field, so the
 * error is the transcriber's and is seen before anything is sent. Pure: no IO.
 */

export interface TranscriptMessage {
  readonly SIDE: 'User' | 'Client';
  readonly START_TIME: number;
  readonly STOP_TIME: number;
  readonly MESSAGE: string;
}

export interface Transcript {
  readonly MESSAGES: readonly TranscriptMessage[];
  readonly COST?: number;
  readonly COST_CURRENCY?: string;
}

export type TranscriptCheck =
  | { readonly ok: true; readonly transcript: Transcript }
  | { readonly ok: false; readonly path: string; readonly message: string };

/** Most utterances taken from one reply (a runaway transcriber must not make a huge request). */
export const MAX_TRANSCRIPT_MESSAGES = 5_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(path: string, message: string): TranscriptCheck {
  return { ok: false, path, message };
}

export function checkTranscript(reply: unknown): TranscriptCheck {
  if (!isRecord(reply)) return bad('', 'the reply must be a JSON object with MESSAGES');
  const list = reply['MESSAGES'];
  if (!Array.isArray(list)) return bad('MESSAGES', 'MESSAGES must be an array');
  if (list.length > MAX_TRANSCRIPT_MESSAGES) return bad('MESSAGES', `more than ${MAX_TRANSCRIPT_MESSAGES} messages`);
  const messages: TranscriptMessage[] = [];
  for (const [i, m] of list.entries()) {
    const at = `MESSAGES.${i}`;
    if (!isRecord(m)) return bad(at, 'each message must be an object');
    const side = m['SIDE'];
    if (side !== 'User' && side !== 'Client') return bad(`${at}.SIDE`, 'SIDE must be "User" or "Client"');
    const start = m['START_TIME'];
    if (typeof start !== 'number' || !Number.isFinite(start) || start < 0) return bad(`${at}.START_TIME`, 'START_TIME must be a number of seconds ≥ 0');
    const stop = m['STOP_TIME'];
    if (typeof stop !== 'number' || !Number.isFinite(stop) || stop <= 0) return bad(`${at}.STOP_TIME`, 'STOP_TIME must be a number of seconds > 0');
    if (stop < start) return bad(`${at}.STOP_TIME`, 'STOP_TIME is before START_TIME');
    const text = m['MESSAGE'];
    if (typeof text !== 'string' || text.trim() === '') return bad(`${at}.MESSAGE`, 'MESSAGE must be non-empty text');
    const from = Math.floor(start);
    messages.push({ SIDE: side, START_TIME: from, STOP_TIME: Math.max(1, from, Math.ceil(stop)), MESSAGE: text.trim() });
  }
  const cost = reply['COST'];
  if (cost !== undefined && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)) return bad('COST', 'COST must be a number ≥ 0');
  const currency = reply['COST_CURRENCY'];
  if (currency !== undefined && typeof currency !== 'string') return bad('COST_CURRENCY', 'COST_CURRENCY must be text');
  return {
    ok: true,
    transcript: {
      MESSAGES: messages,
      ...(typeof cost === 'number' ? { COST: cost, ...(typeof currency === 'string' && currency !== '' ? { COST_CURRENCY: currency } : {}) } : {}),
    },
  };
}
