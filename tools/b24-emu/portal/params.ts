/**
 * Reading REST parameters the way the portal does: keys in any casing (`FIELDS`/`fields`,
 * `ID`/`id`), scalars that arrive as strings from form encoding ("1", "Y", "true"), and PHP-style
 * arrays that arrive either as JSON arrays or as objects keyed "0", "1", … (bracket encoding).
 */

export type Row = Record<string, unknown>;

/** Case-insensitive view over the params object of one call. */
export class Params {
  private readonly lower = new Map<string, string>();

  constructor(readonly raw: Row) {
    for (const key of Object.keys(raw)) {
      const k = key.toLowerCase();
      if (!this.lower.has(k)) this.lower.set(k, key);
    }
  }

  /** Value of the first name present (exact spelling first, then any casing). */
  get(...names: string[]): unknown {
    for (const name of names) {
      if (Object.prototype.hasOwnProperty.call(this.raw, name)) return this.raw[name];
      const key = this.lower.get(name.toLowerCase());
      if (key !== undefined) return this.raw[key];
    }
    return undefined;
  }

  has(...names: string[]): boolean {
    return this.get(...names) !== undefined;
  }

  str(...names: string[]): string | undefined {
    return asString(this.get(...names));
  }

  int(...names: string[]): number | undefined {
    return asInt(this.get(...names));
  }

  obj(...names: string[]): Row | undefined {
    const v = this.get(...names);
    return isPlainObject(v) ? v : undefined;
  }

  /** Original keys of the params, for methods that take filter fields at the top level. */
  keys(): string[] {
    return Object.keys(this.raw);
  }
}

export function isPlainObject(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Integer from a number or a decimal string; anything else is undefined. */
export function asInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** PHP truthiness for flags: 1, "1", "Y", "true", true. */
export function asFlag(v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return ['1', 'y', 'yes', 'true'].includes(v.trim().toLowerCase());
  return dflt;
}

/** A list from a JSON array, a bracket-encoded object {"0":…,"1":…} or a single scalar. */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v;
  if (isPlainObject(v)) return Object.values(v);
  return [v];
}

/** Deep copy of JSON-like data (params are kept "as received" in the inspector). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}
