/**
 * Routing an incoming call to the client's responsible manager: the pure decisions.
 * (The use case that does the lookups is src/flow/routing.ts; the FastAGI server is
 * src/adapters/agi/.) No clock: the current time comes in as epoch milliseconds.
 */
import { ConnectorError } from '../../errors.js';

/** What the dialplan reads in B24_ROUTE_STATUS. */
export type RouteStatus = 'OK' | 'NOROUTE' | 'CLOSED' | 'ERROR';

export type CrmEntityType = 'CONTACT' | 'COMPANY' | 'LEAD';

/** One row of telephony.externalCall.searchCrmEntities, typed. */
export interface CrmCandidate {
  readonly type: CrmEntityType;
  readonly id: number;
  readonly name: string;
  readonly responsibleId?: number;
  /** ASSIGNED_BY.USER_PHONE_INNER, when the portal sent it. */
  readonly responsibleInner?: string;
}

export interface RouteEntity {
  readonly type: CrmEntityType;
  readonly id: number;
  readonly name: string;
  readonly responsibleId?: number;
}

/** Everything the dialplan is told about one call. */
export interface RouteDecision {
  readonly status: RouteStatus;
  /** Extension to dial (B24_ROUTE_EXTEN). */
  readonly exten?: string;
  /** B24_ROUTE_NAME: the hook's `name` (default: the responsible's name), ≤ 20 characters. */
  readonly name?: string;
  readonly userId?: number;
  readonly entity?: RouteEntity;
  /** When set, CALLERID(name) becomes this (≤ 20 characters). */
  readonly callerName?: string;
  /** Why (for logs): `found`, `unknown-client`, `no-extension`, `hidden-number`, `closed`, `deadline`, `lookup-failed` … */
  readonly reason: string;
  /** Error code behind NOROUTE/ERROR, if any. */
  readonly code?: string;
  /** The CRM lookup came from the cache. */
  readonly cached?: boolean;
  /** Sticky routing: the last talker, routed to (reason `sticky`) or passed over (`routed: false`). */
  readonly sticky?: StickyNote;
}

// ---------------------------------------------------------------------------------------------
// Names

/** Asterisk's CallerID-name limit the hook contract repeats (customizations.md, point 11). */
export const MAX_ROUTE_NAME = 20;

/** Cuts to `max` characters (code points, never half a surrogate pair), spaces trimmed. */
export function truncateName(name: string, max = MAX_ROUTE_NAME): string {
  const chars = Array.from(name.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : chars.slice(0, max).join('').trimEnd();
}

// ---------------------------------------------------------------------------------------------
// Working hours

export interface WorkingHours {
  /** IANA time zone, e.g. "Europe/Moscow". */
  readonly timezone: string;
  /** mon…sun → "HH:MM-HH:MM" ranges; a missing day is closed. A range may cross midnight. */
  readonly days: Readonly<Partial<Record<Weekday, readonly string[]>>>;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Local weekday and minute of the day of `nowMs` in `timezone`. */
export function localTime(nowMs: number, timezone: string): { day: Weekday; minute: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(nowMs));
  } catch (cause) {
    throw new ConnectorError('AGI_BAD_WORKING_HOURS', `unknown time zone "${timezone}"`, { cause });
  }
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  const day = get('weekday').slice(0, 3).toLowerCase() as Weekday;
  const minute = (Number(get('hour')) % 24) * 60 + Number(get('minute'));
  if (!WEEKDAYS.includes(day) || !Number.isFinite(minute)) {
    throw new ConnectorError('AGI_BAD_WORKING_HOURS', `cannot read the local time in "${timezone}"`);
  }
  return { day, minute };
}

export function parseRange(range: string): [number, number] {
  const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(range.trim());
  if (!m) throw new ConnectorError('AGI_BAD_WORKING_HOURS', `bad working-hours range "${range}"`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start > 24 * 60 || end > 24 * 60) throw new ConnectorError('AGI_BAD_WORKING_HOURS', `bad working-hours range "${range}"`);
  return [start, end];
}

/**
 * Is `nowMs` inside the schedule? "09:00-18:00" is [09:00, 18:00); "22:00-02:00" on mon covers
 * mon 22:00–24:00 and tue 00:00–02:00; "00:00-24:00" is the whole day. Throws AGI_BAD_WORKING_HOURS
 * on an unknown time zone or a malformed range.
 */
export function isWithinWorkingHours(hours: WorkingHours, nowMs: number): boolean {
  const { day, minute } = localTime(nowMs, hours.timezone);
  const idx = WEEKDAYS.indexOf(day);
  const prev = WEEKDAYS[(idx + 6) % 7] as Weekday;
  for (const r of hours.days[day] ?? []) {
    const [start, end] = parseRange(r);
    if (start <= end ? minute >= start && minute < end : minute >= start) return true;
  }
  for (const r of hours.days[prev] ?? []) {
    const [start, end] = parseRange(r);
    if (start > end && minute < end) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Choosing the responsible

const ENTITY_TYPES = new Set<string>(['CONTACT', 'COMPANY', 'LEAD']);

function positiveInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** searchCrmEntities' result → candidates, in the portal's order; malformed rows are skipped. */
export function parseSearchResult(result: unknown): CrmCandidate[] {
  if (!Array.isArray(result)) return [];
  const out: CrmCandidate[] = [];
  for (const row of result) {
    if (!row || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    const type = String(r['CRM_ENTITY_TYPE'] ?? '').toUpperCase();
    const id = positiveInt(r['CRM_ENTITY_ID']);
    if (!ENTITY_TYPES.has(type) || id === undefined) continue;
    const by = r['ASSIGNED_BY'] && typeof r['ASSIGNED_BY'] === 'object' ? (r['ASSIGNED_BY'] as Record<string, unknown>) : {};
    const responsibleId = positiveInt(r['ASSIGNED_BY_ID']) ?? positiveInt(by['ID']);
    const inner = by['USER_PHONE_INNER'];
    out.push({
      type: type as CrmEntityType, id, name: typeof r['NAME'] === 'string' ? r['NAME'].trim() : '',
      ...(responsibleId !== undefined ? { responsibleId } : {}),
      ...((typeof inner === 'string' || typeof inner === 'number') && String(inner).trim() !== '' ? { responsibleInner: String(inner).trim() } : {}),
    });
  }
  return out;
}

/**
 * The entity the call belongs to: the first candidate (portal priority) whose responsible can take
 * a call (`routable`: an active user with an extension); when none can, the first candidate, so the
 * entity and the caller name are still known. Undefined for no candidates.
 */
export function chooseCandidate(candidates: readonly CrmCandidate[], routable: (c: CrmCandidate) => boolean): CrmCandidate | undefined {
  return candidates.find((c) => c.responsibleId !== undefined && routable(c)) ?? candidates[0];
}

export interface OpenDeal {
  readonly id: number;
  readonly responsibleId: number;
}

/** crm.deal.list's result → deals with a responsible, in the order given. */
export function parseDeals(result: unknown): OpenDeal[] {
  if (!Array.isArray(result)) return [];
  const out: OpenDeal[] = [];
  for (const row of result) {
    if (!row || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    const id = positiveInt(r['ID']);
    const responsibleId = positiveInt(r['ASSIGNED_BY_ID']);
    if (id !== undefined && responsibleId !== undefined) out.push({ id, responsibleId });
  }
  return out;
}

/** The newest open deal (highest id) whose responsible is routable. */
export function chooseDeal(deals: readonly OpenDeal[], routable: (userId: number) => boolean): OpenDeal | undefined {
  return [...deals].sort((a, b) => b.id - a.id).find((d) => routable(d.responsibleId));
}

/** The crm.deal.list filter for a client's open deals (CONTACT_ID = the deal's primary contact). */
export function openDealFilter(entity: Pick<RouteEntity, 'type' | 'id'>): Record<string, unknown> | undefined {
  if (entity.type === 'CONTACT') return { CONTACT_ID: entity.id, CLOSED: 'N' };
  if (entity.type === 'COMPANY') return { COMPANY_ID: entity.id, CLOSED: 'N' };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Hook 11 and the dialplan variables

export interface RouteUser {
  readonly id: number;
  readonly name: string;
  readonly innerPhone: string;
  readonly email?: string;
  readonly position?: string;
}

/** The customize_autodistribution input: read-only fields only when not empty (contract). */
export function autodistributionInput(p: {
  number: string; name: string; from?: string; user?: RouteUser; entity?: RouteEntity; error?: string;
}): Record<string, unknown> {
  const input: Record<string, unknown> = { number: p.number, name: truncateName(p.name) };
  if (p.from) input['from'] = p.from;
  if (p.user) {
    input['user'] = {
      id: p.user.id, phones: p.user.innerPhone ? [p.user.innerPhone] : [], name: p.user.name,
      ...(p.user.email ? { email: p.user.email } : {}), ...(p.user.position ? { position: p.user.position } : {}),
    };
  }
  if (p.entity) {
    input['entity'] = {
      type: p.entity.type.toLowerCase(), id: p.entity.id, name: p.entity.name,
      ...(p.entity.responsibleId !== undefined ? { responsible_id: p.entity.responsibleId } : {}),
    };
  }
  if (p.error) input['error'] = p.error;
  return input;
}

/** The hook's reply (or the defaults) → number and name, name cut to 20. */
export function autodistributionReply(data: Readonly<Record<string, unknown>>, defaults: { number: string; name: string }): { number: string; name: string } {
  const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : d);
  return { number: str(data['number'], defaults.number).trim(), name: truncateName(str(data['name'], defaults.name)) };
}

/**
 * The SET VARIABLE list for a decision, B24_ROUTE_STATUS last so a write cut short never leaves
 * an `OK` without its extension. Empty values are not written (a fresh channel has none).
 */
export function routeVariables(d: RouteDecision): Array<readonly [string, string]> {
  const vars: Array<readonly [string, string]> = [];
  const add = (k: string, v: string | number | undefined): void => {
    if (v !== undefined && String(v) !== '') vars.push([k, String(v)]);
  };
  add('B24_ROUTE_EXTEN', d.exten);
  add('B24_ROUTE_NAME', d.name);
  add('B24_ROUTE_USER_ID', d.userId);
  add('B24_ENTITY_TYPE', d.entity?.type);
  add('B24_ENTITY_ID', d.entity?.id);
  add('CALLERID(name)', d.callerName);
  vars.push(['B24_ROUTE_STATUS', d.status]);
  return vars;
}

// ---------------------------------------------------------------------------------------------
// Sticky routing: the employee who last talked with the caller (agi.sticky, docs/routing.md)

export type StickyMode = 'off' | 'fallback' | 'first';
export type TalkDirection = 'incoming' | 'outgoing';

export interface StickySettings {
  readonly mode: StickyMode;
  readonly days: number;
  readonly minTalkSeconds: number;
  readonly directions: TalkDirection | 'both';
}

/** Who last talked with a client number, from the connector's call history (the store's answer). */
export interface LastTalker {
  readonly userId: number;
  /** The extension that talked then (the user's extension now may differ). */
  readonly extension: string;
  /** When that conversation was answered, epoch ms. */
  readonly at: number;
  readonly callKey: string;
  readonly direction: TalkDirection;
}

/** What counts as "talked with": answered since `since`, at least `minTalkMs`, in `direction` (absent: both). */
export interface TalkerQuery {
  readonly since: number;
  readonly minTalkMs: number;
  readonly direction?: TalkDirection;
}

/** The history port the routing asks (StoreQueries.lastTalker implements it). */
export interface TalkerHistory {
  lastTalker(clientNumber: string, q: TalkerQuery): Promise<LastTalker | undefined>;
}

/** What the decision says about the last talker. */
export interface StickyNote {
  readonly userId: number;
  /** The extension dialled (routed), or the one that talked then (passed over). */
  readonly exten: string;
  readonly at: number;
  /** False: the last talker is not an active user with an extension now, so the route fell through. */
  readonly routed: boolean;
}

export const DAY_MS = 86_400_000;

export function talkerQuery(s: StickySettings, nowMs: number): TalkerQuery {
  return {
    since: nowMs - s.days * DAY_MS, minTalkMs: s.minTalkSeconds * 1_000,
    ...(s.directions !== 'both' ? { direction: s.directions } : {}),
  };
}

/**
 * The last talker checked against the user directory now: routable only as an active user with an
 * extension (dialled at the extension the user has now). Undefined when there is no last talker.
 */
export function stickyTarget(t: LastTalker | undefined, user: { active: boolean; innerPhone: string } | undefined): StickyNote | undefined {
  if (!t) return undefined;
  if (user?.active && user.innerPhone !== '') return { userId: t.userId, exten: user.innerPhone, at: t.at, routed: true };
  return { userId: t.userId, exten: t.extension, at: t.at, routed: false };
}

/**
 * Does the last talker take the call? `first`: whenever routable, unless the CRM's routable
 * responsible is that same user (then the CRM route stands); `fallback`: only when the CRM has no
 * routable responsible; `off`: never.
 */
export function stickyWins(mode: StickyMode, sticky: StickyNote | undefined, crm: { routable: boolean; userId?: number | undefined }): boolean {
  if (!sticky?.routed || mode === 'off') return false;
  if (!crm.routable) return true;
  return mode === 'first' && crm.userId !== sticky.userId;
}
