/**
 * DialBegin / DialEnd: where conversations are opened and decided.
 *
 * - A dial towards an extension's real channel opens that extension's conversation
 *   (conversation_requested); its DialEnd ANSWER accepts it, any other status ends it.
 * - A dial towards a trunk from an extension is an outgoing call: the conversation is the calling
 *   extension's, accepted when the trunk leg answers.
 * - A dial with no caller block is an AMI Originate (click-to-call): the first leg's conversation is
 *   requested when it rings and accepted only when the far end answers.
 * - Dials towards a Local `;1` half open nothing: the `;2` half's own dial to the real phone does.
 *   A failed DialEnd to a Local half ends the conversations reached through it that still ring.
 * - app_queue repeats `DialEnd CANCEL` for members that lost: the repeat is a counted duplicate.
 */
import type { CallRec, ChannelRec } from './model.js';
import { mobileOwner, numberFromDialString, parseChannelName, realNumber } from './classify.js';
import { effectiveCaller, type EffectiveCaller } from './local-channels.js';
import {
  callOf, endConversation, findConv, openConversation, setStage, touchChannel, type AmiEventView, type Ctx,
} from './tracker-state.js';

export function onDialBegin(ctx: Ctx, ev: AmiEventView): void {
  // The caller first: when Newchannel was missed, the call is created from its oldest channel.
  const raw = touchChannel(ctx, ev, '');
  const dest = touchChannel(ctx, ev, 'dest');
  if (!dest) return;
  const call = callOf(ctx.s, dest);
  if (!call) return;
  if (ev.index.has('uniqueid') && !raw) return; // caller already gone: a late event
  const eff: EffectiveCaller = raw ? effectiveCaller(ctx.s, raw) : { caller: undefined, originated: true, path: [] };
  if (raw) raw.dialler = true;
  if (eff.caller) eff.caller.dialler = true;
  // `originated` on a channel: it was rung by an Originate, with no calling party behind it.
  dest.originated = eff.originated && !eff.caller;
  dest.dialledBy = eff.caller?.uniqueid;
  dest.via = eff.path.length > 0 ? eff.path.slice() : undefined;
  if (dest.kind !== 'local') markReached(ctx, eff.path, dest);
  if (eff.originated && !call.originated) noteOriginate(call, dest);
  if (dest.kind === 'local') {
    if (dest.queue === undefined && raw) dest.queue = raw.queue;
  } else if (dest.kind === 'extension') {
    dialToExtension(ctx, call, dest, eff, raw);
  } else {
    dialToTrunk(ctx, call, dest, eff, raw, ev.index.get('dialstring'));
  }
}

/** Click-to-call: the first leg is our extension; the client is only known once it dials out. */
function noteOriginate(call: CallRec, firstLeg: ChannelRec): void {
  call.originated = true;
  call.direction = 'click-to-call';
  if (firstLeg.kind === 'extension') call.callerExtension = firstLeg.extension;
  if (call.clientNumber === call.callerExtension) call.clientNumber = undefined;
}

function dialToExtension(ctx: Ctx, call: CallRec, dest: ChannelRec, eff: EffectiveCaller, raw: ChannelRec | undefined): void {
  const caller = eff.caller;
  if (caller && caller.kind === 'extension' && caller.uniqueid === call.linkedid && call.direction === 'internal') {
    call.callerExtension = caller.extension;
    call.clientNumber = caller.extension;
  }
  if (dest.convId !== undefined) {
    ctx.s.counters.duplicates++;
    return;
  }
  // AgentCalled marked the member; else the queue of a Local chain, or of the waiting caller.
  dest.queue ??= queueOfPath(ctx, eff.path) ?? raw?.queue;
  const via = dest.originated ? 'originate' : dest.queue !== undefined ? 'queue' : 'dial';
  openConversation(ctx, call, dest, via, eff.path);
}

/** An extension calling out: the conversation is the caller's, decided by the trunk leg. */
function dialToTrunk(ctx: Ctx, call: CallRec, dest: ChannelRec, eff: EffectiveCaller, raw: ChannelRec | undefined, dialString: string | undefined): void {
  const caller = eff.caller;
  if (!caller || caller.kind !== 'extension') {
    // An Originate straight to a trunk: no extension to show.
    if (eff.originated && call.clientNumber === undefined) call.clientNumber = numberFromDialString(dialString);
    // Trunk to trunk: forwarding outside. To an employee's mobile (FMC), it is that employee's conversation.
    dialToMobile(ctx, call, dest, eff, raw, dialString);
    return;
  }
  if (call.direction === 'internal') call.direction = 'outgoing';
  if (call.direction !== 'incoming') {
    call.trunk = dest.endpoint;
    call.callerExtension = caller.extension;
    call.clientNumber = numberFromDialString(dialString) ?? realNumber(raw?.birthExten) ?? call.clientNumber;
  }
  let conv = findConv(call, caller.convId);
  if (!conv || conv.stage === 'conversation_ended') conv = openConversation(ctx, call, caller, 'outgoing', eff.path);
  dest.convId = conv.id;
}

/**
 * FMC: an incoming call forwarded through a trunk to a number that is an employee's mobile — rung
 * alongside the desk phone (ring group, follow-me) or instead of it (unconditional forward). The
 * number is the DialString's, else the exten of the Local `;2` half that dials (FreePBX follow-me
 * `Local/0<number>@from-internal`).
 */
function dialToMobile(ctx: Ctx, call: CallRec, dest: ChannelRec, eff: EffectiveCaller, raw: ChannelRec | undefined, dialString: string | undefined): void {
  if (call.direction !== 'incoming' || dest.convId !== undefined) return;
  const cfg = ctx.s.config;
  let mobile = numberFromDialString(dialString);
  let extension = mobileOwner(cfg, mobile);
  if (extension === undefined && raw?.kind === 'local') {
    mobile = realNumber(raw.birthExten);
    extension = mobileOwner(cfg, mobile);
  }
  if (extension === undefined || mobile === undefined) return;
  dest.queue ??= queueOfPath(ctx, eff.path) ?? raw?.queue;
  openConversation(ctx, call, dest, dest.queue !== undefined ? 'queue' : 'dial', eff.path, { extension, mobile });
}

/**
 * Every `;2` half on the way to a real channel remembers it, so that a `;1` half running dialplan
 * later (click-to-call) still finds its phone after Local optimisation removed the inner pairs.
 */
function markReached(ctx: Ctx, path: readonly string[], dest: ChannelRec): void {
  for (const base of path) {
    const two = ctx.s.locals.get(base)?.two;
    const ch = two === undefined ? undefined : ctx.s.channels.get(two);
    if (ch) ch.reached = dest.uniqueid;
  }
}

/** The queue a Local chain was rung by (AgentCalled marks the outer Local half). */
function queueOfPath(ctx: Ctx, path: readonly string[]): string | undefined {
  for (const base of path) {
    const pair = ctx.s.locals.get(base);
    const one = pair?.one === undefined ? undefined : ctx.s.channels.get(pair.one);
    if (one?.queue !== undefined) return one.queue;
  }
  return undefined;
}

export function onDialEnd(ctx: Ctx, ev: AmiEventView): void {
  touchChannel(ctx, ev, '');
  const dest = touchChannel(ctx, ev, 'dest');
  if (!dest) return;
  const call = callOf(ctx.s, dest);
  if (!call) return;
  const status = ev.index.get('dialstatus') ?? '';
  if (status === '') return;
  if (status !== 'ANSWER') call.dialStatus = status;
  if (dest.kind === 'local') {
    if (status !== 'ANSWER') endThroughLocal(ctx, call, dest, status);
    return;
  }
  const conv = findConv(call, dest.convId);
  if (!conv) {
    // An incoming call forwarded to an outside number (no extension in between) answered there.
    if (dest.kind === 'trunk' && status === 'ANSWER' && call.direction === 'incoming') {
      call.answeredOutside = true;
      call.answeredAt ??= ctx.at;
    }
    return;
  }
  if (dest.kind === 'extension') {
    if (status === 'ANSWER') {
      if (dest.originated) return; // click-to-call: the phone answered; the far end has not yet
      setStage(ctx, call, conv, 'conversation_accepted');
      // Click-to-call to an inner number: the originating extension's conversation is answered too.
      const caller = dest.dialledBy === undefined ? undefined : ctx.s.channels.get(dest.dialledBy);
      const callerConv = caller ? findConv(call, caller.convId) : undefined;
      if (callerConv && callerConv.via === 'originate' && callerConv.stage === 'conversation_requested') {
        setStage(ctx, call, callerConv, 'conversation_accepted');
      }
      return;
    }
    if (conv.stage === 'conversation_ended') {
      ctx.s.counters.duplicates++;
      return;
    }
    conv.dialStatus = status;
    if (conv.stage === 'conversation_accepted') return; // a late CANCEL after the answer
    endConversation(ctx, call, conv, status);
    return;
  }
  // A trunk leg towards an employee's mobile (FMC): decided like a dial to the extension.
  if (conv.mobile !== undefined && conv.uniqueid === dest.uniqueid) {
    if (status === 'ANSWER') {
      setStage(ctx, call, conv, 'conversation_accepted');
      return;
    }
    conv.dialStatus = status;
    if (conv.stage === 'conversation_requested') endConversation(ctx, call, conv, status);
    return;
  }
  // Trunk leg of an outgoing / click-to-call conversation.
  if (status === 'ANSWER') setStage(ctx, call, conv, 'conversation_accepted');
  else if (conv.stage === 'conversation_requested') conv.dialStatus = status;
}

/** A dial to a Local half failed: conversations reached through that pair that still ring end. */
function endThroughLocal(ctx: Ctx, call: CallRec, local: ChannelRec, status: string): void {
  const base = parseChannelName(local.name).localBase;
  if (base === undefined) return;
  for (const conv of call.conversations) {
    if (conv.stage === 'conversation_requested' && conv.localPath.includes(base)) {
      conv.dialStatus = status;
      endConversation(ctx, call, conv, status);
    }
  }
}
