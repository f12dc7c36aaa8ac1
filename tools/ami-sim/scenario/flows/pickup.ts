/**
 * Call pickup, as recorded on Asterisk 22.10.1: a DID (`NoOp(Pickup test)` · `Set(__FROM_DID=…)` ·
 * `Dial(PJSIP/<to>,20)`) rings `to`; another phone takes the call
 *   - `directed`: dials `**<to>` → `NoOp(Directed pickup of <to>)` · `PickupChan(PJSIP/<to>)`
 *     (`test/fixtures/ami-recorded/lab22-k_directed_pickup.txt`);
 *   - `group`: dials `*8`, the features.conf `pickupexten` chan_pjsip handles without dialplan
 *     (`lab22-l_group_pickup.txt`).
 * The picker's own channel (born `Ring`, own Linkedid) answers, raises `Pickup` (Target… = the rung
 * leg) and takes the rung leg's place in the caller's Dial(): `DialEnd ANSWER` names the picker,
 * still with its own Linkedid; it enters the bridge that way and shows the caller's Linkedid from the
 * next event on. No DialBegin towards the picker. The rung leg ends with cause 26 after a
 * SoftHangupRequest (directed) or cause 16 before the DialEnd (group), with the picker's former
 * dialplan location in its last snapshot (the masquerade swaps them). Cdrs: caller→rung leg
 * (directed: ANSWERED with 0 billable seconds; group: NO ANSWER), caller→picker ANSWERED.
 */
import { channelBlock, STATE } from '../channel-block.js';
import type { CallBuilder } from '../builder.js';
import type { PickupSpec } from '../spec.js';
import { answerVars, bridgePeerOf, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset, rtpQos, rtpQosBridged } from '../steps.js';
import { callerEndsDialBridge, dialLeg, didCaller, memberStatusPart, phoneCaller, phoneEndsDialBridge, type DialBridgeEnd } from './office-common.js';

export function pickupFlow(b: CallBuilder, s: PickupSpec): void {
  const directed = s.mode === 'directed';
  const trunkDev = `PJSIP/${s.trunk ?? 'trunk'}`;
  const caller = didCaller(b, s, 'Pickup test');
  const dialData = `PJSIP/${s.to},${Math.round((s.dialTimeoutMs ?? 20_000) / 1000)}`;
  b.newexten(caller, 'Dial', dialData, { priority: 3 });
  dialReset(b, caller);
  const rung = dialLeg(b, caller, s.to, s.did);
  b.dialBegin(caller, rung, s.to);
  b.newConnectedLine(caller, rung.cidNum, rung.cidName);
  b.wait(2);
  if (directed) {
    b.newstate(rung, STATE.ringing);
    b.deviceState(`PJSIP/${s.to}`, 'RINGING');
    memberStatusPart(b, s.to, 'RINGING', 0, 1);
    b.varset(caller, 'RINGTIME', '0');
    memberStatusPart(b, s.to, 'RINGING', 1, 2);
    b.deviceState(trunkDev, 'INUSE');
    b.varset(caller, 'RINGTIME_MS', '2');
    b.dialState(caller, rung);
    memberStatusPart(b, s.to, 'RINGING', 2);
  } else {
    b.varset(caller, 'RINGTIME', '0');
    b.varset(caller, 'RINGTIME_MS', '2');
    b.dialState(caller, rung);
    b.newstate(rung, STATE.ringing);
    b.deviceState(trunkDev, 'INUSE');
    b.phoneState(s.to, 'RINGING');
  }
  b.wait(s.ringMs ?? 3000);

  // The picker's phone calls the pickup code and is answered at once.
  const pickExten = directed ? `**${s.to}` : '*8';
  const picker = phoneCaller(b, s.pickedBy, pickExten);
  if (directed) {
    b.newexten(picker, 'NoOp', `Directed pickup of ${s.to}`);
    b.newexten(picker, 'PickupChan', `PJSIP/${s.to}`, { priority: 2 });
  }
  const pickAt = b.now;
  b.newConnectedLine(picker, caller.cidNum, caller.cidName);
  b.newstate(picker, STATE.up);
  b.phoneState(s.pickedBy, 'INUSE');
  const before = { context: picker.context, exten: picker.exten, priority: picker.priority };
  b.newexten(picker, 'AppDial', '(Outgoing Line)', { exten: caller.exten, priority: 1 });
  // Pickup shows the picker where it was in the dialplan before it took the rung leg's place.
  const pickupFields = (): void => {
    b.emit('Pickup', 'call', channelBlock(b.snap(picker, before)), channelBlock(rung, 'Target'));
  };
  if (directed) {
    b.newConnectedLine(caller, picker.cidNum, picker.cidName);
    answerVars(b, caller, picker, s.to);
    pickupFields();
    picker.exten = '';
    b.dialEnd(caller, picker, 'ANSWER');
    b.newstate(caller, STATE.up);
    b.softHangupRequest(rung, 16);
  } else {
    pickupFields();
    b.newConnectedLine(caller, picker.cidNum, picker.cidName);
    Object.assign(rung, before);
    b.hangup(rung, 16);
    b.varset(caller, 'DIALSTATUS', 'ANSWER');
    b.deviceState(`PJSIP/${s.to}`, 'NOT_INUSE');
    b.varset(caller, 'DIALEDPEERNAME', picker.name);
    b.varset(caller, 'DIALEDPEERNUMBER', s.to);
    picker.exten = '';
    b.dialEnd(caller, picker, 'ANSWER');
    b.newstate(caller, STATE.up);
    b.memberStatus(s.to, 'NOT_INUSE');
  }
  const br = b.newBridge();
  b.bridgeCreate(br);
  b.newexten(picker, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, picker);
  b.bridgeEnter(br, caller);
  bridgePeerOf(b, caller, picker);
  picker.linkedid = caller.linkedid;
  bridgePeerOf(b, picker, caller);
  if (directed) {
    bridgePeers(b, [caller, picker], 1);
    Object.assign(rung, before);
    b.hangup(rung, 26);
    b.phoneState(s.to, 'NOT_INUSE');
    bridgePeers(b, [caller, picker], 1);
  } else {
    bridgePeers(b, [caller, picker], 2);
  }
  b.wait(s.talkMs ?? 5000);

  const base = {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, lastApplication: 'Dial',
    lastData: dialData, uniqueid: caller.uniqueid,
  };
  const end: DialBridgeEnd = {
    caller, phone: picker, phoneExt: s.pickedBy, br, answerAt: pickAt, dialAt: 0,
    cdrs: () => {
      if (directed) cdr(b, { ...base, destinationChannel: rung.name, startMs: 0, answerMs: pickAt, endMs: pickAt, disposition: 'ANSWERED' });
      else cdr(b, { ...base, destinationChannel: rung.name, startMs: 0, endMs: pickAt, disposition: 'NO ANSWER' });
      cdr(b, { ...base, destinationChannel: picker.name, startMs: pickAt, answerMs: pickAt, endMs: b.now, disposition: 'ANSWERED' });
    },
  };
  if (s.hangupBy === 'caller') callerEndsDialBridge(b, end);
  else if (directed) phoneEndsDialBridge(b, end);
  else pickerEndsGroupPickup(b, end);
}

/** The picker hangs up after a group pickup: lab22-l's order (Cdrs early, Hangup before BridgeDestroy). */
function pickerEndsGroupPickup(b: CallBuilder, p: DialBridgeEnd): void {
  const { caller, phone, br } = p;
  rtpQosBridged(b, phone, caller);
  b.hangupRequest(phone);
  p.cdrs();
  bridgePeersClear(b, phone, caller);
  b.bridgeLeave(br, phone);
  b.bridgeLeave(br, caller);
  b.hangup(phone, 16);
  b.bridgeDestroy(br);
  dialDoneVars(b, caller, b.now - p.answerAt, b.now - p.dialAt);
  b.softHangupRequest(caller, 16);
  b.phoneState(p.phoneExt, 'NOT_INUSE');
  rtpQos(b, caller);
  b.hangup(caller, 16);
  b.deviceState(`PJSIP/${caller.device}`, 'NOT_INUSE');
}
