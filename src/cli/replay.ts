/**
 * `asterisk-b24 replay FILE [--portal PORTAL.json] [--config FILE]`
 *
 * Feeds a recorded AMI transcript through the real framing (AmiFramer) and the call tracker and
 * prints one JSON line per stage change on stdout; framing errors go to stderr as
 * `{"type":"error","code":…}` lines and the replay goes on.
 *
 * Transcript: leading `# ` lines are a header; the rest is the server→client byte stream. Capture
 * artefacts are removed before framing (never protocol content: AMI keys start with neither `>` nor
 * `#`): lines starting with `> ` (client lines of action dialogues), lines starting with `#`
 * (comments of the capture), and shell noise before the `Asterisk Call Manager/…` banner when the
 * banner appears in the first 4 KB.
 *
 * Event time (docs/call-model.md): `Timestamp:` (epoch seconds, `timestampevents=yes`) when present,
 * else `EventTV:` (ISO time, `manager debug`), else a synthetic clock: previous time + 1 ms per
 * message, starting at the epoch second in the first Uniqueid (0 when there is none).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AmiFramer } from '../adapters/ami/framing.js';
import type { AmiMessage } from '../adapters/ami/message.js';
import { ConnectorError } from '../errors.js';
import { trackerConfig, type TrackerConfig, type TrackerConfigInput } from '../core/call/classify.js';
import type { StageChange } from '../core/call/model.js';
import { applyAmiEvent, createTrackerState, type TrackerState } from '../core/call/tracker.js';
import type { CliIo } from './main.js';

export type ReplayOut = Pick<CliIo, 'write' | 'err'>;

/** Receives every stage change, in order (the REST planner plugs in here later). */
export type StageSink = (change: StageChange) => void;

export interface ReplayerOptions {
  readonly config: TrackerConfig;
  readonly onStage: StageSink;
  readonly onError: (err: ConnectorError) => void;
}

/** Bytes in, stage changes out: the framer, the event clock and the tracker, wired together. */
export class Replayer {
  readonly state: TrackerState;
  private readonly opts: ReplayerOptions;
  private readonly framer: AmiFramer;
  private clock = 0;

  constructor(opts: ReplayerOptions) {
    this.opts = opts;
    this.state = createTrackerState(opts.config);
    this.framer = new AmiFramer({ onMessage: (m) => this.onMessage(m), onError: opts.onError });
  }

  push(chunk: Buffer | string): void {
    this.framer.push(chunk);
  }

  end(): void {
    this.framer.end();
  }

  private onMessage(msg: AmiMessage): void {
    if (this.clock === 0) this.clock = epochFromUniqueid(msg);
    this.clock = eventTime(msg, this.clock);
    const { changes } = applyAmiEvent(this.state, msg, this.clock);
    for (const c of changes) this.opts.onStage(c);
  }
}

/**
 * Start of the synthetic clock: the creation time Asterisk writes into a Uniqueid
 * (`<epoch seconds>.<sequence>`), so a transcript without timestamps still replays at its real date.
 */
function epochFromUniqueid(msg: AmiMessage): number {
  const uid = msg.index.get('uniqueid') ?? msg.index.get('linkedid');
  const m = uid === undefined ? null : /^(\d{9,11})\.\d+$/.exec(uid);
  return m ? Number(m[1]) * 1000 : 0;
}

/** Event time in ms: Timestamp, else EventTV, else previous + 1 ms. */
export function eventTime(msg: AmiMessage, previous: number): number {
  const ts = msg.index.get('timestamp');
  if (ts !== undefined) {
    const n = Number(ts);
    if (Number.isFinite(n) && n > 0) return Math.round(n * 1000);
  }
  const tv = msg.index.get('eventtv');
  if (tv !== undefined) {
    const n = Date.parse(tv);
    if (Number.isFinite(n)) return n;
  }
  return previous + 1;
}

/** Splits a transcript file into its `# ` header and the byte stream to frame (see module doc). */
export function prepareTranscript(file: Buffer): { header: string[]; stream: Buffer } {
  const text = file.toString('latin1'); // byte-preserving; framing decodes UTF-8 itself
  const header: string[] = [];
  let pos = 0;
  while (text.startsWith('# ', pos)) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    header.push(text.slice(pos + 2, end).replace(/\r?\n$/, ''));
    pos = end;
  }
  let body = text.slice(pos);
  const banner = body.slice(0, 4096).indexOf('Asterisk Call Manager/');
  if (banner > 0) {
    const lineStart = body.lastIndexOf('\n', banner) + 1;
    body = body.slice(lineStart);
  }
  if (/(^|\n)[>#]/.test(body)) body = body.split(/(?<=\n)/).filter((l) => !isCaptureLine(l)).join('');
  return { header, stream: Buffer.from(body, 'latin1') };
}

/** Client lines (`> …`) and transcript comments (`#…`): never server bytes, AMI keys start with neither. */
function isCaptureLine(line: string): boolean {
  return line.startsWith('> ') || line === '>\n' || line === '>\r\n' || line.startsWith('#');
}

/** The JSON object printed for one stage change. */
export function stageLine(c: StageChange): Record<string, unknown> {
  const line: Record<string, unknown> = { type: 'stage', call: c.callKey, stage: c.stage };
  const conv = c.conversation;
  if (conv) {
    line.conversation = conv.id.slice(conv.id.lastIndexOf('#'));
    line.extension = conv.extension;
    line.via = conv.via;
    if (conv.queue !== undefined) line.queue = conv.queue;
    if (c.stage === 'conversation_ended' && conv.endReason !== undefined) line.reason = conv.endReason;
    if (conv.mobile !== undefined) line.mobile = conv.mobile;
  }
  const call = c.call;
  line.direction = call.direction;
  if (call.clientNumber !== undefined) line.client = call.clientNumber;
  if (call.did !== undefined) line.did = call.did;
  if (call.trunk !== undefined) line.trunk = call.trunk;
  if (call.b24CallId !== undefined) line.b24CallId = call.b24CallId;
  if (c.stage === 'call_ended') {
    if (call.statusCode !== undefined) line.status = call.statusCode;
    if (call.outcome !== undefined) line.outcome = call.outcome.reason;
    if (call.queue !== undefined) line.queue = call.queue;
    line.conversations = call.conversations.length;
    if (call.recordings.length > 0) line.recording = call.recordings;
    if (call.vote !== undefined) line.vote = call.vote;
  }
  return line;
}

/**
 * Tracker configuration from a portal seed and a connector config file. Kept in one function so the
 * global config schema can replace the reading later. Reads users[].UF_PHONE_INNER (active users),
 * pbx.trunks (strings or {endpoint}), pbx.internalContexts, pbx.extensionPattern, pbx.callIdVariable.
 */
export function trackerConfigFrom(portal: unknown, config: unknown): TrackerConfig {
  const input: TrackerConfigInput = {};
  const users = (portal as { users?: unknown } | undefined)?.users;
  if (Array.isArray(users)) {
    const inner: string[] = [];
    for (const u of users as Record<string, unknown>[]) {
      const v = u?.UF_PHONE_INNER;
      if (u?.ACTIVE !== false && (typeof v === 'string' || typeof v === 'number') && String(v) !== '') inner.push(String(v));
    }
    input.extensions = inner;
  }
  const pbx = (config as { pbx?: Record<string, unknown> } | undefined)?.pbx;
  if (pbx && typeof pbx === 'object') {
    if (Array.isArray(pbx.trunks)) {
      input.trunks = (pbx.trunks as unknown[])
        .map((t) => (typeof t === 'string' ? t : (t as { endpoint?: unknown })?.endpoint))
        .filter((t): t is string => typeof t === 'string');
    }
    if (Array.isArray(pbx.internalContexts)) input.internalContexts = (pbx.internalContexts as unknown[]).filter((c): c is string => typeof c === 'string');
    if (typeof pbx.extensionPattern === 'string') input.extensionPattern = pbx.extensionPattern;
    if (typeof pbx.callIdVariable === 'string') input.clickToCallVariables = [pbx.callIdVariable];
    if (typeof pbx.voteVariable === 'string') input.voteVariables = [pbx.voteVariable];
    const fmc = fmcMobiles(pbx.fmc, users);
    if (fmc) Object.assign(input, fmc);
  }
  return trackerConfig(input);
}

/**
 * FMC (`pbx.fmc`): the employees' mobiles → their extensions — `numbers` first (they win), then the
 * configured user fields of every active user with an inner phone.
 */
function fmcMobiles(fmc: unknown, users: unknown): Pick<TrackerConfigInput, 'mobiles' | 'mobileDigits'> | undefined {
  const f = fmc as { enabled?: unknown; fields?: unknown; numbers?: unknown; matchDigits?: unknown } | undefined;
  if (!f || f.enabled !== true) return undefined;
  const mobiles: Array<[string, string]> = [];
  if (f.numbers && typeof f.numbers === 'object') {
    for (const [num, ext] of Object.entries(f.numbers as Record<string, unknown>)) if (typeof ext === 'string') mobiles.push([num, ext]);
  }
  const fields = Array.isArray(f.fields) ? (f.fields as unknown[]).filter((x): x is string => typeof x === 'string') : ['PERSONAL_MOBILE'];
  for (const u of Array.isArray(users) ? (users as Record<string, unknown>[]) : []) {
    const inner = u?.UF_PHONE_INNER;
    if (u?.ACTIVE === false || (typeof inner !== 'string' && typeof inner !== 'number') || String(inner) === '') continue;
    for (const field of fields) {
      const v = u[field];
      if (typeof v === 'string' && v !== '') mobiles.push([v, String(inner)]);
    }
  }
  return { mobiles, ...(typeof f.matchDigits === 'number' ? { mobileDigits: f.matchDigits } : {}) };
}

function readJson(path: string, code: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConnectorError(code, `cannot read ${path}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConnectorError(code, `${path} is not JSON`, { cause });
  }
}

function errorLine(e: ConnectorError): string {
  const line: Record<string, unknown> = { type: 'error', code: e.code, message: e.message };
  if (e.details) line.details = e.details;
  return `${JSON.stringify(line)}\n`;
}

/** Replays a whole transcript; `sink` defaults to printing stage lines on `out`. */
export function replayBuffer(file: Buffer, config: TrackerConfig, out: ReplayOut, sink?: StageSink): Replayer {
  const { stream } = prepareTranscript(file);
  const replayer = new Replayer({
    config,
    onStage: sink ?? ((c) => out.write(`${JSON.stringify(stageLine(c))}\n`)),
    onError: (e) => out.err.write(errorLine(e)),
  });
  replayer.push(stream);
  replayer.end();
  return replayer;
}

export async function runReplay(argv: string[], out: ReplayOut): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { portal: { type: 'string' }, config: { type: 'string' }, 'stages-only': { type: 'boolean' } } });
  } catch (e) {
    out.err.write(`${(e as Error).message}\nusage: asterisk-b24 replay FILE [--portal PORTAL.json] [--config FILE] [--stages-only]\n`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) {
    out.err.write('usage: asterisk-b24 replay FILE [--portal PORTAL.json] [--config FILE] [--stages-only]\n');
    return 2;
  }
  try {
    const portal = parsed.values.portal ? readJson(parsed.values.portal, 'REPLAY_PORTAL_INVALID') : undefined;
    const config = parsed.values.config ? readJson(parsed.values.config, 'REPLAY_CONFIG_INVALID') : undefined;
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (cause) {
      throw new ConnectorError('REPLAY_FILE_UNREADABLE', `cannot read ${file}`, { cause });
    }
    if (parsed.values['stages-only']) {
      replayBuffer(data, trackerConfigFrom(portal, config), out);
      return 0;
    }
    const changes: StageChange[] = [];
    replayBuffer(data, trackerConfigFrom(portal, config), out, (c) => changes.push(c));
    const { replayThroughCrm } = await import('./replay-rest.js');
    await replayThroughCrm(changes, { portal: portal as never, config, write: (s) => out.write(s) }, stageLine);
    return 0;
  } catch (e) {
    if (e instanceof ConnectorError) {
      out.err.write(errorLine(e));
      return 1;
    }
    throw e;
  }
}
