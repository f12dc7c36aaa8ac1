/**
 * Call → CRM: takes the tracker's stage changes and turns them into outbox commands.
 *
 * For each change (serialised per call, so hooks and lookups never reorder one call's stages):
 * 1. map the tracker's CallSummary to the planner's view (client number normalised, then
 *    process_client_phone; extensions through process_user_phone to Bitrix24 users);
 * 2. decide once per call whether it goes to the CRM at all (internal calls, black/white lists,
 *    then the need_registration hook) and remember why;
 * 3. plan the commands (pure planner), run the customization hooks on them (call-hooks.ts), and
 *    write them together with the call's CRM state in ONE store transaction (enqueue with the call
 *    upsert), then wake the sender.
 * Bitrix24 results that later steps need (register → entity, finish → activity, crm.*.get → owner)
 * come back through onCommandDone and continue in the same per-call chain (missed-call-task.ts).
 * A per-call timeline of decisions and hook runs is kept in the stored state for the admin panel.
 */
import type { StageChange, CallSummary } from '../core/call/model.js';
import { splitLegs } from '../core/crm/legs.js';
import { decideByLists } from '../core/crm/lists.js';
import { normalisePhone, compilePhoneRules, normaliseInnerPhone, type CompiledPhoneRules } from '../core/crm/phone.js';
import { planStage, planFinish, type CrmCallState, type PlanCall, type PlanOutput, type PlanSettings } from '../core/crm/plan.js';
import { command, ref, type CrmCommand } from '../core/crm/commands.js';
import { entityOwner, finishOutcome, isMissedCall, lastRungUser, registerOutcome } from '../core/crm/missed-call.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Config } from '../config/schema.js';
import type { EnqueueOptions, EnqueueResult } from '../outbox/store-port.js';
import type { NewCommand, OutboxCommand } from '../outbox/command.js';
import { noHooks, type HookPort } from './ports.js';
import {
  FINAL_KEYS, HookSession, REGISTRATION_KEYS, applyFinal, applyRegistration, callFullOf, finalInput, knownCallId, registrationInput, withParams,
  type HookRunNote,
} from './call-hooks.js';
import {
  activityUpdate, advanceTask, afterFinish, recoverRegister, type CallB24Facts, type TaskProgress, type TaskSettings,
} from './missed-call-task.js';

/** What the flow needs from the user directory. */
export interface UserLookup {
  find(innerPhone: string): Promise<{ id: number } | undefined>;
}

/** What the flow needs from the outbox (the sender's enqueue writes and wakes). */
export interface CommandSink {
  enqueue(commands: readonly NewCommand[], options?: EnqueueOptions): Promise<EnqueueResult>;
}

/** What the flow needs from the store to recover its per-call state. */
export interface CallStateSource {
  getCall(callKey: string): Promise<{ state: unknown } | undefined>;
  /** A stored command by idempotency key (restart recovery of the register result; optional). */
  getByKey?(idempotencyKey: string): Promise<{ state: string; result: unknown } | undefined>;
}

export interface TimelineEntry {
  readonly at: number;
  readonly stage: string;
  readonly notes: readonly string[];
  readonly commands: readonly string[];
  /** Customization hooks that ran at this step (only points with a hook installed). */
  readonly hooks?: readonly HookRunNote[];
}

/** What is stored per call (calls.state JSON). */
export interface StoredCallState {
  readonly crm: CrmCallState;
  readonly summary: CallSummary;
  readonly timeline: readonly TimelineEntry[];
  /** What Bitrix24 answered so far (CALL_ID, entity, activity …). */
  readonly b24?: CallB24Facts;
  /** The client number as last sent to the CRM (after process_client_phone). */
  readonly clientPhone?: string;
  /** extension → Bitrix24 user, as resolved (after process_user_phone). */
  readonly users?: Readonly<Record<string, number>>;
  readonly task?: TaskProgress;
  /** The last input of each hook point, without call_full (`hooks try --call`). */
  readonly hookInputs?: Readonly<Record<string, Record<string, unknown>>>;
}

/** Steps whose result continues the flow (onCommandDone). */
const CONTINUED_STEPS = new Set(['register', 'finish', 'task-owner', 'activity-get']);

export interface CallToCrmOptions {
  readonly config: Config;
  readonly users: UserLookup;
  readonly sink: CommandSink;
  readonly calls: CallStateSource;
  readonly logger: Logger;
  /** The 14 customization hooks (default: none). */
  readonly hooks?: HookPort;
  /** Portal offset from UTC in minutes (default: the config's, else this server's). */
  readonly tzOffsetMinutes: number;
  /** Clock for state writes after a Bitrix24 result (default Date.now). */
  readonly now?: () => number;
  /** Observers (metrics, live panel). */
  readonly onPlanned?: (change: StageChange, commands: readonly CrmCommand[], notes: readonly string[]) => void;
  /**
   * Recordings: when `expected(call)` says a recording should come, the card is hidden at call end
   * and `onFinishDeferred` is told; it calls finishDeferred() once the file is ready (or given up).
   */
  readonly recordings?: {
    expected(call: CallSummary): boolean;
    onFinishDeferred(callKey: string, call: CallSummary): void;
  };
}

/** What finishDeferred attaches after the finish (a prepared recording, see src/adapters/recordings). */
export interface DeferredAttachment {
  readonly prepared: Record<string, unknown> & { readonly kind: 'prepared' };
}

const TIMELINE_MAX = 200;

type Stage = StageChange['stage'];

export class CallToCrm {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly legsEnded = new Map<string, Set<number>>();
  private readonly states = new Map<string, StoredCallState>();
  /** Transfer mode of each call in progress, fixed at its first stage (a live change never splits a call half-way). */
  private readonly transferModes = new Map<string, Config['calls']['transferMode']>();
  private config: Config;
  private phoneRules: CompiledPhoneRules;
  private failures = 0;

  constructor(private readonly opts: CallToCrmOptions) {
    this.config = opts.config;
    this.phoneRules = compilePhoneRules(opts.config.phone);
  }

  /**
   * The outbox sent a command of a call. Results that later steps need (register → CALL_ID and
   * entity, finish → activity, crm.*.get → owner) continue the call in its chain.
   */
  onCommandDone(cmd: OutboxCommand, result: unknown): void {
    if (!CONTINUED_STEPS.has(cmd.step)) return;
    void this.chain(cmd.callKey, () => this.continueAfter(cmd.callKey, cmd.step, result), 'Bitrix24 result not processed', { step: cmd.step });
  }

  /**
   * New settings from the admin panel (LiveConfig). Every call takes them at its next step: lists
   * and need_registration for calls not yet decided, trunks (line, default responsible, lead
   * creation and source), tasks and recordings for what is still to be sent. A call keeps the
   * transfer mode it started with.
   */
  reconfigure(config: Config): void {
    if (JSON.stringify(config.phone) !== JSON.stringify(this.config.phone)) this.phoneRules = compilePhoneRules(config.phone);
    this.config = config;
  }

  protected get hooks(): HookPort {
    return this.opts.hooks ?? noHooks;
  }

  stats(): { liveCalls: number; failures: number } {
    return { liveCalls: this.states.size, failures: this.failures };
  }

  /** Queues a stage change; resolves when its commands are durably stored. */
  handle(change: StageChange): Promise<void> {
    let mode = this.transferModes.get(change.callKey);
    if (mode === undefined) this.transferModes.set(change.callKey, (mode = this.config.calls.transferMode));
    if (change.stage === 'call_ended') this.transferModes.delete(change.callKey);
    if (mode !== 'per-leg') return this.handleOne(change);
    // One registration per transferred leg: the physical call's change becomes its legs' changes.
    let ended = this.legsEnded.get(change.callKey);
    if (!ended) this.legsEnded.set(change.callKey, (ended = new Set()));
    const parts = splitLegs(change, ended);
    if (change.stage === 'call_ended') this.legsEnded.delete(change.callKey);
    return Promise.all(parts.map((p) => this.handleOne(p))).then(() => undefined);
  }

  private handleOne(change: StageChange): Promise<void> {
    return this.chain(change.callKey, () => this.process(change), 'stage change not planned', { stage: change.stage });
  }


  /** Waits until every queued change is stored. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) {
      await Promise.all([...this.chains.values()]);
      // let the chains' own clean-up run; never spin on microtasks alone
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Serialises work per call: hooks and lookups never reorder one call's steps, other calls go on. */
  private chain(callKey: string, work: () => Promise<void>, what: string, extra: Record<string, unknown>): Promise<void> {
    const prev = this.chains.get(callKey) ?? Promise.resolve();
    const next = prev.then(work).catch((e: unknown) => {
      this.failures++;
      this.opts.logger.error({ callKey, ...extra, code: errorCode(e), err: String(e) }, what);
    });
    this.chains.set(callKey, next);
    void next.finally(() => {
      if (this.chains.get(callKey) === next) this.chains.delete(callKey);
    });
    return next;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private async load(callKey: string): Promise<StoredCallState | undefined> {
    const cached = this.states.get(callKey);
    if (cached) return cached;
    const rec = await this.opts.calls.getCall(callKey);
    const st = rec?.state as StoredCallState | undefined;
    return st && typeof st === 'object' && 'crm' in st ? st : undefined;
  }

  /** A hook session whose call_full reflects what is known at the moment each hook runs. */
  private session(summary: CallSummary, known: () => { b24: CallB24Facts; users: Readonly<Record<string, number>> }, port: HookPort = this.hooks): HookSession {
    return new HookSession(port, () => {
      const { b24, users } = known();
      return callFullOf(summary, b24, users);
    });
  }

  private async process(change: StageChange): Promise<void> {
    const stored = await this.load(change.callKey);
    const stage = change.stage;
    let b24: CallB24Facts = stored?.b24 ?? {};
    const users: Record<string, number> = { ...(stored?.users ?? {}) };
    // A call already skipped or finished sends nothing more: its hooks would run for nothing.
    const quiet = stored?.crm.skipped !== undefined || stored?.crm.finished === true;
    const session = this.session(change.call, () => ({ b24, users }), quiet ? noHooks : this.hooks);
    const call = await this.toPlanCall(change.call, stage, session, users);
    const settings = this.settingsFor(change.call);
    const wasRegistered = stored?.crm.registered ?? false;
    const gate = wasRegistered || stored?.crm.skipped ? { register: true, reason: 'decided' } : await this.gate(change.call, call, stage, session);
    const recordingPending = stage === 'call_ended' && (this.opts.recordings?.expected(change.call) ?? false);
    const planned = planStage(stored?.crm, { stage, at: change.at, call, conversationId: change.conversation?.id, gate, recordingPending }, settings);
    const out = await this.hookCommands(stored?.crm, planned, stage, session, b24, !wasRegistered && call.b24CallId !== undefined);
    if (out.finishUserId !== undefined) b24 = { ...b24, finishUserId: out.finishUserId };
    const commands = [...out.commands];
    const notes = [...out.notes];
    let task = stored?.task;
    if (stage === 'call_ended' && !task && this.wantsTask(out.state, change.call)) {
      if (!b24.registerSeen && change.call.b24CallId === undefined) b24 = { ...b24, ...(await recoverRegister(change.callKey, this.lookup())) };
      const step = await advanceTask(this.taskContext(change.call, b24, { status: 'wanted' }, call.clientNumber, users), this.taskSettings(change.call), session);
      task = step.task;
      if (step.responsibleId !== undefined) b24 = { ...b24, responsibleId: step.responsibleId };
      commands.push(...step.commands);
      notes.push(...step.notes);
    }
    const entry = this.entry(change.at, change.conversation ? `${stage} ${change.conversation.extension}` : stage, notes, commands, session);
    const next: StoredCallState = {
      crm: out.state, summary: change.call, timeline: [...(stored?.timeline ?? []), entry].slice(-TIMELINE_MAX),
      b24, clientPhone: call.clientNumber, users, ...(task ? { task } : {}),
      hookInputs: { ...(stored?.hookInputs ?? {}), ...session.inputs },
    };
    // A call whose finish waits for its recording stays open (restart recovery picks it up again).
    const ended = stage === 'call_ended' && !out.state.finishDeferred;
    await this.opts.sink.enqueue(commands, {
      ...(ended ? { discardCardsOf: change.callKey } : {}),
      call: {
        callKey: change.callKey,
        state: next,
        ...(ended ? { endedAt: change.call.endedAt ?? change.at } : {}),
        ...(out.state.b24CallId ? { b24CallId: out.state.b24CallId } : {}),
        now: change.at,
      },
    });
    if (ended) this.states.delete(change.callKey);
    else this.states.set(change.callKey, next);
    this.opts.onPlanned?.(change, commands, notes);
    if (stage === 'call_ended' && out.state.finishDeferred) this.opts.recordings?.onFinishDeferred(change.callKey, change.call);
  }

  private entry(at: number, stage: string, notes: readonly string[], commands: readonly CrmCommand[], session: HookSession): TimelineEntry {
    return {
      at, stage, notes: [...notes, ...session.notes()], commands: commands.map((c) => c.step),
      ...(session.runs.length ? { hooks: [...session.runs] } : {}),
    };
  }

  /**
   * The planned commands through their hooks: register (process_registration_params, then
   * post_registration), each show (customize_show_call_card), the finish (process_final_params).
   * Click-to-call runs post_registration first: Bitrix24 registered the call itself.
   */
  private async hookCommands(prev: CrmCallState | undefined, p: PlanOutput, stage: Stage, session: HookSession, b24: CallB24Facts, clickToCallRegistered: boolean): Promise<PlanOutput & { finishUserId?: number }> {
    let state = p.state;
    const commands: CrmCommand[] = [];
    const notes = [...p.notes];
    let finishUserId: number | undefined;
    const keep = new Set<number>();
    const prevShown = prev?.shownTo ?? [];
    if (clickToCallRegistered && state.registered) await session.run('post_registration', { call_stage: stage }, []);
    for (const c of p.commands) {
      if (c.step === 'register') {
        const data = await session.run('process_registration_params', registrationInput(c.params, stage), REGISTRATION_KEYS);
        const params = applyRegistration(c.params, data);
        commands.push(withParams(c, params));
        if (typeof params['USER_ID'] === 'number') state = { ...state, registeredUserId: params['USER_ID'] };
        await session.run('post_registration', { call_stage: stage }, []);
      } else if (c.method === 'telephony.externalcall.show' && typeof c.params['USER_ID'] === 'number') {
        const r = await this.hookShow(c, c.params['USER_ID'], stage, session, state, b24, prevShown);
        state = r.state;
        if (r.command) commands.push(r.command);
        if (r.target !== undefined) keep.add(r.target);
        notes.push(...r.notes);
      } else if (c.method === 'telephony.externalcall.hide' && keep.size > 0) {
        // A card redirected at this stage is not hidden again by the same stage.
        const ids = (Array.isArray(c.params['USER_ID']) ? c.params['USER_ID'] : [c.params['USER_ID']]) as number[];
        const rest = ids.filter((u) => !keep.has(u));
        state = { ...state, shownTo: [...new Set([...state.shownTo, ...ids.filter((u) => keep.has(u))])] };
        if (rest.length > 0) commands.push(withParams(c, { ...c.params, USER_ID: rest.length === 1 ? rest[0] : rest }));
      } else if (c.step === 'finish') {
        const data = await session.run('process_final_params', finalInput(c.params, b24), FINAL_KEYS);
        const params = applyFinal(c.params, data);
        if (typeof params['USER_ID'] === 'number') finishUserId = params['USER_ID'];
        commands.push(withParams(c, params));
      } else {
        commands.push(c);
      }
    }
    return { state, commands, notes, ...(finishUserId !== undefined ? { finishUserId } : {}) };
  }

  /** customize_show_call_card: another user (the card follows), USER_ID 0 = no card at this stage. */
  private async hookShow(c: CrmCommand, userId: number, stage: Stage, session: HookSession, state: CrmCallState, b24: CallB24Facts, prevShown: readonly number[]): Promise<{ state: CrmCallState; command?: CrmCommand; target?: number; notes: string[] }> {
    const input = { CALL_ID: knownCallId(c.params['CALL_ID'], b24.callId), USER_ID: userId, call_stage: stage };
    const data = await session.run('customize_show_call_card', input, ['CALL_ID', 'USER_ID']);
    const target = typeof data['USER_ID'] === 'number' ? data['USER_ID'] : userId;
    const callId = typeof data['CALL_ID'] === 'string' && data['CALL_ID'] !== '' && data['CALL_ID'] !== input.CALL_ID ? data['CALL_ID'] : c.params['CALL_ID'];
    const without = state.shownTo.filter((u) => u !== userId);
    if (target <= 0) return { state: { ...state, shownTo: without }, notes: [`card for user ${userId} not shown at ${stage} (customize_show_call_card)`] };
    if (target === userId && callId === c.params['CALL_ID']) return { state, command: c, target, notes: [] };
    // Already showing since an earlier stage (a hide of it planned now is dropped by the caller).
    const already = without.includes(target) || prevShown.includes(target);
    const next = { ...state, shownTo: already ? without : [...without, target] };
    const notes = [`card for user ${userId} shown to user ${target} (customize_show_call_card)`];
    return already ? { state: next, target, notes } : { state: next, command: withParams(c, { ...c.params, CALL_ID: callId, USER_ID: target }), target, notes };
  }

  /** A Bitrix24 result arrived (onCommandDone): learn from it and plan what waited for it. */
  private async continueAfter(callKey: string, step: string, result: unknown): Promise<void> {
    const st = await this.load(callKey);
    if (!st || !this.worthContinuing(st, step)) return;
    let b24: CallB24Facts = st.b24 ?? {};
    const users = st.users ?? {};
    const session = this.session(st.summary, () => ({ b24, users }));
    const commands: CrmCommand[] = [];
    const notes: string[] = [];
    let ownerResult: { assignedById?: number | undefined } | undefined;
    if (step === 'register') {
      const r = registerOutcome(result);
      b24 = { ...b24, registerSeen: true, ...(r.callId ? { callId: r.callId } : {}), ...(r.entity ? { entity: r.entity, entityCreated: r.created } : {}) };
      notes.push(`Bitrix24 registered ${r.callId ?? '?'}${r.entity ? ` for ${r.entity.type} ${r.entity.id}${r.created ? ' (created)' : ''}` : ''}`);
    } else if (step === 'finish') {
      const f = finishOutcome(result);
      if (!b24.registerSeen && st.summary.b24CallId === undefined) b24 = { ...(await recoverRegister(callKey, this.lookup())), ...b24 };
      b24 = { ...b24, finishSeen: true, ...(f.activityId !== undefined ? { activityId: f.activityId } : {}), ...(!b24.entity && f.entity ? { entity: f.entity } : {}) };
      if (f.activityId !== undefined) notes.push(`Bitrix24 activity ${f.activityId}`);
      const a = await afterFinish(callKey, b24, session);
      commands.push(...a.commands);
      notes.push(...a.notes);
    } else if (step === 'task-owner') {
      ownerResult = { assignedById: entityOwner(result) };
    } else if (step === 'activity-get' && b24.activityId !== undefined) {
      const a = await activityUpdate(callKey, b24.activityId, result, session);
      commands.push(...a.commands);
      notes.push(...a.notes);
    }
    let task = st.task;
    if (task && ((task.status === 'wanted' && step !== 'task-owner') || (task.status === 'owner' && ownerResult))) {
      const out = await advanceTask({ ...this.taskContext(st.summary, b24, task, st.clientPhone, users), ...(ownerResult ? { ownerResult } : {}) }, this.taskSettings(st.summary), session);
      task = out.task;
      if (out.responsibleId !== undefined) b24 = { ...b24, responsibleId: out.responsibleId };
      commands.push(...out.commands);
      notes.push(...out.notes);
    }
    const entry = this.entry(this.now(), `bitrix24 ${step}`, notes, commands, session);
    const next: StoredCallState = {
      ...st, b24, ...(task ? { task } : {}), timeline: [...st.timeline, entry].slice(-TIMELINE_MAX),
      hookInputs: { ...(st.hookInputs ?? {}), ...session.inputs },
    };
    await this.opts.sink.enqueue(commands, { call: { callKey, state: next, now: this.now() } });
    if (this.states.has(callKey)) this.states.set(callKey, next);
  }

  /**
   * Skips the state write when nothing can come of a result: a register result still matters while
   * the call lives (CALL_ID for the hooks) or a task waits; a finish result when a task waits or
   * an entity/activity hook is installed.
   */
  private worthContinuing(st: StoredCallState, step: string): boolean {
    const taskWaits = st.task !== undefined && st.task.status !== 'queued';
    if (step === 'register') return !st.crm.finished || taskWaits;
    if (step === 'finish') return taskWaits || this.hooks.has('customize_entity') || this.hooks.has('customize_activity');
    return true;
  }

  private lookup(): ((key: string) => Promise<{ state: string; result: unknown } | undefined>) | undefined {
    const src = this.opts.calls;
    return src.getByKey ? (key) => src.getByKey!(key) : undefined;
  }

  private wantsTask(state: CrmCallState, s: CallSummary): boolean {
    return this.config.tasks.missedCalls && state.registered && state.skipped === undefined && isMissedCall(s);
  }

  private taskContext(s: CallSummary, b24: CallB24Facts, task: TaskProgress, phone: string | undefined, users: Readonly<Record<string, number>>) {
    return {
      callKey: s.callKey, b24, task, phone: phone ?? s.clientNumber ?? '', endedAt: s.endedAt ?? s.startedAt,
      lastRungUserId: lastRungUser(s.conversations.map((c) => ({ userId: users[c.extension] }))),
    };
  }

  private taskSettings(s: CallSummary): TaskSettings {
    const cfg = this.config;
    const trunk = cfg.pbx.trunks.find((t) => t.endpoint === s.trunk);
    return {
      mode: cfg.tasks.responsible, titleTemplate: cfg.tasks.title, deadlineMinutes: cfg.tasks.deadlineMinutes,
      createdBy: cfg.tasks.createdBy, defaultUserId: trunk?.defaultUserId ?? cfg.calls.defaultUserId, tzOffsetMinutes: this.opts.tzOffsetMinutes,
    };
  }

  /** The recording is ready (or will not come): finish the call, then attach the file if any. */
  finishDeferred(callKey: string, attachment?: DeferredAttachment, note?: string): Promise<void> {
    return this.chain(callKey, async () => {
      const stored = await this.load(callKey);
      if (!stored || !stored.crm.finishDeferred) return;
      let b24 = stored.b24 ?? {};
      const users: Record<string, number> = { ...(stored.users ?? {}) };
      const session = this.session(stored.summary, () => ({ b24, users }));
      const call = await this.toPlanCall(stored.summary, 'call_ended', session, users);
      const planned = planFinish(stored.crm, call, this.settingsFor(stored.summary));
      const out = await this.hookCommands(stored.crm, planned, 'call_ended', session, b24, false);
      if (out.finishUserId !== undefined) b24 = { ...b24, finishUserId: out.finishUserId };
      const commands = [...out.commands];
      if (attachment && commands.length > 0) {
        const callId = out.state.b24CallId ?? ref('register', 'CALL_ID');
        commands.push(command(callKey, 'attach-record', 'local.attachRecord', { CALL_ID: callId, prepared: attachment.prepared }, 'recording'));
      }
      const at = stored.summary.endedAt ?? stored.summary.startedAt;
      const entry = this.entry(at, 'recording', [...(note ? [note] : []), ...out.notes], commands, session);
      const state: StoredCallState = {
        ...stored, crm: out.state, b24, users, timeline: [...stored.timeline, entry].slice(-TIMELINE_MAX),
        hookInputs: { ...(stored.hookInputs ?? {}), ...session.inputs },
      };
      await this.opts.sink.enqueue(commands, { call: { callKey, state, endedAt: at, now: at } });
      this.states.delete(callKey);
    }, 'deferred finish not planned', {});
  }

  /**
   * The tracker's summary in the planner's terms: each extension through process_user_phone (after
   * the built-in replacement) to its Bitrix24 user; the client number normalised, then through
   * process_client_phone.
   */
  private async toPlanCall(s: CallSummary, stage: Stage, session: HookSession, users: Record<string, number>): Promise<PlanCall> {
    const conversations = [];
    const phones = new Map<string, string>();
    for (const c of s.conversations) {
      let phone = phones.get(c.extension);
      if (phone === undefined) {
        const builtIn = normaliseInnerPhone(c.extension, this.phoneRules);
        const d = await session.run('process_user_phone', { phone: builtIn, call_stage: stage }, ['phone']);
        phone = typeof d['phone'] === 'string' ? d['phone'] : builtIn;
        phones.set(c.extension, phone);
      }
      let userId: number | undefined;
      try {
        userId = (await this.opts.users.find(phone))?.id;
      } catch (e) {
        this.opts.logger.warn({ callKey: s.callKey, extension: c.extension, code: errorCode(e) }, 'user lookup failed');
      }
      if (userId !== undefined) users[c.extension] = userId;
      conversations.push({ id: c.id, extension: c.extension, userId, requestedAt: c.requestedAt, acceptedAt: c.acceptedAt, endedAt: c.endedAt });
    }
    const direction = s.direction === 'click-to-call' ? 'outgoing' : s.direction;
    const client = s.direction === 'internal' ? (s.callerExtension ?? s.clientNumber ?? '') : (s.clientNumber ?? '');
    const normal = normalisePhone(client, this.phoneRules).value;
    const d = await session.run('process_client_phone', { phone: normal, call_stage: stage }, ['phone']);
    return {
      callKey: s.callKey,
      direction,
      clientNumber: typeof d['phone'] === 'string' ? d['phone'] : normal,
      did: s.did,
      trunk: s.trunk,
      startedAt: s.startedAt,
      answeredAt: s.answeredAt,
      endedAt: s.endedAt,
      statusCode: s.statusCode,
      b24CallId: s.b24CallId,
      callback: s.callback,
      conversations,
    };
  }

  /** Built-in rules first (internal calls, black/white lists), then the need_registration hook. */
  private async gate(s: CallSummary, call: PlanCall, stage: Stage, session: HookSession): Promise<{ register: boolean; reason: string }> {
    if (s.direction === 'internal' && !this.config.calls.internal) {
      return { register: false, reason: 'internal call (calls.internal is off)' };
    }
    const extensions = [...s.conversations.map((c) => c.extension), ...(s.callerExtension ? [s.callerExtension] : [])];
    const d = decideByLists(this.config.lists, { extensions, trunk: s.trunk, did: s.did, clientNumber: call.clientNumber });
    if (!d.register) return { register: false, reason: d.match ? `${d.reason} (${d.match})` : d.reason };
    const h = await session.run('need_registration', { call_stage: stage }, ['result']);
    if (h['result'] === false) return { register: false, reason: `need_registration answered false at ${stage}` };
    return { register: true, reason: d.match ? `${d.reason} (${d.match})` : d.reason };
  }

  private settingsFor(s: CallSummary): PlanSettings {
    const cfg = this.config;
    const trunk = cfg.pbx.trunks.find((t) => t.endpoint === s.trunk);
    return {
      defaultUserId: trunk?.defaultUserId ?? cfg.calls.defaultUserId,
      missedUserId: cfg.calls.missedUserId ?? trunk?.defaultUserId,
      tzOffsetMinutes: this.opts.tzOffsetMinutes,
      lineNumber: trunk?.line,
      crmCreate: trunk?.crmCreate ?? true,
      crmSource: trunk?.crmSource,
      cardTtlMs: 60_000,
      addToChat: true,
    };
  }
}

/** "+03:00" → 180. */
export function parseOffset(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return 0;
  const v = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -v : v;
}
