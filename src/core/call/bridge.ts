/**
 * Bridges: who talks to whom.
 *
 * - Channels of two calls meeting in one bridge are one call from then on: Asterisk gives every
 *   channel in a bridge the oldest Linkedid present, and so do we (pickup, attended transfer,
 *   Redirect into a call). The younger call's channels in the bridge move to the older call.
 * - An extension with no conversation that never dialled, bridged with a channel of the call, took
 *   the call (parked call retrieval): it gets a `pickup` conversation, accepted at once.
 * - An extension whose conversation still rings and that is bridged with someone is accepted
 *   (covers dialplans and features that answer without a DialEnd ANSWER). A click-to-call
 *   conversation is accepted only once a trunk leg shares its bridge.
 * - `SwapUniqueid` (Local optimisation, transfers) needs nothing more: the real channel simply
 *   appears in the other bridge.
 * - Holding (parking, hold) and ConfBridge (conference) bridges are membership only.
 */
import type { ChannelRec } from './model.js';
import {
  callOf, compareIds, findConv, moveChannel, openConversation, setStage, touchChannel, type AmiEventView, type Ctx,
} from './tracker-state.js';

export function onBridgeEnter(ctx: Ctx, ev: AmiEventView): void {
  const ch = touchChannel(ctx, ev, '');
  const bridgeId = ev.index.get('bridgeuniqueid');
  if (!ch || !bridgeId) return;
  const s = ctx.s;
  if (ch.bridge !== undefined && ch.bridge !== bridgeId) s.bridges.get(ch.bridge)?.delete(ch.uniqueid);
  ch.bridge = bridgeId;
  let members = s.bridges.get(bridgeId);
  if (!members) {
    members = new Set();
    s.bridges.set(bridgeId, members);
  }
  members.add(ch.uniqueid);
  if (members.size < 2 || !isTwoPartyBridge(ev)) return;
  const list: ChannelRec[] = [];
  for (const uid of members) {
    const m = s.channels.get(uid);
    if (m) list.push(m);
  }
  joinOldest(ctx, list);
  openRetrievals(ctx, list);
  acceptBridged(ctx, list);
}

/**
 * Only ordinary call bridges decide who talks to whom: a parking lot or music-on-hold bridge
 * (`holding`) and a conference (created by ConfBridge) hold unrelated calls side by side, which must neither be
 * merged nor count as answered.
 */
function isTwoPartyBridge(ev: AmiEventView): boolean {
  const type = ev.index.get('bridgetype');
  if (type !== undefined && type !== 'basic') return false;
  // Not the technology: some platforms mix two-party calls with softmix too (cacofonisk fixtures).
  return ev.index.get('bridgecreator') !== 'ConfBridge';
}

/** Every channel in the bridge joins the call with the oldest key present. */
function joinOldest(ctx: Ctx, list: readonly ChannelRec[]): void {
  let oldest: string | undefined;
  for (const m of list) if (oldest === undefined || compareIds(m.callKey, oldest) < 0) oldest = m.callKey;
  if (oldest === undefined) return;
  const target = ctx.s.calls.get(oldest);
  if (!target) return;
  for (const m of list) if (m.callKey !== oldest) moveChannel(ctx, m, target);
}

/**
 * A phone that dialled nothing and had no conversation, bridged with another channel of the call,
 * took the call from somewhere: a parked call retrieved by dialling its slot (`lab22-n`: the phone's
 * events already carry the call's Linkedid when it enters the bridge, so moveChannel saw no bridge
 * yet), or any other feature that bridges a phone into a call. It talks to the client from now on:
 * a `pickup` conversation, requested and accepted.
 */
function openRetrievals(ctx: Ctx, list: readonly ChannelRec[]): void {
  for (const m of list) {
    if (m.kind !== 'extension' || m.convId !== undefined || m.dialler) continue;
    if (!list.some((o) => o !== m && o.callKey === m.callKey)) continue;
    const call = callOf(ctx.s, m);
    if (!call) continue;
    const conv = openConversation(ctx, call, m, 'pickup', []);
    setStage(ctx, call, conv, 'conversation_accepted');
  }
}

function acceptBridged(ctx: Ctx, list: readonly ChannelRec[]): void {
  const hasTrunk = list.some((m) => m.kind === 'trunk');
  for (const m of list) {
    if (m.convId === undefined) continue;
    const call = callOf(ctx.s, m);
    const conv = call ? findConv(call, m.convId) : undefined;
    // An extension's phone, or a trunk leg to an employee's mobile (FMC: its own conversation).
    const own = m.kind === 'extension' || (conv?.mobile !== undefined && conv.uniqueid === m.uniqueid);
    if (!own || !call || !conv || conv.stage !== 'conversation_requested') continue;
    if (m.originated && !hasTrunk) continue;
    if (conv.via === 'outgoing' && !hasTrunk) continue;
    setStage(ctx, call, conv, 'conversation_accepted');
  }
}

export function onBridgeLeave(ctx: Ctx, ev: AmiEventView): void {
  const ch = touchChannel(ctx, ev, '');
  const bridgeId = ev.index.get('bridgeuniqueid');
  if (!ch || !bridgeId) return;
  ctx.s.bridges.get(bridgeId)?.delete(ch.uniqueid);
  if (ch.bridge === bridgeId) ch.bridge = undefined;
}

export function onBridgeDestroy(ctx: Ctx, ev: AmiEventView): void {
  const bridgeId = ev.index.get('bridgeuniqueid');
  if (bridgeId) ctx.s.bridges.delete(bridgeId);
}
