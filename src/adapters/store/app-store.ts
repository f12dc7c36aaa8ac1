/**
 * What the application gets from a store beyond the ports of src/outbox/store-port.ts: the admin
 * panel's and the CLI's read-only queries, and a few facts about the store itself. SQLite
 * (sqlite.ts) and PostgreSQL (postgres.ts) both implement it; openStore (open-store.ts) picks one
 * from the config. Everything is async, so neither backend leaks its driver to the callers.
 */
import type { CommandState, OutboxCommand } from '../../outbox/command.js';
import type { CallRecord, Store } from '../../outbox/store-port.js';
import type { LastTalker, TalkerQuery } from '../../core/crm/routing.js';
import type { AuditLog } from './audit-log.js';

export interface CallSearch {
  /** Digits searched inside the client number (other characters of the query are ignored). */
  readonly number?: string;
  /** A conversation's extension or the caller extension. */
  readonly extension?: string;
  /** Call start, epoch ms: from inclusive, to exclusive. */
  readonly from?: number;
  readonly to?: number;
  /** Only calls whose end is recorded (the history), default true. */
  readonly endedOnly?: boolean;
  readonly limit: number;
  readonly offset: number;
}

export interface CallChartFact {
  readonly startedAt: number;
  readonly answered: boolean;
  readonly live: boolean;
}

/** Read-only queries over the same tables as the ports; nothing here writes. */
export interface StoreQueries {
  /** History page: newest call start first, with the total of matching calls. */
  searchCalls(q: CallSearch): Promise<{ rows: CallRecord[]; total: number }>;
  /** Outbox commands newest first (the port's list is oldest first). */
  listOutboxNewest(q: { state?: CommandState; limit?: number }): Promise<OutboxCommand[]>;
  /** The command whose send outcome was recorded last (Bitrix24's last answer), if any. */
  lastSentCommand(): Promise<OutboxCommand | undefined>;
  /** The command changed last (any state change), for the panel's live outbox event. */
  lastChangedCommand(): Promise<OutboxCommand | undefined>;
  /** Calls started at or after `since`, for the charts. */
  callFactsSince(since: number): Promise<CallChartFact[]>;
  /** Send attempts of commands last updated at or after `since` (one REST request each, at most). */
  restFactsSince(since: number): Promise<Array<{ at: number; requests: number }>>;
  /** Calls last updated most recently first, ended or not (the hooks CLI picks sample calls). */
  recentCalls(limit: number): Promise<CallRecord[]>;
  /** Who answered the latest conversation with this normalised client number (sticky routing; call_talkers). */
  lastTalker(clientNumber: string, q: TalkerQuery): Promise<LastTalker | undefined>;
}

export type StoreDriver = 'sqlite' | 'postgres';

/** A store as the composition root, the CLI and the panel use it. */
export interface AppStore extends Store {
  readonly driver: StoreDriver;
  /** Where the data lives, for messages: the SQLite path, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** False once closed (readiness). */
  readonly isOpen: boolean;
  readonly queries: StoreQueries;
  /** The admin panel's audit log (who changed what). */
  readonly audit: AuditLog;
}
