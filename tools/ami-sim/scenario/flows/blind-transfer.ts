/**
 * Answered inbound call blind-transferred by the AMI `BlindTransfer` action (lab22-g): dialplan
 * `NoOp(Transfer test)` · `Dial(PJSIP/<to>,20,t)`; the transferee (trunk leg) then runs
 * `<transferTo>@from-internal` (`Dial(PJSIP/<transferTo>,20)`) with its Uniqueid/Linkedid unchanged.
 * The action's own `Response: Success / Transfer succeeded` is the server's to send.
 */
import { bridgeBlock, channelBlock, STATE } from '../channel-block.js';
import type { Bridge, CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import type { AttendedTransferSpec, BlindTransferSpec } from '../spec.js';
import {
  answerVars, bridgePeerOf, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset,
  ringTime, rtpQos, rtpQosBridged,
} from '../steps.js';
import { newTrunkCaller } from './inbound.js';

/** Dialled phone leg: Newchannel, DIALEDPEERNUMBER, AppDial, NewConnectedLine, then DialBegin + caller's NewConnectedLine. */
export function dialPhone(b: CallBuilder, caller: Chan, ext: string): Chan {
  const ch = b.newChan({
    device: ext, state: STATE.down, cidNum: ext, cidName: userName(b.pbx, ext), context: b.pbx.internalContext,
    exten: 's', linkedid: caller.linkedid,
  });
  b.newchannel(ch);
  b.varset(ch, 'DIALEDPEERNUMBER', ext);
  ch.connNum = caller.cidNum;
  ch.connName = caller.cidName;
  b.newexten(ch, 'AppDial', '(Outgoing Line)', { exten: caller.exten });
  b.newConnectedLine(ch);
  b.dialBegin(caller, ch, ext);
  b.newConnectedLine(caller, ch.cidNum, ch.cidName);
  return ch;
}

export interface AnsweredInbound {
  caller: Chan;
  agent: Chan;
  br: Bridge;
  answerAt: number;
  firstDial: string;
  trunkDev: string;
}

/** Inbound call to DID → `NoOp(Transfer test)` · `Dial(PJSIP/<to>,20,t)`, answered and bridged (lab22-g, first part). */
export function answeredInbound(b: CallBuilder, s: BlindTransferSpec | AttendedTransferSpec): AnsweredInbound {
  const trunkDev = `PJSIP/${s.trunk ?? 'trunk'}`;
  const caller = newTrunkCaller(b, s);
  b.newexten(caller, 'NoOp', 'Transfer test');
  const firstDial = `PJSIP/${s.to},20,t`;
  b.newexten(caller, 'Dial', firstDial, { priority: 2 });
  dialReset(b, caller);
  const agent = dialPhone(b, caller, s.to);
  ringTime(b, caller);
  b.dialState(caller, agent);
  b.deviceState(trunkDev, 'INUSE');
  b.wait(2);
  b.newstate(agent, STATE.ringing);
  b.phoneState(s.to, 'RINGING');
  b.wait(s.ringMs ?? 2000);
  const answerAt = b.now;
  b.newstate(agent, STATE.up);
  b.deviceState(`PJSIP/${s.to}`, 'INUSE');
  answerVars(b, caller, agent, s.to);
  agent.exten = '';
  b.dialEnd(caller, agent, 'ANSWER');
  b.newstate(caller, STATE.up);
  b.memberStatus(s.to, 'INUSE');
  const br = b.newBridge(true);
  b.bridgeCreate(br);
  b.newexten(agent, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, agent);
  b.bridgeEnter(br, caller);
  bridgePeers(b, [agent, caller], 1);
  return { caller, agent, br, answerAt, firstDial, trunkDev };
}

export function blindTransferFlow(b: CallBuilder, s: BlindTransferSpec): void {
  const { caller, agent, br, answerAt, firstDial, trunkDev } = answeredInbound(b, s);
  b.wait(s.talkMs ?? 5000);

  // The AMI BlindTransfer action on the agent's channel.
  const xferAt = b.now;
  b.chanEvent('Unhold', 'call', agent);
  b.varset(caller, 'BLINDTRANSFER', agent.name);
  b.varset(agent, 'BLINDTRANSFER', caller.name);
  bridgePeerOf(b, agent, undefined);
  b.emit('BlindTransfer', 'call', [['Result', 'Success']], channelBlock(agent, 'Transferer'), channelBlock(caller, 'Transferee'),
    bridgeBlock(br), [['IsExternal', 'Yes'], ['Context', b.pbx.internalContext], ['Extension', s.transferTo]]);
  b.bridgeLeave(br, agent);
  bridgePeerOf(b, caller, undefined);
  // The transferee's first Newexten at the new location still shows the previous application.
  b.newexten(caller, 'Dial', firstDial, { context: b.pbx.internalContext, exten: s.transferTo, priority: 1 });
  b.bridgeLeave(br, caller);
  b.varset(caller, 'DIALSTATUS', 'ANSWER');
  const secondDial = `PJSIP/${s.transferTo},20`;
  b.newexten(caller, 'Dial', secondDial, { priority: 2 });
  dialReset(b, caller, 0, 7);
  b.bridgeDestroy(br);
  dialReset(b, caller, 7);
  rtpQos(b, agent);
  b.hangup(agent, 16);
  b.phoneState(s.to, 'NOT_INUSE');
  const cdrBase = {
    // The CDR keeps the transferee's final dialplan location (the transfer target).
    source: caller.cidNum, destination: s.transferTo, destinationContext: b.pbx.internalContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, uniqueid: caller.uniqueid,
    lastApplication: 'Dial', disposition: 'ANSWERED' as const,
  };

  const target = dialPhone(b, caller, s.transferTo);
  b.wait(2);
  b.newstate(target, STATE.ringing);
  b.memberStatus(s.transferTo, 'RINGING');
  ringTime(b, caller);
  b.dialState(caller, target);
  b.deviceState(`PJSIP/${s.transferTo}`, 'RINGING');
  b.wait(s.targetRingMs ?? 0);
  const answer2 = b.now;
  b.newstate(target, STATE.up);
  answerVars(b, caller, target, s.transferTo);
  target.exten = '';
  b.dialEnd(caller, target, 'ANSWER');
  const br2 = b.newBridge();
  b.bridgeCreate(br2);
  b.newexten(target, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br2, target);
  b.deviceState(`PJSIP/${s.transferTo}`, 'INUSE');
  b.bridgeEnter(br2, caller);
  b.varset(caller, 'BLINDTRANSFER', '');
  bridgePeers(b, [caller, target], 2);
  b.memberStatus(s.transferTo, 'INUSE');
  bridgePeers(b, [caller, target], 1);
  b.wait(s.afterTransferTalkMs ?? 8000);

  rtpQosBridged(b, caller, target);
  b.hangupRequest(caller, 16);
  bridgePeersClear(b, caller, target);
  b.bridgeLeave(br2, caller);
  b.bridgeLeave(br2, target);
  rtpQos(b, target);
  b.bridgeDestroy(br2);
  dialDoneVars(b, caller, b.now - answerAt, b.now);
  b.softHangupRequest(caller, 16);
  b.hangup(target, 16);
  b.phoneState(s.transferTo, 'NOT_INUSE');
  cdr(b, { ...cdrBase, destinationChannel: agent.name, lastData: firstDial, startMs: 0, answerMs: answerAt, endMs: xferAt });
  cdr(b, { ...cdrBase, destinationChannel: target.name, lastData: secondDial, startMs: xferAt, answerMs: answer2, endMs: b.now });
  b.hangup(caller, 16);
  b.deviceState(trunkDev, 'NOT_INUSE');
}
