/**
 * The Bitrix24 telephony events the connector acts on (reference §7.3, §7.4) as typed values,
 * whether they arrived pushed (HTTP handler) or polled (offline events). Values arrive as form
 * strings ("0", "1269"); numbers and flags are converted here, the strings are kept in `raw`.
 */
import { b24LocalError } from './errors.js';

export const B24_EVENT_NAMES = ['ONEXTERNALCALLSTART', 'ONEXTERNALCALLBACKSTART'] as const;
export type B24EventName = (typeof B24_EVENT_NAMES)[number];

export function isB24EventName(v: string): v is B24EventName {
  return (B24_EVENT_NAMES as readonly string[]).includes(v);
}

export interface B24EventData {
  /** ONEXTERNALCALLSTART: the user the call is registered for. */
  readonly USER_ID?: number;
  readonly PHONE_NUMBER?: string;
  readonly PHONE_NUMBER_INTERNATIONAL?: string;
  readonly EXTENSION?: string;
  /** ONEXTERNALCALLSTART: the call Bitrix24 already registered (finish it, never re-register). */
  readonly CALL_ID?: string;
  readonly CRM_ENTITY_TYPE?: string;
  readonly CRM_ENTITY_ID?: number;
  /** 0 when the call did not come from a call list. */
  readonly CALL_LIST_ID?: number;
  readonly LINE_NUMBER?: string;
  readonly IS_MOBILE?: boolean;
  readonly CRM_CREATED_LEAD?: number;
  /** ONEXTERNALCALLBACKSTART: text to read to the employee, TTS voice. */
  readonly TEXT?: string;
  readonly VOICE?: string;
}

export interface B24Event {
  readonly event: B24EventName;
  readonly data: B24EventData;
  /** When the portal sent it (payload `ts` / offline `TIMESTAMP_X`), epoch ms; else receivedAt. */
  readonly ts: number;
  readonly receivedAt: number;
  readonly source: 'push' | 'poll';
  /** Portal identity from the `auth` block (never tokens). */
  readonly memberId?: string;
  readonly domain?: string;
  /** Every `data` value as received (strings), for hooks and logs. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** An event as it came in, before typing: `event`, `data`, `ts`, and the non-secret auth fields. */
export interface RawB24Event {
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly ts?: number;
  readonly memberId?: string;
  readonly domain?: string;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function int(v: unknown): number | undefined {
  const s = text(v);
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isInteger(n) ? n : undefined;
}

function flag(v: unknown): boolean | undefined {
  const s = text(v)?.toLowerCase();
  if (s === undefined || s === '') return undefined;
  return s === '1' || s === 'y' || s === 'true';
}

/** Builds the typed data; unknown keys stay in `raw` only. */
export function typeEventData(d: Readonly<Record<string, unknown>>): B24EventData {
  const out: Record<string, unknown> = {};
  for (const k of ['PHONE_NUMBER', 'PHONE_NUMBER_INTERNATIONAL', 'EXTENSION', 'CALL_ID', 'CRM_ENTITY_TYPE',
    'LINE_NUMBER', 'TEXT', 'VOICE'] as const) {
    const v = text(d[k]);
    if (v !== undefined) out[k] = v;
  }
  for (const k of ['USER_ID', 'CRM_ENTITY_ID', 'CALL_LIST_ID', 'CRM_CREATED_LEAD'] as const) {
    const v = int(d[k]);
    if (v !== undefined) out[k] = v;
  }
  const mobile = flag(d.IS_MOBILE);
  if (mobile !== undefined) out.IS_MOBILE = mobile;
  return out as B24EventData;
}

/**
 * Types a supported event; throws B24_EVENT_BAD_PAYLOAD when the data the connector needs is
 * missing (ONEXTERNALCALLSTART: CALL_ID and USER_ID; ONEXTERNALCALLBACKSTART: PHONE_NUMBER).
 */
export function toB24Event(raw: RawB24Event, source: 'push' | 'poll', receivedAt: number): B24Event {
  const name = raw.event.toUpperCase();
  if (!isB24EventName(name)) {
    throw b24LocalError('eventBadPayload', `unsupported event ${name.slice(0, 60)}`);
  }
  const data = typeEventData(raw.data);
  if (name === 'ONEXTERNALCALLSTART' && (!data.CALL_ID || data.USER_ID === undefined)) {
    throw b24LocalError('eventBadPayload', 'ONEXTERNALCALLSTART without data[CALL_ID] or data[USER_ID]');
  }
  if (name === 'ONEXTERNALCALLBACKSTART' && !data.PHONE_NUMBER) {
    throw b24LocalError('eventBadPayload', 'ONEXTERNALCALLBACKSTART without data[PHONE_NUMBER]');
  }
  return {
    event: name,
    data,
    ts: raw.ts ?? receivedAt,
    receivedAt,
    source,
    ...(raw.memberId ? { memberId: raw.memberId } : {}),
    ...(raw.domain ? { domain: raw.domain } : {}),
    raw: { ...raw.data },
  };
}

/**
 * Flat PHP bracket keys (`data[CALL_ID]`, `auth[application_token]`, `a[b][0]`) → nested
 * objects. Form bodies arrive this way (stack-notes §5).
 */
export function nestBracketKeys(entries: Iterable<readonly [string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of entries) {
    const m = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(name);
    if (!m) continue;
    const keys = [m[1]!, ...[...m[2]!.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!)];
    let node = out;
    for (let i = 0; i < keys.length - 1; i++) {
      const k = keys[i]!;
      const next = node[k];
      node = (next && typeof next === 'object' ? next : (node[k] = {})) as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}
