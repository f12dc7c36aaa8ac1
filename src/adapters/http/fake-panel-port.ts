/**
 * A realistic in-memory PanelPort for tests and the demo. Calls go through the REAL planner and
 * black/white lists (src/core/crm), so the timeline, commands and "why" read exactly as the
 * connector's; REST commands succeed at once with plausible results. `simulateCall()` plays an
 * incoming call through its stages with `stepMs` between them and pushes live events (the seeded
 * history and the simulated call are generated in fake-panel-seed.ts).
 */
import type { CallSummary, ConversationSummary } from '../../core/call/model.js';
import type { Stage } from '../../core/call/stages.js';
import { decideByLists } from '../../core/crm/lists.js';
import { planStage, type PlanCall, type PlanSettings } from '../../core/crm/plan.js';
import { HOOK_POINTS } from '../../core/hooks/points.js';
import { configSchema, type Config } from '../../config/schema.js';
import { ConnectorError } from '../../errors.js';
import type { CommandState, OutboxCommand } from '../../outbox/command.js';
import type { LimiterStats } from '../bitrix/limiter.js';
import { memoryAuditLog } from '../store/audit-log.js';
import { bucketSeries } from './chart-buckets.js';
import { BASE_CONFIG, INSTALLED_HOOKS, USERS, fakeResult } from './fake-data.js';
import { newFakeCall, playIncomingCall, seedHistory, type FakeCall, type FakeCallDriver, type SimulatedCallInput } from './fake-panel-seed.js';
import { explainCall } from './explain.js';
import type {
  CallDetail, CallView, ChartRange, ChartSeries, DryRunResult, EditableSettings, HealthView, HistoryPage,
  HistoryQuery, HookPointStats, HookPointView, HookRunView, PanelEvent, PanelListener, PanelPort, SaveResult,
  SettingsIssue, UserRef,
} from './panel-port.js';
import { editableFrom, validateSettings } from './settings-schema.js';
import { changedSections } from '../../config/live-config.js';

export interface FakePanelPortOptions {
  readonly now?: () => number;
  /** Pause between simulated stages. Default 300 ms. */
  readonly stepMs?: number;
  /** Past calls seeded into the history (one dead command among them). Default 24. */
  readonly historySize?: number;
}

export type { SimulatedCallInput } from './fake-panel-seed.js';

export class FakePanelPort implements PanelPort {
  private readonly now: () => number;
  private readonly stepMs: number;
  private readonly listeners = new Set<PanelListener>();
  private readonly calls = new Map<string, FakeCall>();
  private readonly commands = new Map<number, OutboxCommand>();
  private readonly dryRuns: HookRunView[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private raw: Record<string, unknown> = structuredClone(BASE_CONFIG);
  private config: Config;
  private nextId = 1;
  private seq = 0;
  private amiUp = true;
  private amiSince: number;
  private storeOpen = true;
  private bitrixError: string | null = null;
  /** The calls as fake-panel-seed.ts generates them. */
  private readonly driver: FakeCallDriver = {
    now: () => this.now(),
    newCall: (summary, clientName) => this.newCall(summary, clientName),
    runStage: (c, stage, at, conv) => this.runStage(c, stage, at, conv),
    calls: this.calls,
    commands: this.commands,
  };

  constructor(opts: FakePanelPortOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.stepMs = opts.stepMs ?? 300;
    this.config = configSchema.parse(this.raw);
    this.amiSince = this.now() - 3 * 3_600_000;
    seedHistory(this.driver, opts.historySize ?? 24);
  }

  // ——— PanelPort ———

  async health(): Promise<HealthView> {
    const s = this.outboxStats();
    return {
      ami: { connected: this.amiUp, since: this.amiUp ? this.amiSince : null, reconnects: 2 },
      bitrix: { ok: this.bitrixError === null, lastError: this.bitrixError, authMode: this.config.bitrix.auth },
      outbox: s,
      store: { open: this.storeOpen },
    };
  }

  async liveCalls(): Promise<readonly CallView[]> {
    return [...this.calls.values()].filter((c) => c.live).map((c) => this.view(c));
  }

  async history(q: HistoryQuery): Promise<HistoryPage> {
    const rows = [...this.calls.values()]
      .filter((c) => !c.live)
      .filter((c) => q.number === undefined || (c.summary.clientNumber ?? '').includes(q.number))
      .filter((c) => q.extension === undefined || c.summary.callerExtension === q.extension
        || c.summary.conversations.some((v) => v.extension === q.extension))
      .filter((c) => q.from === undefined || c.summary.startedAt >= q.from)
      .filter((c) => q.to === undefined || c.summary.startedAt < q.to)
      .sort((a, b) => b.summary.startedAt - a.summary.startedAt);
    return { rows: rows.slice(q.offset, q.offset + q.limit).map((c) => this.view(c)), total: rows.length };
  }

  async call(callKey: string): Promise<CallDetail | undefined> {
    const c = this.calls.get(callKey);
    if (!c) return undefined;
    return {
      ...this.view(c),
      timeline: c.state.timeline,
      commands: c.commandIds.map((id) => this.commands.get(id)).filter((x): x is OutboxCommand => x !== undefined),
      hookRuns: c.hookRuns,
      explanation: explainCall(c.state),
    };
  }

  readonly outbox = {
    list: async (q: { state?: CommandState; limit?: number }): Promise<readonly OutboxCommand[]> =>
      [...this.commands.values()].filter((c) => q.state === undefined || c.state === q.state)
        .sort((a, b) => b.id - a.id).slice(0, q.limit ?? 100),
    retry: async (id: number): Promise<boolean> => {
      const c = this.commands.get(id);
      if (!c || c.state !== 'dead') return false;
      this.putCommand({ ...c, state: 'pending', attempts: 0, nextAttemptAt: this.now(), updatedAt: this.now() });
      // The "sender" picks it up a moment later and Bitrix24 answers this time.
      this.later(Math.max(1, Math.round(this.stepMs / 3)), () => {
        const cur = this.commands.get(id);
        if (cur?.state !== 'pending') return;
        this.putCommand({ ...cur, state: 'done', attempts: 1, lastError: null, result: fakeResult(cur), updatedAt: this.now() });
      });
      return true;
    },
    discard: async (id: number): Promise<boolean> => {
      const c = this.commands.get(id);
      if (!c || (c.state !== 'dead' && c.state !== 'pending')) return false;
      this.putCommand({ ...c, state: 'discarded', lastError: { code: 'OUTBOX_DISCARDED', message: 'discarded by hand' }, updatedAt: this.now() });
      return true;
    },
  };

  limiter(): LimiterStats {
    const now = this.now();
    const { capacity, drainPerSec } = this.config.bitrix.limits;
    const recent = [...this.commands.values()].filter((c) => now - c.createdAt < 10_000).length;
    return {
      capacity, drainPerSec, level: Math.min(capacity, recent), waits: 3, waitedMs: 1_250, acquired: this.commands.size,
      queryLimitHits: 0, operationLimitHits: 0, pausedUntil: 0, blockedMethods: {},
    };
  }

  hookStats(): Readonly<Record<string, HookPointStats>> {
    const out: Record<string, { runs: number; failures: number; total: number; lastError?: { code: string; reason: string; at: number } }> = {};
    const runs = [...[...this.calls.values()].flatMap((c) => c.hookRuns), ...this.dryRuns].sort((a, b) => a.at - b.at);
    for (const r of runs) {
      const s = (out[r.point] ??= { runs: 0, failures: 0, total: 0 });
      s.runs++;
      s.total += r.durationMs;
      if (!r.ok) {
        s.failures++;
        s.lastError = { code: r.code ?? 'HOOK_FAILED', reason: 'hook timed out', at: r.at };
      }
    }
    const result: Record<string, HookPointStats> = {};
    for (const [p, s] of Object.entries(out)) {
      result[p] = { runs: s.runs, failures: s.failures, avgMs: s.runs ? Math.round(s.total / s.runs) : 0, ...(s.lastError ? { lastError: s.lastError } : {}) };
    }
    return result;
  }

  readonly hooks = {
    list: async (): Promise<readonly HookPointView[]> => HOOK_POINTS.map((point) => ({
      point,
      installed: INSTALLED_HOOKS.includes(point),
      enabled: INSTALLED_HOOKS.includes(point) && !this.config.hooks.disabled.includes(point),
      ...(INSTALLED_HOOKS.includes(point) ? { source: `file ${this.config.hooks.dir ?? ''}/${point}.mjs` } : {}),
    })),
    setEnabled: async (point: string, on: boolean): Promise<void> => {
      if (!(HOOK_POINTS as readonly string[]).includes(point)) throw new ConnectorError('HTTP_UNKNOWN_HOOK_POINT', `no hook point ${point}`);
      const disabled = this.config.hooks.disabled.filter((p) => p !== point);
      if (!on) disabled.push(point);
      const r = await this.settings.save({ ...(await this.settings.get()), hooks: { ...this.config.hooks, disabled } });
      if (!r.ok) throw new ConnectorError('HTTP_SETTINGS_INVALID', 'hook toggle refused by the schema');
    },
    dryRun: async (point: string, input: Record<string, unknown>): Promise<DryRunResult> => {
      if (!(HOOK_POINTS as readonly string[]).includes(point)) throw new ConnectorError('HTTP_UNKNOWN_HOOK_POINT', `no hook point ${point}`);
      const installed = INSTALLED_HOOKS.includes(point);
      const data = { ...input };
      const changed: string[] = [];
      if (installed && point === 'process_client_phone' && typeof data.phone === 'string') {
        data.phone = `+${data.phone.replace(/\D/g, '')}`;
        changed.push('phone');
      }
      const run: DryRunResult = { ok: true, source: installed ? 'hook' : 'default', data, durationMs: installed ? 4 : 0, changed };
      this.dryRuns.push({ at: this.now(), point, ok: true, source: run.source, durationMs: run.durationMs, changed });
      return run;
    },
  };

  readonly settings = {
    get: async (): Promise<EditableSettings> => editableFrom(this.config),
    validate: async (obj: unknown): Promise<readonly SettingsIssue[]> => validateSettings(this.raw, obj).issues,
    save: async (obj: unknown): Promise<SaveResult> => {
      const r = validateSettings(this.raw, obj);
      if (!r.config) return { ok: false, issues: r.issues };
      this.raw = { ...this.raw, ...(obj as Record<string, unknown>) };
      const applied = [...changedSections(this.config, r.config)].sort();
      this.config = r.config;
      return { ok: true, applied };
    },
    reset: async (): Promise<SaveResult> => {
      this.raw = structuredClone(BASE_CONFIG);
      const next = configSchema.parse(this.raw);
      const applied = [...changedSections(this.config, next)].sort();
      this.config = next;
      return { ok: true, applied };
    },
  };

  readonly audit = memoryAuditLog();

  async charts(range: ChartRange): Promise<ChartSeries> {
    const calls = [...this.calls.values()].map((c) => ({ startedAt: c.summary.startedAt, answered: c.summary.answeredAt !== undefined, live: c.live }));
    const rest = [...this.commands.values()].map((c) => ({ at: c.createdAt, requests: c.attempts || (c.state === 'pending' ? 0 : 1) }));
    return bucketSeries(range, this.now(), this.config.bitrix.limits.drainPerSec, calls, rest);
  }

  subscribe(listener: PanelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ——— Test and demo controls ———

  setAmiConnected(on: boolean): void {
    if (on && !this.amiUp) this.amiSince = this.now();
    this.amiUp = on;
    this.emit({ type: 'health', at: this.now() });
  }

  setStoreOpen(on: boolean): void {
    this.storeOpen = on;
    this.emit({ type: 'health', at: this.now() });
  }

  setBitrixError(message: string | null): void {
    this.bitrixError = message;
    this.emit({ type: 'health', at: this.now() });
  }

  /** Listeners currently subscribed (the SSE test checks they are released). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Ids of dead commands (tests pick one to retry). */
  deadCommandIds(): number[] {
    return [...this.commands.values()].filter((c) => c.state === 'dead').map((c) => c.id);
  }

  /** Adds a finished or live call built from a summary, through the planner (tests, XSS checks). */
  addCall(summary: CallSummary, opts: { live?: boolean; clientName?: string } = {}): void {
    const c = this.newCall(summary, opts.clientName);
    c.live = opts.live ?? false;
    this.runStage(c, c.live ? 'conversation_requested' : 'call_ended', summary.startedAt, summary.conversations[0]);
  }

  /**
   * Plays an incoming call: requested → (accepted) → ended → call_ended, `stepMs` apart.
   * Resolves with the call key once the call has ended.
   */
  async simulateCall(p: SimulatedCallInput): Promise<string> {
    const pause = (stage: Stage): Promise<void> => (p.between ? p.between(stage) : this.sleep(this.stepMs));
    return playIncomingCall(this.driver, p, ++this.seq, pause);
  }

  /** Cancels pending timers (a simulated call stops where it is). */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ——— internals ———

  private view(c: FakeCall): CallView {
    const users = Object.values(USERS);
    const byId = (id: number): UserRef => users.find((u) => u.id === id) ?? { id, name: `user ${id}` };
    const v: Record<string, unknown> = {
      summary: c.summary, live: c.live, registered: c.state.crm.registered,
      cardVisibleTo: c.state.crm.shownTo.map(byId),
    };
    if (c.state.crm.skipped !== undefined) v.skipped = c.state.crm.skipped;
    if (c.state.crm.b24CallId !== undefined) v.b24CallId = c.state.crm.b24CallId;
    if (c.state.crm.registeredUserId !== undefined) v.responsible = byId(c.state.crm.registeredUserId);
    if (c.clientName !== undefined) v.clientName = c.clientName;
    return v as unknown as CallView;
  }

  private newCall(summary: CallSummary, clientName?: string): FakeCall {
    const c = newFakeCall(summary, clientName);
    this.calls.set(summary.callKey, c);
    return c;
  }

  private planCall(s: CallSummary): PlanCall {
    return {
      callKey: s.callKey, direction: s.direction === 'click-to-call' ? 'outgoing' : s.direction,
      clientNumber: s.clientNumber ?? '', did: s.did, trunk: s.trunk, startedAt: s.startedAt, answeredAt: s.answeredAt,
      endedAt: s.endedAt, statusCode: s.statusCode, b24CallId: s.b24CallId,
      conversations: s.conversations.map((v) => ({
        id: v.id, extension: v.extension, userId: USERS[v.extension]?.id, requestedAt: v.requestedAt, acceptedAt: v.acceptedAt, endedAt: v.endedAt,
      })),
    };
  }

  private planSettings(s: CallSummary): PlanSettings {
    const trunk = this.config.pbx.trunks.find((t) => t.endpoint === s.trunk);
    return {
      defaultUserId: trunk?.defaultUserId ?? this.config.calls.defaultUserId,
      missedUserId: this.config.calls.missedUserId ?? trunk?.defaultUserId,
      tzOffsetMinutes: 180, lineNumber: trunk?.line, crmCreate: trunk?.crmCreate ?? true, crmSource: trunk?.crmSource,
      cardTtlMs: 60_000, addToChat: true,
    };
  }

  /** One stage through the lists and the real planner; commands are "sent" at once. */
  private runStage(c: FakeCall, stage: Stage, at: number, conv: ConversationSummary | undefined): void {
    const call = this.planCall(c.summary);
    const crm = c.state.crm;
    const first = !crm.registered && crm.skipped === undefined;
    let gate = { register: true, reason: 'decided' };
    if (first) {
      const d = decideByLists(this.config.lists, {
        extensions: c.summary.conversations.map((v) => v.extension), trunk: c.summary.trunk, did: c.summary.did, clientNumber: call.clientNumber,
      });
      gate = { register: d.register, reason: d.match ? `${d.reason} (${d.match})` : d.reason };
      this.hookRun(c, 'process_client_phone', at, 2);
    }
    const out = planStage(crm, { stage, at, call, conversationId: conv?.id, gate }, this.planSettings(c.summary));
    let b24CallId = out.state.b24CallId;
    for (const cmd of out.commands) {
      const id = this.nextId++;
      const done: OutboxCommand = {
        id, callKey: cmd.callKey, step: cmd.step, idempotencyKey: cmd.idempotencyKey, method: cmd.method, params: cmd.params,
        priority: cmd.priority, state: 'done', attempts: 1, nextAttemptAt: at, lastError: null, result: undefined, solo: false,
        uncertain: false, expiresAt: cmd.expiresAt ?? null, createdAt: at, updatedAt: at,
      };
      const result = fakeResult(done);
      if (cmd.step === 'register') b24CallId = (result as { CALL_ID: string }).CALL_ID;
      if (cmd.step.startsWith('show')) this.hookRun(c, 'customize_show_call_card', at, 3);
      c.commandIds.push(id);
      this.putCommand({ ...done, result });
    }
    const entry = { at, stage: conv ? `${stage} ${conv.extension}` : stage, notes: out.notes, commands: out.commands.map((x) => x.step) };
    const crmNext = b24CallId !== undefined ? { ...out.state, b24CallId } : out.state;
    c.state = { crm: crmNext, summary: c.summary, timeline: [...c.state.timeline, entry] };
    this.emit({ type: 'call', callKey: c.summary.callKey, stage, at });
  }

  private hookRun(c: FakeCall, point: string, at: number, durationMs: number): void {
    if (!INSTALLED_HOOKS.includes(point) || this.config.hooks.disabled.includes(point)) return;
    c.hookRuns.push({ at, point, ok: true, source: 'hook', durationMs, changed: point === 'process_client_phone' ? ['phone'] : [] });
  }

  private putCommand(cmd: OutboxCommand): void {
    this.commands.set(cmd.id, cmd);
    this.emit({ type: 'outbox', id: cmd.id, state: cmd.state, at: this.now() });
  }

  private outboxStats(): { depth: number; oldestAgeMs: number; dead: number } {
    const now = this.now();
    let depth = 0;
    let dead = 0;
    let oldest = now;
    for (const c of this.commands.values()) {
      if (c.state === 'pending' || c.state === 'running') {
        depth++;
        oldest = Math.min(oldest, c.createdAt);
      } else if (c.state === 'dead') dead++;
    }
    return { depth, oldestAgeMs: depth ? now - oldest : 0, dead };
  }

  private emit(e: PanelEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A broken listener must not stop the others (or the call).
      }
    }
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }
}
