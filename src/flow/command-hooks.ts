/**
 * The planned commands through their customization hooks (docs/hooks.md): the register through
 * process_registration_params then post_registration, each card through customize_show_call_card
 * (another user, or none at this stage), the finish through process_final_params. Click-to-call
 * runs post_registration first: Bitrix24 registered the call itself.
 */
import type { StageChange } from '../core/call/model.js';
import type { CrmCommand } from '../core/crm/commands.js';
import type { CrmCallState, PlanOutput } from '../core/crm/plan.js';
import {
  FINAL_KEYS, REGISTRATION_KEYS, applyFinal, applyRegistration, finalInput, knownCallId, registrationInput, withParams, type HookSession,
} from './call-hooks.js';
import type { CallB24Facts } from './missed-call-task.js';

type Stage = StageChange['stage'];

/**
 * The planned commands through their hooks: register (process_registration_params, then
 * post_registration), each show (customize_show_call_card), the finish (process_final_params).
 * Click-to-call runs post_registration first: Bitrix24 registered the call itself.
 */
export async function hookCommands(prev: CrmCallState | undefined, p: PlanOutput, stage: Stage, session: HookSession, b24: CallB24Facts, clickToCallRegistered: boolean): Promise<PlanOutput & { finishUserId?: number }> {
  let state = p.state;
  const commands: CrmCommand[] = [];
  const notes = [...p.notes];
  let finishUserId: number | undefined;
  const keep = new Set<number>();
  const prevShown = prev?.shownTo ?? [];
  if (clickToCallRegistered && state.registered) await session.run('post_registration', { call_stage: stage }, []);
  for (const c of p.commands) {
    if (c.step === 'register') {
      const data = await session.run('process_registration_params', registrationInput(c.params, stage), REGISTRATION_KEYS);
      const params = applyRegistration(c.params, data);
      commands.push(withParams(c, params));
      if (typeof params['USER_ID'] === 'number') state = { ...state, registeredUserId: params['USER_ID'] };
      await session.run('post_registration', { call_stage: stage }, []);
    } else if (c.method === 'telephony.externalcall.show' && typeof c.params['USER_ID'] === 'number') {
      const r = await hookShow(c, c.params['USER_ID'], stage, session, state, b24, prevShown);
      state = r.state;
      if (r.command) commands.push(r.command);
      if (r.target !== undefined) keep.add(r.target);
      notes.push(...r.notes);
    } else if (c.method === 'telephony.externalcall.hide' && keep.size > 0) {
      // A card redirected at this stage is not hidden again by the same stage.
      const ids = (Array.isArray(c.params['USER_ID']) ? c.params['USER_ID'] : [c.params['USER_ID']]) as number[];
      const rest = ids.filter((u) => !keep.has(u));
      state = { ...state, shownTo: [...new Set([...state.shownTo, ...ids.filter((u) => keep.has(u))])] };
      if (rest.length > 0) commands.push(withParams(c, { ...c.params, USER_ID: rest.length === 1 ? rest[0] : rest }));
    } else if (c.step === 'finish') {
      const data = await session.run('process_final_params', finalInput(c.params, b24), FINAL_KEYS);
      const params = applyFinal(c.params, data);
      if (typeof params['USER_ID'] === 'number') finishUserId = params['USER_ID'];
      commands.push(withParams(c, params));
    } else {
      commands.push(c);
    }
  }
  return { state, commands, notes, ...(finishUserId !== undefined ? { finishUserId } : {}) };
}

/** customize_show_call_card: another user (the card follows), USER_ID 0 = no card at this stage. */
async function hookShow(c: CrmCommand, userId: number, stage: Stage, session: HookSession, state: CrmCallState, b24: CallB24Facts, prevShown: readonly number[]): Promise<{ state: CrmCallState; command?: CrmCommand; target?: number; notes: string[] }> {
  const input = { CALL_ID: knownCallId(c.params['CALL_ID'], b24.callId), USER_ID: userId, call_stage: stage };
  const data = await session.run('customize_show_call_card', input, ['CALL_ID', 'USER_ID']);
  const target = typeof data['USER_ID'] === 'number' ? data['USER_ID'] : userId;
  const callId = typeof data['CALL_ID'] === 'string' && data['CALL_ID'] !== '' && data['CALL_ID'] !== input.CALL_ID ? data['CALL_ID'] : c.params['CALL_ID'];
  const without = state.shownTo.filter((u) => u !== userId);
  if (target <= 0) return { state: { ...state, shownTo: without }, notes: [`card for user ${userId} not shown at ${stage} (customize_show_call_card)`] };
  if (target === userId && callId === c.params['CALL_ID']) return { state, command: c, target, notes: [] };
  // Already showing since an earlier stage (a hide of it planned now is dropped by the caller).
  const already = without.includes(target) || prevShown.includes(target);
  const next = { ...state, shownTo: already ? without : [...without, target] };
  const notes = [`card for user ${userId} shown to user ${target} (customize_show_call_card)`];
  return already ? { state: next, target, notes } : { state: next, command: withParams(c, { ...c.params, CALL_ID: callId, USER_ID: target }), target, notes };
}
