/**
 * The per-call "why": registered, card shown, assigned — derived from the flow's stored state
 * (CRM state + timeline notes) so the real PanelPort and the fake say it the same way.
 */
import type { StoredCallState } from '../../flow/call-to-crm.js';
import type { CallExplanation, Verdict } from './panel-port.js';

function notesWith(state: StoredCallState, re: RegExp): string[] {
  return state.timeline.flatMap((e) => e.notes.filter((n) => re.test(n)));
}

export function explainCall(state: StoredCallState): CallExplanation {
  const { crm } = state;
  let registered: Verdict;
  if (crm.skipped !== undefined) registered = { ok: false, reason: `not registered: ${crm.skipped}` };
  else if (crm.registered) {
    const how = notesWith(state, /^registered/)[0] ?? 'registered';
    registered = { ok: true, reason: crm.b24CallId ? `${how}; CALL_ID ${crm.b24CallId}` : how };
  } else registered = { ok: false, reason: 'not decided yet: no conversation reached an extension' };

  const shownNotes = notesWith(state, /^card shown/);
  const noCard = notesWith(state, /no card/);
  let shown: Verdict;
  if (shownNotes.length) shown = { ok: true, reason: shownNotes.join('; ') };
  else if (!registered.ok) shown = { ok: false, reason: 'no card: the call is not registered' };
  else if (noCard.length) shown = { ok: false, reason: noCard.join('; ') };
  else shown = { ok: false, reason: 'no card: no extension with a Bitrix24 user rang' };

  let assigned: Verdict;
  const finish = notesWith(state, /^finished for user/)[0];
  if (finish !== undefined) assigned = { ok: true, reason: finish };
  else if (crm.registeredUserId !== undefined) {
    assigned = { ok: true, reason: `user ${crm.registeredUserId} (registered for; not finished yet)` };
  } else assigned = { ok: false, reason: registered.ok ? 'nobody yet' : 'not assigned: the call is not registered' };
  // Where the PBX sent the call, and why (responsible manager or not), comes first.
  const route = notesWith(state, /^FastAGI route/)[0];
  if (route !== undefined) assigned = { ...assigned, reason: `${route}; ${assigned.reason}` };
  return { registered, shown, assigned };
}
