/**
 * Click-to-call and callback, the pure part: which AMI Originate to send for a Bitrix24
 * ONEXTERNALCALLSTART / ONEXTERNALCALLBACKSTART, how a process_originate_params reply changes it,
 * and which Bitrix24 STATUS_CODE a failed Originate finishes the call with.
 * See docs/click-to-call.md for the presets, the dialling formats and the status table.
 */
import { callOutcome } from '../call/status.js';
import { CALL_FULL_VERSION } from '../call/model.js';
import { command, type CrmCommand } from './commands.js';
import { normalisePhone, compilePhoneRules, type CompiledPhoneRules, type PhoneRules } from './phone.js';

// ---- settings ------------------------------------------------------------------------------------

export type OriginatePreset = 'pjsip' | 'freepbx' | 'custom';

/**
 * How the client's number is written into `Exten` (what the dialplan of `context` expects):
 * - `digits`   E.164 without `+` (4930123456) — the default;
 * - `plus`     E.164 with `+` (+4930123456), for dialplans matching `_+X.`;
 * - `prefixed` `+` replaced by `internationalPrefix` (004930123456);
 * - `national` numbers of `phone.defaultCountry` in national form (030123456, 89161234567), others
 *   prefixed.
 * `outsidePrefix` ("9", "0" …) goes before every external number; short numbers (≤ 6 digits:
 * extensions) are dialled as they are.
 */
export interface DialRules {
  readonly format: 'digits' | 'plus' | 'prefixed' | 'national';
  readonly internationalPrefix: string;
  readonly outsidePrefix: string;
}

export const DEFAULT_DIAL_RULES: DialRules = { format: 'digits', internationalPrefix: '00', outsidePrefix: '' };

/** The `clickToCall` config section (src/config/schema.ts), as far as this module needs it. */
export interface ClickToCallConfig {
  readonly preset: OriginatePreset;
  readonly channel: string;
  readonly context: string;
  readonly timeoutMs: number;
  readonly callerId: string;
  readonly callbackTarget: string;
  readonly callbackContext: string;
}

export interface OriginateSettings {
  readonly preset: OriginatePreset;
  /** Channel template of the employee's phone; `{exten}` is replaced. */
  readonly channel: string;
  readonly context: string;
  readonly timeoutMs: number;
  /** `{number}` = the client's number as dialled. */
  readonly callerId: string;
  readonly callbackTarget: string;
  readonly callbackContext: string;
  /** Channel variable carrying Bitrix24's CALL_ID (config pbx.callIdVariable). */
  readonly callIdVariable: string;
  readonly dial: DialRules;
  readonly phone: CompiledPhoneRules;
}

/** The schema's default channel: a config that left it alone gets the preset's channel. */
const SCHEMA_DEFAULT_CHANNEL = 'PJSIP/{exten}';
const PRESET_CHANNEL: Readonly<Record<Exclude<OriginatePreset, 'custom'>, string>> = {
  pjsip: 'PJSIP/{exten}',
  freepbx: 'Local/{exten}@from-internal',
};

/**
 * Effective settings: the preset gives the channel unless `channel` was changed from the schema
 * default (then the explicit value wins); `custom` always uses `channel`.
 */
export function originateSettings(
  cfg: ClickToCallConfig,
  extra: { callIdVariable: string; phone: PhoneRules; dial?: Partial<DialRules> },
): OriginateSettings {
  const channel = cfg.preset === 'custom' || cfg.channel !== SCHEMA_DEFAULT_CHANNEL ? cfg.channel : PRESET_CHANNEL[cfg.preset];
  return {
    preset: cfg.preset,
    channel,
    context: cfg.context,
    timeoutMs: cfg.timeoutMs,
    callerId: cfg.callerId,
    callbackTarget: cfg.callbackTarget,
    callbackContext: cfg.callbackContext,
    callIdVariable: extra.callIdVariable,
    dial: { ...DEFAULT_DIAL_RULES, ...extra.dial },
    phone: compilePhoneRules(extra.phone),
  };
}

// ---- the client's number -------------------------------------------------------------------------

export type DialResult = { readonly ok: true; readonly exten: string } | { readonly ok: false; readonly reason: string };

/** The client's number as `Exten` (see DialRules). */
export function dialNumber(raw: string, s: Pick<OriginateSettings, 'dial' | 'phone'>): DialResult {
  const n = normalisePhone(raw, { ...s.phone, format: 'E.164' });
  const digits = n.value.replace(/\D/g, '');
  if (n.kind === 'hidden' || digits.length === 0) return { ok: false, reason: `the client's number "${raw.slice(0, 40)}" has no digits` };
  if (n.kind === 'short') return { ok: true, exten: digits };
  const { format, internationalPrefix, outsidePrefix } = s.dial;
  const plus = n.value.startsWith('+');
  let body: string;
  if (format === 'national' && n.kind === 'valid' && n.country === s.phone.country) {
    body = normalisePhone(raw, { ...s.phone, format: 'national' }).value;
  } else if (!plus || format === 'digits') {
    body = digits;
  } else {
    body = format === 'plus' ? `+${digits}` : `${internationalPrefix}${digits}`;
  }
  return { ok: true, exten: `${outsidePrefix}${body}` };
}

// ---- the Originate -------------------------------------------------------------------------------

/** Originate fields in AMI spelling: the shape process_originate_params gets and returns. */
export interface OriginateFields {
  readonly Channel: string;
  readonly Context: string;
  readonly Exten: string;
  readonly Priority: string | number;
  readonly CallerID: string;
  /** Ring time of the first leg, ms. */
  readonly Timeout: number;
  readonly Variable: Readonly<Record<string, string>>;
  readonly Account: string;
}

/** The event data this module reads (B24EventData of the Bitrix24 adapter fits). */
export interface ClickEventData {
  readonly CALL_ID?: string | undefined;
  readonly USER_ID?: number | undefined;
  readonly PHONE_NUMBER?: string | undefined;
  readonly PHONE_NUMBER_INTERNATIONAL?: string | undefined;
  readonly CALL_LIST_ID?: number | undefined;
  readonly CRM_ENTITY_TYPE?: string | undefined;
  readonly CRM_ENTITY_ID?: number | undefined;
  readonly LINE_NUMBER?: string | undefined;
  readonly TEXT?: string | undefined;
}

export type OriginatePlan =
  | { readonly ok: true; readonly fields: OriginateFields }
  | { readonly ok: false; readonly failure: FailureStatus };

/** The number to dial: the E.164 form Bitrix24 computed when present, else the clicked one. */
export function clientNumberOf(data: ClickEventData): string {
  const intl = data.PHONE_NUMBER_INTERNATIONAL?.trim();
  return intl ? intl : (data.PHONE_NUMBER ?? '').trim();
}

const fill = (template: string, values: Readonly<Record<string, string>>): string =>
  template.replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all);

/** ONEXTERNALCALLSTART: ring the employee's phone, then dial the client in `context`. */
export function buildClickToCallOriginate(data: ClickEventData, extension: string, s: OriginateSettings): OriginatePlan {
  const dial = dialNumber(clientNumberOf(data), s);
  if (!dial.ok) return { ok: false, failure: localFailure('bad-number', dial.reason) };
  const variables: Record<string, string> = { [s.callIdVariable]: data.CALL_ID ?? '' };
  if (data.CALL_LIST_ID !== undefined && data.CALL_LIST_ID > 0) variables.B24_CALL_LIST_ID = String(data.CALL_LIST_ID);
  if (data.USER_ID !== undefined) variables.B24_USER_ID = String(data.USER_ID);
  return {
    ok: true,
    fields: {
      Channel: fill(s.channel, { exten: extension }),
      Context: s.context,
      Exten: dial.exten,
      Priority: 1,
      CallerID: fill(s.callerId, { number: dial.exten }),
      Timeout: s.timeoutMs,
      Variable: variables,
      Account: '',
    },
  };
}

/** ONEXTERNALCALLBACKSTART: ring `callbackTarget` (queue or extension) through a Local channel, then the client. */
export function buildCallbackOriginate(data: ClickEventData, s: OriginateSettings): OriginatePlan {
  if (!s.callbackTarget) return { ok: false, failure: localFailure('no-callback-target', 'clickToCall.callbackTarget is not set') };
  const dial = dialNumber(clientNumberOf(data), s);
  if (!dial.ok) return { ok: false, failure: localFailure('bad-number', dial.reason) };
  const variables: Record<string, string> = { B24_CALLBACK: '1', B24_CALLBACK_NUMBER: dial.exten };
  // TEXT is for the dialplan to read to the employee (Playback/TTS); AMI lines cannot hold newlines.
  if (data.TEXT) variables.B24_CALLBACK_TEXT = data.TEXT.replace(/[\r\n]+/g, ' ').slice(0, 500);
  return {
    ok: true,
    fields: {
      Channel: `Local/${s.callbackTarget}@${s.callbackContext}`,
      Context: s.context,
      Exten: dial.exten,
      Priority: 1,
      CallerID: fill(s.callerId, { number: dial.exten }),
      Timeout: s.timeoutMs,
      Variable: variables,
      Account: '',
    },
  };
}

export interface HookReplyResult {
  readonly fields: OriginateFields;
  /** Fields the reply changed. */
  readonly changed: readonly string[];
  /** Reply fields refused (wrong type, or an attempt to drop the CALL_ID variable), with why. */
  readonly rejected: readonly string[];
}

const isText = (v: unknown): v is string => typeof v === 'string';

/**
 * Merges a process_originate_params reply over the defaults. Invalid values keep the default.
 * The CALL_ID variable is always kept: the call tracker recognises the call by it.
 */
export function applyOriginateHookReply(defaults: OriginateFields, reply: Readonly<Record<string, unknown>>, callIdVariable: string): HookReplyResult {
  const out: Record<string, unknown> = { ...defaults };
  const changed: string[] = [];
  const rejected: string[] = [];
  const take = (key: keyof OriginateFields, ok: boolean, value: unknown): void => {
    if (!ok) {
      rejected.push(`${key}: invalid value`);
      return;
    }
    if (JSON.stringify(value) !== JSON.stringify(defaults[key])) changed.push(key);
    out[key] = value;
  };
  for (const key of ['Channel', 'Context', 'Exten', 'CallerID', 'Account'] as const) {
    const v = reply[key];
    if (v === undefined) continue;
    take(key, isText(v) && !/[\r\n]/.test(v) && (key !== 'Channel' || /^[^/\s]+\/\S+$/.test(v)) && (key === 'Account' || key === 'CallerID' || v !== ''), v);
  }
  if (reply.Priority !== undefined) {
    const v = reply.Priority;
    take('Priority', (typeof v === 'number' && Number.isInteger(v) && v > 0) || (isText(v) && /^\S+$/.test(v)), v);
  }
  if (reply.Timeout !== undefined) {
    const v = typeof reply.Timeout === 'string' && /^\d+$/.test(reply.Timeout) ? Number(reply.Timeout) : reply.Timeout;
    take('Timeout', typeof v === 'number' && Number.isInteger(v) && v > 0, v);
  }
  if (reply.Variable !== undefined) {
    const v = reply.Variable;
    const ok = !!v && typeof v === 'object' && !Array.isArray(v)
      && Object.entries(v).every(([k, x]) => /^[A-Za-z_][\w()]*$/.test(k) && isText(x) && !/[\r\n]/.test(x));
    if (ok) {
      const vars = { ...(v as Record<string, string>) };
      const id = defaults.Variable[callIdVariable];
      if (id !== undefined && vars[callIdVariable] !== id) {
        vars[callIdVariable] = id;
        rejected.push(`Variable.${callIdVariable}: kept (the call tracker needs it)`);
      }
      take('Variable', true, vars);
    } else {
      take('Variable', false, v);
    }
  }
  return { fields: out as unknown as OriginateFields, changed, rejected };
}

/** The hook input: the Originate fields, the event data (read-only) and a call_full of the call to be. */
export function originateHookInput(fields: OriginateFields, raw: Readonly<Record<string, unknown>>, data: ClickEventData, extension: string | undefined): Record<string, unknown> {
  return {
    ...fields,
    Variable: { ...fields.Variable },
    event: { ...raw },
    call_full: {
      version: CALL_FULL_VERSION,
      call_key: null,
      direction: 'click-to-call',
      client_number: clientNumberOf(data) || null,
      did: null, trunk: null,
      caller_extension: extension ?? null,
      queue: null,
      started_at: null, answered_at: null, ended_at: null,
      status_code: null, outcome: null,
      recordings: [],
      conversations: [],
      asterisk: { linkedid: null, uniqueids: [] },
      bitrix24: {
        call_id: data.CALL_ID ?? null,
        entity_type: data.CRM_ENTITY_TYPE ?? null,
        entity_id: data.CRM_ENTITY_ID ?? null,
        activity_id: null,
        responsible_id: data.USER_ID ?? null,
      },
    },
  };
}

// ---- failures → STATUS_CODE ----------------------------------------------------------------------

/** Outcomes reported by the PBX for the first leg. */
export type PbxFailureKind = 'no-answer' | 'busy' | 'declined' | 'unavailable' | 'invalid-number';
/** Failures decided by the connector before or instead of the Originate. */
export type LocalFailureKind = 'no-user' | 'no-extension' | 'bad-number' | 'no-callback-target' | 'pbx-error';
export type FailureKind = PbxFailureKind | LocalFailureKind;

export interface FailureStatus {
  readonly kind: FailureKind;
  /** Bitrix24 STATUS_CODE (reference §6.1), always a string. */
  readonly statusCode: '304' | '404' | '480' | '486' | '603';
  /** FAILED_REASON text. */
  readonly text: string;
}

/** What was seen of the first leg on AMI before the OriginateResponse. */
export interface FirstLegFacts {
  readonly dialStatus?: string | undefined;
  readonly hangupCause?: number | undefined;
}

const KIND_BY_OUTCOME = {
  busy: 'busy', rejected: 'declined', unavailable: 'unavailable', invalid_number: 'invalid-number',
} as const;

/**
 * STATUS_CODE of a failed Originate. The first leg's own DialEnd / Hangup cause, when seen, is
 * decisive (Asterisk reports a busy phone as Reason 0, not 5: lab22-d4), with the same rules as
 * the tracker (core/call/status.ts). Without them, the Reason: 1 hung up → 603, 3 no answer →
 * 304, 5 busy → 486, 8 congestion and 0 (no channel: unknown or unregistered endpoint) → 480.
 */
export function originateFailureStatus(reason: number, leg: FirstLegFacts = {}, target = 'the phone'): FailureStatus {
  if (leg.dialStatus !== undefined || leg.hangupCause !== undefined) {
    const o = callOutcome({ conversations: [], dialStatus: leg.dialStatus, hangupCause: leg.hangupCause, abandoned: false });
    const kind: PbxFailureKind = o.reason in KIND_BY_OUTCOME ? KIND_BY_OUTCOME[o.reason as keyof typeof KIND_BY_OUTCOME] : 'no-answer';
    return failure(kind, target, o.statusCode === '200' ? '304' : o.statusCode);
  }
  switch (reason) {
    case 1: return failure('declined', target, '603');
    case 3: return failure('no-answer', target, '304');
    case 5: return failure('busy', target, '486');
    default: return failure('unavailable', target, '480');
  }
}

function failure(kind: PbxFailureKind, target: string, statusCode: FailureStatus['statusCode']): FailureStatus {
  const text: Record<PbxFailureKind, string> = {
    'no-answer': `${target} did not answer`,
    busy: `${target} is busy`,
    declined: `${target} declined the call`,
    unavailable: `${target} is unavailable on the PBX (unknown, unregistered or congested)`,
    'invalid-number': `${target}: number not allocated`,
  };
  return { kind, statusCode, text: text[kind] };
}

const LOCAL_STATUS: Readonly<Record<LocalFailureKind, FailureStatus['statusCode']>> = {
  'no-user': '480', 'no-extension': '480', 'bad-number': '404', 'no-callback-target': '480', 'pbx-error': '480',
};

/** A failure decided before or instead of the Originate (no user, no number, PBX refused …). */
export function localFailure(kind: LocalFailureKind, text: string): FailureStatus {
  return { kind, statusCode: LOCAL_STATUS[kind], text };
}

/** Outbox key of a click-to-call the connector finishes itself (no PBX call exists for it). */
export function clickToCallKey(callId: string): string {
  return `c2c:${callId}`;
}

/** telephony.externalcall.finish of a click-to-call that never became a call. */
export function failedFinishCommand(callId: string, userId: number, status: FailureStatus): CrmCommand {
  return command(clickToCallKey(callId), 'finish', 'telephony.externalcall.finish', {
    CALL_ID: callId,
    USER_ID: userId,
    DURATION: 0,
    STATUS_CODE: status.statusCode,
    FAILED_REASON: status.text.slice(0, 255),
  }, 'finish');
}
