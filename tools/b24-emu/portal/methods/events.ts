/**
 * event.bind / unbind / get, event.offline.get / clear / list / error and event.test (reference
 * §7.5, doc-examples §4). All are application-only. Offline queues: `clear=1` (default) deletes
 * what is returned; `clear=0` reserves it under a process_id until event.offline.clear.
 */
import { createHash } from 'node:crypto';
import type { MethodResult } from '../../contract.js';
import { formatIso } from '../dates.js';
import { B24ApiError, accessDenied, errorCore } from '../errors.js';
import { KNOWN_EVENTS } from '../events.js';
import { matchesFilter, page, parseFilter, sortRows } from '../list-query.js';
import { asFlag, asInt, asList, asString, isPlainObject, type Params, type Row } from '../params.js';
import type { OfflineEvent } from '../state.js';
import type { MethodContext, MethodTable } from './context.js';

/** Admins: users flagged IS_ADMIN; a seed that flags nobody makes everyone an admin. */
export function isAdmin(mc: MethodContext, userId: number): boolean {
  const users = mc.state.users.all();
  if (!users.some((u) => 'IS_ADMIN' in u)) return true;
  return mc.state.users.get(userId)?.['IS_ADMIN'] === true;
}

function eventName(p: Params): string {
  const name = p.str('event')?.toUpperCase();
  if (name === undefined || !KNOWN_EVENTS.has(name)) throw new B24ApiError('ERROR_EVENT_NOT_FOUND', 'Event not found', 400);
  return name;
}

function isOffline(p: Params): boolean {
  return p.str('event_type')?.toLowerCase() === 'offline';
}

function bind(p: Params, mc: MethodContext): MethodResult {
  const event = eventName(p);
  const offline = isOffline(p);
  const admin = isAdmin(mc, mc.ctx.userId);
  if (offline && !admin) throw accessDenied('Access denied! Offline events binding requires administrator access rights');
  const authType = asInt(p.get('auth_type')) ?? 0;
  if (authType !== 0 && authType !== mc.ctx.userId && !admin) {
    throw accessDenied('Access denied! Event binding with AUTH_TYPE requires administrator access rights');
  }
  const handler = offline ? '' : (p.str('handler') ?? '');
  if (!offline && handler === '') throw errorCore('Handler is not defined');
  const duplicate = mc.state.bindings.some((b) => b.appKey === mc.appKey && b.event === event &&
    b.handler === handler && b.eventType === (offline ? 'offline' : 'online') && b.authType === authType);
  if (duplicate) throw new B24ApiError('ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!', 400);
  const options = p.obj('options') ?? {};
  mc.state.bindings.push({
    id: mc.state.counters.bindingId++, event, handler, authType, eventType: offline ? 'offline' : 'online',
    authConnector: p.str('auth_connector') ?? '', options, appKey: mc.appKey,
    ownerKind: mc.ctx.authType === 'oauth' ? 'app' : 'webhook', userId: mc.ctx.userId, createdAt: mc.now,
  });
  return { result: true };
}

function unbind(p: Params, mc: MethodContext): MethodResult {
  const event = eventName(p);
  const offline = isOffline(p);
  if (offline && !isAdmin(mc, mc.ctx.userId)) {
    throw accessDenied('Access denied! Offline events unbinding requires administrator access rights');
  }
  const handler = offline ? '' : (p.str('handler') ?? '');
  // auth_type 0/empty → only handlers bound without auth_type (§7.5).
  const authType = asInt(p.get('auth_type')) ?? 0;
  const before = mc.state.bindings.length;
  const keep = mc.state.bindings.filter((b) => !(b.appKey === mc.appKey && b.event === event &&
    b.eventType === (offline ? 'offline' : 'online') && b.handler === handler && b.authType === authType));
  mc.state.bindings.splice(0, mc.state.bindings.length, ...keep);
  return { result: { count: before - keep.length } };
}

function get(_p: Params, mc: MethodContext): MethodResult {
  const result = mc.state.bindings.filter((b) => b.appKey === mc.appKey).map((b) => ({
    event: b.event, handler: b.handler, auth_type: String(b.authType), offline: b.eventType === 'offline' ? 1 : 0,
  }));
  return { result };
}

/** Filterable/served form of a queued event. */
function offlineRow(mc: MethodContext, e: OfflineEvent): Row {
  return {
    ID: String(e.id), TIMESTAMP_X: formatIso(e.timestamp, mc.settings.timeZoneOffsetMinutes), EVENT_NAME: e.eventName,
    EVENT_DATA: Object.keys(e.eventData).length === 0 ? false : JSON.parse(JSON.stringify(e.eventData)),
    EVENT_ADDITIONAL: false, MESSAGE_ID: e.messageId, PROCESS_ID: e.processId, ERROR: e.error ? '1' : '0',
  };
}

const served = (r: Row): Row => {
  const { PROCESS_ID: _pid, ERROR: _err, ...rest } = r;
  return rest;
};

function queueOf(mc: MethodContext): Array<{ event: OfflineEvent; row: Row }> {
  return mc.state.offline.filter((e) => e.appKey === mc.appKey).map((event) => ({ event, row: offlineRow(mc, event) }));
}

function orderArg(p: Params, dflt: Row): Row {
  const order = p.get('order');
  return isPlainObject(order) && Object.keys(order).length > 0 ? order : dflt;
}

function offlineGet(p: Params, mc: MethodContext): MethodResult {
  if (!isAdmin(mc, mc.ctx.userId)) throw accessDenied('Access denied!');
  const terms = parseFilter(p.obj('filter') ?? {});
  const wantErrors = asFlag(p.get('error'), false);
  const limit = Math.max(1, asInt(p.get('limit')) ?? 50);
  const candidates = queueOf(mc).filter(({ event, row }) => event.processId === null && event.error === wantErrors && matchesFilter(row, terms));
  const ordered = sortRows(candidates.map((c) => c.row), orderArg(p, { TIMESTAMP_X: 'ASC' })).slice(0, limit);
  const picked = ordered.map((row) => candidates.find((c) => c.row === row)!.event);
  let processId: string | null = null;
  if (asFlag(p.get('clear'), true)) {
    const ids = new Set(picked.map((e) => e.id));
    const rest = mc.state.offline.filter((e) => !ids.has(e.id));
    mc.state.offline.splice(0, mc.state.offline.length, ...rest);
  } else if (picked.length > 0) {
    mc.state.counters.processSeq += 1;
    processId = p.str('process_id') ?? createHash('md5').update(`process:${mc.state.counters.processSeq}:${mc.now}`).digest('hex');
    for (const e of picked) e.processId = processId;
  }
  return { result: { process_id: processId, events: ordered.map(served) } };
}

function offlineClear(p: Params, mc: MethodContext): MethodResult {
  if (!isAdmin(mc, mc.ctx.userId)) throw accessDenied('Access denied!');
  const processId = p.str('process_id');
  if (processId === undefined || processId === '') throw errorCore('process_id is not defined');
  const ids = asList(p.get('id')).map(asInt).filter((n): n is number => n !== undefined);
  const messageIds = asList(p.get('message_id')).map(asString).filter((s): s is string => s !== undefined);
  const hit = (e: OfflineEvent): boolean => e.appKey === mc.appKey && e.processId === processId &&
    (ids.length > 0 ? ids.includes(e.id) : messageIds.length === 0 || messageIds.includes(e.messageId));
  const rest = mc.state.offline.filter((e) => !hit(e));
  mc.state.offline.splice(0, mc.state.offline.length, ...rest);
  return { result: true };
}

/** Marks reserved events as failed; they are returned again by event.offline.get with error=1. */
function offlineError(p: Params, mc: MethodContext): MethodResult {
  if (!isAdmin(mc, mc.ctx.userId)) throw accessDenied('Access denied!');
  const processId = p.str('process_id');
  if (processId === undefined || processId === '') throw errorCore('process_id is not defined');
  const messageIds = asList(p.get('message_id')).map(asString);
  for (const e of mc.state.offline) {
    if (e.appKey === mc.appKey && e.processId === processId && (messageIds.length === 0 || messageIds.includes(e.messageId))) {
      e.error = true;
      e.processId = null;
    }
  }
  return { result: true };
}

function offlineList(p: Params, mc: MethodContext): MethodResult {
  if (!isAdmin(mc, mc.ctx.userId)) throw accessDenied('Access denied!');
  const terms = parseFilter(p.obj('filter') ?? {});
  const rows = queueOf(mc).map((c) => c.row).filter((r) => matchesFilter(r, terms));
  return page(sortRows(rows, orderArg(p, { ID: 'ASC' })), p.int('start'));
}

function eventTest(p: Params, mc: MethodContext): MethodResult {
  mc.emit('ONAPPTEST', { QUERY: JSON.parse(JSON.stringify(p.raw)) as Row });
  return { result: true };
}

export const eventMethods: MethodTable = {
  'event.bind': { appOnly: true, handler: bind },
  'event.unbind': { appOnly: true, handler: unbind },
  'event.get': { appOnly: true, handler: get },
  'event.offline.get': { appOnly: true, handler: offlineGet },
  'event.offline.clear': { appOnly: true, handler: offlineClear },
  'event.offline.error': { appOnly: true, handler: offlineError },
  'event.offline.list': { appOnly: true, handler: offlineList },
  'event.test': { appOnly: true, handler: eventTest },
};
