/**
 * Typed, read-only views of the AMI events the connector uses: camelCase getters over an AmiMessage.
 * Nothing is copied or validated up front; a getter reads its field when asked. Wire names
 * (`Linkedid`, `DestChannel`, `Cause-txt` …) stay inside this module.
 * `<unknown>` (Asterisk's word for an empty caller id) reads as undefined.
 */
import { channelVariables, eventName, field, fieldAll, type AmiMessage } from './message.js';

function optional(v: string | undefined): string | undefined {
  return v === undefined || v === '' || v === '<unknown>' ? undefined : v;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Plain data copy of a channel block (for lists and logs). */
export interface ChannelSnapshot {
  readonly channel: string;
  readonly state: number | undefined;
  readonly stateDesc: string;
  readonly callerIdNum: string | undefined;
  readonly callerIdName: string | undefined;
  readonly connectedLineNum: string | undefined;
  readonly connectedLineName: string | undefined;
  readonly accountCode: string | undefined;
  readonly context: string;
  readonly exten: string;
  readonly priority: number | undefined;
  readonly uniqueid: string;
  readonly linkedid: string;
}

/** The 14-line channel block, with its prefix (`''`, `Dest`, `Transferer`, `LocalOne` …). */
export class ChannelView {
  constructor(private readonly msg: AmiMessage, readonly prefix = '') {}

  private f(key: string): string | undefined {
    return field(this.msg, this.prefix + key);
  }

  /** False when the event carries no block with this prefix (e.g. DialBegin of an Originate). */
  get present(): boolean { return this.f('Channel') !== undefined; }
  get channel(): string { return this.f('Channel') ?? ''; }
  get state(): number | undefined { return int(this.f('ChannelState')); }
  get stateDesc(): string { return this.f('ChannelStateDesc') ?? ''; }
  get callerIdNum(): string | undefined { return optional(this.f('CallerIDNum')); }
  get callerIdName(): string | undefined { return optional(this.f('CallerIDName')); }
  get connectedLineNum(): string | undefined { return optional(this.f('ConnectedLineNum')); }
  get connectedLineName(): string | undefined { return optional(this.f('ConnectedLineName')); }
  get language(): string { return this.f('Language') ?? ''; }
  get accountCode(): string | undefined { return optional(this.f('AccountCode')); }
  get context(): string { return this.f('Context') ?? ''; }
  get exten(): string { return this.f('Exten') ?? ''; }
  get priority(): number | undefined { return int(this.f('Priority')); }
  get uniqueid(): string { return this.f('Uniqueid') ?? ''; }
  get linkedid(): string { return this.f('Linkedid') ?? ''; }
  /** `channelvars` of manager.conf (`ChanVariable: NAME=value`, `DestChanVariable: …`). */
  get variables(): Map<string, string> { return channelVariables(this.msg, `${this.prefix}ChanVariable`); }
}

export function readChannel(v: ChannelView): ChannelSnapshot {
  return {
    channel: v.channel, state: v.state, stateDesc: v.stateDesc, callerIdNum: v.callerIdNum,
    callerIdName: v.callerIdName, connectedLineNum: v.connectedLineNum, connectedLineName: v.connectedLineName,
    accountCode: v.accountCode, context: v.context, exten: v.exten, priority: v.priority,
    uniqueid: v.uniqueid, linkedid: v.linkedid,
  };
}

/** The bridge block (`BridgeUniqueid` …), with its prefix (`''`, `Orig`, `Second`, `To`, `From`). */
export class BridgeView {
  constructor(private readonly msg: AmiMessage, readonly prefix = '') {}
  private f(key: string): string | undefined { return field(this.msg, this.prefix + key); }
  get present(): boolean { return this.f('BridgeUniqueid') !== undefined; }
  get uniqueid(): string { return this.f('BridgeUniqueid') ?? ''; }
  get type(): string { return this.f('BridgeType') ?? ''; }
  get technology(): string { return this.f('BridgeTechnology') ?? ''; }
  get creator(): string { return this.f('BridgeCreator') ?? ''; }
  get name(): string { return this.f('BridgeName') ?? ''; }
  get numChannels(): number | undefined { return int(this.f('BridgeNumChannels')); }
}

/** Any event: its name, routing headers and the unprefixed channel block. */
export class AmiEventView {
  constructor(readonly message: AmiMessage) {}
  get name(): string { return eventName(this.message) ?? ''; }
  get privilege(): string | undefined { return field(this.message, 'Privilege'); }
  get actionId(): string | undefined { return field(this.message, 'ActionID'); }
  get channel(): ChannelView { return new ChannelView(this.message); }
  get uniqueid(): string { return this.channel.uniqueid; }
  get linkedid(): string { return this.channel.linkedid; }
  /** Escape hatch for fields without a getter (case-insensitive). */
  get(key: string): string | undefined { return field(this.message, key); }
  getAll(key: string): string[] { return fieldAll(this.message, key); }
}

export class NewchannelEvent extends AmiEventView {}

export class NewstateEvent extends AmiEventView {}

export class HangupEvent extends AmiEventView {
  /** Q.850 cause (16 normal clearing, 17 busy, 19 no answer, 26 answered elsewhere …). */
  get cause(): number | undefined { return int(this.get('Cause')); }
  get causeText(): string { return this.get('Cause-txt') ?? ''; }
  /** 20.17+/22.7+: technology cause, e.g. the SIP response code. */
  get techCause(): string | undefined { return this.get('TechCause'); }
}

/** DialBegin / DialState / DialEnd: caller block (absent for Originate first legs) and Dest block. */
export class DialEvent extends AmiEventView {
  get caller(): ChannelView | undefined {
    const c = this.channel;
    return c.present ? c : undefined;
  }
  get dest(): ChannelView { return new ChannelView(this.message, 'Dest'); }
  get dialString(): string { return this.get('DialString') ?? ''; }
  /** DialState/DialEnd: `RINGING`, `ANSWER`, `BUSY`, `NOANSWER`, `CANCEL`, `CHANUNAVAIL` … */
  get dialStatus(): string { return this.get('DialStatus') ?? ''; }
  get forward(): string | undefined { return optional(this.get('Forward')); }
}
export class DialBeginEvent extends DialEvent {}
export class DialStateEvent extends DialEvent {}
export class DialEndEvent extends DialEvent {}

export class BridgeEvent extends AmiEventView {
  get bridge(): BridgeView { return new BridgeView(this.message); }
  /** BridgeEnter: the channel this one replaces (Local optimisation, attended transfer). */
  get swapUniqueid(): string | undefined { return optional(this.get('SwapUniqueid')); }
}
export class BridgeCreateEvent extends BridgeEvent {}
export class BridgeEnterEvent extends BridgeEvent {}
export class BridgeLeaveEvent extends BridgeEvent {}
export class BridgeDestroyEvent extends BridgeEvent {}

export class VarSetEvent extends AmiEventView {
  get variable(): string { return this.get('Variable') ?? ''; }
  get value(): string { return this.get('Value') ?? ''; }
}

export class OriginateResponseEvent extends AmiEventView {
  get success(): boolean { return this.get('Response') === 'Success'; }
  get reason(): number | undefined { return int(this.get('Reason')); }
  get channelName(): string { return this.get('Channel') ?? ''; }
  /** Empty when Asterisk sends `<unknown>` (no channel was created). */
  override get uniqueid(): string { return optional(this.get('Uniqueid')) ?? ''; }
  get context(): string | undefined { return this.get('Context'); }
  get exten(): string | undefined { return this.get('Exten'); }
  get application(): string | undefined { return this.get('Application'); }
  get data(): string | undefined { return this.get('Data'); }
  get callerIdNum(): string | undefined { return optional(this.get('CallerIDNum')); }
  get callerIdName(): string | undefined { return optional(this.get('CallerIDName')); }
}

/** Queue… and Agent… events: caller block, member (`Dest…`) block and queue fields. */
export class QueueEvent extends AmiEventView {
  get queue(): string { return this.get('Queue') ?? ''; }
  get member(): ChannelView { return new ChannelView(this.message, 'Dest'); }
  get interface(): string | undefined { return this.get('Interface'); }
  get memberName(): string | undefined { return this.get('MemberName'); }
  get position(): number | undefined { return int(this.get('Position')); }
  get count(): number | undefined { return int(this.get('Count')); }
  get holdTime(): number | undefined { return int(this.get('HoldTime')); }
  /** AgentConnect: seconds; AgentRingNoAnswer: milliseconds (as Asterisk sends them). */
  get ringTime(): number | undefined { return int(this.get('RingTime')); }
  get talkTime(): number | undefined { return int(this.get('TalkTime')); }
  /** AgentComplete: `caller`, `agent`, `transfer`. */
  get reason(): string | undefined { return this.get('Reason'); }
}

export class BlindTransferEvent extends AmiEventView {
  get result(): string { return this.get('Result') ?? ''; }
  get transferer(): ChannelView { return new ChannelView(this.message, 'Transferer'); }
  get transferee(): ChannelView { return new ChannelView(this.message, 'Transferee'); }
  get bridge(): BridgeView { return new BridgeView(this.message); }
  get isExternal(): boolean { return this.get('IsExternal') === 'Yes'; }
  get context(): string { return this.get('Context') ?? ''; }
  get extension(): string { return this.get('Extension') ?? ''; }
}

export class AttendedTransferEvent extends AmiEventView {
  get result(): string { return this.get('Result') ?? ''; }
  get origTransferer(): ChannelView { return new ChannelView(this.message, 'OrigTransferer'); }
  get secondTransferer(): ChannelView { return new ChannelView(this.message, 'SecondTransferer'); }
  get transferee(): ChannelView { return new ChannelView(this.message, 'Transferee'); }
  get transferTarget(): ChannelView { return new ChannelView(this.message, 'TransferTarget'); }
  get origBridge(): BridgeView { return new BridgeView(this.message, 'Orig'); }
  get secondBridge(): BridgeView { return new BridgeView(this.message, 'Second'); }
  /** `Bridge`, `App`, `Link`, `Threeway`, `Fail`. */
  get destType(): string { return this.get('DestType') ?? ''; }
  get destBridgeUniqueid(): string | undefined { return optional(this.get('DestBridgeUniqueid')); }
  get isExternal(): boolean { return this.get('IsExternal') === 'Yes'; }
}

/** LocalBridge / LocalOptimizationBegin / LocalOptimizationEnd. */
export class LocalEvent extends AmiEventView {
  get localOne(): ChannelView { return new ChannelView(this.message, 'LocalOne'); }
  get localTwo(): ChannelView { return new ChannelView(this.message, 'LocalTwo'); }
  get source(): ChannelView | undefined {
    const s = new ChannelView(this.message, 'Source');
    return s.present ? s : undefined;
  }
  /** Spelled `DestUniqueId` on the wire; read case-insensitively. */
  get destUniqueid(): string | undefined { return optional(this.get('DestUniqueid')); }
  get id(): string | undefined { return this.get('Id'); }
  get success(): boolean | undefined {
    const s = this.get('Success');
    return s === undefined ? undefined : s === 'Yes';
  }
}

export class UserEventEvent extends AmiEventView {
  get userEvent(): string { return this.get('UserEvent') ?? ''; }
}

export class FullyBootedEvent extends AmiEventView {
  get uptime(): number | undefined { return int(this.get('Uptime')); }
  get lastReload(): number | undefined { return int(this.get('LastReload')); }
}

/** Event name → view class. Names not listed get a plain AmiEventView. */
export const EVENT_VIEWS = {
  Newchannel: NewchannelEvent,
  Newstate: NewstateEvent,
  Hangup: HangupEvent,
  DialBegin: DialBeginEvent,
  DialState: DialStateEvent,
  DialEnd: DialEndEvent,
  BridgeCreate: BridgeCreateEvent,
  BridgeEnter: BridgeEnterEvent,
  BridgeLeave: BridgeLeaveEvent,
  BridgeDestroy: BridgeDestroyEvent,
  VarSet: VarSetEvent,
  OriginateResponse: OriginateResponseEvent,
  QueueCallerJoin: QueueEvent,
  QueueCallerLeave: QueueEvent,
  QueueCallerAbandon: QueueEvent,
  AgentCalled: QueueEvent,
  AgentRingNoAnswer: QueueEvent,
  AgentConnect: QueueEvent,
  AgentComplete: QueueEvent,
  AgentDump: QueueEvent,
  BlindTransfer: BlindTransferEvent,
  AttendedTransfer: AttendedTransferEvent,
  LocalBridge: LocalEvent,
  LocalOptimizationBegin: LocalEvent,
  LocalOptimizationEnd: LocalEvent,
  UserEvent: UserEventEvent,
  FullyBooted: FullyBootedEvent,
} as const;

export type KnownEventName = keyof typeof EVENT_VIEWS;
export type EventViewOf<N extends KnownEventName> = InstanceType<(typeof EVENT_VIEWS)[N]>;

function isKnown(name: string): name is KnownEventName {
  return Object.prototype.hasOwnProperty.call(EVENT_VIEWS, name);
}

/** The most specific view for `msg` (use `instanceof` to narrow). */
export function viewEvent(msg: AmiMessage): AmiEventView {
  const name = eventName(msg) ?? '';
  return isKnown(name) ? new EVENT_VIEWS[name](msg) : new AmiEventView(msg);
}

/** The typed view when `msg` is event `name`, else undefined: `asEvent(msg, 'Hangup')?.cause`. */
export function asEvent<N extends KnownEventName>(msg: AmiMessage, name: N): EventViewOf<N> | undefined {
  if (eventName(msg) !== name) return undefined;
  return new EVENT_VIEWS[name](msg) as EventViewOf<N>;
}
