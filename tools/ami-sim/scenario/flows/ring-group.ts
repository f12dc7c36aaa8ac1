/**
 * Ring group: a DID rings several phones at once with one Dial() — `NoOp(Ring group 101+102)` ·
 * `Set(__FROM_DID=${EXTEN})` · `Dial(PJSIP/101&PJSIP/102,20)` — and one answers, as recorded on
 * Asterisk 22.10.1 (`test/fixtures/ami-recorded/lab22-m_ring_group.txt`): every leg is created and
 * dialled before any rings, the caller's connected line changes only on the answer, each loser gets
 * one `DialEnd CANCEL` (before the winner's `DialEnd ANSWER`) and `Hangup` cause 26 (Answered
 * elsewhere); one Cdr per loser (NO ANSWER) then the winner's (ANSWERED).
 * More than two members repeat the recorded two-member pattern (first member's noise first).
 */
import { STATE } from '../channel-block.js';
import type { CallBuilder } from '../builder.js';
import type { RingGroupSpec } from '../spec.js';
import { answerVars, bridgePeers, callerIdString, cdr, dialReset, ringTime } from '../steps.js';
import { callerEndsDialBridge, dialLeg, didCaller, phoneEndsDialBridge } from './office-common.js';

export function ringGroupFlow(b: CallBuilder, s: RingGroupSpec): void {
  const members = [...s.members];
  const winnerExt = s.answeredBy ?? members[members.length - 1] ?? '';
  const caller = didCaller(b, s, `Ring group ${members.join('+')}`);
  const dialData = `${members.map((m) => `PJSIP/${m}`).join('&')},${Math.round((s.dialTimeoutMs ?? 20_000) / 1000)}`;
  b.newexten(caller, 'Dial', dialData, { priority: 3 });
  dialReset(b, caller);
  const legs = members.map((ext) => ({ ext, ch: dialLeg(b, caller, ext, s.did) }));
  for (const l of legs) b.dialBegin(caller, l.ch, l.ext);
  b.wait(2);

  // Ringing: the first phone's noise complete, the others' device state; then the caller's
  // RINGTIME and one DialState per leg (latest first), the other members' queue state, the trunk.
  legs.forEach((l, i) => {
    b.newstate(l.ch, STATE.ringing);
    if (i === 0) b.phoneState(l.ext, 'RINGING');
    else b.deviceState(`PJSIP/${l.ext}`, 'RINGING');
  });
  ringTime(b, caller);
  for (const l of [...legs].reverse()) b.dialState(caller, l.ch);
  for (const l of legs.slice(1)) b.memberStatus(l.ext, 'RINGING');
  b.deviceState(`PJSIP/${caller.device}`, 'INUSE');

  b.wait(s.ringMs ?? 3000);
  const answerAt = b.now;
  const winner = legs.find((l) => l.ext === winnerExt) ?? legs[legs.length - 1];
  if (!winner) return;
  const losers = legs.filter((l) => l !== winner);
  b.newstate(winner.ch, STATE.up);
  b.newConnectedLine(caller, winner.ch.cidNum, winner.ch.cidName);
  b.phoneState(winner.ext, 'INUSE');
  for (const l of losers) b.dialEnd(caller, l.ch, 'CANCEL');
  answerVars(b, caller, winner.ch, winner.ext);
  winner.ch.exten = '';
  b.dialEnd(caller, winner.ch, 'ANSWER');
  b.newstate(caller, STATE.up);
  for (const l of losers) {
    b.hangup(l.ch, 26);
    b.phoneState(l.ext, 'NOT_INUSE');
  }
  const br = b.newBridge();
  b.bridgeCreate(br);
  b.newexten(winner.ch, 'AppDial', '(Outgoing Line)');
  b.bridgeEnter(br, winner.ch);
  b.bridgeEnter(br, caller);
  bridgePeers(b, [caller, winner.ch], 3);
  b.wait(s.talkMs ?? 5000);

  const base = {
    source: caller.cidNum, destination: s.did, destinationContext: b.pbx.trunkContext,
    callerId: callerIdString(caller.cidName, caller.cidNum), channel: caller.name, lastApplication: 'Dial',
    lastData: dialData, startMs: 0, uniqueid: caller.uniqueid,
  };
  const end = {
    caller, phone: winner.ch, phoneExt: winner.ext, br, answerAt, dialAt: 0,
    cdrs: (): void => {
      for (const l of losers) cdr(b, { ...base, destinationChannel: l.ch.name, endMs: answerAt, disposition: 'NO ANSWER' });
      cdr(b, { ...base, destinationChannel: winner.ch.name, answerMs: answerAt, endMs: b.now, disposition: 'ANSWERED' });
    },
  };
  if (s.hangupBy === 'callee') phoneEndsDialBridge(b, end);
  else callerEndsDialBridge(b, end);
}
