/**
 * Originate with a Local first leg (lab22-d2): `Local/<ext>@<ctx>` pair, `;2` runs `Dial(PJSIP/<ext>,20)`,
 * `;1` answers when the phone answers and runs `Exten@Context` (the outbound dialplan), then Local
 * optimisation moves the trunk leg into the phone's bridge and both Local halves hang up.
 * Failure shapes (phone noanswer/busy) are not recorded for Local legs: approximated (README).
 */
import { channelBlock, STATE } from '../channel-block.js';
import type { Bridge, CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import { parseCallerId, type OriginateRequest } from '../spec.js';
import {
  answerVars, bridgePeerOf, bridgePeers, callerIdString, cdr, dialDoneVars, dialReset, ringTime, rtpQos,
  rtpQosBridged,
} from '../steps.js';
import { newTrunkCallee, outboundDialplan, type TrunkDial } from './outbound.js';
import { DEFAULT_FAR_END, originateResponse } from './originate-common.js';

interface LocalCall {
  b: CallBuilder;
  req: OriginateRequest;
  ext: string;
  one: Chan;
  two: Chan;
  phone: Chan;
  localDev: string;
  dialData: string;
}

export function originateLocalFlow(b: CallBuilder, req: OriginateRequest, ext: string, context: string): void {
  const init = { state: STATE.down, cidNum: '', cidName: '', context, exten: ext };
  const [one, two] = b.newLocalPair(ext, context, init, { ...init, state: STATE.ring });
  b.newchannel(one);
  b.newchannel(two);
  b.newexten(one, 'AppDial2', '(Outgoing Line)');
  const cid = parseCallerId(req.callerId);
  for (const [k, v] of Object.entries(req.variables ?? {})) b.varset(one, k, v);
  if (req.callerId) {
    b.newCallerid(one, cid.num, cid.name);
    b.newConnectedLine(one, cid.num, cid.name);
  }
  for (const [k, v] of Object.entries(req.variables ?? {})) b.varset(two, k, v);
  if (req.callerId) {
    two.connNum = cid.num;
    two.connName = cid.name;
    b.newCallerid(two, cid.num, cid.name);
    b.newConnectedLine(two);
  }
  b.emit('LocalBridge', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    [['Context', context], ['Exten', ext], ['LocalOptimization', 'Yes']]);
  b.dialBegin(undefined, one, `${ext}@${context}`);
  b.newexten(two, 'NoOp', `Internal call to ${ext}`);
  const dialData = `PJSIP/${ext},20`;
  b.newexten(two, 'Dial', dialData, { priority: 2 });
  dialReset(b, two);
  const phone = b.newChan({
    device: ext, state: STATE.down, cidNum: ext, cidName: userName(b.pbx, ext), context: b.pbx.internalContext,
    exten: 's', linkedid: one.linkedid,
  });
  b.newchannel(phone);
  b.varset(phone, 'DIALEDPEERNUMBER', ext);
  phone.connNum = two.cidNum;
  phone.connName = two.cidName;
  b.newexten(phone, 'AppDial', '(Outgoing Line)', { exten: ext });
  b.newConnectedLine(phone);
  b.dialBegin(two, phone, ext);
  b.newConnectedLine(two, phone.cidNum, phone.cidName);
  b.wait(4);
  const lc: LocalCall = { b, req, ext, one, two, phone, localDev: `Local/${ext}@${context}`, dialData };
  if (req.phone.kind === 'busy' || req.phone.kind === 'reject') return phoneBusy(lc);
  b.newstate(phone, STATE.ringing);
  b.phoneState(ext, 'RINGING');
  one.cidNum = phone.cidNum;
  one.cidName = phone.cidName;
  b.newstate(one, STATE.ringing);
  b.newCallerid(one, phone.cidNum);
  b.dialState(undefined, one);
  ringTime(b, two, 4);
  b.dialState(two, phone);
  b.deviceState(lc.localDev, 'INUSE');
  if (req.phone.kind === 'noanswer') return phoneNoAnswer(lc);
  b.wait(Math.min(req.phone.afterMs, req.timeoutMs ?? 30_000));
  phoneAnswers(lc, req.phone.talkMs);
}

function phoneAnswers(lc: LocalCall, phoneTalkMs: number): void {
  const { b, req, one, two, phone, ext } = lc;
  const phoneUpAt = b.now;
  b.newstate(phone, STATE.up);
  answerVars(b, two, phone, ext);
  phone.exten = '';
  b.dialEnd(two, phone, 'ANSWER');
  b.newstate(two, STATE.up);
  const br1 = b.newBridge();
  b.bridgeCreate(br1);
  b.newexten(phone, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br1, phone);
  b.deviceState(`PJSIP/${ext}`, 'INUSE');
  b.deviceState(lc.localDev, 'INUSE');
  const queues = (b.pbx.memberships[ext] ?? []).map((m) => m.queue);
  b.memberStatus(ext, 'INUSE', { queues: queues.slice(0, 1) });
  b.newstate(one, STATE.up);
  originateResponse(b, req, true, 4, one);
  b.dialEnd(undefined, one, 'ANSWER');
  const trunk = req.trunk ?? 'trunk';
  const d: TrunkDial = { ...outboundDialplan(b, one, req.exten, trunk, '5551000'), callerExt: ext, startMs: phoneUpAt };
  dialReset(b, one);
  b.memberStatus(ext, 'INUSE', { queues: queues.slice(1) });
  b.bridgeEnter(br1, two);
  bridgePeerOf(b, phone, two, false);
  bridgePeerOf(b, two, phone);
  b.wait(2);
  const far = req.farEnd ?? DEFAULT_FAR_END;
  const t = newTrunkCallee(b, d);
  b.deviceState(lc.localDev, 'INUSE');
  b.newstate(t, STATE.ringing);
  b.deviceState(`PJSIP/${trunk}`, 'RINGING');
  ringTime(b, one, 3);
  b.dialState(one, t);
  b.wait(far.kind === 'answer' ? far.afterMs : 3000);
  const answerAt = b.now;
  b.newstate(t, STATE.up);
  answerVars(b, one, t, d.dialString);
  t.exten = '';
  b.dialEnd(one, t, 'ANSWER');
  const br2 = b.newBridge();
  b.bridgeCreate(br2);
  b.newexten(t, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br2, t);
  b.deviceState(`PJSIP/${trunk}`, 'INUSE');
  b.bridgeEnter(br2, one);
  bridgePeerOf(b, t, one, false);
  bridgePeerOf(b, one, t);
  optimise(lc, t, br1, br2, d, phoneUpAt, answerAt);
  const farTalk = far.kind === 'answer' ? far.talkMs : 4000;
  const phoneLeft = Math.max(0, phoneTalkMs - (b.now - phoneUpAt));
  b.wait(Math.min(farTalk, phoneLeft));
  finalHangup(lc, t, br1, answerAt, farTalk <= phoneLeft ? t : phone);
}

/** LocalOptimizationBegin … End: the trunk leg replaces `;2` in the phone's bridge; the pair hangs up. */
function optimise(lc: LocalCall, t: Chan, br1: Bridge, br2: Bridge, d: TrunkDial, phoneUpAt: number, answerAt: number): void {
  const { b, one, two, phone } = lc;
  const id = '2';
  b.emit('LocalOptimizationBegin', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    channelBlock(t, 'Source'), [['DestUniqueId', two.uniqueid], ['Id', id]]);
  b.bridgeLeave(br2, t);
  bridgePeerOf(b, two, undefined);
  b.bridgeLeave(br1, two);
  b.bridgeEnter(br1, t, two.uniqueid);
  bridgePeers(b, [t, phone], 1);
  bridgePeerOf(b, one, undefined);
  b.emit('LocalOptimizationEnd', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'), [['Success', 'No'], ['Id', id]]);
  bridgePeers(b, [t, phone], 1);
  cdr(b, {
    source: two.cidNum, destination: lc.ext, destinationContext: two.context, callerId: callerIdString(two.cidName, two.cidNum),
    channel: two.name, destinationChannel: phone.name, lastApplication: 'Dial', lastData: lc.dialData, startMs: 0,
    answerMs: phoneUpAt, endMs: b.now, disposition: 'ANSWERED', uniqueid: two.uniqueid,
  });
  dialDoneVars(b, two, b.now - phoneUpAt, b.now);
  b.softHangupRequest(two, 16);
  b.varset(one, 'CHANLOCALSTATUS', 'ANSWER');
  b.hangupRequest(one, 16);
  b.hangup(two, 16);
  bridgePeers(b, [t, phone], 1);
  b.deviceState(lc.localDev, 'NOT_INUSE');
  b.bridgeLeave(br2, one);
  cdr(b, {
    source: one.cidNum, destination: d.dialled, destinationContext: one.context, callerId: callerIdString(one.cidName, one.cidNum),
    channel: one.name, destinationChannel: t.name, lastApplication: 'Dial', lastData: d.dialData, startMs: 0,
    answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED', uniqueid: one.uniqueid,
  });
  b.bridgeDestroy(br2);
  dialDoneVars(b, one, b.now - answerAt, b.now - phoneUpAt);
  b.softHangupRequest(one, 16);
  b.hangup(one, 16);
  b.deviceState(lc.localDev, 'NOT_INUSE');
}

/** After optimisation the trunk and the phone share one bridge; `first` hangs up. */
function finalHangup(lc: LocalCall, t: Chan, br: Bridge, answerAt: number, first: Chan): void {
  const { b, phone, ext } = lc;
  const other = first === t ? phone : t;
  rtpQosBridged(b, first, other);
  b.hangupRequest(first, 16);
  bridgePeerOf(b, first, undefined);
  bridgePeerOf(b, other, undefined);
  b.bridgeLeave(br, first);
  b.bridgeLeave(br, other);
  b.bridgeDestroy(br);
  cdr(b, {
    source: t.cidNum, destination: '', destinationContext: t.context, callerId: callerIdString(t.cidName, t.cidNum),
    channel: t.name, destinationChannel: phone.name, lastApplication: 'AppDial', lastData: '(Outgoing Line)',
    startMs: answerAt, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED', uniqueid: t.uniqueid,
  });
  b.hangup(first, 16);
  rtpQos(b, other);
  b.hangup(other, 16);
  b.deviceState(`PJSIP/${lc.req.trunk ?? 'trunk'}`, 'NOT_INUSE');
  b.phoneState(ext, 'NOT_INUSE');
}

/** Approximation: Originate timeout while the phone rings behind the Local pair. */
function phoneNoAnswer(lc: LocalCall): void {
  const { b, req, one, two, phone, ext } = lc;
  b.wait(req.timeoutMs ?? 30_000);
  originateResponse(b, req, false, 3);
  b.hangup(one, 16);
  b.softHangupRequest(two, 16);
  b.dialEnd(two, phone, 'CANCEL');
  b.varset(two, 'DIALSTATUS', 'CANCEL');
  b.hangup(phone, 0);
  localCdr(lc, 'NO ANSWER');
  b.hangup(two, 16);
  b.phoneState(ext, 'NOT_INUSE');
  b.deviceState(lc.localDev, 'NOT_INUSE');
}

/** Approximation: the phone answers 486; `;2`'s Dial returns BUSY and the pair hangs up. */
function phoneBusy(lc: LocalCall): void {
  const { b, req, one, two, phone } = lc;
  const [cause, tech] = req.phone.kind === 'reject' ? [21, 603] : [17, 486];
  b.hangupRequest(phone, cause, tech);
  b.dialEnd(two, phone, 'BUSY');
  b.varset(two, 'DIALSTATUS', 'BUSY');
  b.newexten(two, 'Hangup', '', { priority: 3 });
  b.softHangupRequest(two, 16);
  b.hangup(phone, cause, tech);
  localCdr(lc, 'BUSY');
  b.hangup(two, cause);
  b.hangupRequest(one, cause);
  b.dialEnd(undefined, one, 'BUSY');
  b.hangup(one, cause);
  originateResponse(b, req, false, 0);
}

function localCdr(lc: LocalCall, disposition: 'NO ANSWER' | 'BUSY'): void {
  const { b, two, phone } = lc;
  cdr(b, {
    source: two.cidNum, destination: lc.ext, destinationContext: two.context, callerId: callerIdString(two.cidName, two.cidNum),
    channel: two.name, destinationChannel: phone.name, lastApplication: 'Dial', lastData: lc.dialData, startMs: 0,
    endMs: b.now, disposition, uniqueid: two.uniqueid,
  });
}
