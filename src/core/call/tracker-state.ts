/**
 * Tracker state and the small operations every event handler shares: finding / creating channels
 * and calls, opening conversations, moving stages, ending calls.
 *
 * Ownership: the state object is owned by whoever called createTrackerState() and is MUTATED in
 * place by applyAmiEvent() (no copies: the tracker must keep up with 200k events/s and a deep clone
 * per event would dominate). The API stays `(state, event, now) → {state, changes}`; callers must
 * treat the returned state as the only valid one and never share it between trackers.
 */
import type { ChannelRec, CallRec, ConversationRec, ConversationVia, StageChange } from './model.js';
import { callSummary, conversationSummary } from './model.js';
import { judgeTransition, type ConversationStage } from './stages.js';
import { classifyChannel, extensionNumber, mobileOwner, parseChannelName, realNumber, type TrackerConfig } from './classify.js';

/** Read side of an AMI message that the core needs: lower-cased key → first value. */
export interface AmiEventView {
  readonly index: ReadonlyMap<string, string>;
}

export interface TrackerCounters {
  events: number;
  /** Illegal stage transitions and impossible event orders. */
  anomalies: number;
  /** Expected repeats (app_queue's second DialEnd CANCEL, events logged twice). */
  duplicates: number;
  /** Events about channels or calls already ended and forgotten. */
  late: number;
  callsStarted: number;
  callsEnded: number;
}

export interface Anomaly {
  readonly at: number;
  readonly callKey: string;
  readonly code: string;
  readonly detail: string;
}

export interface TrackerState {
  readonly config: TrackerConfig;
  readonly calls: Map<string, CallRec>;
  readonly channels: Map<string, ChannelRec>;
  /** BridgeUniqueid → Uniqueids inside. */
  readonly bridges: Map<string, Set<string>>;
  /** Local pair base → Uniqueids of its halves. */
  readonly locals: Map<string, { one?: string; two?: string }>;
  /** Recently ended call keys and hung-up Uniqueids (insertion-ordered, bounded). */
  readonly gone: Map<string, true>;
  readonly counters: TrackerCounters;
  /** The last anomalies (bounded), for logs and the admin panel. */
  readonly anomalies: Anomaly[];
}

/**
 * The same state under a new configuration (pbx settings edited while running): channels already
 * classified keep their kind, new channels are classified with the new rules. Like applyAmiEvent,
 * the returned state is the only valid one (the maps are shared, not copied).
 */
export function withTrackerConfig(s: TrackerState, config: TrackerConfig): TrackerState {
  return { ...s, config };
}

export function createTrackerState(config: TrackerConfig): TrackerState {
  return {
    config,
    calls: new Map(),
    channels: new Map(),
    bridges: new Map(),
    locals: new Map(),
    gone: new Map(),
    counters: { events: 0, anomalies: 0, duplicates: 0, late: 0, callsStarted: 0, callsEnded: 0 },
    anomalies: [],
  };
}

/** Per-event context: the state, the event time and the changes produced so far. */
export interface Ctx {
  readonly s: TrackerState;
  readonly at: number;
  readonly out: StageChange[];
}

const MAX_ANOMALIES_KEPT = 100;

export function anomaly(ctx: Ctx, callKey: string, code: string, detail: string): void {
  ctx.s.counters.anomalies++;
  const call = ctx.s.calls.get(callKey);
  if (call) call.anomalies++;
  const list = ctx.s.anomalies;
  if (list.length >= MAX_ANOMALIES_KEPT) list.shift();
  list.push({ at: ctx.at, callKey, code, detail });
}

export function remember(s: TrackerState, key: string): void {
  s.gone.set(key, true);
  if (s.gone.size > s.config.rememberEnded) {
    const first = s.gone.keys().next();
    if (!first.done) s.gone.delete(first.value);
  }
}

function get(ev: AmiEventView, key: string): string | undefined {
  return ev.index.get(key);
}

/** Compares two Linkedids by age (`[system-]epoch.seq`); negative when a is older. */
export function compareIds(a: string, b: string): number {
  const pa = splitId(a);
  const pb = splitId(b);
  return pa[0] - pb[0] || pa[1] - pb[1] || (a < b ? -1 : a > b ? 1 : 0);
}

function splitId(id: string): [number, number] {
  const dash = id.lastIndexOf('-');
  const core = dash >= 0 ? id.slice(dash + 1) : id;
  const dot = core.indexOf('.');
  const e = Number(dot >= 0 ? core.slice(0, dot) : core);
  const q = dot >= 0 ? Number(core.slice(dot + 1)) : 0;
  return [Number.isFinite(e) ? e : 0, Number.isFinite(q) ? q : 0];
}

/**
 * The channel described by the `prefix` block of the event (`''`, `dest`, `transferer`…), created on
 * first sight (Newchannel may be missing: connected mid-call, lost frame). Returns undefined when the
 * block is absent or the channel / its call already ended (late event).
 */
export function touchChannel(ctx: Ctx, ev: AmiEventView, prefix: string): ChannelRec | undefined {
  const s = ctx.s;
  const uid = get(ev, prefix + 'uniqueid');
  if (uid === undefined || uid === '' || uid === 'none' || uid === '<unknown>') return undefined;
  let ch = s.channels.get(uid);
  const linkedid = get(ev, prefix + 'linkedid') || uid;
  if (ch) {
    ch.lastAt = ctx.at;
    const st = get(ev, prefix + 'channelstatedesc');
    if (st !== undefined) ch.state = st;
    const cid = realNumber(get(ev, prefix + 'calleridnum'));
    if (cid !== undefined && cid !== ch.callerIdNum) {
      ch.callerIdNum = cid;
      // Endpoints named by account ids: the extension number arrives with the caller id.
      if (ch.kind === 'extension' && ch.convId === undefined && ch.extension === ch.endpoint) {
        ch.extension = extensionNumber(ch.endpoint, cid, s.config);
      }
    }
    if (linkedid !== ch.linkedid) relink(ctx, ch, linkedid);
    return ch;
  }
  if (s.gone.has(uid) || s.gone.has(linkedid)) {
    s.counters.late++;
    return undefined;
  }
  const name = get(ev, prefix + 'channel') ?? '';
  const parsed = parseChannelName(name);
  const context = get(ev, prefix + 'context') ?? '';
  const cidNum = realNumber(get(ev, prefix + 'calleridnum'));
  const kind = classifyChannel(parsed, context, s.config);
  ch = {
    uniqueid: uid, name, linkedid, callKey: linkedid, kind, endpoint: parsed.endpoint,
    extension: kind === 'extension' ? extensionNumber(parsed.endpoint, cidNum, s.config) : undefined,
    birthContext: context, birthExten: get(ev, prefix + 'exten') ?? '', callerIdNum: cidNum,
    state: get(ev, prefix + 'channelstatedesc') ?? '', bridge: undefined, convId: undefined, dialledBy: undefined,
    reached: undefined, dialler: false, originated: false, queue: undefined, via: undefined, lastAt: ctx.at,
  };
  s.channels.set(uid, ch);
  if (parsed.localBase !== undefined) {
    const pair = s.locals.get(parsed.localBase) ?? {};
    if (parsed.localHalf === 2) pair.two = uid; else pair.one = uid;
    s.locals.set(parsed.localBase, pair);
  }
  let call = s.calls.get(linkedid);
  if (!call) call = createCall(ctx, linkedid, ch);
  else if (uid === linkedid && !call.emitted && call.conversations.length === 0) initFromFirst(call, ch);
  call.live.add(uid);
  call.uniqueids.push(uid);
  return ch;
}

function createCall(ctx: Ctx, key: string, first: ChannelRec): CallRec {
  const call: CallRec = {
    key, linkedid: key, direction: 'internal',
    clientNumber: undefined, did: undefined, trunk: undefined, callerExtension: undefined,
    startedAt: ctx.at, answeredAt: undefined, endedAt: undefined, dialStatus: undefined, hangupCause: undefined,
    queue: undefined, abandoned: false, answeredOutside: false, originated: false, b24CallId: undefined, vote: undefined, recordings: [], conversations: [],
    live: new Set(), uniqueids: [], emitted: false, transfers: 0, transferPending: false, anomalies: 0,
  };
  initFromFirst(call, first);
  ctx.s.calls.set(key, call);
  ctx.s.counters.callsStarted++;
  return call;
}

/**
 * Direction and numbers from the call's first channel. Also re-run when that channel (Uniqueid ==
 * Linkedid) shows up after another one of the call (connected mid-call, a lost Newchannel).
 */
function initFromFirst(call: CallRec, first: ChannelRec): void {
  if (call.originated) return;
  call.direction = first.kind === 'trunk' ? 'incoming' : 'internal';
  if (first.kind === 'trunk') {
    call.clientNumber = first.callerIdNum;
    call.did = realNumber(first.birthExten);
    call.trunk = first.endpoint;
    call.callerExtension = undefined;
  } else if (first.kind === 'extension') {
    call.callerExtension = first.extension;
    call.clientNumber = first.extension;
  }
}

/** The event shows a new Linkedid for a known channel: it joined another call. */
function relink(ctx: Ctx, ch: ChannelRec, linkedid: string): void {
  ch.linkedid = linkedid;
  const target = ctx.s.calls.get(linkedid);
  if (target && target.key !== ch.callKey) moveChannel(ctx, ch, target);
}

export function callOf(s: TrackerState, ch: ChannelRec): CallRec | undefined {
  return s.calls.get(ch.callKey);
}

export function findConv(call: CallRec, id: string | undefined): ConversationRec | undefined {
  if (id === undefined) return undefined;
  for (let i = call.conversations.length - 1; i >= 0; i--) {
    const c = call.conversations[i];
    if (c && c.id === id) return c;
  }
  return undefined;
}

export function emit(ctx: Ctx, call: CallRec, stage: StageChange['stage'], conv: ConversationRec | undefined): void {
  call.emitted = true;
  // FMC: a call from an employee's own mobile is that employee calling in, not a client.
  const fromMobileOf = call.direction === 'incoming' ? mobileOwner(ctx.s.config, call.clientNumber) : undefined;
  const change: StageChange = conv
    ? { callKey: call.key, stage, at: ctx.at, conversation: conversationSummary(conv), call: callSummary(call, false, fromMobileOf) }
    : { callKey: call.key, stage, at: ctx.at, call: callSummary(call, stage === 'call_ended', fromMobileOf) };
  ctx.out.push(change);
}

/** `fmc`: a trunk channel towards an employee's mobile, counted as that employee's extension. */
export function openConversation(ctx: Ctx, call: CallRec, ch: ChannelRec, via: ConversationVia, localPath: readonly string[], fmc?: { extension: string; mobile: string }): ConversationRec {
  const index = call.conversations.length + 1;
  const conv: ConversationRec = {
    id: `${call.key}#${index}`, index, extension: fmc?.extension ?? ch.extension ?? ch.endpoint, channel: ch.name, uniqueid: ch.uniqueid, mobile: fmc?.mobile,
    via: call.transferPending && via === 'dial' ? 'transfer' : via, queue: ch.queue, stage: 'conversation_requested',
    requestedAt: ctx.at, acceptedAt: undefined, endedAt: undefined, dialStatus: undefined, hangupCause: undefined,
    endReason: undefined, localPath,
  };
  // A transfer is resolved by the next extension that gets the call: dialled, or taking it (a parked call retrieved).
  if (conv.via === 'transfer' || conv.via === 'pickup') call.transferPending = false;
  call.conversations.push(conv);
  ch.convId = conv.id;
  emit(ctx, call, 'conversation_requested', conv);
  return conv;
}

/** Moves a conversation to `to`; duplicates are counted and dropped, illegal moves are anomalies. */
export function setStage(ctx: Ctx, call: CallRec, conv: ConversationRec, to: ConversationStage, reason?: string): boolean {
  const verdict = judgeTransition(conv.stage, to);
  if (verdict === 'duplicate') {
    ctx.s.counters.duplicates++;
    return false;
  }
  if (verdict === 'illegal') {
    anomaly(ctx, call.key, 'CALL_ILLEGAL_TRANSITION', `${conv.id}: ${conv.stage} -> ${to}`);
    return false;
  }
  conv.stage = to;
  if (to === 'conversation_accepted') {
    conv.acceptedAt = ctx.at;
    if (call.answeredAt === undefined) call.answeredAt = ctx.at;
  } else if (to === 'conversation_ended') {
    conv.endedAt = ctx.at;
    conv.endReason = reason;
  }
  emit(ctx, call, to, conv);
  return true;
}

/** Ends a conversation unless it already ended (no anomaly: many paths lead to the end). */
export function endConversation(ctx: Ctx, call: CallRec, conv: ConversationRec, reason: string): void {
  if (conv.stage === 'conversation_ended') return;
  setStage(ctx, call, conv, 'conversation_ended', reason);
}

/** A channel of `from` now belongs to `to` (pickup, attended transfer, Redirect into a call). */
export function moveChannel(ctx: Ctx, ch: ChannelRec, to: CallRec): void {
  const from = ctx.s.calls.get(ch.callKey);
  ch.callKey = to.key;
  to.live.add(ch.uniqueid);
  to.uniqueids.push(ch.uniqueid);
  const conv = from ? findConv(from, ch.convId) : undefined;
  ch.convId = undefined;
  // Only the extension side carries its conversation along; the far side of someone else's
  // conversation (the trunk leg of an outgoing consultation) leaves it with its extension.
  const own = conv && conv.uniqueid === ch.uniqueid ? conv : undefined;
  if (from && own) {
    const prev = own.stage;
    if (prev !== 'conversation_ended') {
      endConversation(ctx, from, own, 'joined');
      const fmc = own.mobile === undefined ? undefined : { extension: own.extension, mobile: own.mobile };
      const moved = openConversation(ctx, to, ch, 'joined', own.localPath, fmc);
      if (prev === 'conversation_accepted') setStage(ctx, to, moved, 'conversation_accepted');
    }
  } else if (!conv && ch.kind === 'extension' && !ch.dialler && ch.bridge !== undefined) {
    // A phone that picked the call up or retrieved it: its own call had no conversation.
    const picked = openConversation(ctx, to, ch, 'pickup', []);
    setStage(ctx, to, picked, 'conversation_accepted');
  }
  if (from) {
    from.live.delete(ch.uniqueid);
    if (from.live.size === 0) endCall(ctx, from);
  }
}

/** Removes a hung-up channel; ends the call when it was the last one. */
export function dropChannel(ctx: Ctx, ch: ChannelRec): void {
  const s = ctx.s;
  s.channels.delete(ch.uniqueid);
  remember(s, ch.uniqueid);
  if (ch.bridge !== undefined) s.bridges.get(ch.bridge)?.delete(ch.uniqueid);
  const parsed = ch.kind === 'local' ? parseChannelName(ch.name) : undefined;
  if (parsed?.localBase !== undefined) {
    const pair = s.locals.get(parsed.localBase);
    if (pair) {
      if (pair.one === ch.uniqueid) delete pair.one;
      if (pair.two === ch.uniqueid) delete pair.two;
      if (pair.one === undefined && pair.two === undefined) s.locals.delete(parsed.localBase);
    }
  }
  const call = s.calls.get(ch.callKey);
  if (!call) return;
  call.live.delete(ch.uniqueid);
  if (call.live.size === 0) endCall(ctx, call);
}

/**
 * The last channel is gone. Open conversations end with the call. call_ended is emitted when the
 * call showed any stage, and always for incoming and click-to-call calls (an IVR abandon is a missed
 * call with no conversation); an internal call that reached nobody (voicemail, feature code, the
 * emptied call of a phone that picked up another call) is forgotten silently.
 */
export function endCall(ctx: Ctx, call: CallRec): void {
  call.endedAt = ctx.at;
  for (const conv of call.conversations) endConversation(ctx, call, conv, 'call_ended');
  if (call.emitted || call.direction === 'incoming' || call.direction === 'click-to-call') {
    if (call.direction === 'incoming' && call.conversations.length === 0) call.abandoned = true;
    emit(ctx, call, 'call_ended', undefined);
  }
  ctx.s.calls.delete(call.key);
  ctx.s.counters.callsEnded++;
  remember(ctx.s, call.key);
}

/** The channel `uid`, when alive. */
export function channel(s: TrackerState, uid: string | undefined): ChannelRec | undefined {
  return uid === undefined ? undefined : s.channels.get(uid);
}

/** The other half of a Local pair. */
export function localPartner(s: TrackerState, ch: ChannelRec, half: 1 | 2): ChannelRec | undefined {
  const base = parseChannelName(ch.name).localBase;
  if (base === undefined) return undefined;
  const pair = s.locals.get(base);
  return channel(s, half === 1 ? pair?.one : pair?.two);
}

export function intField(ev: AmiEventView, key: string): number | undefined {
  const v = ev.index.get(key);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}
