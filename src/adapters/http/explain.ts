/**
 * The per-call "why": registered, card shown, assigned — derived from the flow's stored state
 * (CRM state + timeline notes) so the real PanelPort and the fake say it the same way.
 *
 * Each verdict keeps its pieces apart (`parts`: the notes it quotes and the phrases below) so the
 * call page can show them in the panel's language (ui/texts/notes-ru.ts has a rule for each phrase).
 */
import type { StoredCallState } from '../../flow/call-to-crm.js';
import type { CallExplanation, Verdict } from './panel-port.js';

function notesWith(state: StoredCallState, re: RegExp): string[] {
  return state.timeline.flatMap((e) => e.notes.filter((n) => re.test(n)));
}

function verdict(ok: boolean, ...parts: string[]): Verdict {
  return { ok, reason: parts.join('; '), parts };
}

export function explainCall(state: StoredCallState): CallExplanation {
  const { crm } = state;
  let registered: Verdict;
  if (crm.skipped !== undefined) registered = verdict(false, `not registered: ${crm.skipped}`);
  else if (crm.registered) {
    const how = notesWith(state, /^registered/)[0] ?? 'registered';
    registered = crm.b24CallId ? verdict(true, how, `CALL_ID ${crm.b24CallId}`) : verdict(true, how);
  } else registered = verdict(false, 'not decided yet: no conversation reached an extension');

  const shownNotes = notesWith(state, /^card shown/);
  const noCard = notesWith(state, /no card/);
  let shown: Verdict;
  if (shownNotes.length) shown = verdict(true, ...shownNotes);
  else if (!registered.ok) shown = verdict(false, 'no card: the call is not registered');
  else if (noCard.length) shown = verdict(false, ...noCard);
  else shown = verdict(false, 'no card: no extension with a Bitrix24 user rang');

  let assigned: Verdict;
  const finish = notesWith(state, /^finished for user/)[0];
  if (finish !== undefined) assigned = verdict(true, finish);
  else if (crm.registeredUserId !== undefined) {
    assigned = verdict(true, `user ${crm.registeredUserId} (registered for; not finished yet)`);
  } else assigned = verdict(false, registered.ok ? 'nobody yet' : 'not assigned: the call is not registered');
  // Where the PBX sent the call, and why (responsible manager or not), comes first.
  const route = notesWith(state, /^FastAGI route/)[0];
  if (route !== undefined) assigned = verdict(assigned.ok, route, ...assigned.parts);
  return { registered, shown, assigned };
}
