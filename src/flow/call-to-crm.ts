/**
 * Call → CRM: takes the tracker's stage changes and turns them into outbox commands.
 *
 * For each change (serialised per call, so hooks and lookups never reorder one call's stages):
 * 1. map the tracker's CallSummary to the planner's view (plan-inputs.ts: client number
 *    normalised, then process_client_phone; extensions through process_user_phone to users);
 * 2. decide once per call whether it goes to the CRM at all (internal calls, black/white lists,
 *    then the need_registration hook) and remember why;
 * 3. plan the commands (pure planner), run the customization hooks on them (command-hooks.ts), and
 *    write them together with the call's CRM state in ONE store transaction (enqueue with the call
 *    upsert), then wake the sender.
 * Bitrix24 results that later steps need (register → entity, finish → activity, crm.*.get → owner)
 * come back through onCommandDone and continue in the same per-call chain (missed-call-task.ts).
 * A per-call timeline of decisions and hook runs is kept in the stored state for the admin panel.
 */
import type { StageChange, CallSummary } from '../core/call/model.js';
import { splitLegs } from '../core/crm/legs.js';
import { compilePhoneRules, type CompiledPhoneRules } from '../core/crm/phone.js';
import { planStage, planFinish, type CrmCallState } from '../core/crm/plan.js';
import { command, ref, type CrmCommand } from '../core/crm/commands.js';
import { entityOwner, finishOutcome, isMissedCall, lastRungUser, registerOutcome } from '../core/crm/missed-call.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Config } from '../config/schema.js';
import type { EnqueueOptions, EnqueueResult } from '../outbox/store-port.js';
import type { NewCommand, OutboxCommand } from '../outbox/command.js';
import { noHooks, type HookPort } from './ports.js';
import { HookSession, callFullOf, type HookRunNote } from './call-hooks.js';
import { hookCommands } from './command-hooks.js';
import { gateCall, planSettingsFor, taskSettingsFor, toPlanCall, type PlanCallDeps } from './plan-inputs.js';
import { transcriptionJobOf } from './transcript-attach.js';
import type { RouteNotes } from './route-notes.js';
import { completionNote } from '../core/crm/task-close.js';
import { COMPLETE_TASK_STEP, type MissedTaskCloser } from './missed-task-close.js';
import {
  activityUpdate, advanceTask, afterFinish, recoverRegister, type CallB24Facts, type TaskProgress,
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
const CONTINUED_STEPS = new Set(['register', 'finish', 'task-owner', 'activity-get', COMPLETE_TASK_STEP]);

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
  /** FastAGI route decisions waiting for their call (the first timeline entry). */
  readonly routes?: Pick<RouteNotes, 'take'>;
  /** Open missed-call tasks per client number (tasks.completeOnContact; missed-task-close.ts). */
  readonly missedTasks?: MissedTaskCloser;
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
    const tasks = this.opts.missedTasks;
    if (cmd.step === 'task' && tasks) void this.chain(cmd.callKey, async () => tasks.learn((await this.load(cmd.callKey))?.clientPhone ?? '', cmd.callKey, result), 'task id not kept', {});
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

  private planDeps(): PlanCallDeps {
    return { phoneRules: this.phoneRules, users: this.opts.users, logger: this.opts.logger };
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
    const call = await toPlanCall(change.call, stage, session, users, this.planDeps());
    const settings = planSettingsFor(this.config, change.call, this.opts.tzOffsetMinutes);
    const wasRegistered = stored?.crm.registered ?? false;
    const gate = wasRegistered || stored?.crm.skipped ? { register: true, reason: 'decided' } : await gateCall(this.config, change.call, call, stage, session);
    const recordingPending = stage === 'call_ended' && (this.opts.recordings?.expected(change.call) ?? false);
    const planned = planStage(stored?.crm, { stage, at: change.at, call, conversationId: change.conversation?.id, gate, recordingPending }, settings);
    const out = await hookCommands(stored?.crm, planned, stage, session, b24, !wasRegistered && call.b24CallId !== undefined);
    if (out.finishUserId !== undefined) b24 = { ...b24, finishUserId: out.finishUserId };
    const commands = [...out.commands];
    const notes = [
      ...(change.call.rebuiltFrom === 'cdr' ? ['rebuilt from the CDR (Master.csv): the call began and ended while the connector was not listening to AMI'] : []),
      ...out.notes,
    ];
    let task = stored?.task;
    if (stage === 'call_ended' && !task && this.wantsTask(out.state, change.call)) {
      if (!b24.registerSeen && change.call.b24CallId === undefined) b24 = { ...b24, ...(await recoverRegister(change.callKey, this.lookup())) };
      const step = await advanceTask(this.taskContext(change.call, b24, { status: 'wanted' }, call.clientNumber, users), taskSettingsFor(this.config, change.call, this.opts.tzOffsetMinutes), session);
      task = step.task;
      if (step.responsibleId !== undefined) b24 = { ...b24, responsibleId: step.responsibleId };
      commands.push(...step.commands);
      notes.push(...step.notes);
    }
    const closing = stage === 'call_ended' ? await this.opts.missedTasks?.onCallEnded(this.config.tasks, change.call, call.clientNumber, users) : undefined;
    commands.push(...(closing?.commands ?? []));
    notes.push(...(closing?.notes ?? []));
    const entry = this.entry(change.at, change.conversation ? `${stage} ${change.conversation.extension}` : stage, notes, commands, session);
    // The FastAGI route decision (made before anyone rang) joins the timeline at its time.
    const route = this.opts.routes?.take(change.callKey, change.at);
    const before = [...(stored?.timeline ?? []), ...(route ? [{ at: route.at, stage: 'route (FastAGI)', notes: [route.text], commands: [] }] : [])];
    const next: StoredCallState = {
      crm: out.state, summary: change.call, timeline: [...before.sort((a, b) => a.at - b.at), entry].slice(-TIMELINE_MAX),
      b24, clientPhone: call.clientNumber, users, ...(task ? { task } : {}),
      hookInputs: { ...(stored?.hookInputs ?? {}), ...session.inputs },
    };
    // A call whose finish waits for its recording stays open (restart recovery picks it up again).
    const ended = stage === 'call_ended' && !out.state.finishDeferred;
    await this.opts.missedTasks?.rememberPlanned(this.config.tasks, commands, change.callKey, call.clientNumber, change.at);
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
    await closing?.commit();
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
    } else if (step === COMPLETE_TASK_STEP) {
      notes.push(...[completionNote(result)].filter((n): n is string => n !== undefined));
    }
    let task = st.task;
    if (task && ((task.status === 'wanted' && step !== 'task-owner') || (task.status === 'owner' && ownerResult))) {
      const out = await advanceTask({ ...this.taskContext(st.summary, b24, task, st.clientPhone, users), ...(ownerResult ? { ownerResult } : {}) }, taskSettingsFor(this.config, st.summary, this.opts.tzOffsetMinutes), session);
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
    await this.opts.missedTasks?.rememberPlanned(this.config.tasks, commands, callKey, st.clientPhone, this.now());
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

  /** The recording is ready (or will not come): finish the call, then attach the file if any. */
  finishDeferred(callKey: string, attachment?: DeferredAttachment, note?: string): Promise<void> {
    return this.chain(callKey, async () => {
      const stored = await this.load(callKey);
      if (!stored || !stored.crm.finishDeferred) return;
      let b24 = stored.b24 ?? {};
      const users: Record<string, number> = { ...(stored.users ?? {}) };
      const session = this.session(stored.summary, () => ({ b24, users }));
      const call = await toPlanCall(stored.summary, 'call_ended', session, users, this.planDeps());
      const planned = planFinish(stored.crm, call, planSettingsFor(this.config, stored.summary, this.opts.tzOffsetMinutes));
      const out = await hookCommands(stored.crm, planned, 'call_ended', session, b24, false);
      if (out.finishUserId !== undefined) b24 = { ...b24, finishUserId: out.finishUserId };
      const commands = [...out.commands];
      if (attachment && commands.length > 0) {
        const callId = out.state.b24CallId ?? ref('register', 'CALL_ID');
        commands.push(command(callKey, 'attach-record', 'local.attachRecord', { CALL_ID: callId, prepared: attachment.prepared }, 'recording'));
        if (this.config.recordings.transcriber) {
          const file = attachment.prepared['sourcePath'] ?? attachment.prepared['path'];
          const job = transcriptionJobOf(stored.summary, String(file));
          commands.push(command(callKey, 'transcript', 'local.attachTranscription', { CALL_ID: callId, job }, 'recording'));
        }
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

}

export { parseOffset } from './tz-offset.js';
