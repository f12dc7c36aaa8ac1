/**
 * Follow-me through a Local channel (lab dialplan 5551005: `Dial(Local/<to>@followme,20)`, the `;2`
 * half runs `NoOp(Follow-me leg …)` · `Dial(PJSIP/<to>,15)`). No lab22 transcript of the call itself:
 * the event sequence follows cacofonisk `extcf-call_forwarding_local.txt` (Asterisk 13: Local pair,
 * LocalBridge, DialBegin caller→;1 and ;2→phone, ringing propagated to ;1, answer, bridges, Local
 * optimisation, hang-ups), written with the Asterisk 22 field layout and the Local-optimisation
 * details of lab22-d2 (BridgeEnter SwapUniqueid, LocalOptimizationBegin/End).
 */
import { channelBlock, STATE } from '../channel-block.js';
import type { CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import type { FollowmeSpec } from '../spec.js';
import {
  answerVars, bridgePeerOf, bridgePeers, callerIdString, cdr, dialDoneVars, dialReset, ringTime, rtpQos,
  rtpQosBridged,
} from '../steps.js';
import { newTrunkCaller } from './inbound.js';

export function followmeFlow(b: CallBuilder, s: FollowmeSpec): void {
  const ctx = s.followmeContext ?? 'followme';
  const localDev = `Local/${s.to}@${ctx}`;
  const trunk = newTrunkCaller(b, s);
  b.newexten(trunk, 'NoOp', 'Follow me via Local');
  const dialData = `${localDev},20`;
  b.newexten(trunk, 'Dial', dialData, { priority: 2 });
  dialReset(b, trunk);
  const init = { state: STATE.down, cidNum: '', cidName: '', context: ctx, exten: s.to, linkedid: trunk.linkedid };
  const [one, two] = b.newLocalPair(s.to, ctx, init, { ...init, state: STATE.ring });
  b.newchannel(one);
  b.newchannel(two);
  one.connNum = trunk.cidNum;
  one.connName = trunk.cidName;
  b.newexten(one, 'AppDial', '(Outgoing Line)', { exten: trunk.exten });
  b.newConnectedLine(one);
  two.cidNum = trunk.cidNum;
  two.cidName = trunk.cidName;
  b.newCallerid(two, trunk.cidNum, trunk.cidName);
  b.emit('LocalBridge', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    [['Context', ctx], ['Exten', s.to], ['LocalOptimization', 'Yes']]);
  b.dialBegin(trunk, one, `${s.to}@${ctx}`);
  b.newexten(two, 'NoOp', `Follow-me leg for ${s.to}`);
  const legData = `PJSIP/${s.to},15`;
  b.newexten(two, 'Dial', legData, { priority: 2 });
  dialReset(b, two);
  const phone = b.newChan({
    device: s.to, state: STATE.down, cidNum: s.to, cidName: userName(b.pbx, s.to), context: b.pbx.internalContext,
    exten: 's', linkedid: trunk.linkedid,
  });
  b.newchannel(phone);
  b.varset(phone, 'DIALEDPEERNUMBER', s.to);
  phone.connNum = two.cidNum;
  phone.connName = two.cidName;
  b.newexten(phone, 'AppDial', '(Outgoing Line)', { exten: s.to });
  b.newConnectedLine(phone);
  b.dialBegin(two, phone, s.to);
  b.newConnectedLine(two, phone.cidNum, phone.cidName);
  b.wait(2);
  b.newstate(phone, STATE.ringing);
  b.phoneState(s.to, 'RINGING');
  ringTime(b, two);
  b.dialState(two, phone);
  one.cidNum = phone.cidNum;
  one.cidName = phone.cidName;
  b.newstate(one, STATE.ringing);
  b.newConnectedLine(trunk, phone.cidNum, phone.cidName);
  ringTime(b, trunk);
  b.dialState(trunk, one);
  b.deviceState(localDev, 'INUSE');
  b.deviceState(`PJSIP/${s.trunk ?? 'trunk'}`, 'INUSE');
  const cdrBase = { source: trunk.cidNum, callerId: callerIdString(trunk.cidName, trunk.cidNum), lastApplication: 'Dial' };
  if (s.outcome === 'noanswer') {
    b.wait(15_000);
    b.dialEnd(two, phone, 'NOANSWER');
    b.varset(two, 'DIALSTATUS', 'NOANSWER');
    b.newexten(two, 'Hangup', '', { priority: 3 });
    b.softHangupRequest(two, 16);
    b.hangup(phone, 0);
    b.phoneState(s.to, 'NOT_INUSE');
    b.hangupRequest(one, 16);
    b.dialEnd(trunk, one, 'NOANSWER');
    b.varset(trunk, 'DIALSTATUS', 'NOANSWER');
    b.hangup(two, 16);
    b.hangup(one, 16);
    b.deviceState(localDev, 'NOT_INUSE');
    b.newexten(trunk, 'Hangup', '', { priority: 3 });
    b.softHangupRequest(trunk, 16);
    cdr(b, { ...cdrBase, destination: s.did, destinationContext: trunk.context, channel: trunk.name, destinationChannel: one.name, lastData: dialData, startMs: 0, endMs: b.now, disposition: 'NO ANSWER', uniqueid: trunk.uniqueid });
    b.hangup(trunk, 16);
    b.deviceState(`PJSIP/${s.trunk ?? 'trunk'}`, 'NOT_INUSE');
    return;
  }
  b.wait(s.ringMs ?? 3000);
  const answerAt = b.now;
  b.newstate(phone, STATE.up);
  answerVars(b, two, phone, s.to);
  phone.exten = '';
  b.dialEnd(two, phone, 'ANSWER');
  b.newstate(two, STATE.up);
  b.newstate(one, STATE.up);
  const br1 = b.newBridge();
  b.bridgeCreate(br1);
  b.newexten(phone, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br1, phone);
  b.phoneState(s.to, 'INUSE');
  answerVars(b, trunk, one, `${s.to}@${ctx}`);
  b.dialEnd(trunk, one, 'ANSWER');
  b.newstate(trunk, STATE.up);
  b.bridgeEnter(br1, two);
  bridgePeerOf(b, phone, two, false);
  bridgePeerOf(b, two, phone);
  const br2 = b.newBridge();
  b.bridgeCreate(br2);
  b.newexten(one, 'AppDial', '(Outgoing Line)', { exten: '' });
  b.bridgeEnter(br2, one);
  b.bridgeEnter(br2, trunk);
  bridgePeerOf(b, trunk, one, false);
  bridgePeerOf(b, one, trunk);
  // Local optimisation: the trunk leg replaces ;2 in the phone's bridge (as in lab22-d2).
  b.emit('LocalOptimizationBegin', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'),
    channelBlock(trunk, 'Source'), [['DestUniqueId', two.uniqueid], ['Id', '1']]);
  b.bridgeLeave(br2, trunk);
  bridgePeerOf(b, two, undefined);
  b.bridgeLeave(br1, two);
  b.bridgeEnter(br1, trunk, two.uniqueid);
  bridgePeers(b, [trunk, phone], 1);
  bridgePeerOf(b, one, undefined);
  // Asterisk 22.10 says `Success: No` here although the pair was optimised away (lab22-d2, -u, -v).
  b.emit('LocalOptimizationEnd', 'call', channelBlock(one, 'LocalOne'), channelBlock(two, 'LocalTwo'), [['Success', 'No'], ['Id', '1']]);
  dialDoneVars(b, two, b.now - answerAt, b.now);
  b.softHangupRequest(two, 16);
  b.hangupRequest(one, 16);
  b.hangup(two, 16);
  b.bridgeLeave(br2, one);
  b.bridgeDestroy(br2);
  b.hangup(one, 16);
  b.deviceState(localDev, 'NOT_INUSE');
  b.wait(s.talkMs ?? 5000);
  const [first, other] = s.hangupBy === 'callee' ? [phone, trunk] : [trunk, phone];
  rtpQosBridged(b, first, other);
  b.hangupRequest(first, 16);
  bridgePeerOf(b, first, undefined);
  bridgePeerOf(b, other, undefined);
  b.bridgeLeave(br1, first);
  b.bridgeLeave(br1, other);
  b.bridgeDestroy(br1);
  dialDoneVars(b, trunk, b.now - answerAt, b.now);
  b.softHangupRequest(trunk, 16);
  rtpQos(b, other);
  b.hangup(phone, 16);
  cdr(b, { ...cdrBase, destination: s.did, destinationContext: b.pbx.trunkContext, channel: trunk.name, destinationChannel: one.name, lastData: dialData, startMs: 0, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED', uniqueid: trunk.uniqueid });
  b.hangup(trunk, 16);
  b.phoneState(s.to, 'NOT_INUSE');
  b.deviceState(`PJSIP/${s.trunk ?? 'trunk'}`, 'NOT_INUSE');
}
