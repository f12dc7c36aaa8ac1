/**
 * References inside command params: `{ $ref: '<step>', path: [...] }` points at the result of an
 * earlier command of the same call. Pure helpers to find them and to rewrite them, either into the
 * value (the referenced command is done) or into a batch reference (it travels in the same batch).
 */
import type { StepRef } from './command.js';

export function isStepRef(v: unknown): v is StepRef {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as { $ref?: unknown; path?: unknown };
  return typeof o.$ref === 'string' && Array.isArray(o.path) && o.path.every((p) => typeof p === 'string' || typeof p === 'number');
}

/** Steps referenced anywhere in `value`, in first-seen order, without duplicates. */
export function referencedSteps(value: unknown): string[] {
  const out: string[] = [];
  walk(value, (r) => {
    if (!out.includes(r.$ref)) out.push(r.$ref);
  });
  return out;
}

function walk(value: unknown, visit: (r: StepRef) => void, depth = 0): void {
  if (depth > 32 || value === null || typeof value !== 'object') return;
  if (isStepRef(value)) {
    visit(value);
    return;
  }
  const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const v of items) walk(v, visit, depth + 1);
}

/** The value at `path` inside a result, or undefined when any part is missing. */
export function valueAt(result: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = result;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return cur;
}

/**
 * Rewrite every reference with `replace`; it returns the replacement, or a string describing
 * why the reference cannot be resolved (then the whole rewrite fails with that reason).
 */
export function rewriteRefs(
  value: unknown,
  replace: (r: StepRef) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string; readonly code: string },
): { ok: true; value: unknown } | { ok: false; reason: string; code: string } {
  let failure: { reason: string; code: string } | undefined;
  const rec = (v: unknown, depth: number): unknown => {
    if (failure || depth > 32 || v === null || typeof v !== 'object') return v;
    if (isStepRef(v)) {
      const r = replace(v);
      if (!r.ok) {
        failure = { reason: r.reason, code: r.code };
        return v;
      }
      return r.value;
    }
    if (Array.isArray(v)) return v.map((x) => rec(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = rec(x, depth + 1);
    return out;
  };
  const value2 = rec(value, 0);
  return failure ? { ok: false, ...failure } : { ok: true, value: value2 };
}
