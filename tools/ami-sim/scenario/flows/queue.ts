/**
 * Inbound call into app_queue: `NoOp(Queue <q>)` · `Answer()` · `Queue(<q>,t,,,30)` · `Hangup()`.
 * ringall answered ↔ lab22-e, linear ↔ lab22-f, caller abandons ↔ lab22-i2. The interleaving of the
 * member legs' noise differs between those transcripts (thread races); each is reproduced as recorded
 * and generalised to N members (see README).
 */
import { channelBlock, STATE, type ChannelSnapshot } from '../channel-block.js';
import type { Bridge, CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import { memberExten, type QueueSpec } from '../spec.js';
import {
  bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, queueReset, rtpQos, rtpQosBridged,
} from '../steps.js';
import { newTrunkCaller } from './inbound.js';
import { startMixMonitor } from './mixmonitor.js';

interface Member {
  ext: string;
  name: string;
  iface: string;
  ch: Chan;
  calledAt: number;
  /** When a member that did not answer was hung up (its NO ANSWER Cdr ends there). */
  endAt?: number;
}

interface Q {
  b: CallBuilder;
  s: QueueSpec;
  queue: string;
  caller: Chan;
  joinAt: number;
  appData: string;
}

export function queueFlow(b: CallBuilder, s: QueueSpec): void {
  const queue = s.queue ?? (s.strategy === 'linear' ? 'support' : 'sales');
  const caller = newTrunkCaller(b, s);
  b.newexten(caller, 'NoOp', `Queue ${queue}`);
  b.newexten(caller, 'Answer', '', { priority: 2 });
  b.newstate(caller, STATE.up);
  b.deviceState(`PJSIP/${s.trunk ?? 'trunk'}`, 'INUSE');
  if (s.record === true) startMixMonitor(b, caller);
  const appData = `${queue},t,,,30`;
  b.newexten(caller, 'Queue', appData, { priority: caller.priority + 1 });
  queueReset(b, caller);
  b.deviceState(`Queue:${queue}`, 'RINGING');
  b.chanEvent('QueueCallerJoin', 'agent', caller, [['Queue', queue], ['Position', '1'], ['Count', '1']]);
  b.chanEvent('MusicOnHoldStart', 'call', caller, [['Class', 'default']]);
  const q: Q = { b, s, queue, caller, joinAt: b.now, appData };
  const exts = s.members.map((m) => memberExten(m) ?? m);
  const abandon = s.outcome !== 'answered';
  if (s.strategy === 'linear') return linear(q, exts, abandon);
  const members = ringAll(q, exts, abandon ? 'i2' : 'e');
  if (abandon) return abandoned(q, members);
  const answerer = s.answeredBy ? memberExten(s.answeredBy) : exts[exts.length - 1];
  const winner = members.find((m) => m.ext === answerer) ?? (members[members.length - 1] as Member);
  b.wait(s.ringMs ?? 3000);
  connectRingall(q, winner, members.filter((m) => m !== winner));
}

/** Newchannel + DIALEDPEERNUMBER of a member leg. */
function newMember(q: Q, ext: string): Member {
  const { b, caller } = q;
  const ch = b.newChan({
    device: ext, state: STATE.down, cidNum: ext, cidName: userName(b.pbx, ext), context: b.pbx.internalContext,
    exten: 's', linkedid: caller.linkedid,
  });
  b.newchannel(ch);
  b.varset(ch, 'DIALEDPEERNUMBER', ext);
  return { ext, name: userName(b.pbx, ext) || ext, iface: `PJSIP/${ext}`, ch, calledAt: b.now };
}

function agentFields(q: Q, m: Member): Array<readonly [string, string]> {
  return [['Queue', q.queue], ['Interface', m.iface], ['MemberName', m.name]];
}

function agentEvent(q: Q, name: string, m: Member, extra: Array<readonly [string, string]> = [], dest: ChannelSnapshot = m.ch): void {
  q.b.emit(name, 'agent', channelBlock(q.caller), channelBlock(dest, 'Dest'), [...agentFields(q, m), ...extra]);
}

/** AgentCalled shows the member already connected to the caller (snapshot taken after the Dial setup). */
function agentCalled(q: Q, m: Member): void {
  agentEvent(q, 'AgentCalled', m, [], q.b.snap(m.ch, { connNum: q.caller.cidNum, connName: q.caller.cidName, exten: q.caller.exten }));
}

function dialBegin(q: Q, m: Member): void {
  q.b.dialBegin(q.caller, m.ch, m.iface);
}

/** The member's phone alerts: Newstate Ringing, Newexten AppQueue, NewConnectedLine. */
function memberRings(q: Q, m: Member): void {
  connect(q, m);
  q.b.newstate(m.ch, STATE.ringing);
  q.b.newexten(m.ch, 'AppQueue', '(Outgoing Line)');
  q.b.newConnectedLine(m.ch);
}

function connect(q: Q, m: Member): void {
  m.ch.connNum = q.caller.cidNum;
  m.ch.connName = q.caller.cidName;
  m.ch.exten = q.caller.exten;
}

/** ringall: every member at once, in the interleaving of lab22-e (answered) or lab22-i2 (abandon). */
function ringAll(q: Q, exts: readonly string[], order: 'e' | 'i2'): Member[] {
  const { b } = q;
  const members: Member[] = [];
  const alerting = (m: Member): void => {
    if (order === 'e') {
      b.phoneState(m.ext, 'RINGING', 'members-first');
      b.dialState(q.caller, m.ch);
    } else {
      b.dialState(q.caller, m.ch);
      b.phoneState(m.ext, 'RINGING');
    }
  };
  exts.forEach((ext, i) => {
    const m = newMember(q, ext);
    members.push(m);
    const prev = members[i - 1];
    if (!prev) {
      agentCalled(q, m);
      dialBegin(q, m);
      return;
    }
    if (order === 'e') agentCalled(q, m);
    memberRings(q, prev);
    if (order === 'i2') agentCalled(q, m);
    dialBegin(q, m);
    alerting(prev);
  });
  const last = members[members.length - 1] as Member;
  memberRings(q, last);
  alerting(last);
  return members;
}

/** Queue part after a member answered, up to the bridge (lab22-e/f). */
function leaveQueue(q: Q): void {
  const { b, caller } = q;
  b.deviceState(`Queue:${q.queue}`, 'NOT_INUSE');
  b.chanEvent('QueueCallerLeave', 'agent', caller, [['Queue', q.queue], ['Position', '1'], ['Count', '0']]);
  b.varset(caller, 'QUEUEPOSITION', '1');
}

function connectRingall(q: Q, winner: Member, losers: readonly Member[]): void {
  const { b, caller } = q;
  const answerAt = b.now;
  b.newstate(winner.ch, STATE.up);
  b.dialEnd(caller, winner.ch, 'ANSWER');
  let announced = false;
  for (const l of losers) {
    b.dialEnd(caller, l.ch, 'CANCEL');
    if (!announced) {
      b.newConnectedLine(caller, winner.ext, winner.name);
      announced = true;
    }
    b.dialEnd(caller, l.ch, 'CANCEL');
  }
  if (!announced) b.newConnectedLine(caller, winner.ext, winner.name);
  b.chanEvent('MusicOnHoldStop', 'call', caller);
  const others = (b.pbx.memberships[winner.ext] ?? []).map((m) => m.queue).filter((n) => n !== q.queue);
  b.memberStatus(winner.ext, 'INUSE', { queues: others });
  b.deviceState(`PJSIP/${winner.ext}`, 'INUSE');
  leaveQueue(q);
  b.memberStatus(winner.ext, 'INUSE', { queues: [q.queue] });
  const wait = answerAt - q.joinAt;
  b.varset(caller, 'QUEUEWAIT', String(Math.floor(wait / 1000)));
  for (const l of losers) b.hangup(l.ch, 26);
  b.varset(caller, 'QUEUEWAIT_MS', String(wait));
  agentEvent(q, 'AgentConnect', winner, [['HoldTime', String(Math.floor(wait / 1000))], ['RingTime', String(Math.floor((answerAt - winner.calledAt) / 1000))]]);
  for (const l of losers) b.phoneState(l.ext, 'NOT_INUSE', 'members-first');
  const br = b.newBridge(true);
  b.bridgeCreate(br);
  b.bridgeEnter(br, winner.ch);
  b.bridgeEnter(br, caller);
  bridgePeers(b, [winner.ch, caller], 1);
  b.wait(q.s.talkMs ?? 6000);
  callerLeaves(q, winner, losers, br, answerAt, 'e');
}

/** The caller hangs up a bridged queue call (lab22-e / lab22-f orderings). */
function callerLeaves(q: Q, m: Member, missed: readonly Member[], br: Bridge, answerAt: number, order: 'e' | 'f'): void {
  const { b, caller } = q;
  rtpQosBridged(b, caller, m.ch);
  b.hangupRequest(caller);
  const hold = Math.floor((answerAt - q.joinAt) / 1000);
  agentEvent(q, 'AgentComplete', m, [['HoldTime', String(hold)], ['TalkTime', String(Math.floor((b.now - answerAt) / 1000))], ['Reason', 'caller']]);
  bridgePeersClear(b, caller, m.ch);
  b.bridgeLeave(br, caller);
  dialDoneVars(b, caller, b.now - answerAt, b.now - q.joinAt, null);
  if (order === 'e') {
    b.softHangupRequest(caller, 16);
    cdrs(q, m, missed, answerAt);
    b.bridgeLeave(br, m.ch);
    b.bridgeDestroy(br);
    b.hangup(caller, 16);
    b.deviceState(`PJSIP/${q.s.trunk ?? 'trunk'}`, 'NOT_INUSE');
    rtpQos(b, m.ch);
    b.hangup(m.ch, 16);
    b.phoneState(m.ext, 'NOT_INUSE');
    return;
  }
  b.bridgeLeave(br, m.ch);
  b.bridgeDestroy(br);
  rtpQos(b, m.ch);
  cdrs(q, m, missed, answerAt);
  b.hangup(m.ch, 16);
  b.softHangupRequest(caller, 16);
  b.memberStatus(m.ext, 'NOT_INUSE');
  b.hangup(caller, 16);
  b.deviceState(`PJSIP/${m.ext}`, 'NOT_INUSE');
  b.deviceState(`PJSIP/${q.s.trunk ?? 'trunk'}`, 'NOT_INUSE');
}

/** One NO ANSWER Cdr per member that rang without answering, then the ANSWERED one. */
function cdrs(q: Q, m: Member | undefined, missed: readonly Member[], answerAt: number | undefined): void {
  const { b, caller } = q;
  const base = {
    source: caller.cidNum, destination: caller.exten, destinationContext: caller.context,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, lastApplication: 'Queue',
    lastData: q.appData, uniqueid: caller.uniqueid,
  };
  for (const x of missed) {
    cdr(b, { ...base, destinationChannel: x.ch.name, startMs: x.calledAt, answerMs: x.calledAt, endMs: x.endAt ?? answerAt ?? b.now, disposition: 'NO ANSWER' });
  }
  if (m && answerAt !== undefined) {
    cdr(b, { ...base, destinationChannel: m.ch.name, startMs: m.calledAt, answerMs: m.calledAt, endMs: b.now, disposition: 'ANSWERED' });
  }
}

/** linear: one member per attempt (lab22-f): timeout → AgentRingNoAnswer, retry pause, next member. */
function linear(q: Q, exts: readonly string[], abandon: boolean): void {
  const { b, s, caller } = q;
  const answerer = s.answeredBy ? memberExten(s.answeredBy) : exts[exts.length - 1];
  const order = abandon ? exts.slice(0, 1) : exts.slice(0, Math.max(1, exts.indexOf(answerer ?? '') + 1));
  const missed: Member[] = [];
  for (const [i, ext] of order.entries()) {
    const m = newMember(q, ext);
    agentCalled(q, m);
    dialBegin(q, m);
    b.newConnectedLine(caller, m.ext, m.name);
    const last = i === order.length - 1;
    if (i === 0) {
      connect(q, m);
      b.dialState(caller, m.ch);
      b.newstate(m.ch, STATE.ringing);
      b.newexten(m.ch, 'AppQueue', '(Outgoing Line)');
      b.newConnectedLine(m.ch);
      b.phoneState(m.ext, 'RINGING');
    } else {
      memberRings(q, m);
      b.phoneState(m.ext, 'RINGING');
      b.dialState(caller, m.ch);
    }
    if (abandon) return abandoned(q, [m]);
    if (last) {
      b.wait(s.ringMs ?? 2000);
      return connectLinear(q, m, missed);
    }
    const timeout = s.memberTimeoutMs ?? 4000;
    b.wait(timeout);
    agentEvent(q, 'AgentRingNoAnswer', m, [['RingTime', String(timeout)]]);
    b.dialEnd(caller, m.ch, 'NOANSWER');
    b.dialEnd(caller, m.ch, 'CANCEL');
    b.hangup(m.ch, 0);
    m.endAt = b.now;
    b.phoneState(m.ext, 'NOT_INUSE');
    missed.push(m);
    b.wait(s.retryMs ?? 1000);
  }
}

function connectLinear(q: Q, m: Member, missed: readonly Member[]): void {
  const { b, caller } = q;
  const answerAt = b.now;
  b.newstate(m.ch, STATE.up);
  b.dialEnd(caller, m.ch, 'ANSWER');
  b.chanEvent('MusicOnHoldStop', 'call', caller);
  leaveQueue(q);
  const wait = answerAt - q.joinAt;
  b.varset(caller, 'QUEUEWAIT', String(Math.floor(wait / 1000)));
  b.varset(caller, 'QUEUEWAIT_MS', String(wait));
  agentEvent(q, 'AgentConnect', m, [['HoldTime', String(Math.floor(wait / 1000))], ['RingTime', String(Math.floor((answerAt - m.calledAt) / 1000))]]);
  const br = b.newBridge(true);
  b.bridgeCreate(br);
  b.bridgeEnter(br, m.ch);
  b.phoneState(m.ext, 'INUSE', 'device-first', { inCallQueue: q.queue });
  b.bridgeEnter(br, caller);
  bridgePeers(b, [m.ch, caller], 1);
  b.wait(q.s.talkMs ?? 4000);
  callerLeaves(q, m, missed, br, answerAt, 'f');
}

/** The caller hangs up while members ring (lab22-i2): duplicate CANCELs, QueueCallerAbandon. */
function abandoned(q: Q, ringing: readonly Member[]): void {
  const { b, caller, s } = q;
  b.wait(s.waitMs ?? 4000);
  rtpQos(b, caller);
  b.hangupRequest(caller);
  b.chanEvent('MusicOnHoldStop', 'call', caller);
  for (let pass = 0; pass < 2; pass++) for (const m of ringing) b.dialEnd(caller, m.ch, 'CANCEL');
  const wait = b.now - q.joinAt;
  b.varset(caller, 'QUEUEWAIT', String(Math.floor(wait / 1000)));
  b.varset(caller, 'QUEUEWAIT_MS', String(wait));
  b.varset(caller, 'DIALEDTIME', String(Math.floor(wait / 1000)));
  b.varset(caller, 'DIALEDTIME_MS', String(wait + 10));
  b.varset(caller, 'ANSWEREDTIME', '0');
  cdrs(q, undefined, ringing.slice(0, 1), undefined);
  b.varset(caller, 'ANSWEREDTIME_MS', '0');
  b.varset(caller, 'ABANDONED', 'TRUE');
  cdrs(q, undefined, ringing.slice(1), undefined);
  b.chanEvent('QueueCallerAbandon', 'agent', caller, [['Queue', q.queue], ['Position', '1'], ['OriginalPosition', '1'], ['HoldTime', String(Math.floor(wait / 1000))]]);
  leaveQueue(q);
  b.softHangupRequest(caller, 16);
  for (const m of ringing) b.hangup(m.ch, 0);
  for (const m of ringing) b.deviceState(`PJSIP/${m.ext}`, 'NOT_INUSE');
  b.hangup(caller, 0);
  for (const m of ringing) b.memberStatus(m.ext, 'NOT_INUSE');
  b.deviceState(`PJSIP/${s.trunk ?? 'trunk'}`, 'NOT_INUSE');
}
