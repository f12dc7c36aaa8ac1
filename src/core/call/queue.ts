/**
 * app_queue events. Conversations of queue members are opened by their DialBegin (AgentCalled
 * only marks the member channel with the queue, and comes first); AgentConnect accepts (usually a
 * duplicate of DialEnd ANSWER), AgentRingNoAnswer ends a member's attempt (linear / rrmemory
 * strategies ring one member per attempt). QueueCallerAbandon marks a missed call.
 */
import {
  callOf, endConversation, findConv, setStage, touchChannel, type AmiEventView, type Ctx,
} from './tracker-state.js';

export function onQueueCallerJoin(ctx: Ctx, ev: AmiEventView): void {
  const ch = touchChannel(ctx, ev, '');
  const call = ch ? callOf(ctx.s, ch) : undefined;
  // The waiting caller carries the queue name: its dials are queue attempts (even if AgentCalled
  // was lost).
  if (ch) ch.queue = ev.index.get('queue');
  if (call && call.queue === undefined) call.queue = ev.index.get('queue');
}

export function onQueueCallerLeave(ctx: Ctx, ev: AmiEventView): void {
  const ch = touchChannel(ctx, ev, '');
  if (ch) ch.queue = undefined;
}

export function onQueueCallerAbandon(ctx: Ctx, ev: AmiEventView): void {
  const ch = touchChannel(ctx, ev, '');
  const call = ch ? callOf(ctx.s, ch) : undefined;
  if (call) call.abandoned = true;
}

export function onAgentCalled(ctx: Ctx, ev: AmiEventView): void {
  touchChannel(ctx, ev, '');
  const member = touchChannel(ctx, ev, 'dest');
  if (member) member.queue = ev.index.get('queue');
  const call = member ? callOf(ctx.s, member) : undefined;
  if (call && call.queue === undefined) call.queue = ev.index.get('queue');
}

export function onAgentConnect(ctx: Ctx, ev: AmiEventView): void {
  touchChannel(ctx, ev, '');
  const member = touchChannel(ctx, ev, 'dest');
  const call = member ? callOf(ctx.s, member) : undefined;
  const conv = call && member ? findConv(call, member.convId) : undefined;
  if (call && conv) setStage(ctx, call, conv, 'conversation_accepted');
}

export function onAgentRingNoAnswer(ctx: Ctx, ev: AmiEventView): void {
  touchChannel(ctx, ev, '');
  const member = touchChannel(ctx, ev, 'dest');
  const call = member ? callOf(ctx.s, member) : undefined;
  const conv = call && member ? findConv(call, member.convId) : undefined;
  if (call && conv && conv.stage === 'conversation_requested') {
    conv.dialStatus = 'NOANSWER';
    endConversation(ctx, call, conv, 'NOANSWER');
  }
}
