/**
 * The CRM planner: a stage change of a call → the Bitrix24 commands it needs. Pure.
 *
 * Defaults (DESIGN §4; hooks may change each command later in the flow):
 * - first conversation_requested: register with SHOW=0 (EXTERNAL_CALL_ID = call key, real
 *   CALL_START_DATE), then a separate `show` for the ringing user;
 * - each further conversation_requested: `show` for that user (simultaneous queues show to all
 *   rung users; sequential ones show one after the other);
 * - conversation_accepted: `hide` for every other user still seeing the card;
 * - conversation_ended without answer: `hide` for that user;
 * - call_ended: `hide` for the others, then `finish` (status, talk duration, the user who talked
 *   longest); when the recording is not ready yet the card is hidden now and the finish is planned
 *   later with planFinish(). A call whose first stage is call_ended (IVR abandon, or seen only after a
 *   restart) is registered late (SHOW=0) and finished.
 * Click-to-call calls are registered by Bitrix24 itself: no register, the known CALL_ID is used.
 */
import { command, ref, type CrmCommand } from './commands.js';

export type StageName = 'conversation_requested' | 'conversation_accepted' | 'conversation_ended' | 'call_ended';
export type Direction = 'incoming' | 'outgoing' | 'internal';

export interface PlanConversation {
  readonly id: string;
  readonly extension: string;
  /** Bitrix24 user of that extension, when known. */
  readonly userId?: number | undefined;
  readonly requestedAt: number;
  readonly acceptedAt?: number | undefined;
  readonly endedAt?: number | undefined;
  /** FMC: the PBX forwarded it to this mobile number of the extension's employee. */
  readonly mobile?: string | undefined;
}

/**
 * The same employee still has another conversation going (FMC: the desk phone stops ringing because
 * the mobile answered, or the mobile leg is cancelled while the desk phone rings on): keep the card.
 */
function stillOnLine(call: PlanCall, conv: PlanConversation): boolean {
  return call.conversations.some((c) => c.id !== conv.id && c.userId === conv.userId && c.endedAt === undefined);
}

/** How a conversation's phone is named in the notes: the extension, or its employee's mobile (FMC). */
function phoneOf(conv: PlanConversation): string {
  return conv.mobile === undefined ? `extension ${conv.extension}` : `extension ${conv.extension}'s mobile ${conv.mobile}`;
}

export interface PlanCall {
  readonly callKey: string;
  readonly direction: Direction;
  /** Client number, already normalised. */
  readonly clientNumber: string;
  readonly did?: string | undefined;
  readonly trunk?: string | undefined;
  readonly startedAt: number;
  readonly answeredAt?: number | undefined;
  readonly endedAt?: number | undefined;
  /** Bitrix24 STATUS_CODE from the dial/hangup outcome (set at call_ended). */
  readonly statusCode?: string | undefined;
  /** Set for click-to-call: the CALL_ID Bitrix24 registered itself. */
  readonly b24CallId?: string | undefined;
  /** A callback ordered from Bitrix24 (ONEXTERNALCALLBACKSTART): registered as type 4. */
  readonly callback?: boolean | undefined;
  /** The caller's rating, 1–5, from a rating IVR: finish VOTE. */
  readonly vote?: number | undefined;
  readonly conversations: readonly PlanConversation[];
}

export interface PlanSettings {
  readonly defaultUserId: number;
  /** Owner of calls nobody was rung for (IVR / queue abandon). */
  readonly missedUserId?: number | undefined;
  /** Portal offset from UTC in minutes, for CALL_START_DATE. */
  readonly tzOffsetMinutes: number;
  readonly lineNumber?: string | undefined;
  readonly crmCreate: boolean;
  readonly crmSource?: string | undefined;
  /** Show/hide commands not sent within this time are dropped (the card would be stale). */
  readonly cardTtlMs: number;
  readonly addToChat: boolean;
}

export interface CrmCallState {
  readonly callKey: string;
  /** Register planned (or the call came registered from Bitrix24). */
  readonly registered: boolean;
  /** Why the call is not sent to the CRM, once decided. */
  readonly skipped?: string | undefined;
  readonly registeredUserId?: number | undefined;
  readonly b24CallId?: string | undefined;
  /** Users currently seeing the card (as far as the planned commands go). */
  readonly shownTo: readonly number[];
  /** Counter that keeps show/hide steps unique within the call. */
  readonly seq: number;
  readonly finished: boolean;
  readonly finishDeferred: boolean;
}

export interface PlanInput {
  readonly stage: StageName;
  readonly at: number;
  readonly call: PlanCall;
  /** The conversation the stage is about (conversation stages). */
  readonly conversationId?: string | undefined;
  /** Result of the lists and the need_registration hook for this call. */
  readonly gate: { readonly register: boolean; readonly reason: string };
  /** At call_ended: a recording is expected but not ready — hide now, finish later. */
  readonly recordingPending?: boolean;
}

export interface PlanOutput {
  readonly state: CrmCallState;
  readonly commands: CrmCommand[];
  /** Human-readable reasons, for the per-call timeline in the admin panel. */
  readonly notes: string[];
}

export function initialCrmState(callKey: string): CrmCallState {
  return { callKey, registered: false, shownTo: [], seq: 0, finished: false, finishDeferred: false };
}

/** ISO-8601 with offset, e.g. 2026-03-07T10:20:30+03:00. */
export function isoWithOffset(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function hasDigits(n: string): boolean {
  return /\d/.test(n);
}

function callIdParam(state: CrmCallState): unknown {
  return state.b24CallId ?? ref('register', 'CALL_ID');
}

function registerCommand(call: PlanCall, userId: number, s: PlanSettings, late: boolean): CrmCommand {
  const params: Record<string, unknown> = {
    USER_ID: userId,
    PHONE_NUMBER: call.clientNumber,
    TYPE: call.callback ? 4 : call.direction === 'outgoing' ? 1 : 2,
    CALL_START_DATE: isoWithOffset(call.startedAt, s.tzOffsetMinutes),
    CRM_CREATE: s.crmCreate ? 1 : 0,
    SHOW: 0,
    EXTERNAL_CALL_ID: call.callKey,
  };
  if (s.crmSource !== undefined) params['CRM_SOURCE'] = s.crmSource;
  if (s.lineNumber !== undefined) params['LINE_NUMBER'] = s.lineNumber;
  return command(call.callKey, 'register', 'telephony.externalcall.register', params, late ? 'late' : 'live');
}

function cardCommand(state: CrmCallState, kind: 'show' | 'hide', userIds: readonly number[], at: number, s: PlanSettings): [CrmCallState, CrmCommand] {
  const seq = state.seq + 1;
  const users = [...userIds].sort((a, b) => a - b);
  const cmd = command(
    state.callKey,
    `${kind}:${users.join(',')}:${seq}`,
    `telephony.externalcall.${kind}`,
    { CALL_ID: callIdParam(state), USER_ID: users.length === 1 ? users[0] : users },
    'live',
    at + s.cardTtlMs,
  );
  const shownTo = kind === 'show'
    ? [...new Set([...state.shownTo, ...users])]
    : state.shownTo.filter((u) => !users.includes(u));
  return [{ ...state, seq, shownTo }, cmd];
}

function conversationUser(call: PlanCall, id: string | undefined): PlanConversation | undefined {
  return id === undefined ? undefined : call.conversations.find((c) => c.id === id);
}

/** The user the call belongs to at the end: longest talker, else the last rung, else the fallback. */
export function finishUser(call: PlanCall, fallback: number): number {
  let best: PlanConversation | undefined;
  let bestTalk = -1;
  for (const c of call.conversations) {
    if (c.userId === undefined || c.acceptedAt === undefined) continue;
    const talk = (c.endedAt ?? call.endedAt ?? c.acceptedAt) - c.acceptedAt;
    if (talk > bestTalk) { best = c; bestTalk = talk; }
  }
  if (best?.userId !== undefined) return best.userId;
  for (let i = call.conversations.length - 1; i >= 0; i--) {
    const u = call.conversations[i]?.userId;
    if (u !== undefined) return u;
  }
  return fallback;
}

function registrationUser(call: PlanCall, s: PlanSettings): number {
  const first = call.conversations.find((c) => c.userId !== undefined);
  if (first?.userId !== undefined) return first.userId;
  return call.conversations.length === 0 ? (s.missedUserId ?? s.defaultUserId) : s.defaultUserId;
}

/** The finish command (and nothing else); used at call_ended or when a late recording is ready. */
export function planFinish(state: CrmCallState, call: PlanCall, s: PlanSettings): PlanOutput {
  if (!state.registered || state.finished) return { state, commands: [], notes: [] };
  const answered = call.answeredAt !== undefined;
  const end = call.endedAt ?? call.answeredAt ?? call.startedAt;
  const duration = answered ? Math.max(0, Math.round((end - (call.answeredAt ?? end)) / 1000)) : 0;
  const fallback = state.registeredUserId ?? (call.conversations.length === 0 ? s.missedUserId : undefined) ?? s.defaultUserId;
  const userId = finishUser(call, fallback);
  const statusCode = call.statusCode ?? (answered ? '200' : '304');
  const cmd = command(call.callKey, 'finish', 'telephony.externalcall.finish', {
    CALL_ID: callIdParam(state),
    USER_ID: userId,
    DURATION: duration,
    STATUS_CODE: statusCode,
    ADD_TO_CHAT: s.addToChat ? 1 : 0,
    ...(call.vote !== undefined ? { VOTE: call.vote } : {}),
  }, 'finish');
  return {
    state: { ...state, finished: true, finishDeferred: false, shownTo: [] },
    commands: [cmd],
    notes: [`finished for user ${userId}: status ${statusCode}, ${duration} s of talk`],
  };
}

export function planStage(prev: CrmCallState | undefined, input: PlanInput, s: PlanSettings): PlanOutput {
  const { call, stage, at } = input;
  let state = prev ?? initialCrmState(call.callKey);
  const commands: CrmCommand[] = [];
  const notes: string[] = [];
  if (state.skipped !== undefined || state.finished) return { state, commands, notes };
  if (!state.registered && !input.gate.register) {
    return { state: { ...state, skipped: input.gate.reason }, commands, notes: [`not registered: ${input.gate.reason}`] };
  }
  if (!state.registered && call.b24CallId === undefined && stage !== 'call_ended' && !hasDigits(call.clientNumber)) {
    // An Originate rings the employee first: the client's number is known only once it is dialled.
    return { state, commands, notes: ['waiting for the client number before registering'] };
  }
  if (!state.registered) {
    if (call.b24CallId !== undefined) {
      state = { ...state, registered: true, b24CallId: call.b24CallId, registeredUserId: registrationUser(call, s) };
      notes.push(`registered by Bitrix24 itself (click-to-call ${call.b24CallId})`);
    } else {
      const userId = registrationUser(call, s);
      const late = stage === 'call_ended';
      commands.push(registerCommand(call, userId, s, late));
      state = { ...state, registered: true, registeredUserId: userId };
      notes.push(late ? `registered late (SHOW=0) for user ${userId}` : `registered for user ${userId} (SHOW=0)`);
    }
  }
  const conv = conversationUser(call, input.conversationId);
  // Bitrix24 already shows a click-to-call card to the employee who clicked.
  const showCards = call.b24CallId === undefined || conv?.userId !== state.registeredUserId;
  if (stage === 'conversation_requested' && conv?.userId !== undefined && showCards && !state.shownTo.includes(conv.userId)) {
    const [st, cmd] = cardCommand(state, 'show', [conv.userId], at, s);
    state = st; commands.push(cmd); notes.push(`card shown to user ${conv.userId} (${phoneOf(conv)} rings)`);
  } else if (stage === 'conversation_requested' && conv && conv.userId === undefined) {
    notes.push(`extension ${conv.extension} is no Bitrix24 user: no card`);
  } else if (stage === 'conversation_accepted' && conv?.userId !== undefined) {
    if (showCards && !state.shownTo.includes(conv.userId) && conv.endedAt === undefined) {
      // Registered only now (the number was unknown while it rang): the card for whoever talks.
      const [st, cmd] = cardCommand(state, 'show', [conv.userId], at, s);
      state = st; commands.push(cmd); notes.push(`card shown to user ${conv.userId} (${phoneOf(conv)} answered)`);
    }
    const others = state.shownTo.filter((u) => u !== conv.userId);
    if (others.length > 0) {
      const [st, cmd] = cardCommand(state, 'hide', others, at, s);
      state = st; commands.push(cmd); notes.push(`card hidden for users ${others.join(', ')}: user ${conv.userId} answered`);
    }
  } else if (stage === 'conversation_ended' && conv?.userId !== undefined && conv.acceptedAt === undefined && state.shownTo.includes(conv.userId)
    && !stillOnLine(call, conv)) {
    const [st, cmd] = cardCommand(state, 'hide', [conv.userId], at, s);
    state = st; commands.push(cmd); notes.push(`card hidden for user ${conv.userId}: ${phoneOf(conv)} stopped ringing`);
  } else if (stage === 'call_ended') {
    const owner = finishUser(call, state.registeredUserId ?? s.defaultUserId);
    const toHide = input.recordingPending ? state.shownTo : state.shownTo.filter((u) => u !== owner);
    if (toHide.length > 0) {
      const [st, cmd] = cardCommand(state, 'hide', toHide, at, s);
      state = st; commands.push(cmd);
    }
    if (input.recordingPending) {
      state = { ...state, finishDeferred: true };
      notes.push('recording not ready: card hidden now, finish when the file is ready');
    } else {
      const fin = planFinish(state, call, s);
      state = fin.state; commands.push(...fin.commands); notes.push(...fin.notes);
    }
  }
  return { state, commands, notes };
}
