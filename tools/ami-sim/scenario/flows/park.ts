/**
 * Park and retrieve, as recorded on Asterisk 22.10.1 (`test/fixtures/ami-recorded/lab22-n_park_retrieve.txt`):
 * a DID (`NoOp(Transfer test)` · `Dial(PJSIP/<to>,20,t)`) is answered by `to`; its phone sends a blind
 * REFER to the parking extension (`700`): the caller gets the SIPTRANSFER/REFER variables, `Unhold` on
 * the transferer and the same `BlindTransfer` as the AMI action (`IsExternal: Yes`, `Extension: 700`),
 * then `ParkedCall` (space `701`, lot `default`), enters the lot's holding bridge (`BridgeType:
 * parking`, created by Parking — no BridgeCreate/Destroy: the lot's bridge outlives calls) with music
 * on hold, and the transferer's channel hangs up. `retrievedBy` later dials the space: its own channel
 * (own Linkedid, `ParkedCall(default,701)`) is answered, `UnParkedCall` (Parkee + Retriever), the caller
 * moves into a new basic bridge and the retriever enters it already carrying the caller's Linkedid.
 * No Dial events for the retrieval. Cdrs: caller→to (Dial), caller `Park`, caller→retriever (Dial,
 * at the caller's hangup) and the retriever's own `ParkedCall` record (0 s, as recorded).
 */
import { bridgeBlock, channelBlock, STATE } from '../channel-block.js';
import { pseudoUuid, type Bridge, type CallBuilder } from '../builder.js';
import type { ParkSpec } from '../spec.js';
import {
  answerVars, bridgePeerOf, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset, rtpQos,
  rtpQosBridged,
} from '../steps.js';
import { newTrunkCaller } from './inbound.js';
import { dialLeg, phoneCaller } from './office-common.js';

const PARKING_LOT = 'default';
const PARKING_CONTEXT = 'parkedcalls';
/** res_parking `parkingtime` of the lab (s). */
const PARKING_TIMEOUT_S = 45;

/** The parking lot's holding bridge: one per lot for the module's lifetime, hence a fixed id. */
function parkingBridge(lot: string): Bridge {
  return {
    id: pseudoUuid(`parking/${lot}`), type: 'parking', technology: 'holding_bridge', creator: 'Parking', name: lot,
    numChannels: 0, videoSourceMode: 'none', createdAtMs: 0, features: true, members: new Map(),
  };
}

export function parkFlow(b: CallBuilder, s: ParkSpec): void {
  const parkExten = s.parkExten ?? '700';
  const space = s.parkingSpace ?? '701';
  const trunkDev = `PJSIP/${s.trunk ?? 'trunk'}`;
  const caller = newTrunkCaller(b, s);
  b.newexten(caller, 'NoOp', 'Transfer test');
  const dialData = `PJSIP/${s.to},20,t`;
  b.newexten(caller, 'Dial', dialData, { priority: 2 });
  dialReset(b, caller);
  const agent = dialLeg(b, caller, s.to, undefined);
  b.dialBegin(caller, agent, s.to);
  b.newConnectedLine(caller, agent.cidNum, agent.cidName);
  b.wait(2);
  b.newstate(agent, STATE.ringing);
  b.varset(caller, 'RINGTIME', '0');
  b.varset(caller, 'RINGTIME_MS', '2');
  b.dialState(caller, agent);
  b.deviceState(`PJSIP/${s.to}`, 'RINGING');
  b.deviceState(trunkDev, 'INUSE');
  b.memberStatus(s.to, 'RINGING');
  b.wait(s.ringMs ?? 2000);

  const answerAt = b.now;
  b.newstate(agent, STATE.up);
  answerVars(b, caller, agent, s.to);
  b.deviceState(`PJSIP/${s.to}`, 'INUSE');
  agent.exten = '';
  b.dialEnd(caller, agent, 'ANSWER');
  b.memberStatus(s.to, 'INUSE');
  b.newstate(caller, STATE.up);
  const br = b.newBridge(true);
  b.bridgeCreate(br);
  b.newexten(agent, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, agent);
  b.bridgeEnter(br, caller);
  bridgePeers(b, [agent, caller], 1);
  b.wait(s.talkMs ?? 3000);

  // The agent's phone: REFER (blind) to the parking extension.
  const parkAt = b.now;
  b.chanEvent('Unhold', 'call', agent);
  b.varset(caller, 'SIPTRANSFER', 'yes');
  b.varset(caller, 'SIPREFERRINGCONTEXT', agent.context);
  b.varset(caller, '__SIPREFERREDBYHDR', `<sip:${s.to}@${b.pbx.sipDomain}>`);
  b.varset(caller, 'SIPREFERTOHDR', `sip:${parkExten}@${b.pbx.sipDomain}`);
  b.emit('BlindTransfer', 'call', [['Result', 'Success']], channelBlock(agent, 'Transferer'), channelBlock(caller, 'Transferee'),
    bridgeBlock(br), [['IsExternal', 'Yes'], ['Context', agent.context], ['Extension', parkExten]]);
  bridgePeers(b, [agent, caller], 1);
  b.varset(caller, 'BLINDTRANSFER', agent.name);
  b.bridgeLeave(br, caller);
  const parkInfo = (parkedMs: number): Array<readonly [string, string]> => [
    ['ParkerDialString', `PJSIP/${s.to}`], ['Parkinglot', PARKING_LOT], ['ParkingSpace', space],
    ['ParkingTimeout', String(PARKING_TIMEOUT_S - Math.floor(parkedMs / 1000))], ['ParkingDuration', String(Math.floor(parkedMs / 1000))],
  ];
  b.emit('ParkedCall', 'call', channelBlock(caller, 'Parkee'), parkInfo(0));
  const parkDevice = `park:${space}@${PARKING_CONTEXT}`;
  b.deviceState(parkDevice, 'INUSE');
  const lot = parkingBridge(PARKING_LOT);
  b.bridgeEnter(lot, caller);
  b.varset(caller, 'BLINDTRANSFER', '');
  bridgePeersClear(b, caller, agent);
  b.bridgeLeave(br, agent);
  b.chanEvent('MusicOnHoldStart', 'call', caller, [['Class', 'default']]);
  b.bridgeDestroy(br);
  rtpQos(b, agent);
  b.hangup(agent, 16);
  b.phoneState(s.to, 'NOT_INUSE');
  b.wait(s.parkedMs ?? 5000);

  // The retriever dials the parking space.
  const retriever = phoneCaller(b, s.retrievedBy, space);
  b.newexten(retriever, 'ParkedCall', `${PARKING_LOT},${space}`);
  const retrieveAt = b.now;
  b.newstate(retriever, STATE.up);
  b.memberStatus(s.retrievedBy, 'INUSE');
  b.deviceState(`PJSIP/${s.retrievedBy}`, 'INUSE');
  const br2 = b.newBridge();
  b.bridgeCreate(br2);
  b.emit('UnParkedCall', 'call', channelBlock(caller, 'Parkee'), channelBlock(retriever, 'Retriever'), parkInfo(retrieveAt - parkAt));
  b.chanEvent('MusicOnHoldStop', 'call', caller);
  b.deviceState(parkDevice, 'NOT_INUSE');
  b.bridgeLeave(lot, caller);
  b.bridgeEnter(br2, caller);
  retriever.linkedid = caller.linkedid;
  b.bridgeEnter(br2, retriever);
  bridgePeers(b, [retriever, caller], 2);
  b.newConnectedLine(caller, retriever.cidNum, retriever.cidName);
  bridgePeers(b, [retriever, caller], 1);
  b.newConnectedLine(retriever, caller.cidNum, caller.cidName);
  b.wait(s.afterRetrieveTalkMs ?? 5000);

  const base = {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, uniqueid: caller.uniqueid,
    disposition: 'ANSWERED' as const,
  };
  const cdrs = (): void => {
    cdr(b, { ...base, destinationChannel: agent.name, lastApplication: 'Dial', lastData: dialData, startMs: 0, answerMs: answerAt, endMs: parkAt });
    cdr(b, { ...base, destinationChannel: '', lastApplication: 'Park', lastData: `${PARKING_LOT}:${space}`, startMs: parkAt, answerMs: parkAt, endMs: retrieveAt });
    cdr(b, { ...base, destinationChannel: retriever.name, lastApplication: 'Dial', lastData: dialData, startMs: retrieveAt, answerMs: retrieveAt, endMs: b.now });
  };
  const retrieverCdr = (): void => {
    cdr(b, {
      source: retriever.cidNum, destination: space, destinationContext: retriever.context,
      callerId: callerIdString(retriever.cidName, retriever.cidNum), channel: retriever.name, destinationChannel: '',
      lastApplication: 'ParkedCall', lastData: `${PARKING_LOT},${space}`, startMs: retrieveAt, answerMs: retrieveAt,
      endMs: retrieveAt, disposition: 'ANSWERED', uniqueid: retriever.uniqueid,
    });
  };

  if (s.hangupBy === 'caller') {
    // Not recorded: the caller's BYE, in the order of lab22-m (caller ends a Dial() bridge).
    rtpQosBridged(b, caller, retriever);
    b.hangupRequest(caller, 16);
    bridgePeersClear(b, caller, retriever);
    b.bridgeLeave(br2, caller);
    dialDoneVars(b, caller, b.now - answerAt, b.now);
    b.bridgeLeave(br2, retriever);
    b.bridgeDestroy(br2);
    b.softHangupRequest(caller, 16);
    cdrs();
    rtpQos(b, retriever);
    b.hangup(retriever, 16);
    b.hangup(caller, 16);
    retrieverCdr();
  } else {
    rtpQosBridged(b, retriever, caller);
    b.hangupRequest(retriever);
    bridgePeersClear(b, retriever, caller);
    b.bridgeLeave(br2, retriever);
    b.softHangupRequest(retriever, 16);
    b.bridgeLeave(br2, caller);
    b.bridgeDestroy(br2);
    dialDoneVars(b, caller, b.now - answerAt, b.now);
    b.softHangupRequest(caller, 16);
    cdrs();
    rtpQos(b, caller);
    b.hangup(caller, 16);
    b.hangup(retriever, 16);
    retrieverCdr();
  }
  b.deviceState(trunkDev, 'NOT_INUSE');
  b.phoneState(s.retrievedBy, 'NOT_INUSE');
}
