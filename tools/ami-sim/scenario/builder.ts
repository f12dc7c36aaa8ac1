/**
 * CallBuilder: the small state machine flows drive. It owns the channels of one generated call
 * (their current snapshot), a time cursor (ms from the call start) and the event list, and knows
 * the exact field layout of every event a flow can emit. Pure: ids and wall-clock come from SimIds.
 */
import {
  bridgeBlock, channelBlock, snapshotOf, STATE,
  type BridgeSnapshot, type ChannelSnapshot,
} from './channel-block.js';
import { DEVICE_STATUS, type PbxProfile } from './pbx.js';
import type { AmiFields, SimIds, TimedEvent } from './types.js';

/** A live channel: its snapshot is mutated as the call progresses. */
export interface Chan extends ChannelSnapshot {
  /** Endpoint/device name, e.g. `101`, `trunk`, `Local/101@from-internal`. */
  readonly device: string;
  /** Time (ms) the channel went Up, for durations. */
  upAtMs?: number;
  hungUp?: boolean;
  /** MixMonitor runs on it: its bridges cannot go native_rtp. */
  recording?: boolean;
}

export interface Bridge extends BridgeSnapshot {
  readonly createdAtMs: number;
  /** Dial(…,t)/Queue(…,t) feature hooks keep the bridge in simple_bridge. */
  features: boolean;
  readonly members: Map<string, ChannelSnapshot & { recording?: boolean }>;
}

export interface NewChanInit {
  /** `PJSIP/<device>` or `Local/<exten>@<context>` (then `;1`/`;2` names come from newLocalPair). */
  device: string;
  state: number;
  cidNum: string;
  cidName: string;
  context: string;
  exten: string;
  priority?: number;
  linkedid?: string;
  connNum?: string;
  connName?: string;
}

/** FNV-1a 32-bit, for deterministic pseudo-random looking values (bridge ids, call-ids). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** A UUID-shaped string derived from `seed`. */
export function pseudoUuid(seed: string): string {
  const h = [0, 1, 2, 3].map((i) => hex8(hash32(`${seed}#${i}`))).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[hash32(seed) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC), the Cdr time format (the one cdr_csv writes with usegmtime=yes). */
export { gmtCdrTime as cdrTime } from '../../../src/core/cdr/csv.js';

export interface MemberStatusOpts {
  /** Only these queues (default: every queue the extension belongs to). */
  readonly queues?: readonly string[];
  readonly callsTaken?: number;
  readonly lastCall?: number;
  /** The member is bridged to a caller of this queue (app_queue sets InCall there only). */
  readonly inCallQueue?: string;
}

export class CallBuilder {
  readonly events: TimedEvent[] = [];
  /** Every channel created, in creation order. */
  readonly channels: Chan[] = [];
  private t = 0;
  private bridges = 0;
  readonly startEpochMs: number;

  constructor(readonly ids: SimIds, readonly pbx: PbxProfile) {
    this.startEpochMs = ids.nowEpoch() * 1000;
  }

  get now(): number {
    return this.t;
  }

  /** Moves the cursor forward by `ms` (never backwards). */
  wait(ms: number): this {
    this.t += Math.max(0, Math.round(ms));
    return this;
  }

  /** Wall-clock epoch ms at the cursor. */
  epochMs(atMs = this.t): number {
    return this.startEpochMs + atMs;
  }

  // ---- channels -------------------------------------------------------------------------------

  newChan(init: NewChanInit): Chan {
    const uniqueid = this.ids.uniqueid();
    const name = `${init.device.startsWith('Local/') ? init.device : `PJSIP/${init.device}`}-${this.ids.channelSuffix()}`;
    return this.register(name, init, uniqueid);
  }

  /** A Local channel pair `Local/<exten>@<ctx>-<suffix>;1` / `;2` sharing one suffix. */
  newLocalPair(exten: string, context: string, one: Omit<NewChanInit, 'device'>, two: Omit<NewChanInit, 'device'>): [Chan, Chan] {
    const base = `Local/${exten}@${context}-${this.ids.channelSuffix()}`;
    const a = this.register(`${base};1`, { ...one, device: `Local/${exten}@${context}` }, this.ids.uniqueid());
    const b = this.register(`${base};2`, { ...two, device: `Local/${exten}@${context}`, linkedid: two.linkedid ?? a.linkedid }, this.ids.uniqueid());
    return [a, b];
  }

  private register(name: string, init: NewChanInit, uniqueid: string): Chan {
    const ch: Chan = {
      name,
      device: init.device,
      state: init.state,
      cidNum: init.cidNum,
      cidName: init.cidName,
      connNum: init.connNum ?? '',
      connName: init.connName ?? '',
      language: this.pbx.language,
      accountCode: '',
      context: init.context,
      exten: init.exten,
      priority: init.priority ?? 1,
      uniqueid,
      linkedid: init.linkedid ?? uniqueid,
    };
    if (init.state === STATE.up) ch.upAtMs = this.t;
    this.channels.push(ch);
    return ch;
  }

  /** A basic two-party bridge; `features` when DTMF feature hooks (`t`/`T` options) are active. */
  newBridge(features = false): Bridge {
    const seed = `${this.channels[0]?.uniqueid ?? 'x'}/bridge/${this.bridges++}`;
    return {
      id: pseudoUuid(seed), type: 'basic', technology: 'simple_bridge', creator: '<unknown>',
      name: '<unknown>', numChannels: 0, videoSourceMode: 'none', createdAtMs: this.t, features, members: new Map(),
    };
  }

  // ---- raw emission ---------------------------------------------------------------------------

  emit(name: string, privilege: string, ...groups: AmiFields[]): this {
    const fields: AmiFields = [['Event', name], ['Privilege', `${privilege},all`]];
    for (const g of groups) fields.push(...g);
    this.events.push({ atMs: this.t, fields });
    return this;
  }

  /** Emits an event with the channel block of `ch` followed by `extra` fields. */
  chanEvent(name: string, privilege: string, ch: ChannelSnapshot, extra: AmiFields = []): this {
    return this.emit(name, privilege, channelBlock(ch), extra);
  }

  // ---- channel lifecycle and dialplan -----------------------------------------------------------

  newchannel(ch: Chan): this {
    return this.chanEvent('Newchannel', 'call', ch);
  }

  newstate(ch: Chan, state: number): this {
    ch.state = state;
    if (state === STATE.up && ch.upAtMs === undefined) ch.upAtMs = this.t;
    return this.chanEvent('Newstate', 'call', ch);
  }

  varset(ch: ChannelSnapshot, variable: string, value: string): this {
    return this.chanEvent('VarSet', 'dialplan', ch, [['Variable', variable], ['Value', value]]);
  }

  /** One executed dialplan priority; updates the channel's Exten/Priority when given. */
  newexten(ch: Chan, app: string, appData: string, at: { exten?: string; priority?: number; context?: string } = {}): this {
    if (at.context !== undefined) ch.context = at.context;
    if (at.exten !== undefined) ch.exten = at.exten;
    if (at.priority !== undefined) ch.priority = at.priority;
    return this.chanEvent('Newexten', 'dialplan', ch, [['Extension', ch.exten], ['Application', app], ['AppData', appData]]);
  }

  newCallerid(ch: Chan, num: string, name?: string): this {
    ch.cidNum = num;
    if (name !== undefined) ch.cidName = name;
    return this.chanEvent('NewCallerid', 'call', ch, [['CID-CallingPres', '0 (Presentation Allowed, Not Screened)']]);
  }

  newConnectedLine(ch: Chan, num?: string, name?: string): this {
    if (num !== undefined) ch.connNum = num;
    if (name !== undefined) ch.connName = name;
    return this.chanEvent('NewConnectedLine', 'call', ch);
  }

  hangupRequest(ch: ChannelSnapshot, cause?: number, techCause?: number): this {
    return this.chanEvent('HangupRequest', 'call', ch, causeFields(cause, techCause));
  }

  softHangupRequest(ch: ChannelSnapshot, cause?: number, techCause?: number): this {
    return this.chanEvent('SoftHangupRequest', 'call', ch, causeFields(cause, techCause));
  }

  hangup(ch: Chan, cause: number, techCause?: number): this {
    ch.hungUp = true;
    const extra: AmiFields = [['Cause', String(cause)], ['Cause-txt', causeText(cause)]];
    if (techCause !== undefined) extra.push(['TechCause', String(techCause)]);
    return this.chanEvent('Hangup', 'call', ch, extra);
  }

  // ---- dialling ---------------------------------------------------------------------------------

  /** Dial events; `caller` undefined = Originate first leg (only Dest… keys). */
  dialBegin(caller: ChannelSnapshot | undefined, dest: ChannelSnapshot, dialString: string): this {
    return this.dialEvent('DialBegin', caller, dest, [['DialString', dialString]]);
  }

  dialState(caller: ChannelSnapshot | undefined, dest: ChannelSnapshot, status = 'RINGING'): this {
    return this.dialEvent('DialState', caller, dest, [['DialStatus', status]]);
  }

  dialEnd(caller: ChannelSnapshot | undefined, dest: ChannelSnapshot, status: string): this {
    return this.dialEvent('DialEnd', caller, dest, [['DialStatus', status]]);
  }

  private dialEvent(name: string, caller: ChannelSnapshot | undefined, dest: ChannelSnapshot, extra: AmiFields): this {
    return this.emit(name, 'call', caller ? channelBlock(caller) : [], channelBlock(dest, 'Dest'), extra);
  }

  // ---- bridges ----------------------------------------------------------------------------------

  bridgeCreate(br: Bridge): this {
    return this.emit('BridgeCreate', 'call', bridgeBlock(br));
  }

  bridgeEnter(br: Bridge, ch: ChannelSnapshot & { recording?: boolean }, swapUniqueid?: string): this {
    br.numChannels += 1;
    br.members.set(ch.name, ch);
    this.emit('BridgeEnter', 'call', bridgeBlock(br), channelBlock(ch), swapUniqueid ? [['SwapUniqueid', swapUniqueid]] : []);
    // Two PJSIP channels without feature hooks or MixMonitor: the core switches to native RTP
    // (seen from the next bridge event on, e.g. lab22-a BridgeLeave).
    const m = [...br.members.values()];
    if (m.length === 2 && !br.features && m.every((c) => c.name.startsWith('PJSIP/') && !c.recording)) br.technology = 'native_rtp';
    return this;
  }

  bridgeLeave(br: Bridge, ch: ChannelSnapshot): this {
    br.numChannels -= 1;
    br.members.delete(ch.name);
    return this.emit('BridgeLeave', 'call', bridgeBlock(br), channelBlock(ch));
  }

  bridgeDestroy(br: Bridge): this {
    return this.emit('BridgeDestroy', 'call', bridgeBlock(br));
  }

  // ---- device and queue member state ---------------------------------------------------------

  deviceState(device: string, state: string): this {
    return this.emit('DeviceStateChange', 'call', [['Device', device], ['State', state]]);
  }

  /** QueueMemberStatus for every queue `ext` belongs to (or only `queues` when given). */
  memberStatus(ext: string, state: string, opts: MemberStatusOpts = {}): this {
    const name = this.pbx.users[ext] ?? ext;
    for (const m of this.pbx.memberships[ext] ?? []) {
      if (opts.queues && !opts.queues.includes(m.queue)) continue;
      this.emit('QueueMemberStatus', 'agent', [
        ['Queue', m.queue], ['MemberName', name], ['Interface', m.iface], ['StateInterface', `PJSIP/${ext}`],
        ['Membership', 'static'], ['Penalty', '0'], ['CallsTaken', String(opts.callsTaken ?? 0)],
        ['LastCall', String(opts.lastCall ?? 0)], ['LastPause', '0'], ['LoginTime', String(this.pbx.memberLoginTime)],
        ['InCall', opts.inCallQueue === m.queue ? '1' : '0'], ['Status', String(DEVICE_STATUS[state] ?? 0)], ['Paused', '0'], ['PausedReason', ''],
        ['Ringinuse', '1'], ['Wrapuptime', '0'],
      ]);
    }
    return this;
  }

  /** DeviceStateChange of `PJSIP/<ext>` plus its QueueMemberStatus events (member first or not). */
  phoneState(ext: string, state: string, order: 'device-first' | 'members-first' = 'device-first', opts: MemberStatusOpts = {}): this {
    if (order === 'members-first') return this.memberStatus(ext, state, opts).deviceState(`PJSIP/${ext}`, state);
    return this.deviceState(`PJSIP/${ext}`, state).memberStatus(ext, state, opts);
  }

  /** A copy of the channel's current snapshot with some values changed (one event only). */
  snap(ch: ChannelSnapshot, overrides: Partial<ChannelSnapshot>): ChannelSnapshot {
    return snapshotOf(ch, overrides);
  }
}

function causeFields(cause?: number, techCause?: number): AmiFields {
  const out: AmiFields = [];
  if (cause !== undefined) out.push(['Cause', String(cause)]);
  if (techCause !== undefined) out.push(['TechCause', String(techCause)]);
  return out;
}

const CAUSE_TEXT: Readonly<Record<number, string>> = {
  0: 'Unknown', 1: 'Unallocated (unassigned) number', 16: 'Normal Clearing', 17: 'User busy',
  18: 'No user responding', 19: 'User alerting, no answer', 21: 'Call Rejected', 26: 'Answered elsewhere',
  27: 'Destination out of order', 31: 'Normal, unspecified', 34: 'Circuit/channel congestion',
  38: 'Network out of order', 41: 'Temporary failure', 44: 'Requested channel not available',
  127: 'Interworking, unspecified',
};

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? 'Unknown';
}
