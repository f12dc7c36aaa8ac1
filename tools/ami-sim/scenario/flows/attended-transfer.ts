/**
 * Attended transfer done on the phone (REFER with Replaces), as recorded on Asterisk 22.10.1
 * (`test/fixtures/ami-recorded/lab22-o_attended_transfer.txt`): A↔B bridged, B's phone puts A on hold
 * and calls C from a second leg, C answers, the phone sends REFER with Replaces: both of B's legs are
 * taken off hold, A leaves its bridge and replaces B's second leg in C's bridge (`SwapUniqueid`), the
 * second leg gets `SoftHangupRequest` cause 1, then `AttendedTransfer` (`IsExternal: No` although a
 * phone asked for it, `DestType: Bridge`), B's first leg leaves and both of B's legs hang up, the
 * first one first. The first half is lab22-g's (inbound call answered by `to`).
 * The consultation call has its own Linkedid until the transfer; the target takes the caller's
 * (oldest) Linkedid after the `AttendedTransfer`, as Asterisk does when channels meet in a bridge.
 */
import { bridgeBlock, channelBlock, STATE } from '../channel-block.js';
import type { CallBuilder } from '../builder.js';
import { userName } from '../pbx.js';
import type { AttendedTransferSpec } from '../spec.js';
import {
  answerVars, bridgePeerOf, bridgePeers, callerIdString, cdr, dialDoneVars, dialReset, ringTime, rtpQos,
  rtpQosBridged,
} from '../steps.js';
import { answeredInbound, dialPhone } from './blind-transfer.js';

export function attendedTransferFlow(b: CallBuilder, s: AttendedTransferSpec): void {
  const { caller, agent, br: brA, answerAt, firstDial, trunkDev } = answeredInbound(b, s);
  b.wait(s.talkMs ?? 5000);
  // The agent's phone puts the caller on hold (re-INVITE sendonly).
  b.chanEvent('Hold', 'call', agent, [['MusicClass', 'default']]);
  b.chanEvent('MusicOnHoldStart', 'call', caller, [['Class', 'default']]);
  b.wait(500);

  // Consultation call: a second leg of the agent's phone dials the transfer target.
  const consult = b.newChan({
    device: s.to, state: STATE.ring, cidNum: s.to, cidName: userName(b.pbx, s.to), context: b.pbx.internalContext,
    exten: s.transferTo,
  });
  b.newchannel(consult);
  b.varset(consult, 'SIPDOMAIN', b.pbx.sipDomain);
  b.newexten(consult, 'NoOp', `Internal call to ${s.transferTo}`);
  const consultDial = `PJSIP/${s.transferTo},20`;
  b.newexten(consult, 'Dial', consultDial, { priority: 2 });
  dialReset(b, consult);
  const target = dialPhone(b, consult, s.transferTo);
  b.wait(2);
  b.newstate(target, STATE.ringing);
  b.phoneState(s.transferTo, 'RINGING');
  ringTime(b, consult);
  b.dialState(consult, target);
  b.wait(s.ringMs ?? 2000);
  const consultAnswer = b.now;
  b.newstate(target, STATE.up);
  answerVars(b, consult, target, s.transferTo);
  target.exten = '';
  b.dialEnd(consult, target, 'ANSWER');
  b.newstate(consult, STATE.up);
  b.phoneState(s.transferTo, 'INUSE');
  const brB = b.newBridge();
  b.bridgeCreate(brB);
  b.newexten(target, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(brB, target);
  b.bridgeEnter(brB, consult);
  bridgePeers(b, [target, consult], 1);
  b.wait(s.consultMs ?? 3000);

  // REFER with Replaces from the agent's phone: the caller replaces the consultation leg.
  const xferAt = b.now;
  b.chanEvent('Unhold', 'call', agent);
  b.chanEvent('Unhold', 'call', consult);
  bridgePeerOf(b, caller, undefined);
  b.bridgeLeave(brA, caller);
  b.chanEvent('MusicOnHoldStop', 'call', caller);
  bridgePeerOf(b, consult, undefined);
  b.bridgeLeave(brB, consult);
  b.bridgeEnter(brB, caller, consult.uniqueid);
  bridgePeers(b, [caller, target], 1);
  b.softHangupRequest(consult, 1);
  b.emit('AttendedTransfer', 'call', [['Result', 'Success']],
    channelBlock(agent, 'OrigTransferer'), bridgeBlock(brA, 'Orig'),
    channelBlock(consult, 'SecondTransferer'), bridgeBlock(brB, 'Second'),
    channelBlock(caller, 'Transferee'), channelBlock(target, 'TransferTarget'),
    [['IsExternal', 'No'], ['DestType', 'Bridge'], ['DestBridgeUniqueid', brB.id]]);
  target.linkedid = caller.linkedid;
  bridgePeerOf(b, agent, undefined);
  b.bridgeLeave(brA, agent);
  b.bridgeDestroy(brA);
  b.softHangupRequest(consult, 16);
  rtpQos(b, agent);
  b.hangup(agent, 16);
  rtpQos(b, consult);
  dialDoneVars(b, consult, b.now - consultAnswer, b.now);
  b.hangup(consult, 16);
  b.phoneState(s.to, 'NOT_INUSE');
  cdr(b, {
    source: consult.cidNum, destination: s.transferTo, destinationContext: consult.context,
    callerId: callerIdString(consult.cidName, consult.cidNum), channel: consult.name, destinationChannel: target.name,
    lastApplication: 'Dial', lastData: consultDial, startMs: consultAnswer, answerMs: consultAnswer, endMs: b.now,
    disposition: 'ANSWERED', uniqueid: consult.uniqueid,
  });
  b.wait(s.afterTransferTalkMs ?? 8000);

  const [first, other] = s.hangupBy === 'callee' ? [target, caller] : [caller, target];
  rtpQosBridged(b, first, other);
  b.hangupRequest(first, 16);
  bridgePeerOf(b, first, undefined);
  bridgePeerOf(b, other, undefined);
  b.bridgeLeave(brB, first);
  b.bridgeLeave(brB, other);
  b.bridgeDestroy(brB);
  dialDoneVars(b, caller, b.now - answerAt, b.now);
  b.softHangupRequest(caller, 16);
  rtpQos(b, other);
  b.hangup(target, 16);
  b.phoneState(s.transferTo, 'NOT_INUSE');
  cdr(b, {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, destinationChannel: agent.name,
    lastApplication: 'Dial', lastData: firstDial, startMs: 0, answerMs: answerAt, endMs: xferAt, disposition: 'ANSWERED',
    uniqueid: caller.uniqueid,
  });
  b.hangup(caller, 16);
  b.deviceState(trunkDev, 'NOT_INUSE');
}
