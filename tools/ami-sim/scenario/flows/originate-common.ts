/** Pieces shared by the Originate flows (PJSIP, Local, internal extension). */
import type { CallBuilder, Chan } from '../builder.js';
import { parseCallerId, type OriginateRequest } from '../spec.js';
import type { PhoneBehaviour } from '../types.js';

export const DEFAULT_FAR_END: PhoneBehaviour = { kind: 'answer', afterMs: 2000, talkMs: 4000 };

/** `OriginateResponse`; failure names the requested channel and `Uniqueid: <unknown>`. */
export function originateResponse(b: CallBuilder, req: OriginateRequest, ok: boolean, reason: number, ch?: Chan): void {
  const cid = parseCallerId(req.callerId);
  b.emit('OriginateResponse', 'call', [
    ...(req.actionId === undefined ? [] : [['ActionID', req.actionId] as const]),
    ['Response', ok ? 'Success' : 'Failure'], ['Channel', ok && ch ? ch.name : req.channel],
    ['Context', req.context], ['Exten', req.exten], ['Reason', String(reason)],
    ['Uniqueid', ok && ch ? ch.uniqueid : '<unknown>'],
    ['CallerIDNum', cid.num || '<unknown>'], ['CallerIDName', cid.name || '<unknown>'],
  ]);
}

/** Originate's caller id and variables applied to a new first leg (AppDial2, VarSet, NewCallerid, NewConnectedLine). */
export function applyOriginateSetup(b: CallBuilder, ch: Chan, req: OriginateRequest, setVars = true): void {
  if (setVars) for (const [k, v] of Object.entries(req.variables ?? {})) b.varset(ch, k, v);
  if (req.callerId) {
    const cid = parseCallerId(req.callerId);
    b.newCallerid(ch, cid.num, cid.name);
    b.newConnectedLine(ch, cid.num, cid.name);
  }
}

