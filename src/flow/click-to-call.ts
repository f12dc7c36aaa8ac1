/**
 * Click-to-call and callback: a Bitrix24 ONEXTERNALCALLSTART / ONEXTERNALCALLBACKSTART (pushed or
 * polled, from the one event queue) becomes an AMI Originate; a failure goes back to Bitrix24 as
 * telephony.externalcall.finish with the matching STATUS_CODE.
 *
 * Per click (ONEXTERNALCALLSTART):
 * 1. once per CALL_ID: an in-memory window, plus the store's events_seen when a port is given
 *    (a redelivery after a restart must not ring the phone twice);
 * 2. the user's extension (UserDirectory.byUserId(USER_ID).innerPhone; one refresh on a miss);
 * 3. the Originate (core/crm/originate.ts), then process_originate_params when a hook is installed;
 * 4. Originate, async: the queue is never held while a phone rings;
 * 5. answered → nothing more: the tracker sees the call by its CALL_ID variable and the CRM flow
 *    finishes it at call_ended. Failed → if a channel carried the CALL_ID the tracker has the call
 *    and the CRM flow finishes it (finishFailures 'untracked', the default); otherwise (no
 *    channel, no user, bad number, PBX refused) this flow enqueues the finish itself.
 * Every decision is logged with a C2C_ code (docs/click-to-call.md).
 */
import { originate, type AmiRequest, type OriginateParams, type OriginateResult } from '../adapters/ami/actions.js';
import type { AmiMessage } from '../adapters/ami/message.js';
import type { B24Event } from '../adapters/bitrix/event-types.js';
import { eventDedupeKey } from '../adapters/bitrix/event-dedupe.js';
import type { Config } from '../config/schema.js';
import {
  applyOriginateHookReply, originateSettings, type DialRules, buildCallbackOriginate, buildClickToCallOriginate, failedFinishCommand, localFailure,
  originateFailureStatus, originateHookInput, type FailureKind, type FailureStatus, type OriginateFields, type OriginateSettings,
} from '../core/crm/originate.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { CommandSink } from './call-to-crm.js';
import { FirstLegWatcher } from './click-to-call-legs.js';
import type { HookPort } from './ports.js';

/**
 * Settings from the config: `clickToCall`, `pbx.callIdVariable`, `phone` (country and replacements
 * used to read the clicked number). `dial` is not in the config schema yet (see docs/click-to-call.md).
 */
export function clickToCallSettings(config: Pick<Config, 'clickToCall' | 'pbx' | 'phone'>, dial?: Partial<DialRules>): OriginateSettings {
  return originateSettings(config.clickToCall, { callIdVariable: config.pbx.callIdVariable, phone: config.phone, ...(dial ? { dial } : {}) });
}

/** What the flow needs from AMI (AmiClient fits). */
export interface ClickToCallAmi {
  request<T>(req: AmiRequest<T>): Promise<T>;
  on(signal: 'event', listener: (msg: AmiMessage) => void): () => void;
}

/** Where events come from (EventQueue fits). */
export interface ClickEventSource {
  subscribe(handler: (event: B24Event) => void | Promise<void>): () => void;
}

/** What the flow needs from the user directory (UserDirectory fits). */
export interface ClickUserLookup {
  byUserId(id: number): { readonly id: number; readonly innerPhone: string; readonly active: boolean } | undefined;
  refresh?(): Promise<boolean>;
}

/** The store's events_seen (Store fits): false when the id was seen before. */
export interface SeenPort {
  markSeen(eventId: string, now: number, expiresAt: number): Promise<boolean>;
}

export interface ClickToCallOptions {
  readonly settings: OriginateSettings;
  readonly ami: ClickToCallAmi;
  readonly users: ClickUserLookup;
  readonly sink: CommandSink;
  readonly hooks: HookPort;
  readonly logger: Logger;
  readonly now: () => number;
  readonly seen?: SeenPort;
  /** How long a CALL_ID is remembered against a second Originate. Default 1 h. */
  readonly dedupeWindowMs?: number;
  /**
   * 'untracked' (default): finish only failures no channel was created for (the CRM flow finishes
   * the others at call_ended); 'all': finish every failure here (no tracker wired).
   */
  readonly finishFailures?: 'untracked' | 'all';
  /** Least time between directory refreshes caused by an unknown USER_ID. Default 60 s. */
  readonly userRefreshMinMs?: number;
  /** Observer of every outcome (metrics, live panel); its exceptions are ignored. */
  readonly onOutcome?: (outcome: ClickToCallOutcome) => void;
}

export interface ClickToCallOutcome {
  readonly event: B24Event['event'];
  readonly result: 'answered' | 'failed' | 'duplicate';
  readonly b24CallId?: string | undefined;
  readonly kind?: FailureKind;
  readonly statusCode?: string;
  /** Who finishes the Bitrix24 call of a failure: this flow, the CRM flow (a channel existed), or nobody (callback). */
  readonly finishedBy?: 'click-to-call' | 'call-flow' | 'none';
}

export interface ClickToCallStats {
  received: number;
  duplicates: number;
  originates: number;
  answered: number;
  failed: number;
  /** Failures whose finish was left to the CRM flow (a channel existed). */
  failedTracked: number;
  finishes: number;
  finishErrors: number;
  hookChanges: number;
  callbacks: number;
  /** Originates waiting for their OriginateResponse. */
  pending: number;
  readonly failures: Record<string, number>;
}

export class ClickToCall {
  private readonly legs: FirstLegWatcher;
  private readonly recent = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly log: Logger;
  private readonly counters: ClickToCallStats = {
    received: 0, duplicates: 0, originates: 0, answered: 0, failed: 0, failedTracked: 0, finishes: 0,
    finishErrors: 0, hookChanges: 0, callbacks: 0, pending: 0, failures: {},
  };
  private unsubscribe: Array<() => void> = [];
  private lastUserRefresh = -Infinity;

  constructor(private readonly o: ClickToCallOptions) {
    this.legs = new FirstLegWatcher(o.settings.callIdVariable);
    this.log = o.logger.child({ component: 'click-to-call' });
  }

  /** Subscribes to the AMI events and the Bitrix24 event source. */
  start(source: ClickEventSource): void {
    if (this.unsubscribe.length > 0) return;
    this.unsubscribe = [
      this.o.ami.on('event', (msg) => this.legs.observe(msg)),
      source.subscribe((event) => this.handle(event)),
    ];
  }

  /** Unsubscribes; pending Originates keep running (see idle()). */
  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Resolves when every accepted event has been fully processed (Originate outcome included). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  stats(): ClickToCallStats {
    return { ...this.counters, failures: { ...this.counters.failures }, pending: this.counters.pending };
  }

  /** Takes one event; returns at once (the work runs in the background, see idle()). */
  handle(event: B24Event): void {
    this.counters.received++;
    const key = event.event === 'ONEXTERNALCALLSTART' && event.data.CALL_ID ? event.data.CALL_ID : eventDedupeKey(event);
    const now = this.o.now();
    if (!this.firstSeen(key, now)) {
      this.counters.duplicates++;
      this.log.info({ code: 'C2C_DUPLICATE', event: event.event, b24CallId: event.data.CALL_ID, source: event.source }, 'click-to-call event already taken; no second Originate');
      this.emit({ event: event.event, result: 'duplicate', b24CallId: event.data.CALL_ID });
      return;
    }
    const work = (event.event === 'ONEXTERNALCALLSTART' ? this.click(event, key, now) : this.callback(event, key, now))
      .catch((e: unknown) => {
        this.log.error({ code: 'C2C_INTERNAL', event: event.event, b24CallId: event.data.CALL_ID, cause: errorCode(e), err: String(e) }, 'click-to-call processing failed');
      });
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  // ---- ONEXTERNALCALLSTART -----------------------------------------------------------------------

  private async click(event: B24Event, key: string, now: number): Promise<void> {
    const d = event.data;
    const callId = d.CALL_ID ?? '';
    const userId = d.USER_ID ?? 0;
    const log = this.log.child({ b24CallId: callId, userId });
    if (!(await this.storeFirstSeen(`c2c:${key}`, now, log))) return;
    log.info({ code: 'C2C_RECEIVED', source: event.source, phone: d.PHONE_NUMBER, callListId: d.CALL_LIST_ID, entity: d.CRM_ENTITY_TYPE }, 'click-to-call requested');
    const user = await this.findUser(userId);
    if (!user || !user.active) {
      return this.finish(log, callId, userId, localFailure('no-user', `Bitrix24 user ${userId} is unknown to the connector (inactive or not loaded)`), 'C2C_NO_USER');
    }
    if (!user.innerPhone) {
      return this.finish(log, callId, userId, localFailure('no-extension', `Bitrix24 user ${userId} has no inner phone number (UF_PHONE_INNER)`), 'C2C_NO_EXTENSION');
    }
    const plan = buildClickToCallOriginate(d, user.innerPhone, this.o.settings);
    if (!plan.ok) return this.finish(log, callId, userId, plan.failure, 'C2C_BAD_NUMBER');
    const fields = await this.applyHook(plan.fields, event, user.innerPhone, log);
    this.legs.watch(callId);
    try {
      const result = await this.sendOriginate(fields, log);
      if (result.success) {
        this.counters.answered++;
        log.info({ code: 'C2C_ANSWERED', channel: result.channel, uniqueid: result.uniqueid }, 'employee answered; dialling the client (the call flow finishes the call)');
        this.emit({ event: event.event, result: 'answered', b24CallId: callId, finishedBy: 'call-flow' });
        return;
      }
      await this.onFailure(log, callId, userId, originateFailureStatus(result.reason, this.legs.peek(callId), `phone ${user.innerPhone}`), result.reason);
    } catch (e) {
      await this.onFailure(log, callId, userId, localFailure('pbx-error', `the PBX did not take the Originate (${errorCode(e)}: ${(e as Error)?.message ?? String(e)})`), undefined);
    } finally {
      this.legs.forget(callId);
    }
  }

  private async onFailure(log: Logger, callId: string, userId: number, status: FailureStatus, reason: number | undefined): Promise<void> {
    const leg = this.legs.peek(callId);
    if (leg.seen && (this.o.finishFailures ?? 'untracked') === 'untracked') {
      this.counters.failedTracked++;
      this.countFailure(status);
      log.info({ code: 'C2C_FAILED_TRACKED', reason, statusCode: status.statusCode, kind: status.kind, channel: leg.channel, callKey: leg.linkedid },
        'Originate failed after its channel existed; the call flow finishes the call at call_ended');
      this.emit({ event: 'ONEXTERNALCALLSTART', result: 'failed', b24CallId: callId, kind: status.kind, statusCode: status.statusCode, finishedBy: 'call-flow' });
      return;
    }
    await this.finish(log, callId, userId, status, status.kind === 'pbx-error' ? 'C2C_PBX_ERROR' : 'C2C_FAILED', reason);
  }

  private async finish(log: Logger, callId: string, userId: number, status: FailureStatus, code: string, reason?: number): Promise<void> {
    this.countFailure(status);
    log.warn({ code, reason, statusCode: status.statusCode, kind: status.kind, failedReason: status.text }, 'click-to-call failed; finishing the Bitrix24 call');
    this.emit({ event: 'ONEXTERNALCALLSTART', result: 'failed', b24CallId: callId, kind: status.kind, statusCode: status.statusCode, finishedBy: 'click-to-call' });
    try {
      await this.o.sink.enqueue([failedFinishCommand(callId, userId, status)]);
      this.counters.finishes++;
    } catch (e) {
      this.counters.finishErrors++;
      log.error({ code: 'C2C_FINISH_FAILED', cause: errorCode(e), err: String(e) }, 'could not enqueue the finish of a failed click-to-call');
    }
  }

  // ---- ONEXTERNALCALLBACKSTART -------------------------------------------------------------------

  private async callback(event: B24Event, key: string, now: number): Promise<void> {
    const log = this.log.child({ event: event.event, phone: event.data.PHONE_NUMBER });
    if (!(await this.storeFirstSeen(`cb:${key}`, now, log))) return;
    this.counters.callbacks++;
    const plan = buildCallbackOriginate(event.data, this.o.settings);
    if (!plan.ok) {
      this.countFailure(plan.failure);
      log.warn({ code: plan.failure.kind === 'no-callback-target' ? 'C2C_CALLBACK_NO_TARGET' : 'C2C_BAD_NUMBER', failedReason: plan.failure.text }, 'callback not started');
      this.emit({ event: event.event, result: 'failed', kind: plan.failure.kind, finishedBy: 'none' });
      return;
    }
    const fields = await this.applyHook(plan.fields, event, undefined, log);
    try {
      const result = await this.sendOriginate(fields, log);
      if (result.success) {
        this.counters.answered++;
        log.info({ code: 'C2C_CALLBACK_ANSWERED', channel: result.channel }, 'callback target answered; dialling the client');
        this.emit({ event: event.event, result: 'answered', finishedBy: 'call-flow' });
      } else {
        const status = originateFailureStatus(result.reason, {}, `callback target ${this.o.settings.callbackTarget}`);
        this.countFailure(status);
        log.warn({ code: 'C2C_CALLBACK_FAILED', reason: result.reason, kind: status.kind }, `callback not connected: ${status.text}`);
        this.emit({ event: event.event, result: 'failed', kind: status.kind, finishedBy: 'none' });
      }
    } catch (e) {
      this.countFailure(localFailure('pbx-error', ''));
      log.error({ code: 'C2C_PBX_ERROR', cause: errorCode(e), err: String(e) }, 'the PBX did not take the callback Originate');
      this.emit({ event: event.event, result: 'failed', kind: 'pbx-error', finishedBy: 'none' });
    }
  }

  // ---- shared steps ------------------------------------------------------------------------------

  private async applyHook(fields: OriginateFields, event: B24Event, extension: string | undefined, log: Logger): Promise<OriginateFields> {
    const point = 'process_originate_params';
    if (!this.o.hooks.has(point)) return fields;
    const outcome = await this.o.hooks.run(point, originateHookInput(fields, event.raw, event.data, extension));
    if (outcome.source !== 'hook') {
      log.warn({ code: 'C2C_HOOK_DEFAULTS', hookCode: outcome.code }, 'process_originate_params failed; default Originate used');
      return fields;
    }
    const r = applyOriginateHookReply(fields, outcome.data, this.o.settings.callIdVariable);
    if (r.changed.length > 0) this.counters.hookChanges++;
    log.info({ code: 'C2C_HOOK_APPLIED', changed: r.changed, rejected: r.rejected, durationMs: outcome.durationMs }, 'process_originate_params applied');
    return r.fields;
  }

  private async sendOriginate(f: OriginateFields, log: Logger): Promise<OriginateResult> {
    const params: OriginateParams = {
      channel: f.Channel, context: f.Context, exten: f.Exten, priority: f.Priority, timeoutMs: f.Timeout,
      variables: f.Variable,
      ...(f.CallerID ? { callerId: f.CallerID } : {}),
      ...(f.Account ? { account: f.Account } : {}),
    };
    this.counters.originates++;
    this.counters.pending++;
    log.info({ code: 'C2C_ORIGINATE', channel: f.Channel, context: f.Context, exten: f.Exten, timeoutMs: f.Timeout }, 'Originate sent');
    try {
      return await this.o.ami.request(originate(params));
    } finally {
      this.counters.pending--;
    }
  }

  private async findUser(userId: number): Promise<ReturnType<ClickUserLookup['byUserId']>> {
    const hit = this.o.users.byUserId(userId);
    if (hit || !this.o.users.refresh) return hit;
    const now = this.o.now();
    if (now - this.lastUserRefresh < (this.o.userRefreshMinMs ?? 60_000)) return undefined;
    this.lastUserRefresh = now;
    await this.o.users.refresh();
    return this.o.users.byUserId(userId);
  }

  private firstSeen(key: string, now: number): boolean {
    const window = this.o.dedupeWindowMs ?? 3_600_000;
    for (const [k, at] of this.recent) {
      if (now - at < window) break; // oldest first
      this.recent.delete(k);
    }
    if (this.recent.has(key)) return false;
    this.recent.set(key, now);
    return true;
  }

  /** The store's guard survives restarts; a store failure is logged and does not block the call. */
  private async storeFirstSeen(id: string, now: number, log: Logger): Promise<boolean> {
    if (!this.o.seen) return true;
    try {
      if (await this.o.seen.markSeen(id, now, now + (this.o.dedupeWindowMs ?? 3_600_000))) return true;
      this.counters.duplicates++;
      log.info({ code: 'C2C_DUPLICATE', stored: true }, 'event already taken before (store); no second Originate');
      return false;
    } catch (e) {
      log.warn({ code: 'C2C_STORE_FAILED', cause: errorCode(e) }, 'events_seen not written; going on');
      return true;
    }
  }

  private emit(outcome: ClickToCallOutcome): void {
    try {
      this.o.onOutcome?.(outcome);
    } catch (e) {
      this.log.warn({ code: 'C2C_OBSERVER_FAILED', cause: errorCode(e) }, 'click-to-call outcome observer threw; ignored');
    }
  }

  private countFailure(status: FailureStatus): void {
    this.counters.failed++;
    this.counters.failures[status.kind] = (this.counters.failures[status.kind] ?? 0) + 1;
  }
}
