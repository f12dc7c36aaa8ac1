/**
 * In-memory state of one emulated portal: users, CRM objects, external calls with the card state
 * per user, statistics (finished calls), activities, tasks, lines, records, transcripts, uploads,
 * event bindings and the offline event queue. Plain data plus id counters; the REST rules live in
 * methods/*, the seed mapping in seed.ts.
 */
import type { Row } from './params.js';

export type CrmEntityType = 'LEAD' | 'CONTACT' | 'COMPANY' | 'DEAL';

/** Auto-increment table of rows keyed by integer id (ids are strings inside the rows, as served). */
export class Table {
  readonly rows = new Map<number, Row>();
  private next = 1;

  insert(row: Row, id?: number): number {
    const newId = id ?? this.next;
    this.next = Math.max(this.next, newId + 1);
    this.rows.set(newId, { ...row, ID: String(newId) });
    return newId;
  }

  get(id: number): Row | undefined {
    return this.rows.get(id);
  }

  all(): Row[] {
    return [...this.rows.values()];
  }

  /** Next id without using it. */
  peek(): number {
    return this.next;
  }

  /** Make the next new row get at least this id (doc examples: statistics ID 7, activity 7943). */
  startAt(id: number): void {
    this.next = Math.max(this.next, id);
  }
}

/** Whether the card of one call is visible to one user, and since/until when. */
export interface CardState {
  readonly userId: number;
  visible: boolean;
  /** When the card became visible the last time (ms), null if never shown. */
  shownAt: number | null;
  /** When it was hidden the last time (ms), null while never hidden. */
  hiddenAt: number | null;
}

export type CardSource = 'register' | 'show' | 'hide' | 'finish';

export interface CardChange {
  readonly callId: string;
  readonly userId: number;
  readonly action: 'show' | 'hide';
  readonly at: number;
  readonly source: CardSource;
}

export interface CreatedEntity {
  readonly ENTITY_TYPE: string;
  readonly ENTITY_ID: number;
}

/** One telephony.externalCall.register (or a click-to-call registration by the portal itself). */
export interface ExternalCall {
  readonly callId: string;
  /** Which application registered it ("this app's registrations" for the reuse rule). */
  readonly appKey: string;
  readonly registeredAt: number;
  /** Params as received (inspector). */
  readonly params: Row;
  readonly origin: 'rest' | 'click-to-call';
  userId: number;
  readonly phoneNumber: string;
  readonly type: number;
  readonly lineNumber: string | null;
  readonly externalCallId: string | null;
  /** CALL_START_DATE (ms): the reuse rule compares this with now − 30 min (§11 item 2). */
  readonly startDate: number;
  readonly crmCreate: boolean;
  readonly crmSource: string | null;
  readonly callListId: number;
  readonly addToChat: boolean;
  readonly internal: boolean;
  crmEntityType: string;
  crmEntityId: number | null;
  crmCreatedLead: number | null;
  crmCreatedEntities: CreatedEntity[];
  leadCreationError: string | null;
  /** Set by finish: the call is no longer active. */
  finishedAt: number | null;
  statId: number | null;
  readonly cards: Map<number, CardState>;
}

/** What telephony.externalCall.finish received and produced (inspector). */
export interface FinishRecord {
  readonly callId: string;
  readonly at: number;
  readonly params: Row;
  readonly statId: number;
  readonly activityId: number | null;
}

export interface RecordFile {
  readonly fileId: number;
  readonly callId: string;
  readonly name: string;
  readonly size: number;
  readonly format: 'mp3' | 'wav';
  readonly via: 'base64' | 'upload' | 'url';
  readonly at: number;
  readonly url: string | null;
  readonly bytes: Uint8Array | null;
}

export interface PendingUpload {
  readonly token: string;
  readonly callId: string;
  readonly filename: string;
  readonly createdAt: number;
  usedAt: number | null;
}

export interface Transcript {
  readonly id: number;
  readonly callId: string;
  readonly messages: Row[];
  readonly cost: number | null;
  readonly costCurrency: string | null;
  readonly at: number;
}

export interface Binding {
  readonly id: number;
  readonly event: string;
  /** Handler URL; "" for offline bindings. */
  readonly handler: string;
  readonly authType: number;
  readonly eventType: 'online' | 'offline';
  readonly authConnector: string;
  readonly options: Row;
  readonly appKey: string;
  readonly ownerKind: 'app' | 'webhook';
  readonly userId: number;
  readonly createdAt: number;
}

export interface OfflineEvent {
  readonly id: number;
  timestamp: number;
  readonly eventName: string;
  eventData: Row;
  readonly messageId: string;
  readonly appKey: string;
  processId: string | null;
  error: boolean;
}

export interface RaisedEvent {
  readonly event: string;
  readonly data: Row;
  readonly at: number;
  readonly online: number[];
  readonly offline: number[];
}

export class PortalState {
  readonly users = new Table();
  readonly leads = new Table();
  readonly contacts = new Table();
  readonly companies = new Table();
  readonly deals = new Table();
  readonly activities = new Table();
  readonly statistics = new Table();
  readonly tasks = new Table();
  readonly lines = new Table();
  readonly comments = new Table();

  readonly calls = new Map<string, ExternalCall>();
  readonly registrations: Array<{ callId: string; at: number; params: Row; reused: boolean }> = [];
  readonly cardHistory: CardChange[] = [];
  readonly finishes: FinishRecord[] = [];
  readonly records: RecordFile[] = [];
  readonly uploads = new Map<string, PendingUpload>();
  readonly transcripts: Transcript[] = [];
  readonly bindings: Binding[] = [];
  readonly offline: OfflineEvent[] = [];
  readonly raised: RaisedEvent[] = [];
  readonly settings: Row = {};

  /** Counters for ids that are not table rows. */
  readonly counters = { callSeq: 0, fileId: 1, transcriptId: 1, bindingId: 1, offlineId: 1, processSeq: 0, multifieldId: 1, uploadSeq: 0 };

  crmTable(type: string): Table | undefined {
    switch (type.toUpperCase()) {
      case 'LEAD': return this.leads;
      case 'CONTACT': return this.contacts;
      case 'COMPANY': return this.companies;
      case 'DEAL': return this.deals;
      default: return undefined;
    }
  }
}

/** CRM OWNER_TYPE_ID (reference §8.5). */
export const OWNER_TYPE_ID: Record<string, number> = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4 };
