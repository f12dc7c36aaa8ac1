/**
 * telephony.externalCall.finish (reference §6.4): ends the call, hides every card, writes the
 * statistics record, creates the CRM call activity, hands auto-created objects to the user.
 */
import type { MethodResult } from '../../contract.js';
import { hideCard, visibleTo } from '../calls.js';
import { formatIso } from '../dates.js';
import { errorCore, invalidArgument } from '../errors.js';
import { asFlag, asInt, asNumber, cloneJson, type Params, type Row } from '../params.js';
import { OWNER_TYPE_ID, type ExternalCall } from '../state.js';
import type { MethodContext, MethodTable } from './context.js';
import { recordFromFinishUrl } from './records.js';
import { resolveCallUser } from './telephony.js';

const NOT_FOUND = 'Call is not found (call should be registered prior to finishing';

export interface FinishValues {
  readonly userId: number;
  readonly duration: number;
  readonly cost: number;
  readonly costCurrency: string;
  readonly statusCode: string;
  readonly failedReason: string;
  readonly vote: number | null;
  readonly addToChat: boolean;
  readonly recordUrl: string | null;
}

function readValues(p: Params, userId: number): FinishValues {
  const duration = Math.max(0, asInt(p.get('DURATION')) ?? 0);
  const vote = asInt(p.get('VOTE'));
  const status = p.str('STATUS_CODE');
  const url = p.str('RECORD_URL');
  return {
    userId, duration, cost: asNumber(p.get('COST')) ?? 0, costCurrency: p.str('COST_CURRENCY') ?? '',
    // Default from DURATION (§6.4); CALL_STATUS below ignores STATUS_CODE (§11 item 7).
    statusCode: status !== undefined && status !== '' ? status : duration > 0 ? '200' : '304',
    failedReason: p.str('FAILED_REASON') ?? '',
    vote: vote !== undefined && vote >= 1 && vote <= 5 ? vote : null,
    addToChat: asFlag(p.get('ADD_TO_CHAT'), true),
    recordUrl: url !== undefined && url !== '' ? url : null,
  };
}

const isIncoming = (type: number): boolean => type === 2 || type === 3;

function createActivity(mc: MethodContext, call: ExternalCall, v: FinishValues): number | null {
  if (call.internal || call.crmEntityId === null || call.crmEntityType === '') return null;
  const ownerType = OWNER_TYPE_ID[call.crmEntityType];
  if (ownerType === undefined) return null;
  const tz = mc.settings.timeZoneOffsetMinutes;
  const incoming = isIncoming(call.type);
  const missed = incoming && v.duration === 0;
  const start = formatIso(call.startDate, tz);
  const end = formatIso(call.startDate + v.duration * 1000, tz);
  const row: Row = {
    OWNER_ID: String(call.crmEntityId), OWNER_TYPE_ID: String(ownerType), TYPE_ID: '2',
    PROVIDER_ID: 'VOXIMPLANT_CALL', PROVIDER_TYPE_ID: 'CALL', ASSOCIATED_ENTITY_ID: String(call.statId ?? ''),
    SUBJECT: `${missed ? 'Missed call' : incoming ? 'Incoming call' : 'Outgoing call'} ${call.phoneNumber}`,
    CREATED: formatIso(mc.now, tz), LAST_UPDATED: formatIso(mc.now, tz),
    START_TIME: start, END_TIME: end, DEADLINE: end,
    // A missed incoming call stays open as a to-do to call back.
    COMPLETED: missed ? 'N' : 'Y', STATUS: missed ? '1' : '2', RESPONSIBLE_ID: String(v.userId),
    PRIORITY: '2', NOTIFY_TYPE: '0', NOTIFY_VALUE: '0', DESCRIPTION: '', DESCRIPTION_TYPE: '1',
    DIRECTION: incoming ? '1' : '2', LOCATION: '', SETTINGS: [], ORIGINATOR_ID: '', ORIGIN_ID: `VI_${call.callId}`,
    AUTHOR_ID: String(v.userId), EDITOR_ID: String(v.userId), PROVIDER_PARAMS: [], PROVIDER_DATA: '',
    COMMUNICATIONS: [{ VALUE: call.phoneNumber, TYPE: 'PHONE', ENTITY_ID: String(call.crmEntityId), ENTITY_TYPE_ID: String(ownerType) }],
    FILES: [],
  };
  const id = mc.state.activities.insert(row);
  mc.emit('ONCRMACTIVITYADD', { FIELDS: { ID: String(id) } });
  return id;
}

/** The statistics row as voximplant.statistic.get serves it (strings; RECORD_FILE_ID integer). */
function statisticsRow(mc: MethodContext, call: ExternalCall, v: FinishValues, activityId: number | null): Row {
  return {
    CALL_ID: call.callId, EXTERNAL_CALL_ID: call.externalCallId, CALL_CATEGORY: 'external',
    PORTAL_USER_ID: String(v.userId), PORTAL_NUMBER: portalNumber(mc, call), PHONE_NUMBER: call.phoneNumber,
    CALL_TYPE: String(call.type), CALL_DURATION: String(v.duration),
    CALL_START_DATE: formatIso(call.startDate, mc.settings.timeZoneOffsetMinutes),
    CALL_LOG: null, CALL_RECORD_URL: v.recordUrl, CALL_VOTE: v.vote === null ? null : String(v.vote),
    COST: v.cost.toFixed(4), COST_CURRENCY: v.costCurrency, CALL_FAILED_CODE: v.statusCode,
    CALL_FAILED_REASON: v.failedReason,
    CRM_ENTITY_TYPE: call.crmEntityType === '' ? null : call.crmEntityType,
    CRM_ENTITY_ID: call.crmEntityId === null ? null : String(call.crmEntityId),
    CRM_ACTIVITY_ID: activityId === null ? null : String(activityId),
    REST_APP_ID: String(mc.settings.restAppId), REST_APP_NAME: mc.settings.restAppName,
    TRANSCRIPT_ID: null, TRANSCRIPT_PENDING: 'N', SESSION_ID: null, REDIAL_ATTEMPT: null, COMMENT: null,
    RECORD_DURATION: null, RECORD_FILE_ID: null,
  };
}

/** Line number, or `REST_APP:<app id>` when none was given (§6.4 [src]). */
function portalNumber(mc: MethodContext, call: ExternalCall): string {
  return call.lineNumber ?? `REST_APP:${mc.settings.restAppId}`;
}

/** finish's result: integers where the doc example has them; CALL_START_DATE as `{}` (§6.4). */
function finishResult(mc: MethodContext, call: ExternalCall, v: FinishValues, statId: number, activityId: number | null): Row {
  const out: Row = {
    CALL_ID: call.callId, EXTERNAL_CALL_ID: call.externalCallId, PORTAL_USER_ID: v.userId,
    PHONE_NUMBER: call.phoneNumber, PORTAL_NUMBER: portalNumber(mc, call), INCOMING: String(call.type),
    CALL_DURATION: v.duration, CALL_START_DATE: {}, CALL_STATUS: v.duration > 0 ? 1 : 0,
    CALL_VOTE: v.vote, COST: v.cost, COST_CURRENCY: v.costCurrency, CALL_FAILED_CODE: v.statusCode,
    CALL_FAILED_REASON: v.failedReason, REST_APP_ID: String(mc.settings.restAppId),
    REST_APP_NAME: mc.settings.restAppName, CRM_ACTIVITY_ID: activityId, COMMENT: null,
  };
  if (call.crmEntityId !== null && call.crmEntityType !== '') {
    out['CRM_ENTITY_TYPE'] = call.crmEntityType;
    out['CRM_ENTITY_ID'] = call.crmEntityId;
  }
  out['ID'] = statId;
  return out;
}

/** Auto-created objects go to the user who finished the call; existing ones keep theirs. */
function handOverCreated(mc: MethodContext, call: ExternalCall, userId: number): void {
  for (const e of call.crmCreatedEntities) {
    const row = mc.state.crmTable(e.ENTITY_TYPE)?.get(e.ENTITY_ID);
    if (row && row['ASSIGNED_BY_ID'] !== String(userId)) {
      row['ASSIGNED_BY_ID'] = String(userId);
      mc.emit(`ONCRM${e.ENTITY_TYPE}UPDATE`, { FIELDS: { ID: String(e.ENTITY_ID) } });
    }
  }
}

function finish(p: Params, mc: MethodContext): MethodResult {
  const callId = p.get('CALL_ID');
  if (typeof callId !== 'string') throw invalidArgument('CALL_ID must be a string');
  if (!p.has('USER_ID') && !p.has('USER_PHONE_INNER')) throw errorCore('USER_ID or USER_PHONE_INNER should be set');
  const call = mc.state.calls.get(callId);
  if (!call || call.finishedAt !== null) throw errorCore(NOT_FOUND);
  const values = readValues(p, resolveCallUser(p, mc));
  const statId = mc.state.statistics.peek();
  call.statId = statId;
  const activityId = createActivity(mc, call, values);
  mc.state.statistics.insert(statisticsRow(mc, call, values, activityId), statId);
  call.finishedAt = mc.now;
  if (values.recordUrl !== null) recordFromFinishUrl(mc.state, call.callId, values.recordUrl, mc.now);
  hideCard(mc.state, call, visibleTo(call), mc.now, 'finish');
  handOverCreated(mc, call, values.userId);
  mc.state.finishes.push({ callId, at: mc.now, params: cloneJson(p.raw), statId, activityId });
  mc.emit('ONVOXIMPLANTCALLEND', {
    CALL_ID: call.callId, CALL_TYPE: String(call.type), PHONE_NUMBER: call.phoneNumber,
    PORTAL_NUMBER: portalNumber(mc, call), PORTAL_USER_ID: String(values.userId),
    CALL_DURATION: String(values.duration), CALL_START_DATE: formatIso(call.startDate, mc.settings.timeZoneOffsetMinutes),
    COST: String(values.cost), COST_CURRENCY: values.costCurrency, CALL_FAILED_CODE: values.statusCode,
    CALL_FAILED_REASON: values.failedReason, CRM_ACTIVITY_ID: activityId === null ? '' : String(activityId),
  });
  return { result: finishResult(mc, call, values, statId, activityId) };
}

export const finishMethods: MethodTable = {
  'telephony.externalcall.finish': { appOnly: true, handler: finish },
};
