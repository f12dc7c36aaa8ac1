/**
 * PanelPort: everything the admin panel reads and does. The panel only talks to this interface;
 * the composition root implements it over the tracker, the flow, the store, the limiter and the
 * hooks runner. `FakePanelPort` (fake-panel-port.ts) is a realistic in-memory implementation
 * used by the tests and the demo.
 */
import type { CallSummary } from '../../core/call/model.js';
import type { TimelineEntry } from '../../flow/call-to-crm.js';
import type { CommandState, OutboxCommand } from '../../outbox/command.js';
import type { LimiterStats } from '../bitrix/limiter.js';
import type { AuditLog } from '../store/audit-log.js';

export interface HealthView {
  readonly ami: { readonly connected: boolean; readonly since: number | null; readonly reconnects: number };
  readonly bitrix: { readonly ok: boolean; readonly lastError: string | null; readonly authMode: 'oauth' | 'webhook' };
  readonly outbox: { readonly depth: number; readonly oldestAgeMs: number; readonly dead: number };
  /** The store is open and answers (readiness). */
  readonly store: { readonly open: boolean };
}

export interface UserRef {
  readonly id: number;
  readonly name: string;
}

/** A call as the lists show it. */
export interface CallView {
  readonly summary: CallSummary;
  readonly live: boolean;
  /** Registered in Bitrix24 (register planned or done). */
  readonly registered: boolean;
  /** Why the call is not sent to the CRM, once decided. */
  readonly skipped?: string;
  readonly b24CallId?: string;
  /** Users whose Bitrix24 call card is open now. */
  readonly cardVisibleTo: readonly UserRef[];
  /** Caller ID name or CRM name of the client, when known. */
  readonly clientName?: string;
  /** Responsible user at register / finish. */
  readonly responsible?: UserRef;
}

export interface HookRunView {
  readonly at: number;
  readonly point: string;
  readonly ok: boolean;
  readonly source: 'hook' | 'default';
  readonly durationMs: number;
  readonly code?: string;
  readonly changed: readonly string[];
}

/** One answer of "why": the verdict and the reason, in words. */
export interface Verdict {
  readonly ok: boolean;
  /** The reason in English: `parts` joined with '; '. */
  readonly reason: string;
  /** The reason's pieces (timeline notes and explain.ts's own phrases), each translatable on its own. */
  readonly parts: readonly string[];
}

export interface CallExplanation {
  readonly registered: Verdict;
  readonly shown: Verdict;
  readonly assigned: Verdict;
}

export interface CallDetail extends CallView {
  /** AMI stage → notes → planned command steps, oldest first. */
  readonly timeline: readonly TimelineEntry[];
  /** Outbox commands of the call with params, results and errors, in creation order. */
  readonly commands: readonly OutboxCommand[];
  readonly hookRuns: readonly HookRunView[];
  readonly explanation: CallExplanation;
}

export interface HistoryQuery {
  /** Client number (substring of the normalised number). */
  readonly number?: string;
  readonly extension?: string;
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
  readonly limit: number;
  readonly offset: number;
}

export interface HistoryPage {
  readonly rows: readonly CallView[];
  readonly total: number;
}

export interface HookPointView {
  readonly point: string;
  /** A hook is installed for the point. */
  readonly installed: boolean;
  readonly enabled: boolean;
  /** Where it comes from: file, module, url … */
  readonly source?: string;
}

export interface HookPointStats {
  readonly runs: number;
  readonly failures: number;
  readonly lastError?: { readonly code: string; readonly reason: string; readonly at: number };
  readonly avgMs: number;
}

export interface DryRunResult {
  readonly ok: boolean;
  readonly source: 'hook' | 'default';
  readonly data: Record<string, unknown>;
  readonly code?: string;
  readonly durationMs: number;
  readonly changed: readonly string[];
}

export interface SettingsIssue {
  /** Dot path of the offending key, e.g. `lists.black.numbers.0`. */
  readonly path: string;
  readonly message: string;
}

/** `applied`: the config sections that changed and now apply (empty when nothing changed). */
export type SaveResult = { readonly ok: true; readonly applied: readonly string[] } | { readonly ok: false; readonly issues: readonly SettingsIssue[] };

/**
 * The editable sections of the config (a subset of ConfigInput: lists, trunks, calls, tasks,
 * recordings, hooks). Secrets are never part of it.
 */
export interface EditableSettings {
  readonly pbx: { readonly trunks: readonly TrunkSetting[] } & Record<string, unknown>;
  readonly calls: Record<string, unknown>;
  readonly lists: {
    readonly black: { readonly extensions: readonly string[]; readonly trunks: readonly string[]; readonly numbers: readonly string[] };
    readonly white: { readonly extensions: readonly string[]; readonly trunks: readonly string[]; readonly numbers: readonly string[] };
  };
  readonly tasks: Record<string, unknown>;
  readonly recordings: Record<string, unknown>;
  readonly hooks: Record<string, unknown>;
  readonly cdr: Record<string, unknown>;
}

export interface TrunkSetting {
  readonly endpoint: string;
  readonly line?: string;
  readonly lineName?: string;
  readonly crmCreate?: boolean;
  readonly crmSource?: string;
  readonly defaultUserId?: number;
}

export type ChartRange = '24h' | '7d';

export interface ChartBucket {
  /** Bucket start, epoch ms. */
  readonly start: number;
  readonly calls: number;
  readonly answered: number;
  readonly missed: number;
  /** REST requests sent in the bucket, and how many the portal's limit allows in it. */
  readonly restRequests: number;
  readonly restLimit: number;
}

export interface ChartSeries {
  readonly range: ChartRange;
  readonly bucketMs: number;
  readonly buckets: readonly ChartBucket[];
}

/** Live events pushed to the panel over SSE. */
export type PanelEvent =
  | { readonly type: 'call'; readonly callKey: string; readonly stage: string; readonly at: number }
  | { readonly type: 'outbox'; readonly id: number; readonly state: CommandState; readonly at: number }
  | { readonly type: 'health'; readonly at: number };

export type PanelListener = (event: PanelEvent) => void;

export interface PanelPort {
  health(): Promise<HealthView>;
  liveCalls(): Promise<readonly CallView[]>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  call(callKey: string): Promise<CallDetail | undefined>;
  readonly outbox: {
    list(query: { state?: CommandState; limit?: number }): Promise<readonly OutboxCommand[]>;
    /** Dead → pending. False when the command is not dead. */
    retry(id: number): Promise<boolean>;
    /** Pending or dead → discarded. False otherwise. */
    discard(id: number): Promise<boolean>;
  };
  limiter(): LimiterStats;
  hookStats(): Readonly<Record<string, HookPointStats>>;
  readonly hooks: {
    list(): Promise<readonly HookPointView[]>;
    setEnabled(point: string, on: boolean): Promise<void>;
    dryRun(point: string, input: Record<string, unknown>): Promise<DryRunResult>;
  };
  readonly settings: {
    get(): Promise<EditableSettings>;
    validate(obj: unknown): Promise<readonly SettingsIssue[]>;
    save(obj: unknown): Promise<SaveResult>;
    /** Forgets every change saved from the panel: the config file's values apply again, at once. */
    reset(): Promise<SaveResult>;
  };
  charts(range: ChartRange): Promise<ChartSeries>;
  /** Who changed what through the panel (audit.ts builds the entries). */
  readonly audit: AuditLog;
  /** Live events; returns the unsubscribe function. */
  subscribe(listener: PanelListener): () => void;
}
