/**
 * Caller hangs up inside an IVR (lab22-i): `NoOp(IVR)` · `Answer()` · `Set(TIMEOUT(digit)=3)` ·
 * `Background(<prompt>)` (· `WaitExten(10)` never reached). No DialBegin at all; HangupRequest has no
 * Cause, Hangup has Cause 0; Cdr ANSWERED.
 */
import { STATE } from '../channel-block.js';
import type { CallBuilder } from '../builder.js';
import type { IvrAbandonSpec } from '../spec.js';
import { callerIdString, cdr, rtpQos } from '../steps.js';
import { newTrunkCaller } from './inbound.js';

export function ivrAbandonFlow(b: CallBuilder, s: IvrAbandonSpec): void {
  const prompt = s.prompt ?? 'custom/welcome';
  const caller = newTrunkCaller(b, s);
  b.newexten(caller, 'NoOp', 'IVR');
  b.newexten(caller, 'Answer', '', { priority: 2 });
  b.newstate(caller, STATE.up);
  const answerAt = b.now;
  b.deviceState(`PJSIP/${s.trunk ?? 'trunk'}`, 'INUSE');
  b.newexten(caller, 'Set', 'TIMEOUT(digit)=3', { priority: 3 });
  b.newexten(caller, 'BackGround', prompt, { priority: 4 });
  b.wait(s.ivrMs ?? 2500);
  rtpQos(b, caller);
  b.hangupRequest(caller);
  b.varset(caller, 'BACKGROUNDSTATUS', 'SUCCESS');
  b.softHangupRequest(caller, 16);
  cdr(b, {
    source: caller.cidNum, destination: s.did, destinationContext: caller.context,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, destinationChannel: '',
    lastApplication: 'BackGround', lastData: prompt, startMs: 0, answerMs: answerAt, endMs: b.now,
    disposition: 'ANSWERED', uniqueid: caller.uniqueid,
  });
  b.hangup(caller, 0);
  b.deviceState(`PJSIP/${s.trunk ?? 'trunk'}`, 'NOT_INUSE');
}
