/**
 * CallSpec: the compact description of one call the simulator should play, and OriginateRequest:
 * what an AMI `Originate` action asked for plus how the phones behave. Validation throws
 * `ConnectorError('SIM_SPEC_INVALID')` naming the bad field.
 */
import { ConnectorError } from '../../../src/errors.js';
import type { PhoneBehaviour } from './types.js';

export type DialOutcome = 'answered' | 'noanswer' | 'busy' | 'cancel';

interface Timing {
  /** How long the callee rings before answering / before the caller cancels (ms). */
  readonly ringMs?: number;
  /** Conversation length once bridged (ms). */
  readonly talkMs?: number;
  /** Who ends an answered call (default caller). */
  readonly hangupBy?: 'caller' | 'callee';
}

/** A caller coming in over the trunk. */
interface FromTrunk {
  /** External caller number, e.g. `+4930123456`. */
  readonly from: string;
  readonly fromName?: string;
  /** Dialled number (DID) = Exten of the trunk leg in `from-trunk`. */
  readonly did: string;
  /** PJSIP endpoint of the provider (default `trunk`). */
  readonly trunk?: string;
}

export interface InboundSpec extends FromTrunk, Timing {
  readonly type: 'inbound';
  /** Extension dialled by `Dial(PJSIP/<to>,<timeout>)`. */
  readonly to: string;
  readonly outcome: DialOutcome;
  /** Dial() timeout (default 8000 ms as in the lab; 15000 with record). */
  readonly dialTimeoutMs?: number;
  /** Adds `Set(CALLFILENAME=…)` + `MixMonitor(…)` before Dial (lab22-j). */
  readonly record?: boolean;
  /**
   * A call rating IVR after the talk (lab22-y/z): the dialplan is `Dial(PJSIP/<to>,20,g)` ·
   * `Read(RATING,,1,,1,5)` · `Set(B24_VOTE=${RATING})` · `Hangup()`; the employee hangs up
   * (`hangupBy` defaults to `callee`, `caller` is refused), the caller presses this digit (RFC 4733,
   * `DTMFBegin`/`DTMFEnd`) and the dialplan sets `B24_VOTE` on the caller's channel — or, with `none`,
   * the caller hangs up during `Read`. Only `outcome: answered`, no `record`.
   */
  readonly rating?: RatingDigit | 'none';
  /** With `rating`: time from the employee's hangup to the key press / the caller's hangup (default 1000 / 2000). */
  readonly rateMs?: number;
}

/** A key the caller presses in the rating IVR (Bitrix24 takes 1–5 as a rating, anything else as none). */
export type RatingDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

export interface OutboundSpec extends Timing {
  readonly type: 'outbound';
  /** Calling extension. */
  readonly from: string;
  /** Number as dialled on the phone, with the outside-line prefix (e.g. `0049301234`). */
  readonly to: string;
  readonly trunk?: string;
  /** CALLERID(num) the dialplan presents to the trunk (default `5551000`). */
  readonly callerIdNum?: string;
  readonly outcome: DialOutcome;
  /** MixMonitor before Dial (as lab22-j; file `out-…`). */
  readonly record?: boolean;
}

export interface InternalSpec extends Timing {
  readonly type: 'internal';
  readonly from: string;
  readonly to: string;
  readonly outcome: DialOutcome;
  /** MixMonitor before Dial (as lab22-j). */
  readonly record?: boolean;
}

export interface QueueSpec extends FromTrunk, Timing {
  readonly type: 'queue';
  /** Queue name (default `sales` for ringall, `support` for linear). */
  readonly queue?: string;
  readonly strategy: 'ringall' | 'linear';
  /** Member interfaces: `101` / `PJSIP/101` (Local members are approximated as PJSIP). */
  readonly members: readonly string[];
  /** Member that answers (default: the last one). */
  readonly answeredBy?: string;
  /** `answered`, or `abandon` (alias `cancel`): the caller hangs up while waiting. */
  readonly outcome: 'answered' | 'abandon' | 'cancel';
  /** Queue `timeout` per attempt for linear (default 4000) and `retry` pause (default 1000). */
  readonly memberTimeoutMs?: number;
  readonly retryMs?: number;
  /** Abandon: time in the queue before the caller hangs up (default 4000). */
  readonly waitMs?: number;
  /** MixMonitor after Answer, before Queue (as lab22-j). */
  readonly record?: boolean;
}

export interface BlindTransferSpec extends FromTrunk, Timing {
  readonly type: 'blind-transfer';
  readonly to: string;
  readonly transferTo: string;
  /** Talk time after the transfer target answers (default 8000). */
  readonly afterTransferTalkMs?: number;
  /** Ring time of the transfer target (default 0: answers at once as in lab22-g). */
  readonly targetRingMs?: number;
}

export interface AttendedTransferSpec extends FromTrunk, Timing {
  readonly type: 'attended-transfer';
  readonly to: string;
  readonly transferTo: string;
  /** Consultation call length before the transfer completes (default 3000). */
  readonly consultMs?: number;
  readonly afterTransferTalkMs?: number;
}

export interface IvrAbandonSpec extends FromTrunk {
  readonly type: 'ivr-abandon';
  /** Time in the IVR before the caller hangs up (default 2500). */
  readonly ivrMs?: number;
  readonly prompt?: string;
}

export interface FollowmeSpec extends FromTrunk, Timing {
  readonly type: 'followme';
  readonly viaLocal: true;
  readonly to: string;
  readonly outcome: 'answered' | 'noanswer';
  /** Context of the Local channel (default `followme`). */
  readonly followmeContext?: string;
}

/** `Dial(PJSIP/<a>&PJSIP/<b>…,<timeout>)` from a DID: every member rings, one answers (lab22-m). */
export interface RingGroupSpec extends FromTrunk, Timing {
  readonly type: 'ring-group';
  /** Extensions rung at once, in Dial() order. */
  readonly members: readonly string[];
  /** Member that answers (default: the last one). */
  readonly answeredBy?: string;
  /** Only `answered` is modelled (recorded). */
  readonly outcome: 'answered';
  /** Dial() timeout (default 20000). */
  readonly dialTimeoutMs?: number;
}

/**
 * A DID rings `to` (`Dial(PJSIP/<to>,20)`); after `ringMs` `pickedBy` takes the call: `directed` dials
 * `**<to>` (`PickupChan(PJSIP/<to>)`, lab22-k), `group` dials `*8` (features.conf pickupexten, lab22-l).
 * `hangupBy` defaults to `callee` here (the picker hangs up, as recorded).
 */
export interface PickupSpec extends FromTrunk, Timing {
  readonly type: 'pickup';
  readonly to: string;
  readonly pickedBy: string;
  readonly mode: 'directed' | 'group';
  /** Dial() timeout (default 20000). */
  readonly dialTimeoutMs?: number;
}

/**
 * `to` answers (`Dial(PJSIP/<to>,20,t)`), talks `talkMs`, its phone parks the caller with a blind REFER
 * to `parkExten` (parked on `parkingSpace`); after `parkedMs` `retrievedBy` dials the space
 * (`ParkedCall`) and talks `afterRetrieveTalkMs` (lab22-n). `hangupBy` defaults to `callee` (the
 * retriever hangs up, as recorded).
 */
export interface ParkSpec extends FromTrunk, Timing {
  readonly type: 'park';
  readonly to: string;
  readonly retrievedBy: string;
  /** Time on hold in the parking lot before the retrieval (default 5000). */
  readonly parkedMs?: number;
  /** Conversation after the retrieval (default 5000). */
  readonly afterRetrieveTalkMs?: number;
  /** res_parking `parkext` (default `700`) and the space the call gets (default `701`). */
  readonly parkExten?: string;
  readonly parkingSpace?: string;
}

/**
 * A DID rings the desk phone `to` and the employee's mobile through the trunk at once (FMC):
 * `Dial(PJSIP/<to>&PJSIP/<mobile>@<trunk>,20)` (lab22-t: the mobile answers, lab22-w: the desk answers) or,
 * with `viaLocal`, follow-me style `Dial(PJSIP/<to>&Local/0<mobile>@from-internal,20)` whose `;2` runs the
 * `_0X.` rule (caller id set to the company number `5551000`) — lab22-u, mobile answers only. The caller
 * hangs up (as recorded).
 */
export interface RingWithMobileSpec extends FromTrunk, Timing {
  readonly type: 'ring-with-mobile';
  /** Desk extension (the employee). */
  readonly to: string;
  /** Mobile number as sent to the trunk, e.g. `79161234567`. */
  readonly mobile: string;
  readonly viaLocal?: boolean;
  readonly answeredBy: 'mobile' | 'desk';
  /** Dial() timeout (default 20000). */
  readonly dialTimeoutMs?: number;
}

/**
 * The employee `to` forwards every call to the mobile: `Dial(Local/0<mobile>@from-internal,20)` from the
 * DID, the `;2` runs `_0X.` (lab22-v: answered, the mobile hangs up; lab22-x: the provider answers 486).
 */
export interface ForwardToMobileSpec extends FromTrunk, Timing {
  readonly type: 'forward-to-mobile';
  readonly to: string;
  readonly mobile: string;
  readonly outcome: 'answered' | 'busy';
  /** Dial() timeout (default 20000). */
  readonly dialTimeoutMs?: number;
}

export type CallSpec =
  | InboundSpec | OutboundSpec | InternalSpec | QueueSpec | BlindTransferSpec | AttendedTransferSpec
  | IvrAbandonSpec | FollowmeSpec | RingGroupSpec | PickupSpec | ParkSpec | RingWithMobileSpec | ForwardToMobileSpec;

export type CallType = CallSpec['type'];

export interface OriginateRequest {
  /** `PJSIP/101` or `Local/101@from-internal`. */
  readonly channel: string;
  readonly context: string;
  readonly exten: string;
  readonly priority?: number;
  /** `"CRM: Acme Ltd" <0049301234>` or a bare number. */
  readonly callerId?: string;
  readonly variables?: Readonly<Record<string, string>>;
  readonly actionId?: string;
  /** Originate Timeout: how long the first leg may ring (default 30000). */
  readonly timeoutMs?: number;
  /** The first leg's phone. */
  readonly phone: PhoneBehaviour;
  /** The far end dialled by `exten` once the phone answered (default: answers after 2 s, talks 4 s). */
  readonly farEnd?: PhoneBehaviour;
  /** Trunk endpoint for external numbers (default `trunk`). */
  readonly trunk?: string;
}

const OUTCOMES: readonly string[] = ['answered', 'noanswer', 'busy', 'cancel'];
const TYPES: readonly string[] = ['inbound', 'outbound', 'internal', 'queue', 'blind-transfer', 'attended-transfer', 'ivr-abandon', 'followme', 'ring-group', 'pickup', 'park', 'ring-with-mobile', 'forward-to-mobile'];
const NUMBER_RE = /^\+?[0-9*#]{1,32}$/;
const EXT_RE = /^[0-9A-Za-z_-]{1,32}$/;
/** A number the trunk accepts (no outside-line prefix: the `Local` form adds `0`). */
const MOBILE_RE = /^[0-9]{3,20}$/;

function bad(field: string, why: string): never {
  throw new ConnectorError('SIM_SPEC_INVALID', `${field}: ${why}`, { details: { field } });
}

function str(o: Record<string, unknown>, key: string, re: RegExp, required = true): void {
  const v = o[key];
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || !re.test(v)) bad(key, `expected a value matching ${re}, got ${JSON.stringify(v)}`);
}

function ms(o: Record<string, unknown>, key: string): void {
  const v = o[key];
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 86_400_000) bad(key, 'expected milliseconds 0..86400000');
}

/** Checks a CallSpec; returns it typed, or throws SIM_SPEC_INVALID. */
export function validateCallSpec(input: unknown): CallSpec {
  if (!input || typeof input !== 'object') bad('spec', 'expected an object');
  const o = input as Record<string, unknown>;
  if (typeof o.type !== 'string' || !TYPES.includes(o.type)) bad('type', `expected one of ${TYPES.join(', ')}`);
  for (const k of ['ringMs', 'talkMs', 'dialTimeoutMs', 'memberTimeoutMs', 'retryMs', 'waitMs', 'afterTransferTalkMs', 'targetRingMs', 'consultMs', 'ivrMs', 'parkedMs', 'afterRetrieveTalkMs', 'rateMs']) ms(o, k);
  if (o.record !== undefined && typeof o.record !== 'boolean') bad('record', 'expected a boolean');
  if (o.hangupBy !== undefined && o.hangupBy !== 'caller' && o.hangupBy !== 'callee') bad('hangupBy', 'expected caller or callee');
  const trunkCaller = ['inbound', 'queue', 'blind-transfer', 'attended-transfer', 'ivr-abandon', 'followme', 'ring-group', 'pickup', 'park', 'ring-with-mobile', 'forward-to-mobile'].includes(o.type as string);
  if (trunkCaller) {
    str(o, 'from', NUMBER_RE);
    str(o, 'did', NUMBER_RE);
    str(o, 'trunk', EXT_RE, false);
  } else {
    str(o, 'from', EXT_RE);
  }
  if (o.fromName !== undefined && (typeof o.fromName !== 'string' || /[\r\n]/.test(o.fromName))) bad('fromName', 'expected a single-line string');
  switch (o.type) {
    case 'inbound': case 'internal': case 'outbound':
      str(o, 'to', o.type === 'outbound' ? NUMBER_RE : EXT_RE);
      if (typeof o.outcome !== 'string' || !OUTCOMES.includes(o.outcome)) bad('outcome', `expected one of ${OUTCOMES.join(', ')}`);
      if (o.type === 'inbound') validateRating(o);
      else if (o.rating !== undefined) bad('rating', 'only inbound calls have the rating IVR');
      break;
    case 'followme':
      str(o, 'to', EXT_RE);
      if (o.viaLocal !== true) bad('viaLocal', 'only viaLocal: true is modelled');
      if (o.outcome !== 'answered' && o.outcome !== 'noanswer') bad('outcome', 'expected answered or noanswer');
      break;
    case 'queue': validateQueue(o); break;
    case 'ring-group': validateRingGroup(o); break;
    case 'pickup':
      str(o, 'to', EXT_RE);
      str(o, 'pickedBy', EXT_RE);
      if (o.pickedBy === o.to) bad('pickedBy', 'must differ from to');
      if (o.mode !== 'directed' && o.mode !== 'group') bad('mode', 'expected directed or group');
      break;
    case 'park':
      str(o, 'to', EXT_RE);
      str(o, 'retrievedBy', EXT_RE);
      str(o, 'parkExten', /^[0-9]{1,8}$/, false);
      str(o, 'parkingSpace', /^[0-9]{1,8}$/, false);
      break;
    case 'ring-with-mobile':
      str(o, 'to', EXT_RE);
      str(o, 'mobile', MOBILE_RE);
      if (o.viaLocal !== undefined && typeof o.viaLocal !== 'boolean') bad('viaLocal', 'expected a boolean');
      if (o.answeredBy !== 'mobile' && o.answeredBy !== 'desk') bad('answeredBy', 'expected mobile or desk');
      if (o.viaLocal === true && o.answeredBy !== 'mobile') bad('answeredBy', 'with viaLocal only mobile is modelled (recorded)');
      if (o.hangupBy === 'callee') bad('hangupBy', 'only the caller hanging up is modelled (recorded)');
      break;
    case 'forward-to-mobile':
      str(o, 'to', EXT_RE);
      str(o, 'mobile', MOBILE_RE);
      if (o.outcome !== 'answered' && o.outcome !== 'busy') bad('outcome', 'expected answered or busy');
      if (o.hangupBy === 'caller') bad('hangupBy', 'only the mobile hanging up is modelled (recorded)');
      break;
    case 'blind-transfer': case 'attended-transfer':
      str(o, 'to', EXT_RE);
      str(o, 'transferTo', EXT_RE);
      break;
    default: break;
  }
  return input as CallSpec;
}

function validateRating(o: Record<string, unknown>): void {
  if (o.rating === undefined) {
    if (o.rateMs !== undefined) bad('rateMs', 'only with rating');
    return;
  }
  if (typeof o.rating !== 'string' || !/^([0-9]|none)$/.test(o.rating)) bad('rating', 'expected a digit 0-9 or none');
  if (o.outcome !== 'answered') bad('outcome', 'the rating IVR follows an answered call');
  if (o.hangupBy === 'caller') bad('hangupBy', 'with rating the employee hangs up (the caller stays for the IVR)');
  if (o.record === true) bad('record', 'not modelled with rating');
}

function validateQueue(o: Record<string, unknown>): void {
  if (o.strategy !== 'ringall' && o.strategy !== 'linear') bad('strategy', 'expected ringall or linear');
  if (!Array.isArray(o.members) || o.members.length === 0 || o.members.length > 32) bad('members', 'expected 1..32 members');
  for (const m of o.members as unknown[]) {
    if (typeof m !== 'string' || memberExten(m) === undefined) bad('members', `unsupported member ${JSON.stringify(m)}`);
  }
  if (o.outcome !== 'answered' && o.outcome !== 'abandon' && o.outcome !== 'cancel') bad('outcome', 'expected answered or abandon');
  if (o.answeredBy !== undefined) {
    const exts = (o.members as string[]).map(memberExten);
    if (typeof o.answeredBy !== 'string' || !exts.includes(memberExten(o.answeredBy))) bad('answeredBy', 'must be one of the members');
  }
  str(o, 'queue', EXT_RE, false);
}

function validateRingGroup(o: Record<string, unknown>): void {
  if (!Array.isArray(o.members) || o.members.length < 2 || o.members.length > 32) bad('members', 'expected 2..32 extensions');
  const members = o.members as unknown[];
  for (const m of members) {
    if (typeof m !== 'string' || !EXT_RE.test(m)) bad('members', `unsupported member ${JSON.stringify(m)}`);
  }
  if (new Set(members).size !== members.length) bad('members', 'members must be distinct');
  if (o.answeredBy !== undefined && (typeof o.answeredBy !== 'string' || !members.includes(o.answeredBy))) bad('answeredBy', 'must be one of the members');
  if (o.outcome !== 'answered') bad('outcome', 'only answered is modelled');
  ms(o, 'dialTimeoutMs');
}

/** `101`, `PJSIP/101`, `Local/101@from-queue(/n)` → `101`. */
export function memberExten(member: string): string | undefined {
  const m = /^(?:PJSIP\/)?([0-9A-Za-z_-]+)$/.exec(member) ?? /^Local\/([0-9A-Za-z_-]+)@[\w-]+(?:\/n)?$/.exec(member);
  return m?.[1];
}

/** Checks an OriginateRequest; throws SIM_SPEC_INVALID. */
export function validateOriginate(input: unknown): OriginateRequest {
  if (!input || typeof input !== 'object') bad('request', 'expected an object');
  const o = input as Record<string, unknown>;
  if (typeof o.channel !== 'string' || originateTarget(o.channel) === undefined) {
    bad('channel', 'expected PJSIP/<endpoint> or Local/<exten>@<context>');
  }
  str(o, 'context', EXT_RE);
  str(o, 'exten', /^[\w*#+.-]{1,64}$/);
  ms(o, 'timeoutMs');
  for (const k of ['phone', 'farEnd']) {
    const p = o[k];
    if (p === undefined && k === 'farEnd') continue;
    if (!p || typeof p !== 'object' || !['answer', 'noanswer', 'busy', 'reject'].includes(String((p as { kind?: unknown }).kind))) {
      bad(k, 'expected a PhoneBehaviour');
    }
  }
  if (o.variables !== undefined) {
    if (!o.variables || typeof o.variables !== 'object') bad('variables', 'expected an object');
    for (const [k, v] of Object.entries(o.variables as Record<string, unknown>)) {
      if (!/^[A-Za-z_][\w()]*$/.test(k) || typeof v !== 'string' || /[\r\n]/.test(v)) bad('variables', `bad variable ${k}`);
    }
  }
  return input as OriginateRequest;
}

/** `PJSIP/101` → {tech:'PJSIP', exten:'101'}; `Local/101@from-internal` → Local with context. */
export function originateTarget(channel: string): { tech: 'PJSIP' | 'Local'; exten: string; context?: string } | undefined {
  const p = /^PJSIP\/([0-9A-Za-z_-]+)$/.exec(channel);
  if (p?.[1]) return { tech: 'PJSIP', exten: p[1] };
  const l = /^Local\/([0-9A-Za-z_-]+)@([\w-]+)(?:\/n)?$/.exec(channel);
  if (l?.[1] && l[2]) return { tech: 'Local', exten: l[1], context: l[2] };
  return undefined;
}

/** `"Name" <num>` / `Name <num>` / `num` → parts. */
export function parseCallerId(cid: string | undefined): { name: string; num: string } {
  if (!cid) return { name: '', num: '' };
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(cid);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), num: (m[3] ?? '').trim() };
  return { name: '', num: cid.trim() };
}
