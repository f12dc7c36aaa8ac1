/**
 * Call → CRM: takes the tracker's stage changes and turns them into outbox commands.
 *
 * For each change (serialised per call, so hooks and lookups never reorder one call's stages):
 * 1. map the tracker's CallSummary to the planner's view (client number normalised, extensions
 *    resolved to Bitrix24 users through the user directory);
 * 2. decide once per call whether it goes to the CRM at all (internal calls, black/white lists,
 *    later the need_registration hook) and remember why;
 * 3. plan the commands (pure planner), run the customization hooks on them (call-hooks.ts), and
 *    write them together with the call's CRM state in ONE store transaction (enqueue with the call
 *    upsert), then wake the sender.
 * Bitrix24 results that later steps need (register → entity, finish → activity, crm.*.get → owner)
 * come back through onCommandDone and continue in the same per-call chain (missed-call-task.ts).
 * A per-call timeline of decisions and hook runs is kept in the stored state for the admin panel.
 */
import { serializeCallFull, type StageChange, type CallSummary } from '../core/call/model.js';
import { decideByLists, type ListsConfig } from '../core/crm/lists.js';
import { normalisePhone, compilePhoneRules, normaliseInnerPhone, type CompiledPhoneRules } from '../core/crm/phone.js';
import { planStage, planFinish, type CrmCallState, type PlanCall, type PlanSettings } from '../core/crm/plan.js';
import { command, ref, type CrmCommand } from '../core/crm/commands.js';
import { entityOwner, finishOutcome, isMissedCall, lastRungUser, registerOutcome } from '../core/crm/missed-call.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Config } from '../config/schema.js';
import type { EnqueueOptions, EnqueueResult } from '../outbox/store-port.js';
import type { NewCommand, OutboxCommand } from '../outbox/command.js';
import { noHooks, type HookPort } from './ports.js';
import {
  HookSession, applyFinal, applyRegistration, knownCallId, registrationInput, withParams, type HookRunNote,
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

export class CallToCrm {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly states = new Map<string, StoredCallState>();
  private readonly phoneRules: CompiledPhoneRules;
  private lists: ListsConfig;
  private failures = 0;

  constructor(private readonly opts: CallToCrmOptions) {
    this.phoneRules = compilePhoneRules(opts.config.phone);
    this.lists = opts.config.lists;
  }

  /** Black/white lists changed (admin panel settings): calls decided from now on use these. */
  setLists(lists: ListsConfig): void {
    this.lists = lists;
  }

  /** The outbox sent a command of a call (register results carry the CRM entity, for tasks…). */
  onCommandDone(_command: OutboxCommand, _result: unknown): void {
    // used by the missed-call tasks and entity updates
  }

  protected get hooks(): HookPort {
    return this.opts.hooks ?? noHooks;
  }

  stats(): { liveCalls: number; failures: number } {
    return { liveCalls: this.states.size, failures: this.failures };
  }

  /** Queues a stage change; resolves when its commands are durably stored. */
  handle(change: StageChange): Promise<void> {
    const prev = this.chains.get(change.callKey) ?? Promise.resolve();
    const next = prev.then(() => this.process(change)).catch((e: unknown) => {
      this.failures++;
      this.opts.logger.error({ callKey: change.callKey, stage: change.stage, code: errorCode(e), err: String(e) }, 'stage change not planned');
    });
    this.track(change.callKey, next);
    return next;
  }

  /** The call's chain now ends with `next`; the entry goes once it settles, so idle() can end. */
  private track(callKey: string, next: Promise<void>): void {
    this.chains.set(callKey, next);
    void next.finally(() => {
      if (this.chains.get(callKey) === next) this.chains.delete(callKey);
    });
  }

  /** Waits until every queued change is stored. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) {
      await Promise.all([...this.chains.values()]);
      // let the chains' own clean-up run (and never spin on microtasks alone)
      await new Promise((r) => setImmediate(r));
    }
  }

  private async load(callKey: string): Promise<StoredCallState | undefined> {
    const cached = this.states.get(callKey);
    if (cached) return cached;
    const rec = await this.opts.calls.getCall(callKey);
    const st = rec?.state as StoredCallState | undefined;
    return st && typeof st === 'object' && 'crm' in st ? st : undefined;
  }

  private async process(change: StageChange): Promise<void> {
    const stored = await this.load(change.callKey);
    const call = await this.toPlanCall(change.call);
    const settings = this.settingsFor(change.call);
    const gate = stored?.crm.registered || stored?.crm.skipped ? { register: true, reason: 'decided' } : this.gate(change.call, call);
    const recordingPending = change.stage === 'call_ended' && (this.opts.recordings?.expected(change.call) ?? false);
    const out = planStage(stored?.crm, {
      stage: change.stage,
      at: change.at,
      call,
      conversationId: change.conversation?.id,
      gate,
      recordingPending,
    }, settings);
    const entry: TimelineEntry = {
      at: change.at,
      stage: change.conversation ? `${change.stage} ${change.conversation.extension}` : change.stage,
      notes: out.notes,
      commands: out.commands.map((c) => c.step),
    };
    const timeline = [...(stored?.timeline ?? []), entry].slice(-TIMELINE_MAX);
    const next: StoredCallState = { crm: out.state, summary: change.call, timeline };
    // A call whose finish waits for its recording stays open (restart recovery picks it up again).
    const ended = change.stage === 'call_ended' && !out.state.finishDeferred;
    await this.opts.sink.enqueue(out.commands, {
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
    this.opts.onPlanned?.(change, out.commands, out.notes);
    if (change.stage === 'call_ended' && out.state.finishDeferred) this.opts.recordings?.onFinishDeferred(change.callKey, change.call);
  }

  /** The recording is ready (or will not come): finish the call, then attach the file if any. */
  finishDeferred(callKey: string, attachment?: DeferredAttachment, note?: string): Promise<void> {
    const prev = this.chains.get(callKey) ?? Promise.resolve();
    const next = prev.then(async () => {
      const stored = await this.load(callKey);
      if (!stored || !stored.crm.finishDeferred) return;
      const call = await this.toPlanCall(stored.summary);
      const out = planFinish(stored.crm, call, this.settingsFor(stored.summary));
      const commands = [...out.commands];
      if (attachment && commands.length > 0) {
        const callId = out.state.b24CallId ?? ref('register', 'CALL_ID');
        commands.push(command(callKey, 'attach-record', 'local.attachRecord', { CALL_ID: callId, prepared: attachment.prepared }, 'recording'));
      }
      const at = stored.summary.endedAt ?? stored.summary.startedAt;
      const entry: TimelineEntry = { at, stage: 'recording', notes: [...(note ? [note] : []), ...out.notes], commands: commands.map((c) => c.step) };
      const state: StoredCallState = { crm: out.state, summary: stored.summary, timeline: [...stored.timeline, entry].slice(-TIMELINE_MAX) };
      await this.opts.sink.enqueue(commands, { call: { callKey, state, endedAt: at, now: at } });
      this.states.delete(callKey);
    }).catch((e: unknown) => {
      this.failures++;
      this.opts.logger.error({ callKey, code: errorCode(e), err: String(e) }, 'deferred finish not planned');
    });
    this.track(callKey, next);
    return next;
  }

  private async toPlanCall(s: CallSummary): Promise<PlanCall> {
    const conversations = [];
    for (const c of s.conversations) {
      let userId: number | undefined;
      try {
        userId = (await this.opts.users.find(normaliseInnerPhone(c.extension, this.phoneRules)))?.id;
      } catch (e) {
        this.opts.logger.warn({ callKey: s.callKey, extension: c.extension, code: errorCode(e) }, 'user lookup failed');
      }
      conversations.push({ id: c.id, extension: c.extension, userId, requestedAt: c.requestedAt, acceptedAt: c.acceptedAt, endedAt: c.endedAt });
    }
    const direction = s.direction === 'click-to-call' ? 'outgoing' : s.direction;
    const client = s.direction === 'internal' ? (s.callerExtension ?? s.clientNumber ?? '') : (s.clientNumber ?? '');
    return {
      callKey: s.callKey,
      direction,
      clientNumber: normalisePhone(client, this.phoneRules).value,
      did: s.did,
      trunk: s.trunk,
      startedAt: s.startedAt,
      answeredAt: s.answeredAt,
      endedAt: s.endedAt,
      statusCode: s.statusCode,
      b24CallId: s.b24CallId,
      conversations,
    };
  }

  private gate(s: CallSummary, call: PlanCall): { register: boolean; reason: string } {
    if (s.direction === 'internal' && !this.opts.config.calls.internal) {
      return { register: false, reason: 'internal call (calls.internal is off)' };
    }
    const extensions = [...s.conversations.map((c) => c.extension), ...(s.callerExtension ? [s.callerExtension] : [])];
    const d = decideByLists(this.lists, { extensions, trunk: s.trunk, did: s.did, clientNumber: call.clientNumber });
    return { register: d.register, reason: d.match ? `${d.reason} (${d.match})` : d.reason };
  }

  private settingsFor(s: CallSummary): PlanSettings {
    const cfg = this.opts.config;
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
