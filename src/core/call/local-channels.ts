/**
 * Looking through Local channel pairs to the real parties.
 *
 * A Local pair `Local/x@ctx-N;1` / `;2` is one logical wire: whoever dials `;1` is, for the
 * conversation model, the caller of whatever `;2` dials; and when `;1` itself runs dialplan (an
 * Originate to a Local channel: it dials the external number after the phone answered), it speaks
 * for the real channel its `;2` reached. Chains of pairs (click-to-call → route → phone, follow-me →
 * queue → phone) are followed, bounded against loops.
 */
import type { ChannelRec } from './model.js';
import { channel, localPartner, type TrackerState } from './tracker-state.js';
import { parseChannelName } from './classify.js';

export interface EffectiveCaller {
  /** The real (non-Local) channel behind the caller, when there is one. */
  readonly caller: ChannelRec | undefined;
  /** The dial chain started with an AMI Originate (no calling channel at its root). */
  readonly originated: boolean;
  /** Local pair bases crossed, outermost first. */
  readonly path: readonly string[];
}

const MAX_DEPTH = 8;

/** From a Local `;1` half, the real channel reached downstream through `;2` (and further pairs). */
export function reachedThrough(s: TrackerState, one: ChannelRec): ChannelRec | undefined {
  let cur: ChannelRec | undefined = one;
  for (let depth = 0; cur && cur.kind === 'local' && depth < MAX_DEPTH; depth++) {
    const two = parseChannelName(cur.name).localHalf === 2 ? cur : localPartner(s, cur, 2);
    cur = channel(s, two?.reached);
  }
  return cur && cur.kind !== 'local' ? cur : undefined;
}

/** Resolves the channel that appears as caller of a dial. */
export function effectiveCaller(s: TrackerState, raw: ChannelRec): EffectiveCaller {
  if (raw.kind !== 'local') return { caller: raw, originated: false, path: [] };
  const parsed = parseChannelName(raw.name);
  if (parsed.localHalf === 1) {
    // ;1 running dialplan (Originate to Local): it speaks for what its ;2 reached.
    return { caller: reachedThrough(s, raw), originated: raw.originated || raw.dialledBy === undefined, path: [] };
  }
  // ;2 dials on behalf of whoever dialled ;1 (already resolved when ;1 was dialled).
  const one = localPartner(s, raw, 1);
  const path = [...(one?.via ?? []), ...(parsed.localBase !== undefined ? [parsed.localBase] : [])];
  if (!one) return { caller: undefined, originated: false, path };
  return { caller: channel(s, one.dialledBy), originated: one.originated, path };
}
