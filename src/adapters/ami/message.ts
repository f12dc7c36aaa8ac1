/**
 * One AMI message (event, response or action): `Key: Value` lines in wire order.
 * Keys keep their wire spelling in `fields`; lookups are case-insensitive (Asterisk itself
 * spells some keys differently in different events: `Uniqueid` / `UniqueID`).
 * Repeated keys (ChanVariable, Output, Variable) keep every value, in order.
 */
export type AmiField = readonly [key: string, value: string];

export interface AmiMessage {
  /** Every line of the block, in wire order. */
  readonly fields: readonly AmiField[];
  /** Lower-cased key → first value. */
  readonly index: ReadonlyMap<string, string>;
}

/** Wire key → lower-case key. AMI uses a few hundred distinct keys; bounded in case of garbage. */
const lowerKeys = new Map<string, string>();
const LOWER_KEYS_MAX = 4096;

export function lowerKey(k: string): string {
  let lk = lowerKeys.get(k);
  if (lk === undefined) {
    lk = k.toLowerCase();
    if (lowerKeys.size < LOWER_KEYS_MAX) lowerKeys.set(k, lk);
  }
  return lk;
}

export function makeMessage(fields: readonly AmiField[]): AmiMessage {
  const index = new Map<string, string>();
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const lk = lowerKey(f[0]);
    if (!index.has(lk)) index.set(lk, f[1]);
  }
  return { fields, index };
}

/** First value of `key` (case-insensitive), or undefined. */
export function field(msg: AmiMessage, key: string): string | undefined {
  return msg.index.get(key.toLowerCase());
}

/** Every value of `key` (case-insensitive), in wire order. */
export function fieldAll(msg: AmiMessage, key: string): string[] {
  const lk = key.toLowerCase();
  const out: string[] = [];
  for (const [k, v] of msg.fields) if (k.toLowerCase() === lk) out.push(v);
  return out;
}

/** The event name, or undefined when the message is not an event. */
export function eventName(msg: AmiMessage): string | undefined {
  return msg.index.get('event');
}

/** Plain object view (first value per key, wire spelling) — for logs and JSON output. */
export function toRecord(msg: AmiMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of msg.fields) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * Parses `Var=Value` pairs from repeated `ChanVariable` / `Variable` fields
 * (e.g. `ChanVariable: B24_CALL_ID=abc`) into a map. In AMI v2 events the variable name can also be
 * carried as `ChanVariable(NAME): value` on older versions; both forms are read.
 */
export function channelVariables(msg: AmiMessage, prefix = 'ChanVariable'): Map<string, string> {
  const out = new Map<string, string>();
  const lp = prefix.toLowerCase();
  for (const [k, v] of msg.fields) {
    const lk = k.toLowerCase();
    if (lk === lp) {
      const eq = v.indexOf('=');
      if (eq > 0) out.set(v.slice(0, eq), v.slice(eq + 1));
    } else if (lk.startsWith(lp + '(') && lk.endsWith(')')) {
      out.set(k.slice(prefix.length + 1, -1), v);
    }
  }
  return out;
}
