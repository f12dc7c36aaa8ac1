/**
 * Missed-call tasks (config.tasks.missedCalls) and the other follow-ups that need a Bitrix24 result
 * first: customize_entity / customize_activity after the finish.
 *
 * Durable by construction: progress lives in the stored call state (written in the same store
 * transaction as the commands it plans), every command has a fixed step ('task-owner', 'task',
 * 'activity-get', 'activity-update', 'entity-update') so a second planning is ignored by the
 * outbox's idempotency key, and the results that drive it arrive through onCommandDone. When the
 * register's own onDone was lost (a crash between the send and the observer), the stored register
 * command's result is read back from the store.
 */
import type { WorkingHours } from '../core/crm/routing.js';
import { command, type CrmCommand } from '../core/crm/commands.js';
import {
  decideResponsible, entityMethod, missedCallTaskFields, registerOutcome, type CallEntity, type TaskResponsibleMode,
} from '../core/crm/missed-call.js';
import type { HookSession } from './call-hooks.js';

/** What the flow learnt from Bitrix24 results (stored with the call). */
export interface CallB24Facts {
  readonly callId?: string;
  readonly entity?: CallEntity;
  readonly entityCreated?: boolean;
  readonly activityId?: number;
  readonly finishUserId?: number;
  readonly responsibleId?: number;
  /** The register result was seen (onCommandDone or read back from the store). */
  readonly registerSeen?: boolean;
  readonly finishSeen?: boolean;
}

/** wanted: the call was missed, waiting for the entity; owner: waiting for crm.*.get; queued: done. */
export interface TaskProgress {
  readonly status: 'wanted' | 'owner' | 'queued';
  readonly responsibleWhy?: string;
}

export interface TaskSettings {
  readonly mode: TaskResponsibleMode;
  readonly titleTemplate: string;
  readonly deadlineMinutes: number;
  /** Set when the deadline counts working time only. */
  readonly workingHours?: WorkingHours | undefined;
  readonly createdBy?: number | undefined;
  readonly defaultUserId: number;
  readonly tzOffsetMinutes: number;
}

export interface TaskContext {
  readonly callKey: string;
  readonly b24: CallB24Facts;
  readonly task: TaskProgress;
  /** The client number as sent to the CRM. */
  readonly phone: string;
  readonly endedAt: number;
  readonly lastRungUserId?: number | undefined;
  /** Result of the 'task-owner' lookup, when this step is its continuation. */
  readonly ownerResult?: { readonly assignedById?: number | undefined };
}

export interface StepOut {
  readonly task: TaskProgress;
  readonly commands: CrmCommand[];
  readonly notes: string[];
  readonly responsibleId?: number;
}

/** Register result, from the store when its onDone never reached the flow. */
export async function recoverRegister(
  callKey: string,
  lookup: ((key: string) => Promise<{ state: string; result: unknown } | undefined>) | undefined,
): Promise<CallB24Facts | undefined> {
  if (!lookup) return undefined;
  const rec = await lookup(`${callKey}:register`);
  if (!rec || rec.state !== 'done') return undefined;
  const r = registerOutcome(rec.result);
  return { registerSeen: true, ...(r.callId ? { callId: r.callId } : {}), ...(r.entity ? { entity: r.entity, entityCreated: r.created } : {}) };
}

/** Moves the task one step further when what it waits for is known. */
export async function advanceTask(ctx: TaskContext, s: TaskSettings, hooks: HookSession): Promise<StepOut> {
  const none: StepOut = { task: ctx.task, commands: [], notes: [] };
  if (ctx.task.status === 'queued') return none;
  if (ctx.task.status === 'owner') {
    if (!ctx.ownerResult) return none;
    const owner = ctx.ownerResult.assignedById;
    return createTask(ctx, s, hooks, owner ?? s.defaultUserId, owner !== undefined ? ctx.task.responsibleWhy ?? 'entity owner' : 'entity has no owner: default user');
  }
  if (!ctx.b24.registerSeen && !ctx.b24.finishSeen) return { ...none, notes: ['missed-call task waits for the register result'] };
  const d = decideResponsible({
    mode: s.mode, entity: ctx.b24.entity, entityCreated: ctx.b24.entityCreated ?? false,
    finishUserId: ctx.b24.finishUserId, lastRungUserId: ctx.lastRungUserId, defaultUserId: s.defaultUserId,
  });
  if (d.kind === 'lookup') {
    return {
      task: { status: 'owner', responsibleWhy: d.why },
      commands: [command(ctx.callKey, 'task-owner', d.method, { id: d.id }, 'task')],
      notes: [`missed-call task: looking up the ${d.why}`],
    };
  }
  return createTask(ctx, s, hooks, d.userId, d.why);
}

async function createTask(ctx: TaskContext, s: TaskSettings, hooks: HookSession, responsibleId: number, why: string): Promise<StepOut> {
  const fields = missedCallTaskFields({
    titleTemplate: s.titleTemplate, phone: ctx.phone, responsibleId, createdBy: s.createdBy ?? s.defaultUserId,
    endedAt: ctx.endedAt, deadlineMinutes: s.deadlineMinutes, workingHours: s.workingHours, tzOffsetMinutes: s.tzOffsetMinutes, entity: ctx.b24.entity,
  });
  const data = await hooks.run('process_task_creation_params', { fields }, ['fields']);
  const hooked = data['fields'] && typeof data['fields'] === 'object' && !Array.isArray(data['fields']) ? data['fields'] as Record<string, unknown> : {};
  const final = { ...fields, ...hooked };
  return {
    task: { status: 'queued', responsibleWhy: why },
    commands: [command(ctx.callKey, 'task', 'tasks.task.add', { fields: final }, 'task')],
    notes: [`missed-call task for user ${String(final['RESPONSIBLE_ID'])} (${why})`],
    responsibleId: typeof final['RESPONSIBLE_ID'] === 'number' ? final['RESPONSIBLE_ID'] : responsibleId,
  };
}

/** Activity input of customize_activity / customize_attach_record_url, from crm.activity.get. */
export function activityInput(raw: unknown, activityId: number): Record<string, unknown> {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const nonEmpty: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) nonEmpty[k] = v;
  const responsibleId = r['RESPONSIBLE_ID'] === undefined || r['RESPONSIBLE_ID'] === null ? '' : String(r['RESPONSIBLE_ID']);
  return {
    id: String(r['ID'] ?? activityId),
    is_new: false,
    name: typeof r['SUBJECT'] === 'string' ? r['SUBJECT'] : '',
    phones: [],
    raw: nonEmpty,
    responsible: responsibleId ? { ID: responsibleId } : {},
    responsible_id: responsibleId,
    type: 'activity',
  };
}

/**
 * After the finish: customize_entity runs now (the entity is known), customize_activity needs the
 * activity's fields first (crm.activity.get; it continues in activityUpdate). Nothing is sent for a
 * point without an installed hook.
 */
export async function afterFinish(callKey: string, b24: CallB24Facts, hooks: HookSession): Promise<{ commands: CrmCommand[]; notes: string[] }> {
  const commands: CrmCommand[] = [];
  const notes: string[] = [];
  const method = b24.entity ? entityMethod(b24.entity.type, 'update') : undefined;
  if (b24.entity && method && hooks.has('customize_entity')) {
    const fields = await hooks.run('customize_entity', {}, 'map');
    if (Object.keys(fields).length > 0) {
      commands.push(command(callKey, 'entity-update', method, { id: b24.entity.id, fields }, 'update'));
      notes.push(`${b24.entity.type} ${b24.entity.id} updated by customize_entity: ${Object.keys(fields).join(', ')}`);
    }
  }
  if (b24.activityId !== undefined && hooks.has('customize_activity')) {
    commands.push(command(callKey, 'activity-get', 'crm.activity.get', { id: b24.activityId }, 'update'));
  }
  return { commands, notes };
}

export async function activityUpdate(callKey: string, activityId: number, raw: unknown, hooks: HookSession): Promise<{ commands: CrmCommand[]; notes: string[] }> {
  const fields = await hooks.run('customize_activity', { activity: activityInput(raw, activityId) }, 'map');
  if (Object.keys(fields).length === 0) return { commands: [], notes: [] };
  return {
    commands: [command(callKey, 'activity-update', 'crm.activity.update', { id: activityId, fields }, 'update')],
    notes: [`activity ${activityId} updated by customize_activity: ${Object.keys(fields).join(', ')}`],
  };
}
