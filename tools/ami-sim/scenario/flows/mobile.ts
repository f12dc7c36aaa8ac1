/**
 * Calls the PBX forwards to an employee's mobile through the trunk ("FMC"), as recorded on Asterisk
 * 22.10.1 (`test/fixtures/ami-recorded/lab22-t…x`, see SCENARIOS.md there):
 *
 * * `ring-with-mobile`: a DID rings the desk phone and the mobile at once —
 *   `Dial(PJSIP/<to>&PJSIP/<mobile>@trunk,20)` (lab22-t: the mobile answers; lab22-w: the desk answers), or
 *   follow-me style `Dial(PJSIP/<to>&Local/0<mobile>@from-internal,20)` (`viaLocal`, lab22-u: the mobile answers).
 * * `forward-to-mobile`: `Dial(Local/0<mobile>@from-internal,20)` only (lab22-v answered, the mobile hangs
 *   up; lab22-x: the provider answers 486 Busy Here).
 *
 * The Local `;2` half runs the lab's `_0X.` rule: `NoOp(Outbound call to …)` · `Set(CALLERID(num)=5551000)` ·
 * `Dial(PJSIP/<mobile>@trunk,30)`. The mobile leg is a `PJSIP/trunk-…` channel whose caller id is the
 * dialling channel's Exten (the DID, or `0<mobile>` behind a Local channel): the mobile number itself is only
 * in the DialString and DIALEDPEERNUMBER.
 */
import { channelBlock, STATE } from '../channel-block.js';
import type { Bridge, CallBuilder, Chan } from '../builder.js';
import type { ForwardToMobileSpec, RingWithMobileSpec } from '../spec.js';
import {
  answerVars, bridgePeerOf, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset,
  pvtCallId, ringTime, rtpQos, rtpQosBridged,
} from '../steps.js';
import { dialLeg, didCaller } from './office-common.js';

const COMPANY_CID = '5551000';

/** The outgoing trunk leg towards the mobile, created by `caller`'s Dial(PJSIP/<mobile>@<trunk>). */
function mobileLeg(b: CallBuilder, caller: Chan, mobile: string, trunk: string, did: string): Chan {
  const ch = b.newChan({
    device: trunk, state: STATE.down, cidNum: '', cidName: '', context: b.pbx.trunkContext, exten: 's',
    linkedid: caller.linkedid,
  });
  b.newchannel(ch);
  b.varset(ch, 'DIALEDPEERNUMBER', `${mobile}@${trunk}`);
  b.varset(ch, '__FROM_DID', did);
  ch.cidNum = caller.exten;
  ch.cidName = '';
  ch.connNum = caller.cidNum;
  ch.connName = caller.cidName;
  b.newexten(ch, 'AppDial', '(Outgoing Line)', { exten: caller.exten });
  b.newCallerid(ch, caller.exten, '');
  b.newConnectedLine(ch);
  return ch;
}

interface LocalMobile {
  one: Chan;
  two: Chan;
  mobile: Chan;
  dialled: string;
  device: string;
  legData: string;
}

/**
 * `Local/0<mobile>@from-internal` dialled by the caller: the pair, LocalBridge, the caller's DialBegin
 * towards `;1` (`beforeBegin` runs just before it: other legs' DialBegins), `;2` running `_0X.` and
 * dialling the trunk (lab22-u/v/x).
 */
function localMobile(b: CallBuilder, caller: Chan, s: { mobile: string; trunk?: string; did: string }, afterOne: () => void, beginLate: boolean): LocalMobile {
  const ctx = b.pbx.internalContext;
  const trunk = s.trunk ?? 'trunk';
  const dialled = `0${s.mobile}`;
  const init = { state: STATE.down, cidNum: '', cidName: '', context: ctx, exten: dialled, linkedid: caller.linkedid };
  const [one, two] = b.newLocalPair(dialled, ctx, init, { ...init, state: STATE.ring });
  b.newchannel(one);
  b.newchannel(two);
  b.varset(one, 'DIALEDPEERNUMBER', `${dialled}@${ctx}`);
  b.varset(one, '__FROM_DID', s.did);
  one.cidNum = caller.exten;
  one.connNum = caller.cidNum;
  one.connName = caller.cidName;
  b.newexten(one, 'AppDial', '(Outgoing Line)', { exten: caller.exten });
  b.newCallerid(one, caller.exten, '');
  b.newConnectedLine(one);
  afterOne();
  b.varset(two, 'DIALEDPEERNUMBER', `${dialled}@${ctx}`);
  b.varset(two, '__FROM_DID', s.did);
  two.connNum = caller.exten;
  two.connName = '';
  b.newCallerid(two, caller.cidNum, caller.cidName);
  b.newConnectedLine(two);
  b.emit('LocalBridge', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    [['Context', ctx], ['Exten', dialled], ['LocalOptimization', 'Yes']]);
  if (!beginLate) b.dialBegin(caller, one, `${dialled}@${ctx}`);
  b.newexten(two, 'NoOp', `Outbound call to ${s.mobile}`);
  b.newexten(two, 'Set', `CALLERID(num)=${COMPANY_CID}`, { priority: 2 });
  b.newCallerid(two, COMPANY_CID);
  const legData = `PJSIP/${s.mobile}@${trunk},30`;
  b.newexten(two, 'Dial', legData, { priority: 3 });
  dialReset(b, two);
  if (beginLate) b.dialBegin(caller, one, `${dialled}@${ctx}`);
  const mobile = mobileLeg(b, two, s.mobile, trunk, s.did);
  b.dialBegin(two, mobile, `${s.mobile}@${trunk}`);
  return { one, two, mobile, dialled, device: `Local/${dialled}@${ctx}`, legData };
}

/** Local optimisation after the answer: the caller replaces `;2` in the mobile's bridge (lab22-u/v). */
function optimiseAway(b: CallBuilder, caller: Chan, l: LocalMobile, br1: Bridge, br2: Bridge, peersAfter: number): void {
  const { one, two, mobile } = l;
  b.emit('LocalOptimizationBegin', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    channelBlock(caller, 'Source'), [['DestUniqueId', two.uniqueid], ['Id', '0']]);
  b.bridgeLeave(br2, caller);
  bridgePeerOf(b, two, undefined);
  b.bridgeLeave(br1, two);
  b.bridgeEnter(br1, caller, two.uniqueid);
  bridgePeers(b, [caller, mobile], 1);
  bridgePeerOf(b, one, undefined);
  b.emit('LocalOptimizationEnd', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'), [['Success', 'No'], ['Id', '0']]);
  bridgePeers(b, [caller, mobile], peersAfter);
}

export function ringWithMobileFlow(b: CallBuilder, s: RingWithMobileSpec): void {
  if (s.viaLocal === true) return ringWithLocalMobile(b, s);
  const trunk = s.trunk ?? 'trunk';
  const caller = didCaller(b, s, `Desk ${s.to} and mobile of ${s.to}`);
  const dialData = `PJSIP/${s.to}&PJSIP/${s.mobile}@${trunk},${Math.round((s.dialTimeoutMs ?? 20_000) / 1000)}`;
  b.newexten(caller, 'Dial', dialData, { priority: 3 });
  dialReset(b, caller);
  const desk = dialLeg(b, caller, s.to, s.did);
  const mobile = mobileLeg(b, caller, s.mobile, trunk, s.did);
  b.dialBegin(caller, desk, s.to);
  b.dialBegin(caller, mobile, `${s.mobile}@${trunk}`);
  b.wait(50);
  const mobileAnswers = s.answeredBy === 'mobile';
  if (mobileAnswers) {
    ringTime(b, caller, 53);
    b.dialState(caller, desk);
    b.deviceState(`PJSIP/${trunk}`, 'INUSE');
    b.newstate(desk, STATE.ringing);
    b.phoneState(s.to, 'RINGING');
  } else {
    b.newstate(desk, STATE.ringing);
    ringTime(b, caller, 53);
    b.dialState(caller, desk);
    b.phoneState(s.to, 'RINGING', 'members-first');
    b.deviceState(`PJSIP/${trunk}`, 'INUSE');
  }
  b.dialState(caller, mobile);
  b.newstate(mobile, STATE.ringing);
  b.deviceState(`PJSIP/${trunk}`, 'RINGINUSE');
  b.wait(s.ringMs ?? 3000);
  const answerAt = b.now;
  const [winner, loser] = mobileAnswers ? [mobile, desk] : [desk, mobile];
  b.newstate(winner, STATE.up);
  b.newConnectedLine(caller, winner.cidNum, winner.cidName);
  b.dialEnd(caller, loser, 'CANCEL');
  if (mobileAnswers) {
    answerVars(b, caller, mobile, `${s.mobile}@${trunk}`);
    mobile.exten = '';
    b.dialEnd(caller, mobile, 'ANSWER');
    b.deviceState(`PJSIP/${trunk}`, 'INUSE');
    b.newstate(caller, STATE.up);
    b.hangup(desk, 26);
    b.phoneState(s.to, 'NOT_INUSE', 'members-first');
  } else {
    b.memberStatus(s.to, 'INUSE');
    b.hangup(mobile, 26);
    answerVars(b, caller, desk, s.to);
    b.deviceState(`PJSIP/${s.to}`, 'INUSE');
    desk.exten = '';
    b.dialEnd(caller, desk, 'ANSWER');
    b.newstate(caller, STATE.up);
  }
  const br = b.newBridge();
  b.bridgeCreate(br);
  b.newexten(winner, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, winner);
  if (!mobileAnswers) b.deviceState(`PJSIP/${trunk}`, 'INUSE');
  b.bridgeEnter(br, caller);
  bridgePeers(b, [caller, winner], 3);
  b.wait(s.talkMs ?? 5000);

  // The caller hangs up (as recorded).
  rtpQosBridged(b, caller, winner);
  b.hangupRequest(caller, 16);
  bridgePeersClear(b, caller, winner);
  b.bridgeLeave(br, caller);
  if (mobileAnswers) {
    b.bridgeLeave(br, winner);
    dialDoneVars(b, caller, b.now - answerAt, b.now);
    b.softHangupRequest(caller, 16);
    b.bridgeDestroy(br);
  } else {
    dialDoneVars(b, caller, b.now - answerAt, b.now, null);
    b.bridgeLeave(br, winner);
    b.bridgeDestroy(br);
    b.varset(caller, 'DIALSTATUS', 'ANSWER');
    b.softHangupRequest(caller, 16);
    rtpQos(b, winner);
  }
  const base = {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, lastApplication: 'Dial',
    lastData: dialData, startMs: 0, uniqueid: caller.uniqueid,
  };
  const lost = (): void => cdr(b, { ...base, destinationChannel: loser.name, endMs: answerAt, disposition: 'NO ANSWER' });
  const won = (): void => cdr(b, { ...base, destinationChannel: winner.name, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED' });
  if (mobileAnswers) {
    lost();
    won();
    b.hangup(caller, 16);
    rtpQos(b, mobile);
    b.hangup(mobile, 16);
    b.deviceState(`PJSIP/${trunk}`, 'NOT_INUSE');
  } else {
    won();
    lost();
    b.hangup(caller, 16);
    b.deviceState(`PJSIP/${trunk}`, 'NOT_INUSE');
    b.hangup(desk, 16);
    b.phoneState(s.to, 'NOT_INUSE', 'members-first');
  }
}

function ringWithLocalMobile(b: CallBuilder, s: RingWithMobileSpec): void {
  const trunk = s.trunk ?? 'trunk';
  const caller = didCaller(b, s, `Follow-me ${s.to}: desk and mobile via Local`);
  const dialData = `PJSIP/${s.to}&Local/0${s.mobile}@${b.pbx.internalContext},${Math.round((s.dialTimeoutMs ?? 20_000) / 1000)}`;
  b.newexten(caller, 'Dial', dialData, { priority: 3 });
  dialReset(b, caller);
  const desk = dialLeg(b, caller, s.to, s.did);
  const l = localMobile(b, caller, s, () => b.dialBegin(caller, desk, s.to), false);
  const { one, two, mobile } = l;
  b.newConnectedLine(two, mobile.cidNum, '');
  b.wait(50);
  b.newstate(desk, STATE.ringing);
  b.varset(caller, 'RINGTIME', '0');
  b.phoneState(s.to, 'RINGING');
  b.deviceState(`PJSIP/${trunk}`, 'INUSE');
  b.varset(caller, 'RINGTIME_MS', '53');
  b.dialState(caller, desk);
  b.newstate(mobile, STATE.ringing);
  one.cidNum = mobile.cidNum;
  b.newstate(one, STATE.ringing);
  b.newCallerid(one, mobile.cidNum, '');
  ringTime(b, two, 53);
  b.dialState(caller, one);
  b.dialState(two, mobile);
  b.deviceState(`PJSIP/${trunk}`, 'RINGINUSE');
  b.deviceState(l.device, 'INUSE');
  b.wait(s.ringMs ?? 3000);
  const answerAt = b.now;
  b.newstate(mobile, STATE.up);
  answerVars(b, two, mobile, `${s.mobile}@${trunk}`);
  mobile.exten = '';
  b.dialEnd(two, mobile, 'ANSWER');
  b.newstate(two, STATE.up);
  b.newstate(one, STATE.up);
  const br1 = b.newBridge();
  b.bridgeCreate(br1);
  b.newConnectedLine(caller, mobile.cidNum, '');
  b.dialEnd(caller, desk, 'CANCEL');
  b.newexten(mobile, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br1, mobile);
  b.deviceState(`PJSIP/${trunk}`, 'INUSE');
  b.hangup(desk, 26);
  b.bridgeEnter(br1, two);
  bridgePeerOf(b, mobile, two, false);
  b.deviceState(l.device, 'INUSE');
  bridgePeerOf(b, two, mobile);
  answerVars(b, caller, one, `${l.dialled}@${b.pbx.internalContext}`);
  b.phoneState(s.to, 'NOT_INUSE');
  b.deviceState(l.device, 'INUSE');
  one.exten = '';
  b.dialEnd(caller, one, 'ANSWER');
  b.newstate(caller, STATE.up);
  const br2 = b.newBridge();
  b.bridgeCreate(br2);
  b.newexten(one, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br2, one);
  b.bridgeEnter(br2, caller);
  bridgePeerOf(b, one, caller);
  bridgePeerOf(b, caller, one, false);
  optimiseAway(b, caller, l, br1, br2, 1);
  b.bridgeLeave(br2, one);
  b.hangupRequest(two, 16);
  b.bridgeDestroy(br2);
  b.hangup(one, 16);
  bridgePeerOf(b, caller, mobile);
  b.varset(mobile, 'BRIDGEPEER', caller.name);
  cdr(b, {
    source: COMPANY_CID, destination: l.dialled, destinationContext: b.pbx.internalContext,
    callerId: callerIdString(two.cidName, COMPANY_CID), channel: two.name, destinationChannel: mobile.name,
    lastApplication: 'Dial', lastData: l.legData, startMs: 0, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED',
    uniqueid: two.uniqueid,
  });
  b.varset(mobile, 'BRIDGEPVTCALLID', pvtCallId(caller));
  dialDoneVars(b, two, 2, b.now - answerAt + 3000);
  b.softHangupRequest(two, 16);
  b.hangup(two, 16);
  b.deviceState(l.device, 'NOT_INUSE');
  b.deviceState(l.device, 'NOT_INUSE');
  b.wait(s.talkMs ?? 5000);
  // The caller hangs up (as recorded).
  rtpQosBridged(b, caller, mobile);
  b.hangupRequest(caller, 16);
  bridgePeersClear(b, caller, mobile);
  b.bridgeLeave(br1, caller);
  dialDoneVars(b, caller, b.now - answerAt, b.now);
  b.softHangupRequest(caller, 16);
  b.bridgeLeave(br1, mobile);
  b.bridgeDestroy(br1);
  rtpQos(b, mobile);
  b.hangup(mobile, 16);
  b.hangup(caller, 16);
  const base = {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, lastApplication: 'Dial',
    lastData: dialData, startMs: 0, uniqueid: caller.uniqueid,
  };
  cdr(b, { ...base, destinationChannel: desk.name, endMs: answerAt, disposition: 'NO ANSWER' });
  cdr(b, { ...base, destinationChannel: one.name, answerMs: answerAt, endMs: answerAt, disposition: 'ANSWERED' });
  cdr(b, { ...base, destinationChannel: mobile.name, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED' });
  b.deviceState(`PJSIP/${trunk}`, 'NOT_INUSE');
}

export function forwardToMobileFlow(b: CallBuilder, s: ForwardToMobileSpec): void {
  const trunk = s.trunk ?? 'trunk';
  const caller = didCaller(b, s, `${s.to} forwarded to mobile`);
  const dialData = `Local/0${s.mobile}@${b.pbx.internalContext},${Math.round((s.dialTimeoutMs ?? 20_000) / 1000)}`;
  b.newexten(caller, 'Dial', dialData, { priority: 3 });
  dialReset(b, caller);
  const l = localMobile(b, caller, s, () => undefined, s.outcome === 'answered');
  const { one, two, mobile } = l;
  b.newConnectedLine(two, mobile.cidNum, '');
  b.newConnectedLine(caller, mobile.cidNum, '');
  const legCdr = {
    source: COMPANY_CID, destination: l.dialled, destinationContext: b.pbx.internalContext,
    callerId: callerIdString(two.cidName, COMPANY_CID), channel: two.name, destinationChannel: mobile.name,
    lastApplication: 'Dial', lastData: l.legData, startMs: 0, uniqueid: two.uniqueid,
  };
  const callerCdr = {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, lastApplication: 'Dial',
    lastData: dialData, startMs: 0, uniqueid: caller.uniqueid,
  };
  if (s.outcome === 'busy') {
    b.wait(500);
    b.hangupRequest(mobile, 17, 486);
    b.dialEnd(two, mobile, 'BUSY');
    b.varset(two, 'DIALSTATUS', 'BUSY');
    b.hangup(mobile, 17, 486);
    b.newexten(two, 'Hangup', '', { priority: 4 });
    b.softHangupRequest(two, 16);
    b.varset(one, 'CHANLOCALSTATUS', 'BUSY');
    b.hangupRequest(one, 17);
    cdr(b, { ...legCdr, endMs: b.now, disposition: 'BUSY' });
    b.deviceState(`PJSIP/${trunk}`, 'INUSE');
    // Asterisk's snapshots of ;1 carry the caller id its NewCallerid announces only after its Hangup.
    one.cidNum = mobile.cidNum;
    b.dialEnd(caller, one, 'BUSY');
    b.varset(caller, 'DIALSTATUS', 'BUSY');
    b.newexten(caller, 'Hangup', '', { priority: 4 });
    b.softHangupRequest(caller, 16);
    b.hangup(one, 17);
    b.chanEvent('NewCallerid', 'call', one, [['CID-CallingPres', '0 (Presentation Allowed, Not Screened)']]);
    b.hangup(two, 17);
    b.hangup(caller, 17, 486);
    b.deviceState(l.device, 'NOT_INUSE');
    cdr(b, { ...callerCdr, destinationChannel: one.name, endMs: b.now, disposition: 'BUSY' });
    b.deviceState(l.device, 'NOT_INUSE');
    b.deviceState(`PJSIP/${trunk}`, 'NOT_INUSE');
    return;
  }
  b.wait(50);
  b.newstate(mobile, STATE.ringing);
  b.deviceState(`PJSIP/${trunk}`, 'RINGINUSE');
  one.cidNum = mobile.cidNum;
  b.newstate(one, STATE.ringing);
  b.newCallerid(one, mobile.cidNum, '');
  ringTime(b, two, 54);
  b.deviceState(l.device, 'INUSE');
  b.dialState(two, mobile);
  ringTime(b, caller, 59);
  b.dialState(caller, one);
  b.wait(s.ringMs ?? 3000);
  const answerAt = b.now;
  b.newstate(mobile, STATE.up);
  answerVars(b, two, mobile, `${s.mobile}@${trunk}`);
  b.deviceState(`PJSIP/${trunk}`, 'INUSE');
  mobile.exten = '';
  b.dialEnd(two, mobile, 'ANSWER');
  b.newstate(one, STATE.up);
  answerVars(b, caller, one, `${l.dialled}@${b.pbx.internalContext}`);
  one.exten = '';
  b.dialEnd(caller, one, 'ANSWER');
  b.newstate(caller, STATE.up);
  b.newstate(two, STATE.up);
  const br1 = b.newBridge();
  b.bridgeCreate(br1);
  b.newexten(mobile, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br1, mobile);
  b.deviceState(l.device, 'INUSE');
  b.deviceState(l.device, 'INUSE');
  b.bridgeEnter(br1, two);
  bridgePeerOf(b, mobile, two, false);
  bridgePeerOf(b, two, mobile);
  const br2 = b.newBridge();
  b.bridgeCreate(br2);
  b.newexten(one, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br2, one);
  b.bridgeEnter(br2, caller);
  cdr(b, { ...legCdr, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED' });
  bridgePeerOf(b, one, caller);
  bridgePeerOf(b, caller, one, false);
  optimiseAway(b, caller, l, br1, br2, 2);
  b.bridgeLeave(br2, one);
  b.bridgeDestroy(br2);
  b.hangupRequest(two, 16);
  b.hangup(one, 16);
  dialDoneVars(b, two, 5, b.now - answerAt + 3000);
  b.softHangupRequest(two, 16);
  b.hangup(two, 16);
  b.deviceState(l.device, 'NOT_INUSE');
  b.deviceState(l.device, 'NOT_INUSE');
  b.wait(s.talkMs ?? 5000);
  // The mobile hangs up (as recorded).
  rtpQosBridged(b, mobile, caller);
  b.hangupRequest(mobile, 16);
  bridgePeersClear(b, mobile, caller);
  b.bridgeLeave(br1, mobile);
  b.bridgeLeave(br1, caller);
  dialDoneVars(b, caller, b.now - answerAt, b.now);
  b.softHangupRequest(caller, 16);
  b.bridgeDestroy(br1);
  b.hangup(mobile, 16);
  rtpQos(b, caller);
  cdr(b, { ...callerCdr, destinationChannel: one.name, answerMs: answerAt, endMs: answerAt, disposition: 'ANSWERED' });
  cdr(b, { ...callerCdr, destinationChannel: mobile.name, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED' });
  b.hangup(caller, 16);
  b.deviceState(`PJSIP/${trunk}`, 'NOT_INUSE');
}
