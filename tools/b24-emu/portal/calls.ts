/**
 * External calls: registration (incl. the 30-minute reuse rule and CRM binding/creation) and the
 * call card per user. Used by telephony.externalCall.* and by Portal.clickToCall.
 */
import { createHash } from 'node:crypto';
import { createForCall, findByPhone } from './crm-lookup.js';
import { formatIso, unixSeconds } from './dates.js';
import type { Row } from './params.js';
import type { PhoneCountry } from './phones.js';
import type { PortalSettings } from './seed.js';
import type { CardSource, ExternalCall, PortalState } from './state.js';

/** Reuse window of register (reference §6.2). */
export const REUSE_WINDOW_MS = 30 * 60_000;

export interface RegisterInput {
  readonly appKey: string;
  readonly origin: ExternalCall['origin'];
  readonly params: Row;
  readonly userId: number;
  readonly phoneNumber: string;
  readonly type: number;
  readonly lineNumber: string | null;
  readonly externalCallId: string | null;
  readonly startDate: number;
  readonly crmCreate: boolean;
  readonly crmSource: string | null;
  readonly crmEntityType: string | null;
  readonly crmEntityId: number | null;
  readonly show: boolean;
  readonly callListId: number;
  readonly addToChat: boolean;
}

export interface RegisterEnv {
  readonly state: PortalState;
  readonly settings: PortalSettings;
  readonly country: PhoneCountry;
  readonly now: number;
}

/** `externalCall.<32 hex>.<unix time>`; deterministic (hash of a counter), no randomness. */
export function newCallId(state: PortalState, now: number): string {
  state.counters.callSeq += 1;
  const hex = createHash('md5').update(`b24-emu:${state.counters.callSeq}:${now}`).digest('hex');
  return `externalCall.${hex}.${unixSeconds(now)}`;
}

/** The active call the reuse rule returns, if any (§6.2, §11 item 2). */
export function findReusable(state: PortalState, input: RegisterInput, now: number): ExternalCall | undefined {
  for (const call of state.calls.values()) {
    if (call.finishedAt !== null || call.appKey !== input.appKey) continue;
    if (call.startDate < now - REUSE_WINDOW_MS) continue;
    if (call.phoneNumber !== input.phoneNumber || call.type !== input.type || call.userId !== input.userId) continue;
    if (input.lineNumber !== null && call.lineNumber !== input.lineNumber) continue;
    if (input.externalCallId !== null && call.externalCallId !== input.externalCallId) continue;
    return call;
  }
  return undefined;
}

/** True when the number is some active user's inner number: a portal-internal call (§11 item 3). */
export function isInternalNumber(state: PortalState, phone: string): boolean {
  return state.users.all().some((u) => u['ACTIVE'] === true && typeof u['UF_PHONE_INNER'] === 'string' && u['UF_PHONE_INNER'] !== '' && u['UF_PHONE_INNER'] === phone);
}

function bindCrm(env: RegisterEnv, call: ExternalCall, input: RegisterInput): void {
  if (call.internal) return;
  if (input.crmEntityType !== null && input.crmEntityId !== null) {
    call.crmEntityType = input.crmEntityType.toUpperCase();
    call.crmEntityId = input.crmEntityId;
    return;
  }
  const match = findByPhone(env.state, input.phoneNumber, env.country)[0];
  if (match) {
    call.crmEntityType = match.type;
    call.crmEntityId = match.id;
    return;
  }
  if (!input.crmCreate) return;
  const created = createForCall(env.state, env.settings, {
    phone: input.phoneNumber, userId: input.userId, incoming: input.type !== 1 && input.type !== 4,
    source: input.crmSource, nowIso: formatIso(env.now, env.settings.timeZoneOffsetMinutes),
  });
  call.crmCreatedLead = created.lead;
  call.crmCreatedEntities = created.entities;
  call.leadCreationError = created.error;
  if (created.main) {
    call.crmEntityType = created.main.type;
    call.crmEntityId = created.main.id;
  }
}

/** Registers a call or returns the reusable one; shows the card when asked. */
export function registerCall(env: RegisterEnv, input: RegisterInput): { call: ExternalCall; reused: boolean } {
  const { state, now } = env;
  const existing = findReusable(state, input, now);
  if (existing) {
    state.registrations.push({ callId: existing.callId, at: now, params: input.params, reused: true });
    if (input.show) showCard(state, existing, [input.userId], now, 'register');
    return { call: existing, reused: true };
  }
  const call: ExternalCall = {
    callId: newCallId(state, now), appKey: input.appKey, registeredAt: now, params: input.params,
    origin: input.origin, userId: input.userId, phoneNumber: input.phoneNumber, type: input.type,
    lineNumber: input.lineNumber, externalCallId: input.externalCallId, startDate: input.startDate,
    crmCreate: input.crmCreate, crmSource: input.crmSource, callListId: input.callListId,
    addToChat: input.addToChat, internal: isInternalNumber(state, input.phoneNumber),
    crmEntityType: '', crmEntityId: null, crmCreatedLead: null, crmCreatedEntities: [],
    leadCreationError: null, finishedAt: null, statId: null, cards: new Map(),
  };
  bindCrm(env, call, input);
  state.calls.set(call.callId, call);
  state.registrations.push({ callId: call.callId, at: now, params: input.params, reused: false });
  if (input.show) showCard(state, call, [input.userId], now, 'register');
  return { call, reused: false };
}

/** register's result (§6.2): LEAD_CREATION_ERROR only when auto-creation failed. */
export function registerResult(call: ExternalCall): Row {
  const out: Row = {
    CALL_ID: call.callId,
    CRM_CREATED_LEAD: call.crmCreatedLead,
    CRM_CREATED_ENTITIES: call.crmCreatedEntities.map((e) => ({ ...e })),
    CRM_ENTITY_TYPE: call.crmEntityType,
    CRM_ENTITY_ID: call.crmEntityId,
  };
  if (call.leadCreationError !== null) out['LEAD_CREATION_ERROR'] = call.leadCreationError;
  return out;
}

export function showCard(state: PortalState, call: ExternalCall, userIds: number[], now: number, source: CardSource): void {
  for (const userId of userIds) {
    const card = call.cards.get(userId);
    if (card?.visible) continue;
    if (card) {
      card.visible = true;
      card.shownAt = now;
    } else {
      call.cards.set(userId, { userId, visible: true, shownAt: now, hiddenAt: null });
    }
    state.cardHistory.push({ callId: call.callId, userId, action: 'show', at: now, source });
  }
}

export function hideCard(state: PortalState, call: ExternalCall, userIds: number[], now: number, source: CardSource): void {
  for (const userId of userIds) {
    const card = call.cards.get(userId);
    if (card && !card.visible) continue;
    if (card) {
      card.visible = false;
      card.hiddenAt = now;
    } else {
      call.cards.set(userId, { userId, visible: false, shownAt: null, hiddenAt: now });
    }
    state.cardHistory.push({ callId: call.callId, userId, action: 'hide', at: now, source });
  }
}

/** Users who currently see the card of a call. */
export function visibleTo(call: ExternalCall): number[] {
  return [...call.cards.values()].filter((c) => c.visible).map((c) => c.userId);
}
