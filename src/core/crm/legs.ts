/**
 * One registration per transferred leg (`calls.transferMode: per-leg`): a physical call that was
 * transferred becomes one Bitrix24 call per leg. A leg ends when its conversation ends with reason
 * `transfer`; the conversations after it form the next leg. Leg 1 keeps the call's key (a call that
 * is never transferred is exactly as in longest-talker mode); leg n > 1 is keyed `<callKey>#<n>`, so
 * its register carries EXTERNAL_CALL_ID `<callKey>#<n>`, unique per physical call and leg.
 *
 * Pure: a stage change of the physical call → the stage changes of its legs, in order. `ended`
 * remembers which legs were already closed (the caller keeps it per call).
 */
import type { CallSummary, ConversationSummary, StageChange } from '../call/model.js';

export function legKey(callKey: string, leg: number): string {
  return leg === 1 ? callKey : `${callKey}#${leg}`;
}

/** Leg number of each conversation, in the call's order. */
export function legsOf(conversations: readonly ConversationSummary[]): number[] {
  const out: number[] = [];
  let leg = 1;
  for (const c of conversations) {
    out.push(leg);
    if (c.endReason === 'transfer') leg++;
  }
  return out;
}

function legSummary(call: CallSummary, legs: readonly number[], leg: number, ended: boolean): CallSummary {
  const convs = call.conversations.filter((_, i) => legs[i] === leg);
  const first = convs[0];
  const answered = convs.find((c) => c.acceptedAt !== undefined);
  const transferEnd = convs.find((c) => c.endReason === 'transfer');
  const endedAt = transferEnd?.endedAt ?? call.endedAt;
  const out: Record<string, unknown> = {
    ...call,
    callKey: legKey(call.callKey, leg),
    conversations: convs,
    startedAt: leg === 1 || !first ? call.startedAt : first.requestedAt,
  };
  if (answered?.acceptedAt !== undefined) out.answeredAt = answered.acceptedAt;
  else delete out.answeredAt;
  if (ended && endedAt !== undefined) out.endedAt = endedAt;
  else if (!ended) delete out.endedAt;
  if (ended) {
    const status = answered ? '200' : transferEnd ? '200' : (call.statusCode ?? '304');
    out.statusCode = status;
  }
  return out as unknown as CallSummary;
}

export function splitLegs(change: StageChange, ended: Set<number>): StageChange[] {
  const call = change.call;
  const legs = legsOf(call.conversations);
  const out: StageChange[] = [];
  const closeUpTo = (last: number, at: number): void => {
    for (let l = 1; l <= last; l++) {
      if (ended.has(l) || !legs.includes(l)) continue;
      ended.add(l);
      const s = legSummary(call, legs, l, true);
      out.push({ callKey: s.callKey, stage: 'call_ended', at: s.endedAt ?? at, call: s });
    }
  };
  if (change.stage === 'call_ended') {
    closeUpTo(Math.max(1, ...legs), change.at);
    if (out.length === 0 && !ended.has(1) && legs.length === 0) {
      ended.add(1);
      out.push({ ...change, call: legSummary(call, legs, 1, true) });
    }
    return out;
  }
  const idx = change.conversation ? call.conversations.findIndex((c) => c.id === change.conversation!.id) : -1;
  const leg = idx >= 0 ? legs[idx]! : 1;
  // The first conversation of a new leg: the previous legs are over (their transfer happened).
  if (change.stage === 'conversation_requested' && leg > 1) closeUpTo(leg - 1, change.at);
  if (ended.has(leg)) return out;
  const s = legSummary(call, legs, leg, false);
  out.push({ ...change, callKey: s.callKey, call: s });
  return out;
}
