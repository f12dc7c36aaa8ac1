/**
 * AMI Originate (Async) with a PJSIP first leg: lab22-d1 (answered, then the far end), d3 (phone
 * never answers: OriginateResponse Failure Reason 3, Hangup cause 19), d4 (busy: Reason 0).
 * A Local first leg is delegated to originate-local.ts (lab22-d2).
 */
import { STATE } from '../channel-block.js';
import type { CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import { originateTarget, type OriginateRequest } from '../spec.js';
import { dialReset, ringTime } from '../steps.js';
import {
  callerHangsUp, newTrunkCallee, notAnswered, outboundDialplan, trunkAnswers, trunkHangsUp, type TrunkDial,
} from './outbound.js';
import { originateLocalFlow } from './originate-local.js';
import { internalAfterOriginate } from './originate-internal.js';
import { applyOriginateSetup, DEFAULT_FAR_END, originateResponse } from './originate-common.js';

export function originateFlow(b: CallBuilder, req: OriginateRequest): void {
  const target = originateTarget(req.channel);
  if (target?.tech === 'Local') return originateLocalFlow(b, req, target.exten, target.context ?? b.pbx.internalContext);
  const ext = target?.exten ?? '';
  const leg = b.newChan({
    device: ext, state: STATE.down, cidNum: ext, cidName: userName(b.pbx, ext), context: b.pbx.internalContext, exten: 's',
  });
  b.newchannel(leg);
  b.newexten(leg, 'AppDial2', '(Outgoing Line)');
  applyOriginateSetup(b, leg, req);
  b.dialBegin(undefined, leg, ext);
  b.wait(2);
  const phone = req.phone;
  if (phone.kind === 'busy' || phone.kind === 'reject') {
    const [cause, tech] = phone.kind === 'busy' ? [17, 486] : [21, 603];
    b.hangupRequest(leg, cause, tech);
    b.dialEnd(undefined, leg, 'BUSY');
    b.hangup(leg, cause, tech);
    originateResponse(b, req, false, 0);
    return;
  }
  b.newstate(leg, STATE.ringing);
  if (phone.kind === 'noanswer') {
    b.phoneState(ext, 'RINGING');
    b.dialState(undefined, leg);
    b.wait(req.timeoutMs ?? 30_000);
    originateResponse(b, req, false, 3);
    b.hangup(leg, 19, 480);
    b.phoneState(ext, 'NOT_INUSE');
    return;
  }
  b.dialState(undefined, leg);
  b.phoneState(ext, 'RINGING');
  b.wait(Math.min(phone.afterMs, req.timeoutMs ?? 30_000));
  const phoneUpAt = b.now;
  b.newstate(leg, STATE.up);
  b.dialEnd(undefined, leg, 'ANSWER');
  runDialplan(b, req, leg, ext, phoneUpAt, phone.talkMs);
}

/** The answered first leg runs `exten@context`: outbound number via the trunk, or an extension. */
function runDialplan(b: CallBuilder, req: OriginateRequest, leg: Chan, ext: string, phoneUpAt: number, phoneTalkMs: number): void {
  if (/^[0-9]{3}$/.test(req.exten)) return internalAfterOriginate(b, req, leg, ext, phoneUpAt, phoneTalkMs);
  const trunk = req.trunk ?? 'trunk';
  const d: TrunkDial = { ...outboundDialplan(b, leg, req.exten, trunk, '5551000'), callerExt: ext, startMs: b.now, cdrAnswerMs: phoneUpAt };
  dialReset(b, leg, 0, 7);
  b.deviceState(`PJSIP/${ext}`, 'INUSE');
  dialReset(b, leg, 7);
  b.memberStatus(ext, 'INUSE');
  originateResponse(b, req, true, 4, leg);
  b.wait(2);
  const far = req.farEnd ?? DEFAULT_FAR_END;
  const callee = newTrunkCallee(b, d);
  b.newstate(callee, STATE.ringing);
  ringTime(b, leg);
  b.dialState(leg, callee);
  b.deviceState(`PJSIP/${trunk}`, 'RINGING');
  if (far.kind !== 'answer') {
    notAnswered(b, d, callee, far.kind === 'noanswer' ? 'noanswer' : 'busy', 0);
    return;
  }
  b.wait(far.afterMs);
  const answerAt = b.now;
  const br = trunkAnswers(b, d, callee);
  const phoneLeft = Math.max(0, phoneTalkMs - (answerAt - phoneUpAt));
  b.wait(Math.min(far.talkMs, phoneLeft));
  if (far.talkMs <= phoneLeft) trunkHangsUp(b, d, callee, br, answerAt);
  else callerHangsUp(b, d, callee, br, answerAt);
}
