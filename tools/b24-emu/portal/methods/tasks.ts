/**
 * tasks.task.add (reference §8.6): required TITLE and RESPONSIBLE_ID, CRM bindings in UF_CRM_TASK
 * (`L_11`, `C_5`, `CO_3`, `D_10` …); the result is `{task: {…}}` with camelCase keys.
 * tasks.task.complete (api-reference/tasks/tasks-task-complete.md): `taskId` → status 5 (Completed),
 * closedBy/closedDate/changedDate; the same `{task: {…}}` view after the change.
 */
import type { MethodResult } from '../../contract.js';
import { formatIso, parseIso } from '../dates.js';
import { B24ApiError, errorCore } from '../errors.js';
import { asInt, asList, asString, type Params, type Row } from '../params.js';
import type { MethodContext, MethodTable } from './context.js';

// The tasks module joins its messages with <br>; the doc example shows it on the title error.
const taskError = (text: string): B24ApiError => errorCore(`${text}<br>`);

const BINDING_RE = /^(L|C|CO|D|SI|T[0-9a-f]+)_\d+$/i;

function userBrief(mc: MethodContext, id: number): Row {
  const u = mc.state.users.get(id);
  const name = u ? [u['NAME'], u['LAST_NAME']].filter((s) => typeof s === 'string' && s !== '').join(' ') : '';
  return { id: String(id), name, link: `/company/personal/user/${id}/`, icon: '/bitrix/images/tasks/default_avatar.png', workPosition: asString(u?.['WORK_POSITION']) ?? '' };
}

function taskAdd(p: Params, mc: MethodContext): MethodResult {
  const fields = p.obj('fields');
  if (!fields) throw new B24ApiError('100', 'Could not find value for parameter {fields}', 400);
  const f = (k: string): unknown => fields[k] ?? fields[k.toLowerCase()];
  const title = asString(f('TITLE'));
  if (title === undefined || title.trim() === '') throw taskError('Task title is not specified');
  const responsible = asInt(f('RESPONSIBLE_ID'));
  if (responsible === undefined || responsible <= 0) throw taskError('Responsible person not specified');
  if (!mc.state.users.get(responsible)) throw taskError('User specified in the "Responsible" field not found');
  const createdBy = asInt(f('CREATED_BY')) ?? mc.ctx.userId;
  const priority = asInt(f('PRIORITY')) ?? 1;
  const tz = mc.settings.timeZoneOffsetMinutes;
  const deadlineText = asString(f('DEADLINE'));
  const deadlineMs = deadlineText !== undefined && deadlineText !== '' ? parseIso(deadlineText, tz) : undefined;
  const crm = asList(f('UF_CRM_TASK')).map(String).filter((b) => BINDING_RE.test(b));
  const stored: Row = {
    TITLE: title, DESCRIPTION: asString(f('DESCRIPTION')) ?? '', RESPONSIBLE_ID: String(responsible),
    CREATED_BY: String(createdBy), PRIORITY: String(priority), STATUS: '2',
    DEADLINE: deadlineMs === undefined ? null : formatIso(deadlineMs, tz), UF_CRM_TASK: crm,
    UF_TASK_WEBDAV_FILES: asList(f('UF_TASK_WEBDAV_FILES')).map(String), CREATED_DATE: formatIso(mc.now, tz),
    GROUP_ID: String(asInt(f('GROUP_ID')) ?? 0), FIELDS: JSON.parse(JSON.stringify(fields)) as Row,
  };
  const id = mc.state.tasks.insert(stored);
  mc.emit('ONTASKADD', { FIELDS_AFTER: { ID: String(id) } });
  return { result: { task: taskView(mc, mc.state.tasks.get(id) ?? stored) } };
}

/** The camelCase `task` object both methods answer with (the doc examples' keys), from a stored row. */
function taskView(mc: MethodContext, row: Row): Row {
  const id = asString(row['ID']) ?? '';
  const title = asString(row['TITLE']) ?? '';
  const priority = asString(row['PRIORITY']) ?? '1';
  const createdBy = asInt(row['CREATED_BY']) ?? 1;
  const responsible = asInt(row['RESPONSIBLE_ID']) ?? 1;
  const status = asString(row['STATUS']) ?? '2';
  const created = row['CREATED_DATE'] ?? null;
  const changedDate = row['CHANGED_DATE'] ?? created;
  const closed = status === '5';
  return {
    id, parentId: null, title, description: row['DESCRIPTION'] ?? '', mark: null,
    priority, multitask: 'N', notViewed: 'N', replicate: 'N', groupId: row['GROUP_ID'] ?? '0',
    stageId: '0', createdBy: String(createdBy), createdDate: created,
    responsibleId: String(responsible), changedBy: row['CHANGED_BY'] ?? String(createdBy), changedDate,
    statusChangedBy: row['STATUS_CHANGED_BY'] ?? String(createdBy), closedBy: row['CLOSED_BY'] ?? null, closedDate: row['CLOSED_DATE'] ?? null,
    activityDate: changedDate, dateStart: null, deadline: row['DEADLINE'] ?? null, startDatePlan: null, endDatePlan: null, guid: null,
    xmlId: null, commentsCount: null, serviceCommentsCount: null, allowChangeDeadline: 'N',
    allowTimeTracking: 'N', taskControl: 'N', addInReport: 'N', forkedByTemplateId: null,
    timeEstimate: '0', timeSpentInLogs: null, matchWorkTime: 'N', forumTopicId: null, forumId: null,
    siteId: 's1', subordinate: 'N', exchangeModified: null, exchangeId: null, outlookVersion: '1',
    viewedDate: null, sorting: null, durationFact: null, isMuted: 'N', isPinned: 'N', isPinnedInGroup: 'N',
    flowId: null, descriptionInBbcode: 'Y', status, statusChangedDate: row['STATUS_CHANGED_DATE'] ?? created,
    durationPlan: null, durationType: 'days', favorite: 'N', groupInfo: [],
    creator: userBrief(mc, createdBy), responsible: userBrief(mc, responsible),
    accomplices: [], auditors: [], accomplicesData: [], auditorsData: [], newCommentsCount: 0,
    // After completion the doc example shows complete/start false and renew true.
    action: { accept: false, decline: false, complete: !closed, approve: false, disapprove: false, start: !closed, pause: false, delegate: !closed, remove: true, edit: true, defer: !closed, renew: closed, create: true, changeDeadline: true, checklistAddItems: true, addFavorite: true, deleteFavorite: false, rate: true, 'edit.originator': false, 'checklist.reorder': true, 'elapsedtime.add': true, 'dayplan.timer.toggle': false, 'edit.plan': true, 'checklist.add': true, 'favorite.add': true, 'favorite.delete': false },
    checkListTree: [], checkListCanAdd: true,
  };
}

// tasks.task.complete's documented errors: `error` is the string "0", HTTP 400.
const notAllowed = (): B24ApiError => new B24ApiError('0', 'Action on the task is not allowed', 400);

/**
 * tasks.task.complete: `taskId` required integer. A missing taskId is the REST server's usual
 * `100` "Could not find value for parameter {taskId}" (as tasks.task.add's {fields}); a value that is
 * not an integer is "wrong task id"; a task that does not exist (or was deleted) is "Action on the
 * task is not allowed". A task already completed answers the same: the doc's result after completion
 * carries `action.complete: false`, and the error covers "no permission to perform the action".
 */
function taskComplete(p: Params, mc: MethodContext): MethodResult {
  const raw = p.get('taskId');
  if (raw === undefined || raw === null || raw === '') throw new B24ApiError('100', 'Could not find value for parameter {taskId}', 400);
  const id = typeof raw === 'boolean' ? undefined : asInt(raw);
  if (id === undefined) throw new B24ApiError('0', 'wrong task id', 400);
  const row = id > 0 ? mc.state.tasks.get(id) : undefined;
  if (!row || row['STATUS'] === '5') throw notAllowed();
  const tz = mc.settings.timeZoneOffsetMinutes;
  const at = formatIso(mc.now, tz);
  const by = String(mc.ctx.userId);
  const next: Row = { ...row, STATUS: '5', CLOSED_BY: by, CLOSED_DATE: at, CHANGED_BY: by, CHANGED_DATE: at, STATUS_CHANGED_BY: by, STATUS_CHANGED_DATE: at };
  mc.state.tasks.rows.set(id, next);
  mc.emit('ONTASKUPDATE', { FIELDS_BEFORE: { ID: String(id) }, FIELDS_AFTER: { ID: String(id) } });
  return { result: { task: taskView(mc, next) } };
}

export const taskMethods: MethodTable = {
  'tasks.task.add': { handler: taskAdd },
  'tasks.task.complete': { handler: taskComplete },
};
