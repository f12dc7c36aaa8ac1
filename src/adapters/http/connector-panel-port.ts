/**
 * The REAL PanelPort, over a running connector's parts: AMI client, tracker, flow, store (SQLite or PostgreSQL),
 * outbox sender, limiter, hooks runner and user directory (docs/admin-panel.md has the mapping).
 *
 * Settings: the panel edits an overlay of the editable sections, validated by the config schema
 * over the running config and kept in the kv store (`panel.settings`). A saved overlay is applied
 * at once (`applySettings`, the composition root's LiveConfig) and again at every start.
 *
 * Live events: the tracker changes on AMI events (checked right after each burst of events) and
 * the flow's stored per-call state, the outbox and the health are compared every `pollMs` while
 * somebody listens; differences become PanelEvents (panel-live-diff.ts).
 */
import { callSummary, type CallRec, type CallSummary } from '../../core/call/model.js';
import type { TrackerState } from '../../core/call/tracker-state.js';
import { HOOK_POINTS, isHookPointName, type HookPointName } from '../../core/hooks/points.js';
import type { HookInput } from '../../core/hooks/types.js';
import type { Config } from '../../config/schema.js';
import { ConnectorError, errorCode } from '../../errors.js';
import type { StoredCallState } from '../../flow/call-to-crm.js';
import type { Logger } from '../../log.js';
import type { CommandState, OutboxCommand } from '../../outbox/command.js';
import type { AmiClient } from '../ami/client.js';
import type { B24Limiter, LimiterStats } from '../bitrix/limiter.js';
import type { HookRunner } from '../hooks/runner.js';
import type { AppStore } from '../store/app-store.js';
import type { CallRecord } from '../../outbox/store-port.js';
import { bucketSeries } from './chart-buckets.js';
import { explainCall } from './explain.js';
import { PanelLiveDiff } from './panel-live-diff.js';
import type {
  CallDetail, CallView, ChartRange, ChartSeries, DryRunResult, EditableSettings, HealthView, HistoryPage, HistoryQuery,
  HookPointStats, HookPointView, PanelEvent, PanelListener, PanelPort, SaveResult, SettingsIssue, UserRef,
} from './panel-port.js';
import { editableFrom, validateSettings } from './settings-schema.js';

/** kv key of the settings overlay saved from the panel. */
export const SETTINGS_KEY = 'panel.settings';

/** What the port reads from the connector (a `Connector` of src/main.ts satisfies it). */
export interface PanelSources {
  /** The config file's values (the panel's overlay goes on top of them). */
  readonly config: Config;
  readonly store: Pick<AppStore, 'queries' | 'audit' | 'isOpen' | 'stats' | 'getCall' | 'list' | 'getValue' | 'setValue'>;
  readonly sender: { retry(id: number): Promise<boolean>; discard(id: number): Promise<boolean> };
  /** Applies a validated config while running; returns the sections that changed. */
  readonly applySettings: (config: Config) => ReadonlySet<string>;
  readonly ami: Pick<AmiClient, 'ready' | 'stats' | 'on'>;
  readonly users: { byUserId(id: number): { readonly name: string } | undefined };
  readonly limiter: Pick<B24Limiter, 'stats'>;
  readonly hooks: HookRunner;
  readonly tracker: () => TrackerState;
}

export interface ConnectorPanelPortOptions {
  readonly logger: Logger;
  readonly now?: () => number;
  /** How often stored state, outbox and health are compared while someone listens. Default 1000 ms. */
  readonly pollMs?: number;
}

type Overlay = Record<string, unknown>;

export class ConnectorPanelPort implements PanelPort {
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly listeners = new Set<PanelListener>();
  private readonly offAmi: Array<() => void> = [];
  private readonly liveDiff: PanelLiveDiff;
  private effective: Config;
  private overlay: Overlay = {};
  private amiSince: number | null;
  /** The outbox command changed last, as read by the last health(). */
  private lastChanged: OutboxCommand | undefined;

  constructor(private readonly src: PanelSources, opts: ConnectorPanelPortOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger.child({ component: 'panel' });
    this.liveDiff = new PanelLiveDiff({
      tracker: () => src.tracker(),
      storedState: async (callKey) => stateOf(await src.store.getCall(callKey)),
      health: () => this.health(),
      lastChanged: () => this.lastChanged,
      listening: () => this.listeners.size > 0,
      emit: (e) => this.emit(e),
      now: () => this.now(),
      log: this.log,
    }, opts.pollMs ?? 1_000);
    this.effective = src.config;
    this.amiSince = src.ami.ready ? this.now() : null;
    this.offAmi.push(
      src.ami.on('connected', () => {
        this.amiSince = this.now();
        this.emit({ type: 'health', at: this.now() });
      }),
      src.ami.on('disconnected', () => {
        this.amiSince = null;
        this.emit({ type: 'health', at: this.now() });
      }),
      // Registered after the composition root's listener: the tracker already holds this event.
      src.ami.on('event', () => this.liveDiff.queueDiff()),
    );
  }

  /** Loads the overlay saved earlier and applies its lists. Call once at start. */
  async init(): Promise<void> {
    const saved = await this.src.store.getValue<Overlay>(SETTINGS_KEY);
    if (!saved || typeof saved !== 'object') return;
    const r = validateSettings(this.baseRaw(), saved);
    if (!r.config) {
      this.log.warn({ code: 'HTTP_SETTINGS_OVERLAY_INVALID', issues: r.issues.slice(0, 5) }, 'saved panel settings no longer valid; ignored');
      return;
    }
    this.overlay = saved;
    this.apply(r.config);
  }

  /** The config with the panel's overlay applied (what the panel shows and the lists use). */
  get config(): Config {
    return this.effective;
  }

  // ——— health ———

  async health(): Promise<HealthView> {
    const st = await this.src.store.stats(this.now());
    const [last, changed] = await Promise.all([
      this.src.store.queries.lastSentCommand().catch(() => undefined),
      this.src.store.queries.lastChangedCommand().catch(() => undefined),
    ]);
    // The live diff reads the last change right after the health (both are async for PostgreSQL).
    this.lastChanged = changed;
    const failed = last !== undefined && last.state !== 'done' && last.lastError !== null;
    return {
      ami: { connected: this.src.ami.ready, since: this.src.ami.ready ? this.amiSince : null, reconnects: this.src.ami.stats.reconnects },
      bitrix: {
        ok: !failed,
        lastError: failed && last?.lastError ? `${last.lastError.code}: ${last.lastError.message}` : null,
        authMode: this.src.config.bitrix.auth,
      },
      outbox: { depth: st.depth, oldestAgeMs: st.oldestAgeMs, dead: st.dead },
      store: { open: this.src.store.isOpen },
    };
  }

  // ——— calls ———

  async liveCalls(): Promise<readonly CallView[]> {
    const out: CallView[] = [];
    const live = [...this.src.tracker().calls.values()].filter((c) => c.emitted && c.endedAt === undefined);
    live.sort((a, b) => a.startedAt - b.startedAt);
    for (const rec of live) {
      const stored = await this.src.store.getCall(rec.key);
      out.push(this.view(callSummary(rec, false), stateOf(stored), true, stored));
    }
    return out;
  }

  async history(q: HistoryQuery): Promise<HistoryPage> {
    const page = await this.src.store.queries.searchCalls({
      limit: q.limit, offset: q.offset,
      ...(q.number !== undefined ? { number: q.number } : {}),
      ...(q.extension !== undefined ? { extension: q.extension } : {}),
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
    });
    const rows: CallView[] = [];
    for (const r of page.rows) {
      const st = stateOf(r);
      if (st) rows.push(this.view(st.summary, st, false, r));
    }
    return { rows, total: page.total };
  }

  async call(callKey: string): Promise<CallDetail | undefined> {
    const rec = await this.src.store.getCall(callKey);
    const tracked = this.src.tracker().calls.get(callKey);
    const st = stateOf(rec) ?? (tracked ? emptyState(tracked) : undefined);
    if (!st) return undefined;
    const live = tracked !== undefined && tracked.endedAt === undefined && (rec?.endedAt ?? null) === null;
    const summary = live && tracked ? callSummary(tracked, false) : st.summary;
    return {
      ...this.view(summary, st, live, rec),
      timeline: st.timeline,
      commands: await this.src.store.list({ callKey, limit: 500 }),
      // The flow notes the hooks that ran at each step in the timeline.
      hookRuns: st.timeline.flatMap((e) => (e.hooks ?? []).map((h) => ({
        at: e.at, point: h.point, ok: h.ok, source: h.source, durationMs: h.ms, changed: h.changed, ...(h.code !== undefined ? { code: h.code } : {}),
      }))),
      explanation: explainCall(st),
    };
  }

  // ——— outbox, limiter ———

  readonly outbox = {
    list: async (q: { state?: CommandState; limit?: number }): Promise<readonly OutboxCommand[]> => this.src.store.queries.listOutboxNewest(q),
    retry: async (id: number): Promise<boolean> => this.changed(id, await this.src.sender.retry(id)),
    discard: async (id: number): Promise<boolean> => this.changed(id, await this.src.sender.discard(id)),
  };

  limiter(): LimiterStats {
    return this.src.limiter.stats();
  }

  // ——— hooks ———

  hookStats(): Readonly<Record<string, HookPointStats>> {
    const out: Record<string, HookPointStats> = {};
    for (const [point, s] of Object.entries(this.src.hooks.stats())) {
      if (!s) continue;
      const real = s.recent.filter((r) => !r.dryRun);
      const avgMs = real.length ? Math.round(real.reduce((a, r) => a + r.durationMs, 0) / real.length) : 0;
      out[point] = { runs: s.runs, failures: s.failures, avgMs, ...(s.lastError ? { lastError: { ...s.lastError } } : {}) };
    }
    return out;
  }

  readonly hooks = {
    list: async (): Promise<readonly HookPointView[]> => {
      const found = new Map(this.src.hooks.list().map((h) => [h.point as string, h]));
      const disabled = new Set(this.effective.hooks.disabled);
      return HOOK_POINTS.map((point) => {
        const h = found.get(point);
        return { point, installed: h !== undefined, enabled: h !== undefined && h.enabled && !disabled.has(point), ...(h ? { source: `${h.kind} ${h.location}` } : {}) };
      });
    },
    setEnabled: async (point: string, on: boolean): Promise<void> => {
      const p = hookPoint(point);
      const disabled = this.effective.hooks.disabled.filter((x) => x !== p);
      if (!on) disabled.push(p);
      const r = await this.settings.save({ hooks: { ...this.effective.hooks, disabled } });
      if (!r.ok) throw new ConnectorError('HTTP_SETTINGS_INVALID', 'hook toggle refused by the schema', { details: { issues: r.issues } });
    },
    dryRun: async (point: string, input: Record<string, unknown>): Promise<DryRunResult> => {
      const p = hookPoint(point);
      const r = await this.src.hooks.dryRun(p, input as unknown as HookInput<typeof p>);
      return {
        ok: r.ok, source: r.source, data: { ...(r.data as Record<string, unknown>) }, durationMs: r.durationMs, changed: r.changed,
        ...(r.code !== undefined ? { code: r.code } : {}),
      };
    },
  };

  // ——— settings ———

  readonly settings = {
    get: async (): Promise<EditableSettings> => editableFrom(this.effective),
    validate: async (obj: unknown): Promise<readonly SettingsIssue[]> => validateSettings(this.baseRaw(), this.merged(obj)).issues,
    save: async (obj: unknown): Promise<SaveResult> => {
      const merged = this.merged(obj);
      const r = validateSettings(this.baseRaw(), merged);
      if (!r.config) return { ok: false, issues: r.issues };
      await this.src.store.setValue(SETTINGS_KEY, merged, this.now());
      this.overlay = merged as Overlay;
      const applied = [...this.apply(r.config)].sort();
      this.log.info({ sections: Object.keys(obj as object), applied }, 'panel settings saved and applied');
      return { ok: true, applied };
    },
    reset: async (): Promise<SaveResult> => {
      await this.src.store.setValue(SETTINGS_KEY, {}, this.now());
      this.overlay = {};
      const applied = [...this.apply(this.src.config)].sort();
      this.log.info({ applied }, 'panel settings reset to the config file');
      return { ok: true, applied };
    },
  };

  // ——— charts, events ———

  get audit(): AppStore['audit'] {
    return this.src.store.audit;
  }

  async charts(range: ChartRange): Promise<ChartSeries> {
    const now = this.now();
    const since = now - (range === '24h' ? 25 : 8 * 24) * 3_600_000;
    const q = this.src.store.queries;
    const [calls, rest] = await Promise.all([q.callFactsSince(since), q.restFactsSince(since)]);
    return bucketSeries(range, now, this.effective.bitrix.limits.drainPerSec, calls, rest);
  }

  subscribe(listener: PanelListener): () => void {
    this.listeners.add(listener);
    this.liveDiff.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.liveDiff.stop();
    };
  }

  /** Compares once now (tests; the poll timer calls it). */
  async pollOnce(): Promise<void> {
    return this.liveDiff.pollOnce();
  }

  /** Stops listening to the AMI client and the poll timer. */
  close(): void {
    for (const off of this.offAmi) off();
    this.offAmi.length = 0;
    this.liveDiff.close();
    this.listeners.clear();
  }

  // ——— internals ———

  private view(summary: CallSummary, st: StoredCallState | undefined, live: boolean, rec: CallRecord | undefined): CallView {
    const crm = st?.crm;
    const user = (id: number): UserRef => ({ id, name: this.src.users.byUserId(id)?.name ?? `user ${id}` });
    const b24 = crm?.b24CallId ?? rec?.b24CallId ?? undefined;
    return {
      summary, live, registered: crm?.registered ?? false,
      cardVisibleTo: (crm?.shownTo ?? []).map(user),
      ...(crm?.skipped !== undefined ? { skipped: crm.skipped } : {}),
      ...(b24 ? { b24CallId: b24 } : {}),
      ...(crm?.registeredUserId !== undefined ? { responsible: user(crm.registeredUserId) } : {}),
    };
  }

  private baseRaw(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.src.config)) as Record<string, unknown>;
  }

  /** The saved overlay with the posted sections on top (a toggle posts one section only). */
  private merged(obj: unknown): unknown {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return obj;
    return { ...this.overlay, ...(obj as Overlay) };
  }

  private apply(config: Config): ReadonlySet<string> {
    this.effective = config;
    return this.src.applySettings(config);
  }

  private changed(id: number, ok: boolean): boolean {
    if (ok) {
      this.emit({ type: 'outbox', id, state: 'pending', at: this.now() });
      this.emit({ type: 'health', at: this.now() });
    }
    return ok;
  }

  private emit(e: PanelEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.debug({ code: errorCode(err) }, 'panel listener threw');
      }
    }
  }
}

function hookPoint(point: string): HookPointName {
  if (!isHookPointName(point)) throw new ConnectorError('HTTP_UNKNOWN_HOOK_POINT', `no hook point ${point}`);
  return point;
}

function stateOf(rec: CallRecord | undefined): StoredCallState | undefined {
  const st = rec?.state as StoredCallState | undefined;
  return st && typeof st === 'object' && 'crm' in st && 'summary' in st && Array.isArray(st.timeline) ? st : undefined;
}

function emptyState(rec: CallRec): StoredCallState {
  return {
    crm: { callKey: rec.key, registered: false, shownTo: [], seq: 0, finished: false, finishDeferred: false },
    summary: callSummary(rec, false),
    timeline: [],
  };
}
