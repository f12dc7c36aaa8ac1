/**
 * Inbound trunk call to one extension (lab22-a/b1/b2/b3), optionally recorded (lab22-j), or followed
 * by a call rating IVR (`rating`: flows/rating.ts, lab22-y/z; generate.ts picks that flow).
 * Dialplan modelled (SCENARIOS.md lab setup):
 *   plain:    NoOp(Inbound DID …) · Set(__FROM_DID=${EXTEN}) · Dial(PJSIP/<to>,8) · Hangup()
 *   recorded: NoOp(Recorded call) · Set(CALLFILENAME=…) · MixMonitor(${CALLFILENAME}.wav,b) · Dial(PJSIP/<to>,15) · Hangup()
 */
import { STATE } from '../channel-block.js';
import type { CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import type { InboundSpec } from '../spec.js';
import { runSingleDial } from './single-dial.js';
import { startMixMonitor } from './mixmonitor.js';

/** The trunk leg of an external caller, born `Ring` in the trunk context (PJSIP inbound). */
export function newTrunkCaller(b: CallBuilder, s: { from: string; fromName?: string; did: string; trunk?: string }): Chan {
  const ch = b.newChan({
    device: s.trunk ?? 'trunk', state: STATE.ring, cidNum: s.from, cidName: s.fromName ?? 'External Caller',
    context: b.pbx.trunkContext, exten: s.did,
  });
  b.newchannel(ch);
  b.varset(ch, 'SIPDOMAIN', b.pbx.sipDomain);
  return ch;
}

export function inboundFlow(b: CallBuilder, s: InboundSpec): void {
  const trunk = newTrunkCaller(b, s);
  const recorded = s.record === true;
  const inherited: Array<readonly [string, string]> = [];
  if (recorded) {
    b.newexten(trunk, 'NoOp', 'Recorded call');
    startMixMonitor(b, trunk);
  } else {
    b.newexten(trunk, 'NoOp', `Inbound DID ${s.did} from ${s.from}`);
    b.newexten(trunk, 'Set', `__FROM_DID=${s.did}`, { priority: 2 });
    b.varset(trunk, '__FROM_DID', s.did);
    inherited.push(['__FROM_DID', s.did]);
  }
  const timeout = s.dialTimeoutMs ?? (recorded ? 15_000 : 8_000);
  runSingleDial(b, {
    caller: trunk, callerDevice: s.trunk ?? 'trunk', calleeExt: s.to, calleeName: userName(b.pbx, s.to),
    dialData: `PJSIP/${s.to},${Math.round(timeout / 1000)}`, inherited, outcome: s.outcome,
    ringMs: Math.min(s.ringMs ?? 3000, timeout), talkMs: s.talkMs ?? 5000, dialTimeoutMs: timeout,
    hangupBy: s.hangupBy ?? 'caller', recorded, cdrDestination: s.did,
  });
}
