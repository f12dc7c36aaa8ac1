/**
 * Zero-config classification of channels: which side is an extension, which a trunk, which a
 * Local half. Works from the channel name (kept for the channel's whole life in AMI v2) and the
 * context the channel was born in, never from CallerIDNum alone (dialplans rewrite caller ids).
 */

export interface TrackerConfig {
  /** Inner phone numbers of known users (Bitrix24 UF_PHONE_INNER): always extensions. */
  readonly extensions: ReadonlySet<string>;
  /** Endpoint names that are trunks, whatever they look like (e.g. `trunk`, `toOurAster`). */
  readonly trunks: ReadonlySet<string>;
  /** Contexts whose channels are internal phones (e.g. `from-internal`). */
  readonly internalContexts: ReadonlySet<string>;
  /** Contexts whose channels are trunks (e.g. `from-trunk`, `from-pstn`). */
  readonly trunkContexts: ReadonlySet<string>;
  /** An endpoint whose name matches is an extension (default: 2–5 digits). */
  readonly extensionPattern: RegExp;
  /** Channel variables that mark a click-to-call started by the connector; the value is kept. */
  readonly clickToCallVariables: readonly string[];
  /** Channel variables holding a recording file name (first seen wins per value). */
  readonly recordingVariables: readonly string[];
  /** Channel variables holding the caller's rating of the call, 1–5 (a rating IVR); the last wins. */
  readonly voteVariables: readonly string[];
  /** How many ended calls / gone channels to remember, to drop their late events. */
  readonly rememberEnded: number;
  /**
   * FMC: employees' mobile numbers (keyed by their last `mobileDigits` digits, see mobileKey) → the
   * employee's extension. An incoming call the PBX forwards to one of them through a trunk is that
   * extension's conversation. Empty: forwarding outside is only "answered outside".
   */
  readonly mobiles: ReadonlyMap<string, string>;
  /** How many trailing digits identify a mobile number (dial prefixes and country codes differ). */
  readonly mobileDigits: number;
}

export const DEFAULT_EXTENSION_PATTERN = /^\d{2,5}$/;

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  extensions: new Set(),
  trunks: new Set(),
  internalContexts: new Set(),
  trunkContexts: new Set(['from-trunk', 'from-pstn', 'from-external', 'from-did-direct']),
  extensionPattern: DEFAULT_EXTENSION_PATTERN,
  clickToCallVariables: ['B24_CALL_ID'],
  recordingVariables: ['MIXMONITOR_FILENAME'],
  voteVariables: ['B24_VOTE'],
  rememberEnded: 4096,
  mobiles: new Map(),
  mobileDigits: 10,
};

/** Plain-object input for trackerConfig(); every field optional. */
export interface TrackerConfigInput {
  extensions?: Iterable<string>;
  trunks?: Iterable<string>;
  internalContexts?: Iterable<string>;
  trunkContexts?: Iterable<string>;
  extensionPattern?: RegExp | string;
  clickToCallVariables?: readonly string[];
  recordingVariables?: readonly string[];
  voteVariables?: readonly string[];
  rememberEnded?: number;
  /** Mobile number (any format) → extension. */
  mobiles?: Iterable<readonly [string, string]>;
  mobileDigits?: number;
}

export function trackerConfig(input: TrackerConfigInput = {}): TrackerConfig {
  const d = DEFAULT_TRACKER_CONFIG;
  const pattern = input.extensionPattern;
  return {
    extensions: input.extensions ? new Set(input.extensions) : d.extensions,
    trunks: input.trunks ? new Set(input.trunks) : d.trunks,
    internalContexts: input.internalContexts ? new Set(input.internalContexts) : d.internalContexts,
    trunkContexts: input.trunkContexts ? new Set(input.trunkContexts) : d.trunkContexts,
    extensionPattern: pattern === undefined ? d.extensionPattern : typeof pattern === 'string' ? new RegExp(pattern) : pattern,
    clickToCallVariables: input.clickToCallVariables ?? d.clickToCallVariables,
    recordingVariables: input.recordingVariables ?? d.recordingVariables,
    voteVariables: input.voteVariables ?? d.voteVariables,
    rememberEnded: input.rememberEnded ?? d.rememberEnded,
    ...mobilesOf(input, d),
  };
}

function mobilesOf(input: TrackerConfigInput, d: TrackerConfig): Pick<TrackerConfig, 'mobiles' | 'mobileDigits'> {
  const digits = input.mobileDigits ?? d.mobileDigits;
  if (input.mobiles === undefined) return { mobiles: d.mobiles, mobileDigits: digits };
  const mobiles = new Map<string, string>();
  for (const [number, extension] of input.mobiles) {
    const key = mobileKey(number, digits);
    // First wins: one number shared by two employees stays with the first one listed.
    if (key !== undefined && extension !== '' && !mobiles.has(key)) mobiles.set(key, extension);
  }
  return { mobiles, mobileDigits: digits };
}

/**
 * The key a mobile number is matched on: its last `digits` digits, whatever the format
 * (`+7 916 123-45-67`, `89161234567`, `079161234567` with an outbound prefix all give 9161234567).
 * Numbers shorter than `digits` (extensions, short codes) are never mobiles: undefined.
 */
export function mobileKey(number: string, digits: number): string | undefined {
  const only = number.replace(/\D+/g, '');
  return only.length < digits ? undefined : only.slice(-digits);
}

/** The extension whose employee owns this mobile number, if any. */
export function mobileOwner(cfg: TrackerConfig, number: string | undefined): string | undefined {
  if (number === undefined || cfg.mobiles.size === 0) return undefined;
  const key = mobileKey(number, cfg.mobileDigits);
  return key === undefined ? undefined : cfg.mobiles.get(key);
}

export type ChannelKind = 'extension' | 'trunk' | 'local';

export interface ParsedChannelName {
  /** `PJSIP`, `SIP`, `Local`, `IAX2`, `DAHDI`… */
  readonly tech: string;
  /** Endpoint / peer name (`101`, `trunk`), or `exten@context` for Local. */
  readonly endpoint: string;
  /** Local only: `<exten>@<context>-<id>` without `;n` — the same for both halves. */
  readonly localBase?: string;
  /** Local only: 1 or 2. */
  readonly localHalf?: 1 | 2;
}

/**
 * `PJSIP/101-0000003f` → {PJSIP, 101}; `SIP/toOurAster-000000bb` → {SIP, toOurAster};
 * `Local/101@from-internal-00000006;2` → {Local, 101@from-internal, base, half 2}.
 */
export function parseChannelName(name: string): ParsedChannelName {
  const slash = name.indexOf('/');
  const tech = slash > 0 ? name.slice(0, slash) : name;
  let rest = slash > 0 ? name.slice(slash + 1) : '';
  if (tech.toLowerCase() === 'local') {
    const semi = rest.lastIndexOf(';');
    const half = rest.endsWith(';2') ? 2 : 1;
    const base = semi > 0 ? rest.slice(0, semi) : rest;
    const dash = base.lastIndexOf('-');
    return { tech, endpoint: dash > 0 ? base.slice(0, dash) : base, localBase: base, localHalf: half };
  }
  // Strip an old-style `<ZOMBIE>`/`<MASQ>` suffix, then the `-<sequence>` suffix.
  const lt = rest.indexOf('<');
  if (lt > 0) rest = rest.slice(0, lt);
  const dash = rest.lastIndexOf('-');
  return { tech, endpoint: dash > 0 ? rest.slice(0, dash) : rest };
}

/**
 * Kind of a channel. Order: Local by technology; named trunks; known extensions; the context the
 * channel was born in (internal / trunk contexts); then the extension pattern on the endpoint name.
 */
export function classifyChannel(parsed: ParsedChannelName, birthContext: string, cfg: TrackerConfig): ChannelKind {
  if (parsed.localBase !== undefined) return 'local';
  const ep = parsed.endpoint;
  if (cfg.trunks.has(ep)) return 'trunk';
  if (cfg.extensions.has(ep)) return 'extension';
  if (cfg.internalContexts.has(birthContext)) return 'extension';
  if (cfg.trunkContexts.has(birthContext)) return 'trunk';
  return cfg.extensionPattern.test(ep) ? 'extension' : 'trunk';
}

/**
 * The extension number of an extension channel: the endpoint name when it looks like one (trust the
 * channel name over CallerIDNum); otherwise (endpoints named by account ids, classified internal by
 * context) the caller id number when that is a known or pattern-matching extension.
 */
export function extensionNumber(endpoint: string, callerIdNum: string | undefined, cfg: TrackerConfig): string {
  if (cfg.extensions.has(endpoint) || cfg.extensionPattern.test(endpoint)) return endpoint;
  if (callerIdNum && (cfg.extensions.has(callerIdNum) || cfg.extensionPattern.test(callerIdNum))) return callerIdNum;
  return endpoint;
}

/**
 * The number dialled out of a DialString: `049301234@trunk` (PJSIP) → 049301234,
 * `toOurAster/79001234567` (SIP peer/number) → 79001234567, `trunk` → undefined (no number).
 */
export function numberFromDialString(dialString: string | undefined): string | undefined {
  if (!dialString) return undefined;
  let s = dialString;
  const bang = s.indexOf('!');
  if (bang >= 0) s = s.slice(0, bang);
  const at = s.indexOf('@');
  if (at > 0) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  if (slash >= 0) s = s.slice(slash + 1);
  return /^\+?[\d*#]{3,}$/.test(s) ? s : undefined;
}

/** A caller id value that carries a number (`<unknown>` and empty do not). */
export function realNumber(v: string | undefined): string | undefined {
  if (!v || v === '<unknown>' || v === 'unknown' || v === 's') return undefined;
  return v;
}
