/**
 * Raising portal events: online bindings go to the listeners (the HTTP layer delivers them),
 * offline bindings get the event stored for event.offline.get (reference §7, §7.5).
 * Offline queues keep only the latest state per object: a new event with the same MESSAGE_ID
 * replaces one not yet reserved by a process.
 */
import type { PortalEvent } from '../contract.js';
import type { Row } from './params.js';
import type { Binding, PortalState } from './state.js';

export type EventListener = (ev: PortalEvent, bindings: Binding[]) => void;

/** Events a webhook can never receive (reference §2.1, §7.3). */
const APP_ONLY_EVENTS = new Set(['ONEXTERNALCALLSTART']);

/** Event names event.bind accepts (others → ERROR_EVENT_NOT_FOUND). */
export const KNOWN_EVENTS = new Set([
  'ONEXTERNALCALLSTART', 'ONEXTERNALCALLBACKSTART',
  'ONVOXIMPLANTCALLINIT', 'ONVOXIMPLANTCALLSTART', 'ONVOXIMPLANTCALLEND',
  'ONCRMLEADADD', 'ONCRMLEADUPDATE', 'ONCRMLEADDELETE',
  'ONCRMCONTACTADD', 'ONCRMCONTACTUPDATE', 'ONCRMCONTACTDELETE',
  'ONCRMCOMPANYADD', 'ONCRMCOMPANYUPDATE', 'ONCRMCOMPANYDELETE',
  'ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE',
  'ONCRMACTIVITYADD', 'ONCRMACTIVITYUPDATE', 'ONCRMACTIVITYDELETE',
  'ONCRMTIMELINECOMMENTADD',
  'ONTASKADD', 'ONTASKUPDATE', 'ONTASKDELETE',
  'ONAPPINSTALL', 'ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONAPPTEST', 'ONOFFLINEEVENT',
]);

export function bindingsFor(state: PortalState, event: string): Binding[] {
  return state.bindings.filter((b) => b.event === event && !(b.ownerKind === 'webhook' && APP_ONLY_EVENTS.has(event)));
}

/** MESSAGE_ID: one per (event, object) so repeated changes of one object collapse. */
function messageIdOf(event: string, data: Row, explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const fields = data['FIELDS'];
  const objectId =
    (fields && typeof fields === 'object' && 'ID' in fields ? String((fields as Row)['ID']) : undefined) ??
    (typeof data['CALL_ID'] === 'string' ? data['CALL_ID'] : undefined);
  return objectId === undefined ? `${event}` : `${event}:${objectId}`;
}

export function raiseEvent(
  state: PortalState,
  listeners: readonly EventListener[],
  event: string,
  data: Row,
  now: number,
  messageId?: string,
): void {
  const name = event.toUpperCase();
  const bound = bindingsFor(state, name);
  // An app whose installation is not finished gets no events (reference §7.1).
  const appReady = state.settings['appInstalled'] !== false;
  const online = bound.filter((b) => b.eventType === 'online' && (appReady || b.ownerKind !== 'app'));
  const offline = bound.filter((b) => b.eventType === 'offline');
  state.raised.push({ event: name, data, at: now, online: online.map((b) => b.id), offline: offline.map((b) => b.id) });
  const mid = messageIdOf(name, data, messageId);
  for (const appKey of new Set(offline.map((b) => b.appKey))) {
    const pending = state.offline.find((e) => e.appKey === appKey && e.messageId === mid && e.processId === null);
    if (pending) {
      pending.eventData = data;
      pending.timestamp = now;
      continue;
    }
    state.offline.push({
      id: state.counters.offlineId++, timestamp: now, eventName: name, eventData: data,
      messageId: mid, appKey, processId: null, error: false,
    });
  }
  if (online.length === 0) return;
  const ev: PortalEvent = { event: name, data };
  for (const listener of listeners) listener(ev, online);
}
