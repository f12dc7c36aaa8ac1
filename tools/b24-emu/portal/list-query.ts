/**
 * List-method machinery shared by user.get, crm.*.list, voximplant.statistic.get and
 * event.offline.get: filter keys with operator prefixes (reference §5), ordering, `select`, and
 * paging by 50 with `total`/`next` (`start = -1` = no total).
 */
import type { MethodResult } from '../contract.js';
import { asList, isPlainObject, type Row } from './params.js';

export const PAGE_SIZE = 50;

// Longest first, so that `!=%` wins over `!=` and `!`.
const OPERATORS = ['!><', '!=%', '!%=', '><', '>=', '<=', '!@', '=%', '%=', '!%', '!=', '>', '<', '@', '%', '!', '=', '?'];

export interface FilterTerm {
  readonly field: string;
  readonly op: string;
  readonly value: unknown;
}

export function parseFilterKey(key: string): { field: string; op: string } {
  for (const op of OPERATORS) {
    if (key.startsWith(op)) return { field: key.slice(op.length), op };
  }
  return { field: key, op: '=' };
}

export function parseFilter(filter: Row): FilterTerm[] {
  return Object.entries(filter).map(([key, value]) => ({ ...parseFilterKey(key), value }));
}

/** Comparable scalar: booleans as Y/N, numbers kept, strings trimmed. */
function scalar(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'Y' : 'N';
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true') return 'Y';
    if (lower === 'false') return 'N';
    return v;
  }
  return JSON.stringify(v);
}

/** Row values to test: multifields give their VALUEs, arrays their members. */
function rowValues(v: unknown): Array<string | number | null> {
  if (Array.isArray(v)) {
    return v.map((item) => (isPlainObject(item) && 'VALUE' in item ? scalar(item['VALUE']) : scalar(item)));
  }
  return [scalar(v)];
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const da = typeof a === 'string' && /^\d{4}-\d{2}-\d{2}/.test(a) ? Date.parse(a) : NaN;
  const db = typeof b === 'string' && /^\d{4}-\d{2}-\d{2}/.test(b) ? Date.parse(b) : NaN;
  if (Number.isFinite(da) && Number.isFinite(db)) return da - db;
  return String(a).localeCompare(String(b));
}

function like(value: string | number | null, pattern: string, wildcards: boolean): boolean {
  if (value === null) return false;
  const text = String(value).toLowerCase();
  const p = pattern.toLowerCase();
  if (!wildcards) return text.includes(p);
  const re = new RegExp(`^${p.split('%').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(text);
}

function termMatches(values: Array<string | number | null>, op: string, wanted: unknown): boolean {
  const wantedList = asList(wanted).map(scalar);
  const eqAny = (): boolean => values.some((v) => wantedList.some((w) => compare(v, w) === 0));
  switch (op) {
    case '=':
    case '@':
      if (wanted === null || wanted === '' || wantedList.length === 0) return values.every((v) => v === null || v === '');
      return eqAny();
    case '!':
    case '!=':
    case '!@':
      if (wanted === null || wanted === '') return values.some((v) => v !== null && v !== '');
      return !eqAny();
    case '>': return values.some((v) => v !== null && compare(v, scalar(wanted)) > 0);
    case '>=': return values.some((v) => v !== null && compare(v, scalar(wanted)) >= 0);
    case '<': return values.some((v) => v !== null && compare(v, scalar(wanted)) < 0);
    case '<=': return values.some((v) => v !== null && compare(v, scalar(wanted)) <= 0);
    case '%': return values.some((v) => like(v, String(scalar(wanted) ?? ''), false));
    case '!%': return !values.some((v) => like(v, String(scalar(wanted) ?? ''), false));
    case '=%':
    case '%=': return values.some((v) => like(v, String(scalar(wanted) ?? ''), true));
    case '!=%':
    case '!%=': return !values.some((v) => like(v, String(scalar(wanted) ?? ''), true));
    case '><':
    case '!><': {
      const [lo, hi] = wantedList;
      const inside = values.some((v) => v !== null && compare(v, lo ?? null) >= 0 && compare(v, hi ?? null) <= 0);
      return op === '><' ? inside : !inside;
    }
    case '?': return values.some((v) => like(v, String(scalar(wanted) ?? ''), false));
    default: return eqAny();
  }
}

/** Does the row pass every term? `fieldOf` maps a filter field to the row value (virtual fields). */
export function matchesFilter(row: Row, terms: FilterTerm[], fieldOf?: (row: Row, field: string) => unknown): boolean {
  return terms.every((t) => termMatches(rowValues(fieldOf ? fieldOf(row, t.field) : row[t.field]), t.op, t.value));
}

/** `{FIELD: 'ASC'|'DESC'}` (object) ordering; ID ascending is the default and the tie-breaker. */
export function sortRows(rows: Row[], order: Row | undefined): Row[] {
  const keys = Object.entries(order ?? {}).map(([f, d]) => [f.toUpperCase(), String(d).toUpperCase() === 'DESC' ? -1 : 1] as const);
  return [...rows].sort((a, b) => {
    for (const [field, dir] of keys) {
      const c = compare(scalar(a[field]), scalar(b[field]));
      if (c !== 0) return c * dir;
    }
    return compare(scalar(a['ID']), scalar(b['ID']));
  });
}

/** Keeps the selected fields; `*` = all standard fields, `UF_*` = user fields; unknown skipped. */
export function selectFields(row: Row, select: unknown): Row {
  const wanted = asList(select).map((s) => String(s).toUpperCase());
  if (wanted.length === 0) return row;
  const all = wanted.includes('*');
  const uf = wanted.includes('UF_*');
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    const isUf = k.startsWith('UF_');
    if ((all && !isUf) || (uf && isUf) || wanted.includes(k.toUpperCase())) out[k] = v;
  }
  return out;
}

/** One page of 50 from `start`; `total` unless start = -1, `next` when more rows exist. */
export function page(rows: Row[], start: number | undefined): MethodResult {
  if (start === -1) return { result: rows.slice(0, PAGE_SIZE) };
  const from = Math.max(0, start ?? 0);
  const slice = rows.slice(from, from + PAGE_SIZE);
  const next = from + PAGE_SIZE < rows.length ? from + PAGE_SIZE : undefined;
  return next === undefined ? { result: slice, total: rows.length } : { result: slice, total: rows.length, next };
}
