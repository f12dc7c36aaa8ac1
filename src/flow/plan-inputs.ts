/**
 * What the planner needs to know about a call, from the tracker's summary and the running config:
 * the call in the planner's terms (extensions → Bitrix24 users, the client number normalised, both
 * through their hooks), the registration gate (internal calls, black/white lists, need_registration),
 * and the per-trunk planner and task settings. Read at every step, so settings edited in the admin
 * panel apply from a call's next step.
 */
import type { CallSummary, StageChange } from '../core/call/model.js';
import { decideByLists } from '../core/crm/lists.js';
import { normalisePhone, normaliseInnerPhone, type CompiledPhoneRules } from '../core/crm/phone.js';
import type { PlanCall, PlanSettings } from '../core/crm/plan.js';
import type { Config } from '../config/schema.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { HookSession } from './call-hooks.js';
import type { TaskSettings } from './missed-call-task.js';

type Stage = StageChange['stage'];

/** What toPlanCall needs besides the call. */
export interface PlanCallDeps {
  readonly phoneRules: CompiledPhoneRules;
  readonly users: { find(innerPhone: string): Promise<{ id: number } | undefined> };
  readonly logger: Logger;
}

/**
 * The tracker's summary in the planner's terms: each extension through process_user_phone (after
 * the built-in replacement) to its Bitrix24 user (written into `users`); the client number
 * normalised, then through process_client_phone.
 */
export async function toPlanCall(s: CallSummary, stage: Stage, session: HookSession, users: Record<string, number>, deps: PlanCallDeps): Promise<PlanCall> {
  const conversations = [];
  const phones = new Map<string, string>();
  for (const c of s.conversations) {
    let phone = phones.get(c.extension);
    if (phone === undefined) {
      const builtIn = normaliseInnerPhone(c.extension, deps.phoneRules);
      const d = await session.run('process_user_phone', { phone: builtIn, call_stage: stage }, ['phone']);
      phone = typeof d['phone'] === 'string' ? d['phone'] : builtIn;
      phones.set(c.extension, phone);
    }
    let userId: number | undefined;
    try {
      userId = (await deps.users.find(phone))?.id;
    } catch (e) {
      deps.logger.warn({ callKey: s.callKey, extension: c.extension, code: errorCode(e) }, 'user lookup failed');
    }
    if (userId !== undefined) users[c.extension] = userId;
    conversations.push({ id: c.id, extension: c.extension, userId, requestedAt: c.requestedAt, acceptedAt: c.acceptedAt, endedAt: c.endedAt, ...(c.mobile !== undefined ? { mobile: c.mobile } : {}) });
  }
  const direction = s.direction === 'click-to-call' ? 'outgoing' : s.direction;
  const client = s.direction === 'internal' ? (s.callerExtension ?? s.clientNumber ?? '') : (s.clientNumber ?? '');
  const normal = normalisePhone(client, deps.phoneRules).value;
  const d = await session.run('process_client_phone', { phone: normal, call_stage: stage }, ['phone']);
  return {
    callKey: s.callKey,
    direction,
    clientNumber: typeof d['phone'] === 'string' ? d['phone'] : normal,
    did: s.did,
    trunk: s.trunk,
    startedAt: s.startedAt,
    answeredAt: s.answeredAt,
    endedAt: s.endedAt,
    statusCode: s.statusCode,
    b24CallId: s.b24CallId,
    callback: s.callback,
    vote: s.vote,
    conversations,
  };
}

/** Built-in rules first (internal calls, black/white lists), then the need_registration hook. */
export async function gateCall(config: Config, s: CallSummary, call: PlanCall, stage: Stage, session: HookSession): Promise<{ register: boolean; reason: string }> {
  if (s.direction === 'internal' && !config.calls.internal) {
    return { register: false, reason: 'internal call (calls.internal is off)' };
  }
  // FMC: an employee calling in from their own mobile is an internal call, not a new client.
  if (s.direction === 'incoming' && s.fromMobileOf !== undefined && !config.calls.internal) {
    return { register: false, reason: `call from extension ${s.fromMobileOf}'s mobile (calls.internal is off)` };
  }
  const extensions = [...s.conversations.map((c) => c.extension), ...(s.callerExtension ? [s.callerExtension] : [])];
  const d = decideByLists(config.lists, { extensions, trunk: s.trunk, did: s.did, clientNumber: call.clientNumber });
  if (!d.register) return { register: false, reason: d.match ? `${d.reason} (${d.match})` : d.reason };
  const h = await session.run('need_registration', { call_stage: stage }, ['result']);
  if (h['result'] === false) return { register: false, reason: `need_registration answered false at ${stage}` };
  return { register: true, reason: d.match ? `${d.reason} (${d.match})` : d.reason };
}

/** The planner's settings for a call: its trunk's line, lead creation and source, responsible users. */
export function planSettingsFor(config: Config, s: CallSummary, tzOffsetMinutes: number): PlanSettings {
  const trunk = config.pbx.trunks.find((t) => t.endpoint === s.trunk);
  return {
    defaultUserId: trunk?.defaultUserId ?? config.calls.defaultUserId,
    missedUserId: config.calls.missedUserId ?? trunk?.defaultUserId,
    tzOffsetMinutes,
    lineNumber: trunk?.line,
    crmCreate: trunk?.crmCreate ?? true,
    crmSource: trunk?.crmSource,
    cardTtlMs: 60_000,
    addToChat: true,
  };
}

/** Missed-call task settings for a call (its trunk's default responsible, else the general one). */
export function taskSettingsFor(config: Config, s: CallSummary, tzOffsetMinutes: number): TaskSettings {
  const trunk = config.pbx.trunks.find((t) => t.endpoint === s.trunk);
  return {
    mode: config.tasks.responsible, titleTemplate: config.tasks.title, deadlineMinutes: config.tasks.deadlineMinutes,
    ...(config.tasks.deadlineIn === 'working-hours' && config.agi.workingHours ? { workingHours: config.agi.workingHours } : {}),
    createdBy: config.tasks.createdBy, defaultUserId: trunk?.defaultUserId ?? config.calls.defaultUserId, tzOffsetMinutes,
  };
}
