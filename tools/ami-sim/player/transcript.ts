/**
 * Reads a transcript file (fixture format: `# ` header lines, then the raw AMI byte stream from the
 * server starting with the banner; `> ` lines are what the client sent) and keeps only the call
 * events, timed. Dropped: responses, list replies of the recording session (events without a
 * Privilege line), FullyBooted and the AMI security events of the recording session's own login.
 */
import { readFile } from 'node:fs/promises';
import { parseAmiStream } from '../../../src/adapters/ami/framing.js';
import type { AmiField } from '../../../src/adapters/ami/message.js';
import { ConnectorError } from '../../../src/errors.js';
import type { AmiFields, TimedEvent } from '../scenario/types.js';

export interface Transcript {
  /** The `# ` header lines, without the `# `. */
  readonly header: readonly string[];
  readonly banner: string | undefined;
  /** Call events with their time offsets (ms from the first event). */
  readonly events: readonly TimedEvent[];
}

export interface TranscriptOptions {
  /** Gap between two events when the transcript carries no time (default 20 ms). */
  readonly gapMs?: number;
}

export const DEFAULT_GAP_MS = 20;

const LOGIN_SECURITY_EVENTS = new Set(['successfulauth', 'challengesent', 'invalidpassword', 'invalidaccountid', 'challengeresponsefailed']);

/** Splits header lines from the stream and drops client (`> `) lines. */
function splitTranscript(text: string): { header: string[]; stream: string } {
  const lines = text.split('\n');
  const header: string[] = [];
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').startsWith('# ')) header.push((lines[i++] ?? '').slice(2).replace(/\r$/, ''));
  const kept: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '>' || line.startsWith('> ') || line === '>\r') continue;
    kept.push(line);
  }
  return { header, stream: kept.join('\n') };
}

/** Fields from the `Event` key on (debug logs put noise lines before it), or undefined. */
function eventFields(fields: readonly AmiField[]): AmiFields | undefined {
  const at = fields.findIndex(([k]) => k.toLowerCase() === 'event');
  if (at < 0) return undefined;
  return fields.slice(at).map(([k, v]) => [k, v] as const);
}

function value(fields: AmiFields, key: string): string | undefined {
  const lk = key.toLowerCase();
  for (const [k, v] of fields) if (k.toLowerCase() === lk) return v;
  return undefined;
}

function keep(fields: AmiFields): boolean {
  const name = (value(fields, 'Event') ?? '').toLowerCase();
  // Replies to the recorder's own actions: list events carry its ActionID (Status even a Privilege
  // line); OriginateResponse is the one asynchronous event that carries an ActionID.
  if (value(fields, 'Privilege') === undefined) return false;
  if (value(fields, 'ActionID') !== undefined && name !== 'originateresponse') return false;
  if (name === 'fullybooted') return false;
  if (LOGIN_SECURITY_EVENTS.has(name) && value(fields, 'Service') === 'AMI') return false;
  return true;
}

/** Epoch ms of an event from `Timestamp: <epoch>.<usec>` or `EventTV: <ISO>`, if any. */
export function eventTimeMs(fields: AmiFields): number | undefined {
  const ts = value(fields, 'Timestamp');
  if (ts !== undefined && /^\d+(\.\d+)?$/.test(ts)) return Number(ts) * 1000;
  const tv = value(fields, 'EventTV');
  if (tv !== undefined) {
    const ms = Date.parse(tv.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

export function parseTranscript(text: string, options: TranscriptOptions = {}): Transcript {
  const gap = options.gapMs ?? DEFAULT_GAP_MS;
  const { header, stream } = splitTranscript(text);
  const { banner, messages } = parseAmiStream(stream);
  const events: TimedEvent[] = [];
  let firstMs: number | undefined;
  let at = 0;
  for (const msg of messages) {
    const fields = eventFields(msg.fields);
    if (!fields || !keep(fields)) continue;
    const t = eventTimeMs(fields);
    if (events.length === 0) {
      at = 0;
      firstMs = t;
    } else if (t !== undefined && firstMs !== undefined) {
      at = Math.max(at, t - firstMs); // never backwards: the stream order is the truth
    } else {
      if (t !== undefined) firstMs = t - (at + gap);
      at += gap;
    }
    events.push({ atMs: at, fields });
  }
  return { header, banner, events };
}

export async function loadTranscript(path: string, options: TranscriptOptions = {}): Promise<Transcript> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConnectorError('SIM_TRANSCRIPT_UNREADABLE', `cannot read transcript ${path}`, { cause, details: { path } });
  }
  const t = parseTranscript(text, options);
  if (t.events.length === 0) {
    throw new ConnectorError('SIM_TRANSCRIPT_EMPTY', `no call events in transcript ${path}`, { details: { path } });
  }
  return t;
}
