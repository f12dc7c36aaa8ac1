/**
 * PHP-style bracket encoding (`fields[TITLE]=x&USER_ID[0]=11`) for the query part of `batch`
 * commands, the form PHP's parse_str reads back into nested arrays.
 *
 * B24ResultRef values are written raw as `$result[key][path…]` so the portal substitutes the
 * earlier command's result; everything else is percent-encoded once (the batch travels in a JSON
 * body, so no second encoding — see reference §4).
 */
import { isResultRef } from './types.js';
import type { B24ResultRef } from './types.js';

/** One encoded `name=value` pair before joining. */
type Pair = readonly [name: string, value: string];

/** `$result[reg][CALL_ID]`: the portal's batch reference syntax. */
export function formatResultRef(ref: B24ResultRef): string {
  return `$result[${ref.$ref}]` + ref.path.map((p) => `[${p}]`).join('');
}

function encodeScalar(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? '1' : '0'; // as PHP's http_build_query
  if (v instanceof Date) return encodeURIComponent(v.toISOString());
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return encodeURIComponent(String(v));
}

function collect(name: string, value: unknown, out: Pair[]): void {
  if (isResultRef(value)) {
    out.push([name, formatResultRef(value)]);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => collect(`${name}[${i}]`, v, out));
    return;
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      collect(`${name}[${encodeURIComponent(k)}]`, v, out);
    }
    return;
  }
  const s = encodeScalar(value);
  if (s !== undefined) out.push([name, s]);
}

/**
 * Encodes params as a PHP bracket query string. Undefined values and empty arrays/objects are
 * left out (PHP cannot express them either); null becomes an empty value; booleans 1/0.
 */
export function encodeBracketQuery(params: Readonly<Record<string, unknown>>): string {
  const out: Pair[] = [];
  for (const [k, v] of Object.entries(params)) collect(encodeURIComponent(k), v, out);
  return out.map(([n, v]) => `${n}=${v}`).join('&');
}

/** All `$ref` keys used anywhere inside params (to check they point backwards). */
export function collectRefKeys(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (isResultRef(value)) out.add(value.$ref);
  else if (Array.isArray(value)) for (const v of value) collectRefKeys(v, out);
  else if (value && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) collectRefKeys(v, out);
  }
  return out;
}

/** One batch command string: `method?query` (or just `method` without params). */
export function encodeBatchCommand(method: string, params: Readonly<Record<string, unknown>>): string {
  const q = encodeBracketQuery(params);
  return q ? `${method}?${q}` : method;
}
