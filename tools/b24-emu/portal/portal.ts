/**
 * The emulated Bitrix24 portal, pure of HTTP: `invoke(method, params, ctx)` runs one REST method
 * against in-memory state and returns `{result, total?, next?}` or throws B24ApiError. The HTTP
 * layer (tools/b24-emu/http) adds auth, limits, batch, faults and event delivery on top.
 */
import { ConnectorError } from '../../../src/errors.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import type { InvokeContext, MethodResult, PortalEvent, PortalSeed } from '../contract.js';
import { registerCall, registerResult } from './calls.js';
import { findByPhone } from './crm-lookup.js';
import { B24ApiError, methodNotFound, wrongAuthType } from './errors.js';
import { bindingsFor, raiseEvent, type EventListener } from './events.js';
import { inspectState, type PortalInspection } from './inspect.js';
import { activityMethods } from './methods/activity.js';
import { appMethods } from './methods/app.js';
import { appKeyOf, type MethodContext, type MethodTable } from './methods/context.js';
import { crmMethods } from './methods/crm.js';
import { eventMethods } from './methods/events.js';
import { finishMethods } from './methods/finish.js';
import { lineMethods } from './methods/lines.js';
import { completeUpload, recordMethods } from './methods/records.js';
import { taskMethods } from './methods/tasks.js';
import { emitRegistered, ensureLine, telephonyMethods } from './methods/telephony.js';
import { userMethods } from './methods/user.js';
import { voximplantMethods } from './methods/voximplant.js';
import { isPlainObject, Params, type Row } from './params.js';
import { phoneCountry, splitExtension, stripLetters, toInternational } from './phones.js';
import { loadSeed, resolveSettings, snapshotSeed, type PortalSettings } from './seed.js';
import type { Binding, PortalState } from './state.js';

export interface PortalOptions {
  /** Emulator clock (epoch ms) for actions not started by a REST call (click-to-call, uploads). */
  readonly now: () => number;
  /** false = webhooks may call app-only methods (reference §11 item 1). Default true. */
  readonly enforceAppOnly?: boolean;
  /** Base URL for links the portal hands out (uploadUrl); default settings.portalUrl. */
  readonly baseUrl?: string;
  readonly logger?: Logger;
}

export interface ClickToCallInput {
  readonly userId: number;
  /** The number as clicked (may carry an extension: "+7 495 123-45-67 ext 12"). */
  readonly phone: string;
  readonly entityType?: string;
  readonly entityId?: number;
  readonly callListId?: number;
  /** External line chosen; empty/absent = the app's default line. */
  readonly lineNumber?: string;
  readonly isMobile?: boolean;
}

export interface CallbackInput {
  readonly phone: string;
  readonly text?: string;
  readonly voice?: string;
  readonly entityType?: string;
  readonly entityId?: number;
  readonly lineNumber?: string;
}

const ALL_METHODS: MethodTable = {
  ...telephonyMethods, ...finishMethods, ...recordMethods, ...lineMethods, ...voximplantMethods,
  ...crmMethods, ...activityMethods, ...userMethods, ...taskMethods, ...eventMethods, ...appMethods,
};

/** `telephony.externalCall.register.json` → `telephony.externalcall.register`. */
export function normaliseMethodName(method: string): string {
  return method.trim().toLowerCase().replace(/\.(json|xml)$/, '');
}

export class Portal {
  private state: PortalState;
  private settings: PortalSettings;
  private baseUrl: string;
  private readonly listeners: EventListener[] = [];
  private readonly log: Logger;

  constructor(seed: PortalSeed, private readonly options: PortalOptions) {
    this.state = loadSeed(seed);
    this.settings = resolveSettings(this.state.settings);
    this.baseUrl = options.baseUrl ?? this.settings.portalUrl;
    this.log = (options.logger ?? silentLogger).child({ component: 'b24-emu-portal' });
  }

  /** Runs one REST method. Throws B24ApiError with the documented error and HTTP status. */
  invoke(method: string, params: Record<string, unknown>, ctx: InvokeContext): MethodResult {
    const name = normaliseMethodName(method);
    const def = ALL_METHODS[name];
    if (!def) throw methodNotFound();
    if (def.appOnly && ctx.authType !== 'oauth' && this.options.enforceAppOnly !== false) throw wrongAuthType();
    const mc = this.context(ctx, ctx.now);
    try {
      return def.handler(new Params(isPlainObject(params) ? params : {}), mc);
    } catch (err) {
      if (err instanceof B24ApiError) throw err;
      this.log.error({ method: name, err: String(err) }, 'portal method failed');
      throw new B24ApiError('INTERNAL_SERVER_ERROR', 'Internal server error', 500);
    }
  }

  hasMethod(method: string): boolean {
    return ALL_METHODS[normaliseMethodName(method)] !== undefined;
  }

  isAppOnly(method: string): boolean {
    return ALL_METHODS[normaliseMethodName(method)]?.appOnly === true;
  }

  /** Lower-case names of every implemented method. */
  methods(): string[] {
    return Object.keys(ALL_METHODS).sort();
  }

  /** Online delivery: called for every raised event that has online bindings. Returns unsubscribe. */
  onEvent(listener: (ev: PortalEvent, bindings: Binding[]) => void): () => void {
    const safe: EventListener = (ev, bindings) => {
      try {
        listener(ev, bindings);
      } catch (err) {
        this.log.warn({ event: ev.event, err: String(err) }, 'event listener failed');
      }
    };
    this.listeners.push(safe);
    return () => {
      const i = this.listeners.indexOf(safe);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Raises any event (e.g. ONCRMDEALUPDATE for offline-queue tests). */
  raise(event: string, data: Row, messageId?: string, at?: number): void {
    raiseEvent(this.state, this.listeners, event, data, at ?? this.options.now(), messageId);
  }

  /**
   * What Bitrix24 does when a user clicks a number: registers the call itself (TYPE=1, CRM_CREATE =
   * the line's CRM_AUTO_CREATE, card shown) and raises ONEXTERNALCALLSTART (reference §7.3).
   */
  clickToCall(input: ClickToCallInput, at?: number): { callId: string; event: PortalEvent } {
    const now = at ?? this.options.now();
    const user = this.state.users.get(input.userId);
    if (!user || user['ACTIVE'] !== true) {
      throw new ConnectorError('EMU_PORTAL_USER_NOT_FOUND', `click-to-call: user ${input.userId} is not found or not active`, { details: { userId: input.userId } });
    }
    const { number, extension } = splitExtension(input.phone);
    const phone = stripLetters(number);
    if (phone === null) throw new ConnectorError('EMU_PORTAL_BAD_PHONE', `click-to-call: no digits in "${input.phone}"`);
    const lineNumber = input.lineNumber ?? '';
    const line = this.state.lines.all().find((l) => l['NUMBER'] === lineNumber);
    const appKey = bindingsFor(this.state, 'ONEXTERNALCALLSTART').find((b) => b.ownerKind === 'app')?.appKey ?? 'app:default';
    const mc = this.context({ authType: 'oauth', userId: input.userId, now }, now);
    if (lineNumber !== '') ensureLine(mc, lineNumber);
    const hasEntity = input.entityType !== undefined && input.entityId !== undefined && input.entityId > 0;
    const { call } = registerCall(mc, {
      appKey, origin: 'click-to-call', params: { ...input }, userId: input.userId, phoneNumber: phone, type: 1,
      lineNumber: lineNumber === '' ? null : lineNumber, externalCallId: null, startDate: now,
      crmCreate: line ? line['CRM_AUTO_CREATE'] === 'Y' : true, crmSource: null,
      crmEntityType: hasEntity ? (input.entityType ?? null) : null, crmEntityId: hasEntity ? (input.entityId ?? null) : null,
      show: true, callListId: input.callListId ?? 0, addToChat: true,
    });
    emitRegistered(mc, call);
    const reg = registerResult(call);
    const data: Row = {
      PHONE_NUMBER: input.phone, PHONE_NUMBER_INTERNATIONAL: toInternational(number, mc.country), EXTENSION: extension,
      USER_ID: String(input.userId), CALL_LIST_ID: String(input.callListId ?? 0), LINE_NUMBER: lineNumber,
      IS_MOBILE: input.isMobile ? '1' : '0', CALL_ID: call.callId,
      CRM_ENTITY_TYPE: call.crmEntityType, CRM_ENTITY_ID: call.crmEntityId === null ? '' : String(call.crmEntityId),
      CRM_CREATED_LEAD: reg['CRM_CREATED_LEAD'], CRM_CREATED_ENTITIES: reg['CRM_CREATED_ENTITIES'],
    };
    mc.emit('ONEXTERNALCALLSTART', data, `ONEXTERNALCALLSTART:${call.callId}`);
    return { callId: call.callId, event: { event: 'ONEXTERNALCALLSTART', data } };
  }

  /** A CRM callback form was filled: raises ONEXTERNALCALLBACKSTART; nothing is registered (§7.4). */
  callback(input: CallbackInput, at?: number): PortalEvent {
    const country = phoneCountry(this.settings.phoneCountry);
    let entityType = input.entityType ?? '';
    let entityId = input.entityId;
    if (entityType === '' || entityId === undefined) {
      const match = findByPhone(this.state, input.phone, country)[0];
      entityType = match?.type ?? '';
      entityId = match?.id;
    }
    const data: Row = {
      PHONE_NUMBER: input.phone, TEXT: input.text ?? '', VOICE: input.voice ?? 'ruinternalfemale',
      CRM_ENTITY_TYPE: entityType, CRM_ENTITY_ID: entityId === undefined ? '' : String(entityId),
      LINE_NUMBER: input.lineNumber ?? '',
    };
    const now = at ?? this.options.now();
    raiseEvent(this.state, this.listeners, 'ONEXTERNALCALLBACKSTART', data, now, `ONEXTERNALCALLBACKSTART:${now}`);
    return { event: 'ONEXTERNALCALLBACKSTART', data };
  }

  /** Second step of attachRecord's two-step upload (the HTTP layer got the file at uploadUrl). */
  completeUpload(token: string, bytes: Uint8Array, filename?: string, at?: number): MethodResult {
    return completeUpload(this.state, token, bytes, filename, at ?? this.options.now());
  }

  /**
   * A user deletes a task in the portal's UI (there is no REST method for it here): it is gone for
   * every later method (tasks.task.complete answers "Action on the task is not allowed").
   * Raises ONTASKDELETE. False when there was no such task.
   */
  deleteTask(id: number): boolean {
    if (!this.state.tasks.rows.delete(id)) return false;
    this.raise('ONTASKDELETE', { FIELDS_BEFORE: { ID: String(id) } });
    return true;
  }

  /** The base URL the HTTP layer listens on (used in uploadUrl). */
  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  inspect(): PortalInspection {
    return inspectState(this.state);
  }

  /** Users, CRM objects, lines and settings as a seed (calls and history are not part of it). */
  snapshot(): PortalSeed {
    return snapshotSeed(this.state);
  }

  /** Back to a seed (default: the current snapshot, i.e. forget calls, events and bindings). */
  reset(seed: PortalSeed = this.snapshot()): void {
    this.state = loadSeed(seed);
    this.settings = resolveSettings(this.state.settings);
  }

  /** Recorded bytes of a file attached with attachRecord (null for RECORD_URL records). */
  recordBytes(fileId: number): Uint8Array | null {
    return this.state.records.find((r) => r.fileId === fileId)?.bytes ?? null;
  }

  private context(ctx: InvokeContext, now: number): MethodContext {
    return {
      state: this.state, settings: this.settings, country: phoneCountry(this.settings.phoneCountry), ctx, now,
      appKey: appKeyOf(ctx), baseUrl: this.baseUrl,
      emit: (event, data, messageId) => raiseEvent(this.state, this.listeners, event, data, now, messageId),
    };
  }
}

export type { Binding, PortalInspection };
