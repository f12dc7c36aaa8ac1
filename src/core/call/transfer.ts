/**
 * Transfers. The transferred party keeps its channel; what changes is the extension it talks to.
 *
 * - BlindTransfer (Result Success): the transferer's conversation ends (`transfer`); the transferee
 *   runs `Extension@Context` and its next dial to an extension opens a new conversation in the same
 *   call with via `transfer`.
 * - AttendedTransfer (Result Success): both transferer legs' conversations end (`transfer`). The
 *   target's channel is joined to the surviving call by the bridge rules (oldest Linkedid wins),
 *   which opens its conversation there (via `joined`).
 */
import type { ChannelRec } from './model.js';
import { callOf, endConversation, findConv, moveChannel, openConversation, touchChannel, type AmiEventView, type Ctx } from './tracker-state.js';

function endTransferer(ctx: Ctx, ch: ChannelRec | undefined): void {
  if (!ch) return;
  const call = callOf(ctx.s, ch);
  const conv = call ? findConv(call, ch.convId) : undefined;
  if (call && conv) endConversation(ctx, call, conv, 'transfer');
}

export function onBlindTransfer(ctx: Ctx, ev: AmiEventView): void {
  if ((ev.index.get('result') ?? 'Success') !== 'Success') return;
  const transferer = touchChannel(ctx, ev, 'transferer');
  const transferee = touchChannel(ctx, ev, 'transferee');
  endTransferer(ctx, transferer);
  const call = transferee ? callOf(ctx.s, transferee) : transferer ? callOf(ctx.s, transferer) : undefined;
  if (call) {
    call.transfers++;
    call.transferPending = true;
  }
}

export function onAttendedTransfer(ctx: Ctx, ev: AmiEventView): void {
  if ((ev.index.get('result') ?? 'Success') !== 'Success') return;
  const orig = touchChannel(ctx, ev, 'origtransferer');
  const second = touchChannel(ctx, ev, 'secondtransferer');
  const transferee = touchChannel(ctx, ev, 'transferee');
  endTransferer(ctx, orig);
  endTransferer(ctx, second);
  const call = transferee ? callOf(ctx.s, transferee) : orig ? callOf(ctx.s, orig) : undefined;
  if (call) call.transfers++;
}

/**
 * Pickup (directed or group), as Asterisk 12+ does it (seen on 22.10, `lab22-k`/`lab22-l`): the picker's
 * channel takes the ringing leg's place in the Dial (a masquerade that keeps the picker's name and
 * Uniqueid), so the `DialEnd ANSWER` that follows names the picker, still with its own Linkedid, and
 * the rung phone's leg is hung up (cause 26 or 16). The rung extension's conversation ends
 * (`picked_up`); the picker moves into the target's call (its own call had nothing in it and is
 * dropped silently) and its conversation opens there (`via: pickup`), to be accepted by that
 * DialEnd ANSWER or by the bridge.
 */
export function onPickup(ctx: Ctx, ev: AmiEventView): void {
  const picker = touchChannel(ctx, ev, '');
  const target = touchChannel(ctx, ev, 'target');
  if (!picker || !target) return;
  const call = callOf(ctx.s, target);
  if (!call) return;
  const old = findConv(call, target.convId);
  if (old) endConversation(ctx, call, old, 'picked_up');
  if (picker.kind !== 'extension') return;
  if (picker.callKey !== call.key) moveChannel(ctx, picker, call);
  openConversation(ctx, call, picker, 'pickup', old?.localPath ?? []);
  picker.dialledBy = target.dialledBy;
}
