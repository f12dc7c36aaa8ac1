/**
 * PHP-style bracket keys, both ways: `fields[TITLE]=x&USER_ID[0]=11&USER_ID[]=24` ⇄ nested objects.
 * Bitrix24 is PHP, so form bodies, query strings, batch `cmd` queries and outgoing event bodies all
 * use this notation (reference §1.1, §4, §7.1). Decoding yields the same object a JSON body would.
 */

export type Nested = Record<string, unknown>;

/** Splits `a[b][]` into ['a', 'b', '']; a key without a well-formed bracket part stays whole. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) break; // PHP keeps the unmatched tail; we drop it rather than guess
    parts.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return parts;
}

function isPlainObject(v: unknown): v is Nested {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Next PHP auto-index (`[]`) of a map: one more than the largest integer key, or 0. */
function nextIndex(obj: Nested): string {
  let max = -1;
  for (const k of Object.keys(obj)) {
    if (/^(0|[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k));
  }
  return String(max + 1);
}

function assign(root: Nested, parts: string[], value: string): void {
  let node = root;
  for (let i = 0; i < parts.length; i++) {
    const raw = parts[i] as string;
    const key = raw === '' ? nextIndex(node) : raw;
    if (i === parts.length - 1) {
      node[key] = value;
      return;
    }
    const child = node[key];
    if (isPlainObject(child)) {
      node = child;
    } else {
      const fresh: Nested = {};
      node[key] = fresh;
      node = fresh;
    }
  }
}

/** Maps whose keys are exactly 0..n-1 (in order) become arrays, as PHP lists serialize to JSON. */
function listify(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  for (const k of keys) value[k] = listify(value[k]);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => value[k]);
  return value;
}

/** Flat key/value pairs (in order) → nested object with lists. Later duplicates win, as in PHP. */
export function decodePhpPairs(pairs: Iterable<[string, string]>): Nested {
  const root: Nested = {};
  for (const [key, value] of pairs) {
    if (key === '') continue;
    assign(root, splitKey(key), value);
  }
  for (const k of Object.keys(root)) root[k] = listify(root[k]);
  return root;
}

/** A query string (with or without leading `?`) → nested object. */
export function decodeQuery(query: string): Nested {
  const q = query.startsWith('?') ? query.slice(1) : query;
  return decodePhpPairs(new URLSearchParams(q));
}

function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined; // http_build_query skips nulls
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Nested object → flat pairs with bracket keys (what PHP's http_build_query produces). */
export function encodePhpPairs(obj: Nested, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const entries: Array<[string, unknown]> = Array.isArray(obj)
    ? (obj as unknown[]).map((v, i) => [String(i), v])
    : Object.entries(obj);
  for (const [k, v] of entries) {
    const key = prefix === '' ? k : `${prefix}[${k}]`;
    if (Array.isArray(v) || isPlainObject(v)) {
      out.push(...encodePhpPairs(v as Nested, key));
    } else {
      const s = scalar(v);
      if (s !== undefined) out.push([key, s]);
    }
  }
  return out;
}

/** Nested object → `application/x-www-form-urlencoded` body. */
export function encodePhpForm(obj: Nested): string {
  const params = new URLSearchParams();
  for (const [k, v] of encodePhpPairs(obj)) params.append(k, v);
  return params.toString();
}
