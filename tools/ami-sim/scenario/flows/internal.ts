/**
 * Extension to extension (`from-internal`, `_1XX` → `NoOp(Internal call to …)` · `Dial(PJSIP/<to>,20)`
 * · `Hangup()`). No lab22 transcript: built from the inbound (lab22-a/b) event shapes with the
 * caller being a phone leg born `Ring` in from-internal (as lab22-c shows for phone-originated legs).
 */
import { STATE } from '../channel-block.js';
import type { CallBuilder } from '../builder.js';
import { userName } from '../pbx.js';
import type { InternalSpec } from '../spec.js';
import { runSingleDial } from './single-dial.js';
import { startMixMonitor } from './mixmonitor.js';

export function internalFlow(b: CallBuilder, s: InternalSpec): void {
  const caller = b.newChan({
    device: s.from, state: STATE.ring, cidNum: s.from, cidName: userName(b.pbx, s.from),
    context: b.pbx.internalContext, exten: s.to,
  });
  b.newchannel(caller);
  b.varset(caller, 'SIPDOMAIN', b.pbx.sipDomain);
  b.newexten(caller, 'NoOp', `Internal call to ${s.to}`);
  if (s.record === true) startMixMonitor(b, caller);
  runSingleDial(b, {
    caller, callerDevice: s.from, calleeExt: s.to, calleeName: userName(b.pbx, s.to),
    dialData: `PJSIP/${s.to},20`, inherited: [], outcome: s.outcome, ringMs: Math.min(s.ringMs ?? 3000, 20_000),
    talkMs: s.talkMs ?? 5000, dialTimeoutMs: 20_000, hangupBy: s.hangupBy ?? 'caller', recorded: s.record === true,
    cdrDestination: s.to,
  });
}
