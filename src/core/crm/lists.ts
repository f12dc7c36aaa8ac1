/**
 * Built-in black and white lists (by extension, by trunk endpoint or DID, by client number).
 * They run before the `need_registration` hook. Pure; returns the decision and why, for the
 * per-call explanation in the admin panel.
 *
 * - Black list: a call touching any listed extension, trunk/DID or number is not registered.
 * - White list: when any of its parts is non-empty, a call is registered only if it touches at
 *   least one listed item (of any kind).
 * Numbers are compared after normalisation by the caller (pass normalised values in both places).
 */
export interface ListSet {
  readonly extensions: readonly string[];
  readonly trunks: readonly string[];
  readonly numbers: readonly string[];
}

export interface ListsConfig {
  readonly black: ListSet;
  readonly white: ListSet;
}

export interface CallParties {
  readonly extensions: readonly string[];
  readonly trunk?: string | undefined;
  readonly did?: string | undefined;
  readonly clientNumber?: string | undefined;
}

export type ListDecision =
  | { readonly register: true; readonly reason: 'no-lists' | 'not-blacklisted' | 'whitelisted'; readonly match?: string }
  | { readonly register: false; readonly reason: 'blacklisted' | 'not-whitelisted'; readonly match?: string };

function firstMatch(set: ListSet, p: CallParties): string | undefined {
  const ext = p.extensions.find((e) => set.extensions.includes(e));
  if (ext !== undefined) return `extension ${ext}`;
  if (p.trunk !== undefined && set.trunks.includes(p.trunk)) return `trunk ${p.trunk}`;
  if (p.did !== undefined && set.trunks.includes(p.did)) return `DID ${p.did}`;
  if (p.clientNumber !== undefined && set.numbers.includes(p.clientNumber)) return `number ${p.clientNumber}`;
  return undefined;
}

function isEmpty(s: ListSet): boolean {
  return s.extensions.length === 0 && s.trunks.length === 0 && s.numbers.length === 0;
}

export function decideByLists(lists: ListsConfig, parties: CallParties): ListDecision {
  const black = firstMatch(lists.black, parties);
  if (black !== undefined) return { register: false, reason: 'blacklisted', match: black };
  if (!isEmpty(lists.white)) {
    const white = firstMatch(lists.white, parties);
    return white !== undefined
      ? { register: true, reason: 'whitelisted', match: white }
      : { register: false, reason: 'not-whitelisted' };
  }
  return { register: true, reason: isEmpty(lists.black) ? 'no-lists' : 'not-blacklisted' };
}
