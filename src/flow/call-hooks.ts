/**
 * The customization hooks as the call flow calls them (docs/hooks.md "where each point is called").
 *
 * A HookSession belongs to one step of one call (a stage change, a finish, a continuation after a
 * Bitrix24 result): it adds `call_full` to every input, runs the point through the HookPort (which
 * never throws and falls back to the defaults), and records each run — point, source, ok, code, ms
 * and the fields that changed — for the call's timeline. The last input of each point (without
 * call_full) is kept, so `asterisk-b24 hooks try --call` can replay a real call's input.
 * The apply* helpers turn a hook's data into command params; they only read the fields the contract
 * lets the point change.
 */
import { serializeCallFull, type CallSummary } from '../core/call/model.js';
import type { CrmCommand } from '../core/crm/commands.js';
import type { CallB24Facts } from './missed-call-task.js';
import type { HookPort } from './ports.js';

/** One hook run, as the timeline keeps it. */
export interface HookRunNote {
  readonly point: string;
  readonly source: 'hook' | 'default';
  readonly ok: boolean;
  readonly code?: string;
  readonly ms: number;
  /** Fields whose effective value differs from the input's. */
  readonly changed: readonly string[];
}

type Json = Record<string, unknown>;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class HookSession {
  readonly runs: HookRunNote[] = [];
  readonly inputs: Record<string, Json> = {};

  constructor(private readonly port: HookPort, private readonly callFull: () => Json) {}

  /** Is a hook installed for the point (so costly inputs or follow-up requests are worth it)? */
  has(point: string): boolean {
    return this.port.has(point);
  }

  /**
   * Runs `point`; returns the effective data restricted to `keys` (the input's values where the hook
   * gave nothing usable), or for 'map' points the CRM fields the hook set ({} without a hook).
   */
  async run(point: string, input: Json, keys: readonly string[] | 'map'): Promise<Json> {
    this.inputs[point] = input;
    let outcome;
    try {
      outcome = await this.port.run(point, { ...input, call_full: this.callFull() });
    } catch {
      // The port promises never to throw; a broken one still must not lose the call.
      this.runs.push({ point, source: 'default', ok: false, code: 'HOOK_INTERNAL', ms: 0, changed: [] });
      return keys === 'map' ? {} : pick(input, keys);
    }
    const usable = outcome.ok && outcome.source === 'hook';
    const data = usable ? outcome.data : input;
    // A CRM field map (activity, entity): the reply's fields only, nothing when the hook failed.
    const effective = keys === 'map' ? (usable ? withoutId(data) : {}) : pick({ ...input, ...pickDefined(data, keys) }, keys);
    const changed = Object.keys(effective).filter((k) => !same(effective[k], input[k]));
    if (this.port.has(point) || !outcome.ok || outcome.source === 'hook') {
      this.runs.push({ point, source: outcome.source, ok: outcome.ok, ...(outcome.code ? { code: outcome.code } : {}), ms: outcome.durationMs, changed });
    }
    return effective;
  }

  /** A one-line summary per run, for the timeline notes. */
  notes(): string[] {
    return this.runs.map(describeRun);
  }
}

export function describeRun(r: HookRunNote): string {
  const how = r.ok ? (r.changed.length ? `changed ${r.changed.join(', ')}` : 'no change') : `failed ${r.code ?? ''}, defaults used`;
  return `hook ${r.point}: ${how} (${r.source}, ${r.ms} ms)`;
}

function withoutId(o: Json): Json {
  const out: Json = { ...o };
  delete out['ID'];
  delete out['call_full'];
  return out;
}

function pick(o: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function pickDefined(o: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out;
}

/** Replaces a command's params (same step and idempotency key). */
export function withParams(c: CrmCommand, params: Json): CrmCommand {
  return { ...c, params };
}

export const REGISTRATION_KEYS = ['CALL_START_DATE', 'CRM_CREATE', 'CRM_SOURCE', 'LINE_NUMBER', 'PHONE_NUMBER', 'SHOW', 'TYPE', 'USER_ID'] as const;
export const FINAL_KEYS = ['ADD_TO_CHAT', 'CALL_ID', 'DURATION', 'STATUS_CODE', 'USER_ID'] as const;

/** process_registration_params input: the eight fields (absent optional ones as the API defaults them). */
export function registrationInput(params: Json, stage: string): Json {
  return {
    CALL_START_DATE: params['CALL_START_DATE'] ?? '',
    CRM_CREATE: params['CRM_CREATE'] ?? 0,
    CRM_SOURCE: params['CRM_SOURCE'] ?? '',
    LINE_NUMBER: params['LINE_NUMBER'] ?? '',
    PHONE_NUMBER: params['PHONE_NUMBER'] ?? '',
    SHOW: 0,
    TYPE: params['TYPE'],
    USER_ID: params['USER_ID'],
    call_stage: stage,
  };
}

/** Register params after the hook: SHOW stays 0, EXTERNAL_CALL_ID stays ours, empty optionals are left out. */
export function applyRegistration(params: Json, data: Json): Json {
  const out: Json = { ...params };
  for (const k of REGISTRATION_KEYS) {
    const v = data[k];
    if (v === undefined) continue;
    if ((k === 'CRM_SOURCE' || k === 'LINE_NUMBER') && v === '') {
      if (params[k] === undefined) continue;
    }
    out[k] = v;
  }
  out['SHOW'] = 0;
  return out;
}

/** Finish params after process_final_params: CALL_ID is never taken from the hook. */
export function applyFinal(params: Json, data: Json): Json {
  const out: Json = { ...params };
  for (const k of FINAL_KEYS) if (k !== 'CALL_ID' && data[k] !== undefined) out[k] = data[k];
  return out;
}

/** A string CALL_ID usable as the hook's input (a reference to the register result → ''). */
export function knownCallId(v: unknown, fallback?: string): string {
  return typeof v === 'string' ? v : (fallback ?? '');
}

/** call_full (serializeCallFull) of a call with the Bitrix24 ids the flow knows so far. */
export function callFullOf(summary: CallSummary, b24: CallB24Facts = {}, users: Readonly<Record<string, number>> = {}): Record<string, unknown> {
  const uniqueids = [...new Set([summary.callKey, ...summary.conversations.map((c) => c.uniqueid)])];
  const callId = b24.callId ?? summary.b24CallId;
  const responsibleId = b24.responsibleId ?? b24.finishUserId;
  return serializeCallFull(summary, { linkedid: summary.callKey, uniqueids }, {
    ...(callId !== undefined ? { callId } : {}),
    ...(b24.entity ? { entityType: b24.entity.type, entityId: b24.entity.id } : {}),
    ...(b24.activityId !== undefined ? { activityId: b24.activityId } : {}),
    ...(responsibleId !== undefined ? { responsibleId } : {}),
    users,
  });
}

/** process_final_params input: the five finish fields, CALL_ID as known (a reference → ''). */
export function finalInput(params: Json, b24: CallB24Facts): Json {
  return {
    ADD_TO_CHAT: params['ADD_TO_CHAT'], CALL_ID: knownCallId(params['CALL_ID'], b24.callId),
    DURATION: params['DURATION'], STATUS_CODE: params['STATUS_CODE'], USER_ID: params['USER_ID'],
  };
}
