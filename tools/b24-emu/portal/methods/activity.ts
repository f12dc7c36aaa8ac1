/**
 * crm.activity.get / crm.activity.update (reference §8.5) and crm.timeline.comment.add (§8.7).
 * Call activities are created by telephony.externalCall.finish.
 */
import type { MethodResult } from '../../contract.js';
import { B24ApiError, crmError } from '../errors.js';
import { asInt, asList, asString, isPlainObject, type Params } from '../params.js';
import { OWNER_TYPE_ID } from '../state.js';
import type { MethodContext, MethodTable } from './context.js';

/** Fields crm.activity.update accepts (others are ignored, as unknown fields are by the portal). */
const UPDATABLE = new Set([
  'SUBJECT', 'DESCRIPTION', 'DESCRIPTION_TYPE', 'RESPONSIBLE_ID', 'START_TIME', 'END_TIME', 'DEADLINE',
  'COMPLETED', 'STATUS', 'PRIORITY', 'DIRECTION', 'COMMUNICATIONS', 'FILES', 'LOCATION', 'NOTIFY_TYPE', 'NOTIFY_VALUE',
]);

function activityId(p: Params): number {
  const id = asInt(p.get('id', 'ID'));
  if (id === undefined || id <= 0) throw crmError('ID is not defined or invalid.');
  return id;
}

function get(p: Params, mc: MethodContext): MethodResult {
  const row = mc.state.activities.get(activityId(p));
  if (!row) throw crmError('Activity is not found');
  return { result: JSON.parse(JSON.stringify(row)) };
}

function update(p: Params, mc: MethodContext): MethodResult {
  const id = activityId(p);
  const row = mc.state.activities.get(id);
  if (!row) throw crmError('Activity is not found');
  const fields = p.obj('fields');
  if (!fields) throw crmError("Parameter 'fields' must be array.");
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const k = key.toUpperCase();
    if (UPDATABLE.has(k)) changes[k] = typeof value === 'number' ? String(value) : value;
  }
  if ('SUBJECT' in changes && (typeof changes['SUBJECT'] !== 'string' || changes['SUBJECT'] === '')) {
    throw crmError('The field SUBJECT is not defined or empty');
  }
  if ('RESPONSIBLE_ID' in changes) {
    const uid = asInt(changes['RESPONSIBLE_ID']);
    if (uid === undefined || !mc.state.users.get(uid)) throw crmError('The field RESPONSIBLE_ID is not defined or invalid');
  }
  if ('COMMUNICATIONS' in changes && asList(changes['COMMUNICATIONS']).length === 0) {
    throw crmError('The field COMMUNICATIONS is not defined or invalid');
  }
  Object.assign(row, changes);
  if ('COMPLETED' in changes) row['STATUS'] = String(changes['COMPLETED']).toUpperCase() === 'Y' ? '2' : '1';
  mc.emit('ONCRMACTIVITYUPDATE', { FIELDS: { ID: String(id) } });
  return { result: true };
}

/** `fields` in lower case only (since crm 23.100.0, §8.7). */
function commentAdd(p: Params, mc: MethodContext): MethodResult {
  const fields = p.raw['fields'];
  if (!isPlainObject(fields)) throw new B24ApiError('100', 'Could not find value for parameter {fields}', 400);
  const entityId = asInt(fields['ENTITY_ID']);
  const entityType = asString(fields['ENTITY_TYPE'])?.toUpperCase();
  const comment = fields['COMMENT'];
  if (entityId === undefined || entityType === undefined || comment === undefined) {
    throw new B24ApiError('100', 'Required fields ENTITY_ID, ENTITY_TYPE, COMMENT are not set', 400);
  }
  if (typeof comment !== 'string' || comment.trim() === '') throw new B24ApiError('INVALID_ARG_VALUE', 'Empty comment.', 400);
  if (OWNER_TYPE_ID[entityType] === undefined || !mc.state.crmTable(entityType)?.get(entityId)) {
    throw new B24ApiError('OWNER_NOT_FOUND', 'Owner not found.', 400);
  }
  const files = asList(fields['FILES']).filter(Array.isArray).map((f) => String((f as unknown[])[0] ?? ''));
  const id = mc.state.comments.insert({
    ENTITY_ID: String(entityId), ENTITY_TYPE: entityType.toLowerCase(), COMMENT: comment,
    FILES: files, AUTHOR_ID: String(mc.ctx.userId), CREATED: mc.now,
  });
  mc.emit('ONCRMTIMELINECOMMENTADD', { FIELDS: { ID: String(id) } });
  return { result: id };
}

export const activityMethods: MethodTable = {
  'crm.activity.get': { handler: get },
  'crm.activity.update': { handler: update },
  'crm.timeline.comment.add': { handler: commentAdd },
};
