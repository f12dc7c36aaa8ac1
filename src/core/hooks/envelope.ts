/**
 * The reply envelope `{"data": {...}, "state": "success"}`: parses a raw reply, checks it against
 * the point's contract and merges it with the defaults (the input's own values). Pure.
 *
 * Echoes are tolerated: PHP hooks often return the whole input with one field changed, so an
 * input field returned unchanged is dropped silently; only a read-only field returned with a
 * DIFFERENT value is reported (HOOK_READONLY_DROPPED).
 */
import type { HookFailureCode, HookWarningCode } from './codes.js';
import { coerceField, CRM_FIELD_NAME, describe, isPlainObject, jsonEqual } from './fields.js';
import { HOOK_POINT_SPECS, type FieldSpec, type HookPointName, type HookPointSpec } from './points.js';

export interface HookWarning {
  readonly code: HookWarningCode;
  readonly fields: readonly string[];
}

export type ValidateResult =
  | {
      readonly ok: true;
      /** Effective data: the defaults overlaid with what the hook was allowed to change. */
      readonly data: Record<string, unknown>;
      /** Fields whose effective value differs from the default. */
      readonly changed: readonly string[];
      readonly warnings: readonly HookWarning[];
    }
  | { readonly ok: false; readonly code: HookFailureCode; readonly reason: string };

type Input = Readonly<Record<string, unknown>>;
type Fail = Extract<ValidateResult, { ok: false }>;

const fail = (code: HookFailureCode, reason: string): Fail => ({ ok: false, code, reason });

/** The data used when no hook runs or it fails: the input's own values (and fixed values). */
export function defaultData(point: HookPointName, input: Input): Record<string, unknown> {
  const reply = HOOK_POINT_SPECS[point].reply;
  switch (reply.kind) {
    case 'fields': {
      const out: Record<string, unknown> = {};
      for (const [name, spec] of Object.entries(reply.fields)) {
        const v = spec.fixedValue ?? input[name] ?? spec.defaultValue;
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const name of reply.seed) if (input[name] !== undefined) out[name] = input[name];
      return out;
    }
    case 'nested-map':
      return { fields: isPlainObject(input.fields) ? { ...input.fields } : {} };
    case 'state-only':
      return {};
  }
}

/** Parses a raw reply (a string from a process or URL, or a module's returned value). */
export function parseReply(raw: unknown): { ok: true; reply: Record<string, unknown> } | Fail {
  let value = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text === '') return fail('HOOK_BAD_JSON', 'empty reply');
    try {
      value = JSON.parse(text) as unknown;
    } catch (e) {
      return fail('HOOK_BAD_JSON', `not JSON: ${(e as Error).message}; starts with ${JSON.stringify(text.slice(0, 60))}`);
    }
  }
  if (!isPlainObject(value)) return fail('HOOK_BAD_JSON', `reply is ${describe(value)}, expected a JSON object`);
  return { ok: true, reply: value };
}

/**
 * validateReply(point, input, rawReply): ok with the effective data, or a failure code with the
 * reason. Never throws.
 */
export function validateReply(point: HookPointName, input: Input, rawReply: unknown): ValidateResult {
  const parsed = parseReply(rawReply);
  if (!parsed.ok) return parsed;
  const { reply } = parsed;
  if (reply.state !== 'success') return fail('HOOK_BAD_STATE', `state is ${describe(reply.state)}, expected "success"`);
  const spec = HOOK_POINT_SPECS[point];
  if (spec.reply.kind === 'state-only') return { ok: true, data: {}, changed: [], warnings: [] };
  const data = reply.data ?? {};
  if (!isPlainObject(data)) return fail('HOOK_BAD_TYPES', `data is ${describe(data)}, expected an object`);
  const merged = mergeReply(spec, input, data);
  if (!merged.ok) return merged;
  const defaults = defaultData(point, input);
  const changed = Object.keys(merged.data).filter((k) => !jsonEqual(merged.data[k], defaults[k]));
  return { ok: true, data: merged.data, changed, warnings: merged.warnings };
}

type Merged = { ok: true; data: Record<string, unknown>; warnings: HookWarning[] } | Fail;

class Notes {
  readonly readonly: string[] = [];
  readonly unknown: string[] = [];
  warnings(): HookWarning[] {
    const out: HookWarning[] = [];
    if (this.readonly.length) out.push({ code: 'HOOK_READONLY_DROPPED', fields: this.readonly });
    if (this.unknown.length) out.push({ code: 'HOOK_UNKNOWN_FIELDS_IGNORED', fields: this.unknown });
    return out;
  }
  /** A key the hook may not set: silent when it merely echoes the input, reported otherwise. */
  drop(key: string, value: unknown, input: Input, readonly: boolean): void {
    if (key in input && jsonEqual(value, input[key])) return;
    (readonly || key in input ? this.readonly : this.unknown).push(key);
  }
}

function mergeReply(spec: HookPointSpec, input: Input, data: Record<string, unknown>): Merged {
  const defaults = defaultData(spec.name, input);
  const shape = spec.reply;
  switch (shape.kind) {
    case 'fields':
      return mergeFields(spec, shape.fields, input, data, defaults);
    case 'map':
      return mergeMap(spec, shape.seed, shape.protectedKeys, input, data, defaults);
    case 'nested-map':
      return mergeNested(shape.known, input, data, defaults);
    case 'state-only':
      return { ok: true, data: {}, warnings: [] };
  }
}

function mergeFields(
  spec: HookPointSpec,
  fields: Readonly<Record<string, FieldSpec>>,
  input: Input,
  data: Record<string, unknown>,
  defaults: Record<string, unknown>,
): Merged {
  const notes = new Notes();
  const out = { ...defaults };
  for (const [key, value] of Object.entries(data)) {
    const field = fields[key];
    if (!field || !field.writable) {
      // Read-only: a non-writable reply field (CALL_ID, SHOW) or an input-only one (from, user …).
      notes.drop(key, value, field ? { ...input, [key]: defaults[key] } : input, field !== undefined || key in spec.input);
      continue;
    }
    const c = coerceField(key, field, value);
    if (!c.ok) return fail('HOOK_BAD_TYPES', c.reason);
    out[key] = c.value;
  }
  return { ok: true, data: out, warnings: notes.warnings() };
}

function mergeMap(
  spec: HookPointSpec,
  seed: readonly string[],
  protectedKeys: readonly string[],
  input: Input,
  data: Record<string, unknown>,
  defaults: Record<string, unknown>,
): Merged {
  const notes = new Notes();
  const out = { ...defaults };
  for (const [key, value] of Object.entries(data)) {
    if (protectedKeys.includes(key)) {
      notes.readonly.push(key);
      continue;
    }
    if (!seed.includes(key) && key in input) {
      notes.drop(key, value, input, true);
      continue;
    }
    if (!CRM_FIELD_NAME.test(key)) return fail('HOOK_BAD_TYPES', `${JSON.stringify(key)} is not a CRM field name`);
    const field = spec.input[key];
    if (field) {
      const c = coerceField(key, field, value);
      if (!c.ok) return fail('HOOK_BAD_TYPES', c.reason);
      out[key] = c.value;
    } else {
      out[key] = value;
    }
  }
  return { ok: true, data: out, warnings: notes.warnings() };
}

function mergeNested(known: Readonly<Record<string, FieldSpec>>, input: Input, data: Record<string, unknown>, defaults: Record<string, unknown>): Merged {
  const notes = new Notes();
  for (const [key, value] of Object.entries(data)) if (key !== 'fields') notes.drop(key, value, input, false);
  const fields = data.fields ?? {};
  if (!isPlainObject(fields)) return fail('HOOK_BAD_TYPES', `data.fields is ${describe(fields)}, expected an object`);
  const out: Record<string, unknown> = { ...(defaults.fields as Record<string, unknown>) };
  for (const [key, value] of Object.entries(fields)) {
    if (!CRM_FIELD_NAME.test(key)) return fail('HOOK_BAD_TYPES', `fields.${JSON.stringify(key)} is not a task field name`);
    const field = known[key];
    const c = field ? coerceField(`fields.${key}`, field, value) : { ok: true as const, value };
    if (!c.ok) return fail('HOOK_BAD_TYPES', c.reason);
    out[key] = c.value;
  }
  return { ok: true, data: { fields: out }, warnings: notes.warnings() };
}

/**
 * Checks an input against the contract before a run (call_stage allowed for the point, present
 * fields of the right type). Problems are a connector bug: they are logged (HOOK_BAD_INPUT), the
 * hook still runs.
 */
export function checkInput(point: HookPointName, input: unknown): string[] {
  if (!isPlainObject(input)) return [`input is ${describe(input)}, expected an object`];
  const spec = HOOK_POINT_SPECS[point];
  const problems: string[] = [];
  if (point !== 'customize_autodistribution' && !isPlainObject(input.call_full)) problems.push('call_full: missing');
  for (const [name, field] of Object.entries(spec.input)) {
    const v = input[name];
    if (v === undefined) continue;
    if (name === 'call_stage') {
      if (!(spec.stages as readonly unknown[]).includes(v)) problems.push(`call_stage: ${describe(v)} is not one of ${spec.stages.join(', ')}`);
      continue;
    }
    const c = coerceField(name, { ...field, maxLength: undefined }, v);
    if (!c.ok) problems.push(c.reason);
  }
  if (spec.input.call_stage && input.call_stage === undefined) problems.push('call_stage: missing');
  return problems;
}
