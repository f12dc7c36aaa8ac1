/**
 * An inbound call followed by a call rating IVR, as recorded on Asterisk 22.10.1
 * (`test/fixtures/ami-recorded/lab22-y/z`, see SCENARIOS.md there). Dialplan of DID 5551017 in the lab:
 *   NoOp(Call rating IVR after the talk) · Set(__FROM_DID=${EXTEN}) · Dial(PJSIP/<to>,20,g) ·
 *   Read(RATING,,1,,1,5) · Set(B24_VOTE=${RATING}) · Hangup()
 *
 * The employee hangs up (the phone's BYE); thanks to `g` the caller goes on at `Read` — no
 * `SoftHangupRequest` for it then. A digit arrives as `DTMFBegin`/`DTMFEnd` (RFC 4733, 100 ms) on the
 * caller's channel, `Read` sets `RATING` and `READSTATUS=OK`, and `Set` gives `VarSet B24_VOTE` on the
 * caller's channel (the call's Linkedid), after the employee's `Hangup` and before the caller's. With
 * `none` the caller hangs up during `Read`: `RATING` empty, `READSTATUS=HANGUP`, no `B24_VOTE` at all.
 * The caller's channel then gets a second `Cdr` (no DestinationChannel; LastApplication `Hangup` or
 * `Read`). Not recorded, so not modelled: `Read` timing out (the dialplan would set `B24_VOTE` empty).
 *
 * Two races came out differently in the two recordings and are reproduced as recorded: with a digit
 * (lab22-y) the phone's `Newstate Ringing` precedes the caller's `DialState` and its `Hangup` precedes
 * the caller's `Newexten Read`; with `none` (lab22-z) it is the other way round in both places (plus the
 * device-state noise around ringing and answer).
 */
import { STATE } from '../channel-block.js';
import type { CallBuilder, Chan } from '../builder.js';
import type { InboundSpec, RatingDigit } from '../spec.js';
import {
  answerVars, bridgePeers, bridgePeersClear, callerIdString, cdr, dialDoneVars, dialReset, ringTime, rtpQos,
  rtpQosBridged,
} from '../steps.js';
import { dialLeg, didCaller } from './office-common.js';

const READ_DATA = 'RATING,,1,,1,5';

function dtmf(b: CallBuilder, ch: Chan, digit: string, durationMs: number): void {
  b.chanEvent('DTMFBegin', 'dtmf', ch, [['Digit', digit], ['Direction', 'Received']]);
  b.wait(durationMs);
  b.chanEvent('DTMFEnd', 'dtmf', ch, [['Digit', digit], ['DurationMs', String(durationMs)], ['Direction', 'Received']]);
}

export function ratingFlow(b: CallBuilder, s: InboundSpec, rating: RatingDigit | 'none'): void {
  const voted = rating !== 'none';
  const trunk = s.trunk ?? 'trunk';
  const timeout = s.dialTimeoutMs ?? 20_000;
  const caller = didCaller(b, s, 'Call rating IVR after the talk');
  const dialData = `PJSIP/${s.to},${Math.round(timeout / 1000)},g`;
  b.newexten(caller, 'Dial', dialData, { priority: 3 });
  dialReset(b, caller);
  const phone = dialLeg(b, caller, s.to, s.did);
  b.dialBegin(caller, phone, s.to);
  b.newConnectedLine(caller, phone.cidNum, phone.cidName);
  b.wait(50);

  // Ringing.
  if (voted) {
    b.newstate(phone, STATE.ringing);
    ringTime(b, caller, 54);
    b.dialState(caller, phone);
    b.deviceState(`PJSIP/${s.to}`, 'RINGING');
    b.deviceState(`PJSIP/${trunk}`, 'INUSE');
    b.memberStatus(s.to, 'RINGING');
  } else {
    ringTime(b, caller, 53);
    b.dialState(caller, phone);
    b.deviceState(`PJSIP/${trunk}`, 'INUSE');
    b.newstate(phone, STATE.ringing);
    b.phoneState(s.to, 'RINGING');
  }
  b.wait(Math.min(s.ringMs ?? 3000, timeout));

  // The phone answers.
  const answerAt = b.now;
  b.newstate(phone, STATE.up);
  answerVars(b, caller, phone, s.to);
  phone.exten = '';
  if (voted) {
    b.dialEnd(caller, phone, 'ANSWER');
    b.phoneState(s.to, 'INUSE');
  } else {
    b.deviceState(`PJSIP/${s.to}`, 'INUSE');
    b.dialEnd(caller, phone, 'ANSWER');
    b.memberStatus(s.to, 'INUSE');
  }
  b.newstate(caller, STATE.up);
  const br = b.newBridge();
  b.bridgeCreate(br);
  b.newexten(phone, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, phone);
  b.bridgeEnter(br, caller);
  bridgePeers(b, [caller, phone], 3);
  b.wait(s.talkMs ?? 5000);

  // The phone hangs up; Dial returns (`g`) and the caller goes on at Read.
  rtpQosBridged(b, phone, caller);
  b.hangupRequest(phone, 16);
  bridgePeersClear(b, phone, caller);
  b.bridgeLeave(br, phone);
  b.bridgeLeave(br, caller);
  b.bridgeDestroy(br);
  const talkEnd = b.now;
  dialDoneVars(b, caller, talkEnd - answerAt, talkEnd);
  if (voted) b.hangup(phone, 16);
  b.newexten(caller, 'Read', READ_DATA, { priority: 4 });
  b.varset(caller, 'READSTATUS', 'ERROR');
  if (!voted) b.hangup(phone, 16);
  b.phoneState(s.to, 'NOT_INUSE');

  const base = {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, uniqueid: caller.uniqueid,
  };
  const cdrs = (lastApplication: string, lastData: string): void => {
    cdr(b, { ...base, destinationChannel: phone.name, lastApplication: 'Dial', lastData: dialData, startMs: 0, answerMs: answerAt, endMs: talkEnd, disposition: 'ANSWERED' });
    // The caller's channel lived on after the bridge: its own record for the IVR part.
    cdr(b, { ...base, destinationChannel: '', lastApplication, lastData, startMs: talkEnd, answerMs: talkEnd, endMs: b.now, disposition: 'ANSWERED' });
  };

  b.wait(s.rateMs ?? (voted ? 1000 : 2000));
  if (voted) {
    dtmf(b, caller, rating, 100);
    b.varset(caller, 'RATING', rating);
    b.varset(caller, 'READSTATUS', 'OK');
    b.newexten(caller, 'Set', `B24_VOTE=${rating}`, { priority: 5 });
    b.varset(caller, 'B24_VOTE', rating);
    b.newexten(caller, 'Hangup', '', { priority: 6 });
    b.softHangupRequest(caller, 16);
    rtpQos(b, caller);
    b.hangup(caller, 16);
    cdrs('Hangup', '');
  } else {
    // The caller's BYE during Read.
    rtpQos(b, caller);
    b.hangupRequest(caller, 16);
    b.varset(caller, 'RATING', '');
    b.varset(caller, 'READSTATUS', 'HANGUP');
    b.softHangupRequest(caller, 16);
    cdrs('Read', READ_DATA);
    b.hangup(caller, 16);
  }
  b.deviceState(`PJSIP/${trunk}`, 'NOT_INUSE');
}
