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
import type { ForwardToMobileSpec } from '../spec.js';
import { answerVars, bridgePeerOf, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset, ringTime, rtpQos, rtpQosBridged } from '../steps.js';
import { didCaller } from './office-common.js';
import { COMPANY_CID, localMobile, optimiseAway } from './mobile-legs.js';

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
