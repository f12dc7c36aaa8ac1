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
import { STATE } from '../channel-block.js';
import type { CallBuilder } from '../builder.js';
import type { RingWithMobileSpec } from '../spec.js';
import { answerVars, bridgePeerOf, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset, pvtCallId, ringTime, rtpQos, rtpQosBridged } from '../steps.js';
import { dialLeg, didCaller } from './office-common.js';
import { COMPANY_CID, mobileLeg, localMobile, optimiseAway } from './mobile-legs.js';

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
