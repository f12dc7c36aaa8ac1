/**
 * Keeping the state honest when events are missing: a Hangup lost while the connection was down,
 * or a whole call that ended during a reconnect. Both end calls as if their channels hung up, so
 * the CRM still gets its call_ended.
 */
import type { StageChange } from './model.js';
import { dropChannel, type Ctx, type TrackerState } from './tracker-state.js';

/**
 * After a reconnect: `live` holds the Uniqueids `CoreShowChannels` listed. Every tracked channel
 * not in it is gone; calls left without channels end (changes returned, at `nowMs`).
 */
export function reconcileLiveChannels(state: TrackerState, live: ReadonlySet<string>, nowMs: number): StageChange[] {
  const ctx: Ctx = { s: state, at: nowMs, out: [] };
  for (const ch of [...state.channels.values()]) if (!live.has(ch.uniqueid)) dropChannel(ctx, ch);
  return ctx.out;
}

/**
 * Ends calls none of whose channels was named by any event for `idleMs` (default 6 h): a safety net
 * against lost Hangup events keeping calls, and memory, forever.
 */
export function sweepIdleCalls(state: TrackerState, nowMs: number, idleMs = 6 * 3600_000): StageChange[] {
  const ctx: Ctx = { s: state, at: nowMs, out: [] };
  for (const call of [...state.calls.values()]) {
    let last = call.startedAt;
    for (const uid of call.live) last = Math.max(last, state.channels.get(uid)?.lastAt ?? 0);
    if (nowMs - last < idleMs) continue;
    for (const uid of [...call.live]) {
      const ch = state.channels.get(uid);
      if (ch) dropChannel(ctx, ch);
      else call.live.delete(uid);
    }
  }
  return ctx.out;
}
