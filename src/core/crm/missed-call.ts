/**
 * Missed-call tasks (issue 4), pure: is a call "missed", who is responsible, what the task's fields
 * are, and how to read the Bitrix24 results the decision depends on (register, finish, crm.*.get).
 * The flow (src/flow/missed-call-task.ts) drives the steps; nothing here does I/O or reads a clock.
 */
import { addWorkingMinutes } from './working-time.js';
import type { WorkingHours } from './routing.js';
import { isoWithOffset } from './plan.js';

export type TaskResponsibleMode = 'entity-owner' | 'last-rung' | 'default';

/** The CRM entity a call is bound to, as Bitrix24 reported it. */
export interface CallEntity {
  /** LEAD, CONTACT, COMPANY, DEAL (upper case, as Bitrix24 spells it). */
  readonly type: string;
  readonly id: number;
}

export interface MissedCallFacts {
  readonly direction: string;
  readonly answeredAt?: number | undefined;
  readonly conversations: readonly { readonly acceptedAt?: number | undefined }[];
}

/**
 * Missed: an incoming call no extension accepted, or an outgoing (or click-to-call) call the far end
 * never answered. Internal calls never get a task.
 */
export function isMissedCall(c: MissedCallFacts): boolean {
  if (c.direction === 'internal') return false;
  if (c.answeredAt !== undefined) return false;
  return !c.conversations.some((x) => x.acceptedAt !== undefined);
}

const BINDING_PREFIX: Readonly<Record<string, string>> = { LEAD: 'L', CONTACT: 'C', COMPANY: 'CO', DEAL: 'D' };

/** UF_CRM_TASK binding: LEAD 11 → "L_11", CONTACT 5 → "C_5", COMPANY 3 → "CO_3", DEAL 7 → "D_7". */
export function taskBinding(e: CallEntity | undefined): string | undefined {
  if (!e) return undefined;
  const p = BINDING_PREFIX[e.type.toUpperCase()];
  return p === undefined ? undefined : `${p}_${e.id}`;
}

/** crm.lead.get / crm.contact.update …; undefined for a type we cannot address. */
export function entityMethod(type: string, verb: 'get' | 'update'): string | undefined {
  const t = type.toUpperCase();
  return t in BINDING_PREFIX ? `crm.${t.toLowerCase()}.${verb}` : undefined;
}

function toInt(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

function entityOf(type: unknown, id: unknown): CallEntity | undefined {
  const n = toInt(id);
  return typeof type === 'string' && type !== '' && n !== undefined ? { type: type.toUpperCase(), id: n } : undefined;
}

export interface RegisterOutcome {
  readonly callId?: string | undefined;
  readonly entity?: CallEntity | undefined;
  /** The entity was auto-created by this registration (its responsible becomes the finishing user). */
  readonly created: boolean;
}

/** Reads a telephony.externalcall.register result (§6.2). */
export function registerOutcome(result: unknown): RegisterOutcome {
  const r = (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
  const entity = entityOf(r['CRM_ENTITY_TYPE'], r['CRM_ENTITY_ID']);
  const createdList = Array.isArray(r['CRM_CREATED_ENTITIES']) ? r['CRM_CREATED_ENTITIES'] as unknown[] : [];
  const created = entity !== undefined && (
    createdList.some((x) => {
      const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
      const e = entityOf(o['ENTITY_TYPE'], o['ENTITY_ID']);
      return e !== undefined && e.type === entity.type && e.id === entity.id;
    }) || (entity.type === 'LEAD' && toInt(r['CRM_CREATED_LEAD']) === entity.id));
  return { callId: typeof r['CALL_ID'] === 'string' ? r['CALL_ID'] : undefined, entity, created };
}

export interface FinishOutcome {
  readonly activityId?: number | undefined;
  readonly entity?: CallEntity | undefined;
}

/** Reads a telephony.externalcall.finish result (§6.4). */
export function finishOutcome(result: unknown): FinishOutcome {
  const r = (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
  return { activityId: toInt(r['CRM_ACTIVITY_ID']), entity: entityOf(r['CRM_ENTITY_TYPE'], r['CRM_ENTITY_ID']) };
}

/** ASSIGNED_BY_ID of a crm.*.get result (strings in CRM reads). */
export function entityOwner(result: unknown): number | undefined {
  const r = (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
  return toInt(r['ASSIGNED_BY_ID']);
}

/** The last user whose phone rang (conversations in order). */
export function lastRungUser(conversations: readonly { readonly userId?: number | undefined }[]): number | undefined {
  for (let i = conversations.length - 1; i >= 0; i--) {
    const u = conversations[i]?.userId;
    if (u !== undefined) return u;
  }
  return undefined;
}

export interface ResponsibleContext {
  readonly mode: TaskResponsibleMode;
  readonly entity?: CallEntity | undefined;
  /** The register auto-created the entity: finish made the finishing user its responsible. */
  readonly entityCreated: boolean;
  readonly finishUserId?: number | undefined;
  readonly lastRungUserId?: number | undefined;
  /** The trunk's defaultUserId, else calls.defaultUserId. */
  readonly defaultUserId: number;
}

export type ResponsibleDecision =
  | { readonly kind: 'user'; readonly userId: number; readonly why: string }
  /** Ask Bitrix24 (crm.*.get) for the entity's ASSIGNED_BY_ID first. */
  | { readonly kind: 'lookup'; readonly method: string; readonly id: number; readonly why: string };

export function decideResponsible(c: ResponsibleContext): ResponsibleDecision {
  if (c.mode === 'last-rung') {
    return c.lastRungUserId !== undefined
      ? { kind: 'user', userId: c.lastRungUserId, why: 'last user whose phone rang' }
      : { kind: 'user', userId: c.defaultUserId, why: 'nobody rang: default user' };
  }
  if (c.mode === 'entity-owner' && c.entity) {
    if (c.entityCreated && c.finishUserId !== undefined) return { kind: 'user', userId: c.finishUserId, why: `${c.entity.type} ${c.entity.id} created by this call: its owner is the finishing user` };
    const method = entityMethod(c.entity.type, 'get');
    if (method) return { kind: 'lookup', method, id: c.entity.id, why: `owner of ${c.entity.type} ${c.entity.id}` };
  }
  return { kind: 'user', userId: c.defaultUserId, why: c.mode === 'entity-owner' ? 'no CRM entity: default user' : 'default user' };
}

export interface TaskFieldsInput {
  readonly titleTemplate: string;
  readonly phone: string;
  readonly responsibleId: number;
  readonly createdBy: number;
  /** When the call ended (epoch ms); the deadline counts from there. */
  readonly endedAt: number;
  readonly deadlineMinutes: number;
  /** Count the deadline in these working hours only (tasks.deadlineIn = working-hours). */
  readonly workingHours?: WorkingHours | undefined;
  readonly tzOffsetMinutes: number;
  readonly entity?: CallEntity | undefined;
}

/** When the task is due: `deadlineMinutes` after the call, in calendar time or in working time. */
export function taskDeadline(i: Pick<TaskFieldsInput, 'endedAt' | 'deadlineMinutes' | 'workingHours'>): number {
  const working = i.workingHours ? addWorkingMinutes(i.endedAt, i.deadlineMinutes, i.workingHours) : undefined;
  return working ?? i.endedAt + i.deadlineMinutes * 60_000;
}

/** The fields of tasks.task.add (before process_task_creation_params). */
export function missedCallTaskFields(i: TaskFieldsInput): Record<string, unknown> {
  const binding = taskBinding(i.entity);
  return {
    TITLE: i.titleTemplate.split('{phone}').join(i.phone),
    RESPONSIBLE_ID: i.responsibleId,
    CREATED_BY: i.createdBy,
    DEADLINE: isoWithOffset(taskDeadline(i), i.tzOffsetMinutes),
    UF_CRM_TASK: binding ? [binding] : [],
  };
}
