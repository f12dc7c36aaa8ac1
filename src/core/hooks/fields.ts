/**
 * Type checks of single hook fields. Lenient in the ways PHP and shell hooks differ from JS
 * (numbers as strings, 0/1 as booleans) and strict otherwise: a value that does not fit is a wrong
 * type and the whole reply falls back to the defaults. Pure.
 */
import type { FieldSpec } from './points.js';

export type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

const INT_STRING = /^-?\d{1,15}$/;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function int(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && INT_STRING.test(v.trim())) return Number(v.trim());
  return undefined;
}

function flag(v: unknown): 0 | 1 | undefined {
  if (v === 0 || v === 1) return v;
  if (v === true || v === '1') return 1;
  if (v === false || v === '0') return 0;
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  return undefined;
}

function strMap(v: unknown): Record<string, string> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = str(x);
    if (s === undefined) return undefined;
    out[k] = s;
  }
  return out;
}

function strArray(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.map(str);
  return out.every((s): s is string => s !== undefined) ? out : undefined;
}

function convert(spec: FieldSpec, v: unknown): unknown {
  switch (spec.type) {
    case 'string': return str(v);
    case 'integer': return int(v);
    case 'flag': return flag(v);
    case 'boolean': return bool(v);
    case 'string-or-integer': return typeof v === 'string' ? v : int(v);
    case 'string-map': return strMap(v);
    case 'string-array': return strArray(v);
    case 'object': return isPlainObject(v) ? v : undefined;
    case 'array': return Array.isArray(v) ? v : undefined;
    case 'any': return v;
  }
}

/** Checks one value against its spec and returns it normalised (e.g. "5" → 5 for an integer). */
export function coerceField(name: string, spec: FieldSpec, value: unknown): Coerced {
  const v = value === undefined ? undefined : convert(spec, value);
  if (v === undefined) return { ok: false, reason: `${name}: expected ${spec.type}, got ${describe(value)}` };
  const strings = typeof v === 'string' ? [v] : spec.type === 'string-array' ? (v as string[]) : [];
  for (const s of strings) {
    if (spec.maxLength !== undefined && [...s].length > spec.maxLength) {
      return { ok: false, reason: `${name}: longer than ${spec.maxLength} characters (${[...s].length})` };
    }
    if (spec.pattern && !spec.pattern.test(s)) return { ok: false, reason: `${name}: ${JSON.stringify(s)} does not match ${spec.pattern.source}` };
  }
  return { ok: true, value: v };
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Field names CRM maps accept (TITLE, UF_CRM_123, COMMUNICATIONS …). */
export const CRM_FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
