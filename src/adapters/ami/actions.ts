/**
 * AMI actions: typed builders (what goes on the wire) and parsers (what comes back).
 * An `AmiAction` is plain data; the client adds `Action:` and `ActionID:` and correlates the answer.
 * An `AmiRequest<T>` is an action plus a parser, run by `AmiClient.request()`.
 * Wire spellings stay in this module and in events.ts.
 */
import { ConnectorError } from '../../errors.js';
import { field, fieldAll, type AmiField, type AmiMessage } from './message.js';
import { ChannelView, readChannel, type ChannelSnapshot } from './events.js';

export interface AmiAction {
  /** The `Action:` value, e.g. `Originate`. */
  readonly name: string;
  /** Every other line, in order; repeated keys allowed. Never `Action` or `ActionID`. */
  readonly fields: readonly AmiField[];
  /** After a successful response, also wait for this event carrying the same ActionID. */
  readonly completionEvent?: string;
  /** Overrides the client's action timeout (covers the response, the list and the completion event). */
  readonly timeoutMs?: number;
  /** `Response: Error` messages that mean "empty result" rather than failure. */
  readonly acceptError?: (message: string) => boolean;
}

export interface AmiActionResult {
  readonly response: AmiMessage;
  /** List items (events between `EventList: start` and `EventList: Complete`), in order. */
  readonly events: readonly AmiMessage[];
  /** The list's final event (`…Complete`, with `ListItems`). */
  readonly listEnd?: AmiMessage;
  /** The `completionEvent` (e.g. `OriginateResponse`). */
  readonly completion?: AmiMessage;
}

export interface AmiRequest<T> extends AmiAction {
  parse(result: AmiActionResult): T;
}

function request<T>(name: string, fields: AmiField[], parse: (r: AmiActionResult) => T, extra: Partial<AmiAction> = {}): AmiRequest<T> {
  return { name, fields, parse, ...extra };
}

/** Adds `[key, value]` when value is defined. */
function opt(out: AmiField[], key: string, value: string | number | boolean | undefined): void {
  if (value !== undefined) out.push([key, String(value)]);
}

const message = (r: AmiActionResult): string => field(r.response, 'Message') ?? '';

// ---- session -------------------------------------------------------------------------------------

export function ping(): AmiRequest<{ timestamp: string | undefined }> {
  return request('Ping', [], (r) => ({ timestamp: field(r.response, 'Timestamp') }));
}

export function challenge(): AmiRequest<string> {
  return request('Challenge', [['AuthType', 'MD5']], (r) => {
    const c = field(r.response, 'Challenge');
    if (!c) throw new ConnectorError('AMI_BAD_RESPONSE', 'Challenge response without a Challenge field');
    return c;
  });
}

export interface LoginParams {
  username: string;
  /** Plain secret, or — with `key` — omitted. */
  secret?: string;
  /** md5hex(challenge + secret) for `AuthType: MD5`. */
  key?: string;
  /** `Events:` filter: `on`, `off`, or a class list such as `call,dialplan,agent,system`. */
  events?: string;
}

export function login(p: LoginParams): AmiRequest<string> {
  const f: AmiField[] = [];
  if (p.key !== undefined) f.push(['AuthType', 'MD5'], ['Username', p.username], ['Key', p.key]);
  else f.push(['Username', p.username], ['Secret', p.secret ?? '']);
  opt(f, 'Events', p.events);
  return request('Login', f, message);
}

export function logoff(): AmiRequest<string> {
  return request('Logoff', [], message);
}

/** `Events` action: changes the event mask of the session; resolves true when events are on. */
export function events(mask: string): AmiRequest<boolean> {
  return request('Events', [['EventMask', mask]], (r) => (field(r.response, 'Events') ?? '').toLowerCase() === 'on');
}

// ---- call control --------------------------------------------------------------------------------

export interface OriginateParams {
  channel: string;
  /** Dialplan target (with context and priority) … */
  exten?: string;
  context?: string;
  priority?: number | string;
  /** … or an application. */
  application?: string;
  data?: string;
  /** Ring time of the first leg, ms (Asterisk default 30000). */
  timeoutMs?: number;
  callerId?: string;
  /** One `Variable: name=value` line each. */
  variables?: Readonly<Record<string, string>>;
  account?: string;
  channelId?: string;
  otherChannelId?: string;
  earlyMedia?: boolean;
  codecs?: string;
}

export interface OriginateResult {
  /** `Response: Success` in OriginateResponse: the first leg answered. */
  readonly success: boolean;
  /** Last control frame on the first leg: 0 no channel, 1 hung up, 3 ringing/no answer, 4 answered, 5 busy, 8 congestion. */
  readonly reason: number;
  readonly reasonText: string;
  /** Created channel name, or the requested `tech/data` when none was created. */
  readonly channel: string;
  /** Uniqueid of the first leg; undefined when Asterisk says `<unknown>`. */
  readonly uniqueid: string | undefined;
  readonly event: AmiMessage;
}

const ORIGINATE_REASONS: Readonly<Record<number, string>> = {
  0: 'failed', 1: 'hangup', 3: 'no-answer', 4: 'answered', 5: 'busy', 8: 'congestion',
};

/** Time we allow for OriginateResponse beyond the ring timeout (channel setup, dialplan start). */
const ORIGINATE_MARGIN_MS = 15_000;

/**
 * Async Originate: resolves on `OriginateResponse` with the same ActionID — with success false on
 * `Response: Failure` (a call outcome, not an error). An immediate `Response: Error` rejects.
 */
export function originate(p: OriginateParams): AmiRequest<OriginateResult> {
  const f: AmiField[] = [['Channel', p.channel]];
  opt(f, 'Exten', p.exten);
  opt(f, 'Context', p.context);
  opt(f, 'Priority', p.priority ?? (p.exten !== undefined ? 1 : undefined));
  opt(f, 'Application', p.application);
  opt(f, 'Data', p.data);
  opt(f, 'Timeout', p.timeoutMs);
  opt(f, 'CallerID', p.callerId);
  for (const [k, v] of Object.entries(p.variables ?? {})) f.push(['Variable', `${k}=${v}`]);
  opt(f, 'Account', p.account);
  opt(f, 'ChannelId', p.channelId);
  opt(f, 'OtherChannelId', p.otherChannelId);
  opt(f, 'EarlyMedia', p.earlyMedia);
  opt(f, 'Codecs', p.codecs);
  f.push(['Async', 'true']);
  return request('Originate', f, (r) => parseOriginateResponse(r.completion ?? r.response), {
    completionEvent: 'OriginateResponse',
    timeoutMs: (p.timeoutMs ?? 30_000) + ORIGINATE_MARGIN_MS,
  });
}

export function parseOriginateResponse(ev: AmiMessage): OriginateResult {
  const reason = Number(field(ev, 'Reason') ?? '0');
  const uid = field(ev, 'Uniqueid');
  return {
    success: field(ev, 'Response') === 'Success',
    reason,
    reasonText: ORIGINATE_REASONS[reason] ?? 'unknown',
    channel: field(ev, 'Channel') ?? '',
    uniqueid: uid && uid !== '<unknown>' ? uid : undefined,
    event: ev,
  };
}

export interface RedirectParams {
  channel: string;
  exten: string;
  context: string;
  priority?: number | string;
  extraChannel?: string;
  extraExten?: string;
  extraContext?: string;
  extraPriority?: number | string;
}

export function redirect(p: RedirectParams): AmiRequest<string> {
  const f: AmiField[] = [['Channel', p.channel], ['Exten', p.exten], ['Context', p.context], ['Priority', String(p.priority ?? 1)]];
  opt(f, 'ExtraChannel', p.extraChannel);
  opt(f, 'ExtraExten', p.extraExten);
  opt(f, 'ExtraContext', p.extraContext);
  opt(f, 'ExtraPriority', p.extraPriority ?? (p.extraChannel !== undefined ? 1 : undefined));
  return request('Redirect', f, message);
}

/** Hangup of one channel (or `/regex/`: then a list of ChannelHungup events comes back). */
export function hangup(p: { channel: string; cause?: number }): AmiRequest<string> {
  const f: AmiField[] = [['Channel', p.channel]];
  opt(f, 'Cause', p.cause);
  return request('Hangup', f, message);
}

/** Getvar: the value, or undefined when Asterisk reports the variable as unset. */
export function getvar(p: { variable: string; channel?: string }): AmiRequest<string | undefined> {
  const f: AmiField[] = [];
  opt(f, 'Channel', p.channel);
  f.push(['Variable', p.variable]);
  return request('Getvar', f, (r) => {
    const v = field(r.response, 'Value');
    return v === undefined || v === '(null)' ? undefined : v;
  });
}

export function setvar(p: { variable: string; value: string; channel?: string }): AmiRequest<void> {
  const f: AmiField[] = [];
  opt(f, 'Channel', p.channel);
  f.push(['Variable', p.variable], ['Value', p.value]);
  return request('Setvar', f, () => undefined);
}

// ---- status lists --------------------------------------------------------------------------------

export interface CoreShowChannel extends ChannelSnapshot {
  readonly application: string;
  readonly applicationData: string;
  /** As sent, `HH:MM:SS`. */
  readonly duration: string;
  readonly durationSeconds: number;
  /** Empty when the channel is in no bridge. */
  readonly bridgeId: string;
}

function hmsToSeconds(hms: string): number {
  const parts = hms.split(':').map(Number);
  if (parts.some((n) => !Number.isFinite(n))) return 0;
  return parts.reduce((acc, n) => acc * 60 + n, 0);
}

export function coreShowChannels(): AmiRequest<CoreShowChannel[]> {
  return request('CoreShowChannels', [], (r) => r.events
    .filter((e) => field(e, 'Event') === 'CoreShowChannel')
    .map((e) => {
      const duration = field(e, 'Duration') ?? '';
      return {
        ...readChannel(new ChannelView(e)),
        application: field(e, 'Application') ?? '',
        applicationData: field(e, 'ApplicationData') ?? '',
        duration,
        durationSeconds: hmsToSeconds(duration),
        bridgeId: field(e, 'BridgeId') ?? '',
      };
    }));
}

/** CLI command; resolves with the output lines (Asterisk 14+ `Output:` lines, or legacy Follows). */
export function command(cli: string): AmiRequest<string[]> {
  return request('Command', [['Command', cli]], (r) => fieldAll(r.response, 'Output'));
}

export interface QueueParams {
  readonly queue: string; readonly max: number; readonly strategy: string; readonly calls: number;
  readonly holdTime: number; readonly talkTime: number; readonly completed: number; readonly abandoned: number;
  readonly serviceLevel: number; readonly weight: number;
}
export interface QueueMember {
  readonly queue: string; readonly name: string; readonly location: string; readonly stateInterface: string;
  readonly membership: string; readonly penalty: number; readonly callsTaken: number; readonly lastCall: number;
  readonly inCall: boolean; readonly status: number; readonly paused: boolean; readonly pausedReason: string;
}
export interface QueueEntry {
  readonly queue: string; readonly position: number; readonly channel: string; readonly uniqueid: string;
  readonly callerIdNum: string; readonly callerIdName: string; readonly wait: number;
}
export interface QueueStatusResult {
  readonly queues: QueueParams[];
  readonly members: QueueMember[];
  readonly entries: QueueEntry[];
}

const num = (m: AmiMessage, k: string): number => {
  const n = Number(field(m, k) ?? '');
  return Number.isFinite(n) ? n : 0;
};
const str = (m: AmiMessage, k: string): string => field(m, k) ?? '';

export function queueStatus(p: { queue?: string; member?: string } = {}): AmiRequest<QueueStatusResult> {
  const f: AmiField[] = [];
  opt(f, 'Queue', p.queue);
  opt(f, 'Member', p.member);
  return request('QueueStatus', f, (r) => {
    const out: QueueStatusResult = { queues: [], members: [], entries: [] };
    for (const e of r.events) {
      const name = field(e, 'Event');
      if (name === 'QueueParams') {
        out.queues.push({
          queue: str(e, 'Queue'), max: num(e, 'Max'), strategy: str(e, 'Strategy'), calls: num(e, 'Calls'),
          holdTime: num(e, 'Holdtime'), talkTime: num(e, 'TalkTime'), completed: num(e, 'Completed'),
          abandoned: num(e, 'Abandoned'), serviceLevel: num(e, 'ServiceLevel'), weight: num(e, 'Weight'),
        });
      } else if (name === 'QueueMember') {
        out.members.push({
          queue: str(e, 'Queue'), name: str(e, 'Name'), location: str(e, 'Location'),
          stateInterface: str(e, 'StateInterface'), membership: str(e, 'Membership'), penalty: num(e, 'Penalty'),
          callsTaken: num(e, 'CallsTaken'), lastCall: num(e, 'LastCall'), inCall: str(e, 'InCall') === '1',
          status: num(e, 'Status'), paused: str(e, 'Paused') === '1', pausedReason: str(e, 'PausedReason'),
        });
      } else if (name === 'QueueEntry') {
        out.entries.push({
          queue: str(e, 'Queue'), position: num(e, 'Position'), channel: str(e, 'Channel'),
          uniqueid: str(e, 'Uniqueid'), callerIdNum: str(e, 'CallerIDNum'), callerIdName: str(e, 'CallerIDName'),
          wait: num(e, 'Wait'),
        });
      }
    }
    return out;
  });
}

export interface PjsipEndpoint {
  readonly name: string;
  readonly transport: string;
  readonly aor: string;
  /** Contact URIs (`Contacts: 101/sip:101@10.0.0.1:5060,` → `['sip:101@10.0.0.1:5060']`). */
  readonly contacts: string[];
  /** `Not in use`, `In use`, `Unavailable`, `Ringing` … */
  readonly deviceState: string;
  readonly activeChannels: number;
}

function parseContacts(raw: string): string[] {
  return raw.split(',').map((c) => c.trim()).filter((c) => c.length > 0).map((c) => {
    const slash = c.indexOf('/');
    return slash >= 0 ? c.slice(slash + 1) : c;
  });
}

/** PJSIPShowEndpoints; `No endpoints found` (a Response: Error) resolves with an empty list. */
export function pjsipShowEndpoints(): AmiRequest<PjsipEndpoint[]> {
  return request('PJSIPShowEndpoints', [], (r) => r.events
    .filter((e) => field(e, 'Event') === 'EndpointList')
    .map((e) => ({
      name: str(e, 'ObjectName'), transport: str(e, 'Transport'), aor: str(e, 'Aor'),
      contacts: parseContacts(str(e, 'Contacts')), deviceState: str(e, 'DeviceState'),
      activeChannels: num(e, 'ActiveChannels'),
    })), { acceptError: (m) => m === 'No endpoints found' });
}
