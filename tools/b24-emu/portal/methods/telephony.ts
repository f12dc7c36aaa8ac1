/**
 * telephony.externalCall.register / show / hide / searchCrmEntities (reference §6.2, §6.3, §6.7).
 * finish lives in finish.ts, records and transcripts in records.ts, lines in lines.ts.
 */
import type { MethodResult } from '../../contract.js';
import { registerCall, registerResult, hideCard, showCard, type RegisterInput } from '../calls.js';
import { entityName, findByPhone } from '../crm-lookup.js';
import { parseIso } from '../dates.js';
import { errorCore } from '../errors.js';
import { asFlag, asInt, asList, asString, cloneJson, type Params, type Row } from '../params.js';
import { stripLetters } from '../phones.js';
import type { MethodContext, MethodTable } from './context.js';

const USER_NOT_SET = 'USER_ID or USER_PHONE_INNER should be set';
const USER_INACTIVE = 'User is not found or is not active';

/**
 * USER_ID, or the active user whose UF_PHONE_INNER is USER_PHONE_INNER (register, finish).
 * Unknown inner number counts as "not set" (§6.2 error table).
 */
export function resolveCallUser(p: Params, mc: MethodContext): number {
  const userId = asInt(p.get('USER_ID'));
  if (userId !== undefined && userId > 0) {
    const user = mc.state.users.get(userId);
    if (!user || user['ACTIVE'] !== true) throw errorCore(USER_INACTIVE);
    return userId;
  }
  const inner = p.str('USER_PHONE_INNER');
  if (inner !== undefined && inner !== '') {
    for (const [id, user] of mc.state.users.rows) {
      if (user['ACTIVE'] === true && user['UF_PHONE_INNER'] === inner) return id;
    }
  }
  throw errorCore(USER_NOT_SET);
}

function registerInput(p: Params, mc: MethodContext): RegisterInput {
  const userId = resolveCallUser(p, mc);
  const type = asInt(p.get('TYPE'));
  if (type === undefined || type < 1 || type > 5) throw errorCore('Unknown TYPE');
  const phone = stripLetters(p.str('PHONE_NUMBER') ?? '');
  if (phone === null) throw errorCore('Unsupported phone number format');
  const startText = p.str('CALL_START_DATE');
  let startDate = mc.now;
  if (startText !== undefined && startText !== '') {
    const parsed = parseIso(startText, mc.settings.timeZoneOffsetMinutes);
    if (parsed === undefined) throw errorCore('CALL_START_DATE should be in the ISO-8601 format');
    startDate = parsed;
  }
  const line = p.str('LINE_NUMBER');
  const ext = p.str('EXTERNAL_CALL_ID');
  const entityType = p.str('CRM_ENTITY_TYPE');
  const entityId = asInt(p.get('CRM_ENTITY_ID'));
  return {
    appKey: mc.appKey, origin: 'rest', params: cloneJson(p.raw), userId, phoneNumber: phone, type,
    lineNumber: line !== undefined && line !== '' ? line.slice(0, 50) : null,
    externalCallId: ext !== undefined && ext !== '' ? ext : null,
    startDate, crmCreate: asFlag(p.get('CRM_CREATE'), false),
    crmSource: p.str('CRM_SOURCE') ?? null,
    crmEntityType: entityType !== undefined && entityType !== '' && entityId !== undefined && entityId > 0 ? entityType : null,
    crmEntityId: entityId !== undefined && entityId > 0 ? entityId : null,
    show: asFlag(p.get('SHOW'), true), callListId: asInt(p.get('CALL_LIST_ID')) ?? 0,
    addToChat: asFlag(p.get('ADD_TO_CHAT'), true),
  };
}

/** An unknown LINE_NUMBER silently becomes a line record of the app (§11 item 5). */
export function ensureLine(mc: Pick<MethodContext, 'state'>, number: string | null): void {
  if (number === null) return;
  if (mc.state.lines.all().some((l) => l['NUMBER'] === number)) return;
  mc.state.lines.insert({ NUMBER: number, NAME: number, CRM_AUTO_CREATE: 'Y', ORIGIN: 'register' });
}

/** Events of a fresh registration: created CRM objects and OnVoximplantCallInit (§6.2). */
export function emitRegistered(mc: Pick<MethodContext, 'emit' | 'settings'>, call: { callId: string; type: number; phoneNumber: string; crmCreatedEntities: Array<{ ENTITY_TYPE: string; ENTITY_ID: number }> }): void {
  for (const e of call.crmCreatedEntities) mc.emit(`ONCRM${e.ENTITY_TYPE}ADD`, { FIELDS: { ID: String(e.ENTITY_ID) } });
  mc.emit('ONVOXIMPLANTCALLINIT', {
    CALL_ID: call.callId, CALL_TYPE: String(call.type), CALLER_ID: call.phoneNumber, REST_APP_ID: String(mc.settings.restAppId),
  });
}

function register(p: Params, mc: MethodContext): MethodResult {
  const input = registerInput(p, mc);
  ensureLine(mc, input.lineNumber);
  const { call, reused } = registerCall(mc, input);
  if (!reused) emitRegistered(mc, call);
  return { result: registerResult(call) };
}

/** USER_ID as one id or a list; absent → the user the call was registered for (§11 item 15). */
function targetUsers(p: Params, fallback: number): number[] {
  const list = asList(p.get('USER_ID')).map(asInt).filter((n): n is number => n !== undefined && n > 0);
  return list.length > 0 ? list : [fallback];
}

function activeCall(p: Params, mc: MethodContext) {
  const callId = p.str('CALL_ID');
  const call = callId === undefined ? undefined : mc.state.calls.get(callId);
  return call && call.finishedAt === null ? call : undefined;
}

function show(p: Params, mc: MethodContext): MethodResult {
  const call = activeCall(p, mc);
  if (!call) return { result: false };
  showCard(mc.state, call, targetUsers(p, call.userId), mc.now, 'show');
  return { result: true };
}

function hide(p: Params, mc: MethodContext): MethodResult {
  const call = activeCall(p, mc);
  if (!call) return { result: false };
  hideCard(mc.state, call, targetUsers(p, call.userId), mc.now, 'hide');
  return { result: true };
}

function assignedBy(mc: MethodContext, userId: number | undefined): Row | null {
  const user = userId === undefined ? undefined : mc.state.users.get(userId);
  if (!user) return null;
  const s = (k: string): string | null => asString(user[k]) ?? null;
  return {
    ID: String(userId), TIMEMAN_STATUS: s('TIMEMAN_STATUS') ?? 'OPENED', USER_PHONE_INNER: s('UF_PHONE_INNER'),
    WORK_PHONE: s('WORK_PHONE'), PERSONAL_PHONE: s('PERSONAL_PHONE'), PERSONAL_MOBILE: s('PERSONAL_MOBILE'),
  };
}

function searchCrmEntities(p: Params, mc: MethodContext): MethodResult {
  const phone = p.str('PHONE_NUMBER');
  if (phone === undefined || phone.trim() === '') throw errorCore('PHONE_NUMBER is empty');
  const result = findByPhone(mc.state, phone, mc.country).map((m) => {
    const assigned = asInt(m.row['ASSIGNED_BY_ID']);
    return {
      CRM_ENTITY_TYPE: m.type, CRM_ENTITY_ID: m.id, ASSIGNED_BY_ID: assigned ?? null,
      NAME: entityName(m.type, m.row), ASSIGNED_BY: assignedBy(mc, assigned),
    };
  });
  return { result };
}

export const telephonyMethods: MethodTable = {
  'telephony.externalcall.register': { appOnly: true, handler: register },
  'telephony.externalcall.show': { handler: show },
  'telephony.externalcall.hide': { handler: hide },
  'telephony.externalcall.searchcrmentities': { handler: searchCrmEntities },
};
