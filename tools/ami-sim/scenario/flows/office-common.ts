/**
 * Pieces shared by the office-feature flows recorded on Asterisk 22.10.1
 * (`test/fixtures/ami-recorded/lab22-k/l/m/n`): a DID whose dialplan is `NoOp(…)` ·
 * `Set(__FROM_DID=${EXTEN})` · `Dial(…)`, the dialled phone legs, and the two ways a Dial() bridge
 * ends as recorded there (the trunk caller hangs up: lab22-m; the phone hangs up: lab22-k).
 */
import { STATE } from '../channel-block.js';
import type { Bridge, CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import { bridgePeersClear, dialDoneVars, rtpQos, rtpQosBridged } from '../steps.js';
import { newTrunkCaller } from './inbound.js';

/** Trunk caller on a DID running `NoOp(<noop>)` · `Set(__FROM_DID=<did>)`; the cursor is at priority 2. */
export function didCaller(b: CallBuilder, s: { from: string; fromName?: string; did: string; trunk?: string }, noop: string): Chan {
  const caller = newTrunkCaller(b, s);
  b.newexten(caller, 'NoOp', noop);
  b.newexten(caller, 'Set', `__FROM_DID=${s.did}`, { priority: 2 });
  b.varset(caller, '__FROM_DID', s.did);
  return caller;
}

/**
 * A phone leg created by the caller's Dial(): Newchannel (Down, `s`), DIALEDPEERNUMBER, the inherited
 * `__FROM_DID`, `AppDial` at the caller's Exten, NewConnectedLine (no DialBegin: callers of several
 * legs create them all first).
 */
export function dialLeg(b: CallBuilder, caller: Chan, ext: string, did: string | undefined): Chan {
  const ch = b.newChan({
    device: ext, state: STATE.down, cidNum: ext, cidName: userName(b.pbx, ext), context: b.pbx.internalContext,
    exten: 's', linkedid: caller.linkedid,
  });
  b.newchannel(ch);
  b.varset(ch, 'DIALEDPEERNUMBER', ext);
  if (did !== undefined) b.varset(ch, '__FROM_DID', did);
  ch.connNum = caller.cidNum;
  ch.connName = caller.cidName;
  b.newexten(ch, 'AppDial', '(Outgoing Line)', { exten: caller.exten });
  b.newConnectedLine(ch);
  return ch;
}

/** QueueMemberStatus of `ext` for its queues `from`..`to` only (Asterisk interleaves them with other events). */
export function memberStatusPart(b: CallBuilder, ext: string, state: string, from: number, to?: number): void {
  const queues = (b.pbx.memberships[ext] ?? []).slice(from, to).map((m) => m.queue);
  if (queues.length > 0) b.memberStatus(ext, state, { queues });
}

/** A phone that starts a call itself (Ring, in the phones' context, own Linkedid) + SIPDOMAIN. */
export function phoneCaller(b: CallBuilder, ext: string, exten: string): Chan {
  const ch = b.newChan({
    device: ext, state: STATE.ring, cidNum: ext, cidName: userName(b.pbx, ext), context: b.pbx.internalContext, exten,
  });
  b.newchannel(ch);
  b.varset(ch, 'SIPDOMAIN', b.pbx.sipDomain);
  return ch;
}

export interface DialBridgeEnd {
  /** The trunk leg running Dial(). */
  caller: Chan;
  /** The phone bridged with it. */
  phone: Chan;
  phoneExt: string;
  br: Bridge;
  /** When the caller's Dial() was answered (ANSWEREDTIME) and started (DIALEDTIME). */
  answerAt: number;
  dialAt: number;
  /** Emits the call's Cdr events (at the point Asterisk raises them). */
  cdrs: () => void;
}

/** The trunk caller hangs up a Dial() bridge (lab22-m, Asterisk 22.10.1). */
export function callerEndsDialBridge(b: CallBuilder, p: DialBridgeEnd): void {
  const { caller, phone, br } = p;
  rtpQosBridged(b, caller, phone);
  b.hangupRequest(caller, 16);
  bridgePeersClear(b, caller, phone);
  b.bridgeLeave(br, caller);
  dialDoneVars(b, caller, b.now - p.answerAt, b.now - p.dialAt);
  b.bridgeLeave(br, phone);
  b.bridgeDestroy(br);
  b.softHangupRequest(caller, 16);
  rtpQos(b, phone);
  b.hangup(phone, 16);
  b.hangup(caller, 16);
  p.cdrs();
  b.phoneState(p.phoneExt, 'NOT_INUSE');
  b.deviceState(`PJSIP/${caller.device}`, 'NOT_INUSE');
}

/** The phone hangs up (BYE) a Dial() bridge (lab22-k, Asterisk 22.10.1). */
export function phoneEndsDialBridge(b: CallBuilder, p: DialBridgeEnd): void {
  const { caller, phone, br } = p;
  rtpQosBridged(b, phone, caller);
  b.hangupRequest(phone);
  bridgePeersClear(b, phone, caller);
  b.bridgeLeave(br, phone);
  b.bridgeLeave(br, caller);
  b.bridgeDestroy(br);
  dialDoneVars(b, caller, b.now - p.answerAt, b.now - p.dialAt);
  b.hangup(phone, 16);
  b.softHangupRequest(caller, 16);
  rtpQos(b, caller, 0, 1);
  memberStatusPart(b, p.phoneExt, 'NOT_INUSE', 0, 1);
  rtpQos(b, caller, 1);
  memberStatusPart(b, p.phoneExt, 'NOT_INUSE', 1);
  b.deviceState(`PJSIP/${p.phoneExt}`, 'NOT_INUSE');
  p.cdrs();
  b.hangup(caller, 16);
  b.deviceState(`PJSIP/${caller.device}`, 'NOT_INUSE');
}
