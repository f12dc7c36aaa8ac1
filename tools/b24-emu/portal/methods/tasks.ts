/**
 * tasks.task.add (reference §8.6): required TITLE and RESPONSIBLE_ID, CRM bindings in UF_CRM_TASK
 * (`L_11`, `C_5`, `CO_3`, `D_10` …); the result is `{task: {…}}` with camelCase keys.
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
  return {
    result: {
      task: {
        id: String(id), parentId: null, title, description: stored['DESCRIPTION'], mark: null,
        priority: String(priority), multitask: 'N', notViewed: 'N', replicate: 'N', groupId: stored['GROUP_ID'],
        stageId: '0', createdBy: String(createdBy), createdDate: stored['CREATED_DATE'],
        responsibleId: String(responsible), changedBy: String(createdBy), changedDate: stored['CREATED_DATE'],
        statusChangedBy: String(createdBy), closedBy: null, closedDate: null, activityDate: stored['CREATED_DATE'],
        dateStart: null, deadline: stored['DEADLINE'], startDatePlan: null, endDatePlan: null, guid: null,
        xmlId: null, commentsCount: null, serviceCommentsCount: null, allowChangeDeadline: 'N',
        allowTimeTracking: 'N', taskControl: 'N', addInReport: 'N', forkedByTemplateId: null,
        timeEstimate: '0', timeSpentInLogs: null, matchWorkTime: 'N', forumTopicId: null, forumId: null,
        siteId: 's1', subordinate: 'N', exchangeModified: null, exchangeId: null, outlookVersion: '1',
        viewedDate: null, sorting: null, durationFact: null, isMuted: 'N', isPinned: 'N', isPinnedInGroup: 'N',
        flowId: null, descriptionInBbcode: 'Y', status: '2', statusChangedDate: stored['CREATED_DATE'],
        durationPlan: null, durationType: 'days', favorite: 'N', groupInfo: [],
        creator: userBrief(mc, createdBy), responsible: userBrief(mc, responsible),
        accomplices: [], auditors: [], accomplicesData: [], auditorsData: [], newCommentsCount: 0,
        action: { accept: false, decline: false, complete: true, approve: false, disapprove: false, start: true, pause: false, delegate: true, remove: true, edit: true, defer: true, renew: false, create: true, changeDeadline: true, checklistAddItems: true, addFavorite: true, deleteFavorite: false, rate: true, 'edit.originator': false, 'checklist.reorder': true, 'elapsedtime.add': true, 'dayplan.timer.toggle': false, 'edit.plan': true, 'checklist.add': true, 'favorite.add': true, 'favorite.delete': false },
        checkListTree: [], checkListCanAdd: true,
      },
    },
  };
}

export const taskMethods: MethodTable = {
  'tasks.task.add': { handler: taskAdd },
};
