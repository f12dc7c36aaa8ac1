/**
 * One caller leg running `Dial(PJSIP/<ext>,<timeout>)` to a phone: the shape of lab22-a (answered),
 * b1 (NOANSWER), b2 (BUSY), b3 (CANCEL) and, with `recorded`, lab22-j (MixMonitor before Dial,
 * whose transcript has a slightly different interleaving of the device-state noise).
 * Used by the inbound and internal flows.
 */
import { STATE } from '../channel-block.js';
import type { CallBuilder, Chan } from '../builder.js';
import type { DialOutcome } from '../spec.js';
import {
  answerVars, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset, ringTime,
  rtpQos, rtpQosBridged,
} from '../steps.js';

export interface SingleDialPlan {
  caller: Chan;
  /** Device name of the caller for DeviceStateChange (`trunk`, `101`). */
  callerDevice: string;
  /** Extension dialled. */
  calleeExt: string;
  calleeName: string;
  /** Dial() application data, e.g. `PJSIP/101,8`. */
  dialData: string;
  /** Variables the callee inherits (`__FROM_DID`), set right after its Newchannel. */
  inherited: ReadonlyArray<readonly [string, string]>;
  outcome: DialOutcome;
  ringMs: number;
  talkMs: number;
  dialTimeoutMs: number;
  hangupBy: 'caller' | 'callee';
  /** lab22-j ordering (recorded call). */
  recorded: boolean;
  /** Cdr Destination / DestinationContext. */
  cdrDestination: string;
}

/** Runs the Dial() priority (the caller is at that priority already) until both legs are gone. */
export function runSingleDial(b: CallBuilder, p: SingleDialPlan): void {
  const { caller } = p;
  b.newexten(caller, 'Dial', p.dialData, { priority: caller.priority + 1 });
  dialReset(b, caller);
  const callee = b.newChan({
    device: p.calleeExt, state: STATE.down, cidNum: p.calleeExt, cidName: p.calleeName,
    context: b.pbx.internalContext, exten: 's', linkedid: caller.linkedid,
  });
  b.newchannel(callee);
  b.varset(callee, 'DIALEDPEERNUMBER', p.calleeExt);
  for (const [k, v] of p.inherited) b.varset(callee, k, v);
  callee.connNum = caller.cidNum;
  callee.connName = caller.cidName;
  b.newexten(callee, 'AppDial', '(Outgoing Line)', { exten: caller.exten });
  b.newConnectedLine(callee);
  b.dialBegin(caller, callee, p.calleeExt);
  b.newConnectedLine(caller, callee.cidNum, callee.cidName);
  b.wait(2);

  if (p.outcome === 'busy') return busy(b, p, callee);
  ringing(b, p, callee);
  if (p.outcome === 'noanswer') return noAnswer(b, p, callee);
  if (p.outcome === 'cancel') return cancel(b, p, callee);
  answered(b, p, callee);
}

function cdrFor(b: CallBuilder, p: SingleDialPlan, callee: Chan, disposition: 'ANSWERED' | 'NO ANSWER' | 'BUSY', answerMs?: number): void {
  const { caller } = p;
  cdr(b, {
    source: caller.cidNum, destination: p.cdrDestination, destinationContext: caller.context,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, destinationChannel: callee.name,
    lastApplication: 'Dial', lastData: p.dialData, startMs: 0, answerMs, endMs: b.now, disposition,
    uniqueid: caller.uniqueid,
  });
}

function ringing(b: CallBuilder, p: SingleDialPlan, callee: Chan): void {
  const { caller } = p;
  b.newstate(callee, STATE.ringing);
  if (p.recorded) {
    ringTime(b, caller);
    b.dialState(caller, callee);
    b.phoneState(p.calleeExt, 'RINGING');
    b.deviceState(`PJSIP/${p.callerDevice}`, 'INUSE');
    return;
  }
  b.phoneState(p.calleeExt, 'RINGING');
  if (p.outcome === 'cancel') {
    b.deviceState(`PJSIP/${p.callerDevice}`, 'INUSE');
    ringTime(b, caller, 4);
    b.dialState(caller, callee);
  } else if (p.outcome === 'noanswer') {
    ringTime(b, caller);
    b.deviceState(`PJSIP/${p.callerDevice}`, 'INUSE');
    b.dialState(caller, callee);
  } else {
    ringTime(b, caller);
    b.dialState(caller, callee);
    b.deviceState(`PJSIP/${p.callerDevice}`, 'INUSE');
  }
}

function endNoise(b: CallBuilder, p: SingleDialPlan, calleeFirst: boolean): void {
  const devices = [`PJSIP/${p.calleeExt}`, `PJSIP/${p.callerDevice}`];
  for (const d of calleeFirst ? devices : devices.reverse()) b.deviceState(d, 'NOT_INUSE');
  b.memberStatus(p.calleeExt, 'NOT_INUSE');
}

function noAnswer(b: CallBuilder, p: SingleDialPlan, callee: Chan): void {
  const { caller } = p;
  b.wait(p.dialTimeoutMs);
  b.dialEnd(caller, callee, 'NOANSWER');
  b.varset(caller, 'DIALSTATUS', 'NOANSWER');
  b.newexten(caller, 'Hangup', '', { priority: caller.priority + 1 });
  b.softHangupRequest(caller, 16);
  b.hangup(callee, 0);
  cdrFor(b, p, callee, 'NO ANSWER');
  b.hangup(caller, 16);
  endNoise(b, p, true);
}

function busy(b: CallBuilder, p: SingleDialPlan, callee: Chan): void {
  const { caller } = p;
  b.wait(Math.min(p.ringMs, 1500));
  b.hangupRequest(callee, 17, 486);
  b.dialEnd(caller, callee, 'BUSY');
  b.varset(caller, 'DIALSTATUS', 'BUSY');
  b.newexten(caller, 'Hangup', '', { priority: caller.priority + 1 });
  b.softHangupRequest(caller, 16);
  b.hangup(callee, 17, 486);
  cdrFor(b, p, callee, 'BUSY');
  b.hangup(caller, 17, 486);
}

function cancel(b: CallBuilder, p: SingleDialPlan, callee: Chan): void {
  const { caller } = p;
  b.wait(p.ringMs);
  // A CANCEL without a Reason header maps to cause 127 (lab22-b3); TechCause is the SIP code.
  b.hangupRequest(caller, 127, 487);
  b.dialEnd(caller, callee, 'CANCEL');
  b.varset(caller, 'DIALSTATUS', 'CANCEL');
  b.softHangupRequest(caller, 16, 487);
  cdrFor(b, p, callee, 'NO ANSWER');
  b.hangup(caller, 127, 487);
  b.hangup(callee, 127, 500);
  endNoise(b, p, false);
}

function answered(b: CallBuilder, p: SingleDialPlan, callee: Chan): void {
  const { caller } = p;
  b.wait(p.ringMs);
  const answerAt = b.now;
  b.newstate(callee, STATE.up);
  if (p.recorded) b.memberStatus(p.calleeExt, 'INUSE');
  answerVars(b, caller, callee, p.calleeExt);
  callee.exten = '';
  b.dialEnd(caller, callee, 'ANSWER');
  if (caller.state !== STATE.up) b.newstate(caller, STATE.up);
  if (p.recorded) b.deviceState(`PJSIP/${p.calleeExt}`, 'INUSE');
  else b.phoneState(p.calleeExt, 'INUSE');
  const br = b.newBridge();
  b.bridgeCreate(br);
  b.newexten(callee, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, callee);
  b.bridgeEnter(br, caller);
  if (p.recorded) bridgePeers(b, [callee, caller], 1);
  else bridgePeers(b, [caller, callee], 3);
  b.wait(p.talkMs);
  if (p.hangupBy === 'callee') return calleeHangsUp(b, p, callee, br, answerAt);

  rtpQosBridged(b, caller, callee);
  b.hangupRequest(caller, 16);
  bridgePeersClear(b, caller, callee);
  b.bridgeLeave(br, caller);
  dialDoneVars(b, caller, b.now - answerAt, b.now);
  b.softHangupRequest(caller, 16);
  b.bridgeLeave(br, callee);
  b.bridgeDestroy(br);
  rtpQos(b, callee);
  b.hangup(callee, 16);
  if (p.recorded) {
    cdrFor(b, p, callee, 'ANSWERED', answerAt);
    b.hangup(caller, 16);
  } else {
    b.hangup(caller, 16);
    cdrFor(b, p, callee, 'ANSWERED', answerAt);
  }
  endNoise(b, p, true);
}

/**
 * Not in a lab transcript for an inbound call: follows lab22-d1, where the dialled party hangs up
 * a Dial() bridge (Dial without `g` then ends the caller too: no further dialplan priority).
 */
function calleeHangsUp(b: CallBuilder, p: SingleDialPlan, callee: Chan, br: ReturnType<CallBuilder['newBridge']>, answerAt: number): void {
  const { caller } = p;
  rtpQosBridged(b, callee, caller);
  b.hangupRequest(callee, 16);
  bridgePeersClear(b, callee, caller);
  b.bridgeLeave(br, callee);
  b.bridgeLeave(br, caller);
  b.hangup(callee, 16);
  b.bridgeDestroy(br);
  dialDoneVars(b, caller, b.now - answerAt, b.now);
  b.softHangupRequest(caller, 16);
  rtpQos(b, caller);
  cdrFor(b, p, callee, 'ANSWERED', answerAt);
  b.hangup(caller, 16);
  endNoise(b, p, true);
}
