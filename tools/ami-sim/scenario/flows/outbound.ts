/**
 * Extension → external number via the trunk (lab22-c). Dialplan `_0X.`:
 *   NoOp(Outbound call to ${EXTEN:1}) · Set(CALLERID(num)=5551000) · Dial(PJSIP/${EXTEN:1}@trunk,30) · Hangup()
 * Answered + caller hangs up is the recorded shape; far-end hang-up follows lab22-d1 (same dialplan,
 * trunk hangs up); NOANSWER/BUSY/CANCEL mirror lab22-b1/b2/b3 with the roles of the legs swapped.
 */
import { STATE } from '../channel-block.js';
import type { Bridge, CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import type { DialOutcome, OutboundSpec } from '../spec.js';
import {
  answerVars, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset, ringTime,
  rtpQos, rtpQosBridged,
} from '../steps.js';
import { startMixMonitor } from './mixmonitor.js';

export interface TrunkDial {
  caller: Chan;
  /** Extension owning the caller leg (device-state noise), e.g. `101`. */
  callerExt: string;
  trunk: string;
  /** Number as dialled (caller's Exten), e.g. `0049301234`. */
  dialled: string;
  dialData: string;
  dialString: string;
  /** When Dial() started (DIALEDTIME). */
  startMs: number;
  /** Cdr AnswerTime when it is not the far end's answer (Originate: the first leg's answer). */
  cdrAnswerMs?: number;
}

/** `Outbound call to …` dialplan up to and including the empty Dial() VarSets (not the last 4 when split). */
export function outboundDialplan(b: CallBuilder, caller: Chan, dialled: string, trunk: string, callerIdNum: string, record = false): TrunkDial {
  const number = dialled.startsWith('0') ? dialled.slice(1) : dialled;
  b.newexten(caller, 'NoOp', `Outbound call to ${number}`, { exten: dialled, priority: 1, context: b.pbx.internalContext });
  b.newexten(caller, 'Set', `CALLERID(num)=${callerIdNum}`, { priority: 2 });
  b.newCallerid(caller, callerIdNum);
  if (record) startMixMonitor(b, caller, 'out');
  const dialData = `PJSIP/${number}@${trunk},30`;
  b.newexten(caller, 'Dial', dialData, { priority: caller.priority + 1 });
  return { caller, callerExt: '', trunk, dialled, dialData, dialString: `${number}@${trunk}`, startMs: 0 };
}

/** The trunk leg: Newchannel (Down, no caller id), DIALEDPEERNUMBER, AppDial, NewCallerid, NewConnectedLine. */
export function newTrunkCallee(b: CallBuilder, d: TrunkDial): Chan {
  const { caller } = d;
  const callee = b.newChan({
    device: d.trunk, state: STATE.down, cidNum: '', cidName: '', context: b.pbx.trunkContext, exten: 's',
    linkedid: caller.linkedid,
  });
  b.newchannel(callee);
  b.varset(callee, 'DIALEDPEERNUMBER', d.dialString);
  callee.cidNum = d.dialled;
  callee.cidName = caller.connName;
  callee.connNum = caller.cidNum;
  callee.connName = caller.cidName;
  b.newexten(callee, 'AppDial', '(Outgoing Line)', { exten: d.dialled });
  b.newCallerid(callee, d.dialled, caller.connName);
  b.newConnectedLine(callee);
  b.dialBegin(caller, callee, d.dialString);
  return callee;
}

function cdrFor(b: CallBuilder, d: TrunkDial, callee: Chan, disposition: 'ANSWERED' | 'NO ANSWER' | 'BUSY', answerMs?: number): void {
  const { caller } = d;
  cdr(b, {
    source: caller.cidNum, destination: d.dialled, destinationContext: caller.context,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, destinationChannel: callee.name,
    lastApplication: 'Dial', lastData: d.dialData, startMs: 0, answerMs: answerMs === undefined ? undefined : d.cdrAnswerMs ?? answerMs, endMs: b.now, disposition,
    uniqueid: caller.uniqueid,
  });
}

/** Far end answers: Newstate Up … BridgeEnter ×2 and the BRIDGEPEER noise (lab22-c/d1). */
export function trunkAnswers(b: CallBuilder, d: TrunkDial, callee: Chan): Bridge {
  const { caller } = d;
  b.newstate(callee, STATE.up);
  answerVars(b, caller, callee, d.dialString);
  callee.exten = '';
  b.dialEnd(caller, callee, 'ANSWER');
  if (caller.state !== STATE.up) b.newstate(caller, STATE.up);
  b.deviceState(`PJSIP/${d.trunk}`, 'INUSE');
  const br = b.newBridge();
  b.bridgeCreate(br);
  b.newexten(callee, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, callee);
  b.bridgeEnter(br, caller);
  bridgePeers(b, [caller, callee], 3);
  return br;
}

/** The far end (trunk) hangs up a bridged call (lab22-d1). */
export function trunkHangsUp(b: CallBuilder, d: TrunkDial, callee: Chan, br: Bridge, answerAt: number): void {
  const { caller } = d;
  rtpQosBridged(b, callee, caller);
  b.hangupRequest(callee, 16);
  bridgePeersClear(b, callee, caller);
  b.bridgeLeave(br, callee);
  b.bridgeLeave(br, caller);
  b.hangup(callee, 16);
  b.bridgeDestroy(br);
  dialDoneVars(b, caller, b.now - answerAt, b.now - d.startMs);
  b.softHangupRequest(caller, 16);
  b.deviceState(`PJSIP/${d.trunk}`, 'NOT_INUSE');
  rtpQos(b, caller);
  cdrFor(b, d, callee, 'ANSWERED', answerAt);
  b.hangup(caller, 16);
  b.phoneState(d.callerExt, 'NOT_INUSE');
}

/** The calling phone hangs up a bridged call (lab22-c). */
export function callerHangsUp(b: CallBuilder, d: TrunkDial, callee: Chan, br: Bridge, answerAt: number): void {
  const { caller } = d;
  rtpQosBridged(b, caller, callee);
  b.hangupRequest(caller, 16);
  bridgePeersClear(b, caller, callee);
  b.bridgeLeave(br, caller);
  dialDoneVars(b, caller, b.now - answerAt, b.now - d.startMs);
  b.softHangupRequest(caller, 16);
  cdrFor(b, d, callee, 'ANSWERED', answerAt);
  b.hangup(caller, 16);
  b.bridgeLeave(br, callee);
  b.bridgeDestroy(br);
  b.phoneState(d.callerExt, 'NOT_INUSE');
  rtpQos(b, callee);
  b.hangup(callee, 16);
  b.deviceState(`PJSIP/${d.trunk}`, 'NOT_INUSE');
}

export function notAnswered(b: CallBuilder, d: TrunkDial, callee: Chan, outcome: Exclude<DialOutcome, 'answered'>, ringMs: number): void {
  const { caller } = d;
  if (outcome === 'busy') {
    b.hangupRequest(callee, 17, 486);
    b.dialEnd(caller, callee, 'BUSY');
    b.varset(caller, 'DIALSTATUS', 'BUSY');
    b.newexten(caller, 'Hangup', '', { priority: caller.priority + 1 });
    b.softHangupRequest(caller, 16);
    b.hangup(callee, 17, 486);
    cdrFor(b, d, callee, 'BUSY');
    b.hangup(caller, 17, 486);
    b.phoneState(d.callerExt, 'NOT_INUSE');
    return;
  }
  b.wait(outcome === 'noanswer' ? 30_000 : ringMs);
  if (outcome === 'cancel') b.hangupRequest(caller, 127, 487);
  const status = outcome === 'noanswer' ? 'NOANSWER' : 'CANCEL';
  b.dialEnd(caller, callee, status);
  b.varset(caller, 'DIALSTATUS', status);
  if (outcome === 'noanswer') {
    b.newexten(caller, 'Hangup', '', { priority: caller.priority + 1 });
    b.softHangupRequest(caller, 16);
    b.hangup(callee, 0);
  } else {
    b.softHangupRequest(caller, 16, 487);
  }
  cdrFor(b, d, callee, 'NO ANSWER');
  b.hangup(caller, outcome === 'noanswer' ? 16 : 127, outcome === 'noanswer' ? undefined : 487);
  if (outcome === 'cancel') b.hangup(callee, 127);
  b.phoneState(d.callerExt, 'NOT_INUSE');
  b.deviceState(`PJSIP/${d.trunk}`, 'NOT_INUSE');
}

export function outboundFlow(b: CallBuilder, s: OutboundSpec): void {
  const trunk = s.trunk ?? 'trunk';
  const caller = b.newChan({
    device: s.from, state: STATE.ring, cidNum: s.from, cidName: userName(b.pbx, s.from),
    context: b.pbx.internalContext, exten: s.to,
  });
  b.newchannel(caller);
  b.varset(caller, 'SIPDOMAIN', b.pbx.sipDomain);
  const d = { ...outboundDialplan(b, caller, s.to, trunk, s.callerIdNum ?? '5551000', s.record === true), callerExt: s.from };
  dialReset(b, caller);
  const callee = newTrunkCallee(b, d);
  b.newConnectedLine(caller, callee.cidNum, '');
  b.wait(2);
  if (s.outcome === 'busy') return notAnswered(b, d, callee, 'busy', 0);
  b.newstate(callee, STATE.ringing);
  b.deviceState(`PJSIP/${trunk}`, 'RINGING');
  ringTime(b, caller);
  b.phoneState(s.from, 'INUSE');
  b.dialState(caller, callee);
  if (s.outcome !== 'answered') return notAnswered(b, d, callee, s.outcome, s.ringMs ?? 3000);
  b.wait(s.ringMs ?? 2000);
  const answerAt = b.now;
  const br = trunkAnswers(b, d, callee);
  b.wait(s.talkMs ?? 4000);
  if (s.hangupBy === 'callee') trunkHangsUp(b, d, callee, br, answerAt);
  else callerHangsUp(b, d, callee, br, answerAt);
}
