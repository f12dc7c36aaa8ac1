/**
 * Originate whose `Exten` is an extension (`_1XX` in from-internal): after the first leg answers it
 * runs `NoOp(Internal call to …)` · `Dial(PJSIP/<exten>,20)`. No lab transcript: the OriginateResponse
 * placement follows lab22-d1, the Dial part follows lab22-a (single-dial.ts).
 */
import type { CallBuilder, Chan } from '../builder.js';
import { userName } from '../pbx.js';
import type { OriginateRequest } from '../spec.js';
import { runSingleDial } from './single-dial.js';
import { DEFAULT_FAR_END, originateResponse } from './originate-common.js';

export function internalAfterOriginate(b: CallBuilder, req: OriginateRequest, leg: Chan, ext: string, phoneUpAt: number, phoneTalkMs: number): void {
  b.newexten(leg, 'NoOp', `Internal call to ${req.exten}`, { exten: req.exten, priority: 1, context: req.context });
  originateResponse(b, req, true, 4, leg);
  const far = req.farEnd ?? DEFAULT_FAR_END;
  const ringMs = far.kind === 'answer' ? far.afterMs : 3000;
  const farTalk = far.kind === 'answer' ? far.talkMs : 0;
  const phoneLeft = Math.max(0, phoneTalkMs - (b.now + ringMs - phoneUpAt));
  runSingleDial(b, {
    caller: leg, callerDevice: ext, calleeExt: req.exten, calleeName: userName(b.pbx, req.exten),
    dialData: `PJSIP/${req.exten},20`, inherited: [],
    outcome: far.kind === 'answer' ? 'answered' : far.kind === 'noanswer' ? 'noanswer' : 'busy',
    ringMs, talkMs: Math.min(farTalk, phoneLeft), dialTimeoutMs: 20_000,
    hangupBy: farTalk <= phoneLeft ? 'callee' : 'caller', recorded: false, cdrDestination: req.exten,
  });
}

