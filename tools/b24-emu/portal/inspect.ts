/**
 * The inspector's view of a portal (data only; the HTTP layer serves it): what was registered with
 * which params, which card is visible to whom since when and the full show/hide history, finishes,
 * records, transcripts, activities, tasks, lines, bindings, the offline queue and raised events.
 * Times are epoch milliseconds of the emulator clock. Everything is a JSON-safe copy.
 */
import type { Row } from './params.js';
import type { Binding, CardChange, CreatedEntity, FinishRecord, PortalState, RaisedEvent } from './state.js';

export interface CallView {
  readonly callId: string;
  readonly origin: 'rest' | 'click-to-call';
  readonly appKey: string;
  readonly userId: number;
  readonly phoneNumber: string;
  readonly type: number;
  readonly lineNumber: string | null;
  readonly externalCallId: string | null;
  readonly startDate: number;
  readonly registeredAt: number;
  readonly finishedAt: number | null;
  readonly internal: boolean;
  readonly crmEntityType: string;
  readonly crmEntityId: number | null;
  readonly crmCreatedLead: number | null;
  readonly crmCreatedEntities: CreatedEntity[];
  readonly statisticsId: number | null;
  readonly cards: Array<{ userId: number; visible: boolean; shownAt: number | null; hiddenAt: number | null }>;
}

export interface RecordView {
  readonly fileId: number;
  readonly callId: string;
  readonly name: string;
  readonly size: number;
  readonly format: 'mp3' | 'wav';
  readonly via: 'base64' | 'upload' | 'url';
  readonly url: string | null;
  readonly at: number;
  /** False once a later attach replaced it. */
  readonly current: boolean;
}

export interface PortalInspection {
  readonly registrations: Array<{ callId: string; at: number; params: Row; reused: boolean }>;
  readonly calls: CallView[];
  /** Cards visible right now: who sees which call since when. */
  readonly visibleCards: Array<{ callId: string; userId: number; since: number }>;
  readonly cardHistory: CardChange[];
  readonly finishes: FinishRecord[];
  readonly statistics: Row[];
  readonly records: RecordView[];
  readonly pendingUploads: Array<{ token: string; callId: string; filename: string; createdAt: number; usedAt: number | null }>;
  readonly transcripts: Array<{ id: number; callId: string; messages: Row[]; at: number }>;
  readonly activities: Row[];
  readonly tasks: Row[];
  readonly comments: Row[];
  readonly lines: Row[];
  readonly bindings: Binding[];
  readonly offlineQueue: Array<{ id: number; eventName: string; messageId: string; processId: string | null; error: boolean; timestamp: number; appKey: string; data: Row }>;
  readonly events: RaisedEvent[];
}

function callView(state: PortalState): CallView[] {
  return [...state.calls.values()].map((c) => ({
    callId: c.callId, origin: c.origin, appKey: c.appKey, userId: c.userId, phoneNumber: c.phoneNumber,
    type: c.type, lineNumber: c.lineNumber, externalCallId: c.externalCallId, startDate: c.startDate,
    registeredAt: c.registeredAt, finishedAt: c.finishedAt, internal: c.internal,
    crmEntityType: c.crmEntityType, crmEntityId: c.crmEntityId, crmCreatedLead: c.crmCreatedLead,
    crmCreatedEntities: c.crmCreatedEntities, statisticsId: c.statId,
    cards: [...c.cards.values()].map((card) => ({ ...card })),
  }));
}

function recordView(state: PortalState): RecordView[] {
  return state.records.map((r) => {
    const call = state.calls.get(r.callId);
    const stat = call?.statId == null ? undefined : state.statistics.get(call.statId);
    return {
      fileId: r.fileId, callId: r.callId, name: r.name, size: r.size, format: r.format, via: r.via,
      url: r.url, at: r.at, current: stat?.['RECORD_FILE_ID'] === r.fileId,
    };
  });
}

export function inspectState(state: PortalState): PortalInspection {
  const visibleCards = [...state.calls.values()].flatMap((c) =>
    [...c.cards.values()].filter((card) => card.visible).map((card) => ({ callId: c.callId, userId: card.userId, since: card.shownAt ?? 0 })));
  const view: PortalInspection = {
    registrations: state.registrations,
    calls: callView(state),
    visibleCards,
    cardHistory: state.cardHistory,
    finishes: state.finishes,
    statistics: state.statistics.all(),
    records: recordView(state),
    pendingUploads: [...state.uploads.values()],
    transcripts: state.transcripts.map((t) => ({ id: t.id, callId: t.callId, messages: t.messages, at: t.at })),
    activities: state.activities.all(),
    tasks: state.tasks.all(),
    comments: state.comments.all(),
    lines: state.lines.all(),
    bindings: state.bindings,
    offlineQueue: state.offline.map((e) => ({
      id: e.id, eventName: e.eventName, messageId: e.messageId, processId: e.processId, error: e.error,
      timestamp: e.timestamp, appKey: e.appKey, data: e.eventData,
    })),
    events: state.raised,
  };
  return JSON.parse(JSON.stringify(view)) as PortalInspection;
}
