/**
 * The call tracker: a reducer from AMI events to stage changes (DESIGN §3, docs/call-model.md).
 *
 *   const state = createTrackerState(trackerConfig({ extensions: ['101', '102'] }));
 *   const { changes } = applyAmiEvent(state, msg, nowMs);
 *
 * Pure in the project's sense: no IO, no clock (time comes in as `nowMs`), no randomness. The state
 * is mutated in place and returned (see tracker-state.ts for why); unknown events are ignored.
 */
import type { StageChange } from './model.js';
import { onDialBegin, onDialEnd } from './dial.js';
import { onBridgeDestroy, onBridgeEnter, onBridgeLeave } from './bridge.js';
import {
  onAgentCalled, onAgentConnect, onAgentRingNoAnswer, onQueueCallerAbandon, onQueueCallerJoin, onQueueCallerLeave,
} from './queue.js';
import { onAttendedTransfer, onBlindTransfer, onPickup } from './transfer.js';
import {
  callOf, dropChannel, endConversation, findConv, intField, touchChannel,
  type AmiEventView, type Ctx, type TrackerState,
} from './tracker-state.js';
import { dialStatusFromCause } from './status.js';
import { realNumber } from './classify.js';

export { createTrackerState, withTrackerConfig, type TrackerState, type AmiEventView, type TrackerCounters, type Anomaly } from './tracker-state.js';
export { reconcileLiveChannels, sweepIdleCalls } from './maintenance.js';

export interface TrackerResult {
  readonly state: TrackerState;
  readonly changes: StageChange[];
}

const NO_CHANGES: StageChange[] = [];

export function applyAmiEvent(state: TrackerState, event: AmiEventView, nowMs: number): TrackerResult {
  const name = event.index.get('event');
  if (name === undefined) return { state, changes: NO_CHANGES };
  state.counters.events++;
  const handler = HANDLERS.get(name);
  if (!handler) return { state, changes: NO_CHANGES };
  const ctx: Ctx = { s: state, at: nowMs, out: [] };
  handler(ctx, event);
  return { state, changes: ctx.out.length === 0 ? NO_CHANGES : ctx.out };
}

type Handler = (ctx: Ctx, ev: AmiEventView) => void;

/** Set by the connector's callback Originate (ONEXTERNALCALLBACKSTART): Bitrix24 call type 4. */
const CALLBACK_VARIABLE = 'B24_CALLBACK';

function touchOnly(ctx: Ctx, ev: AmiEventView): void {
  touchChannel(ctx, ev, '');
}

function onNewCallerid(ctx: Ctx, ev: AmiEventView): void {
  const ch = touchChannel(ctx, ev, '');
  if (!ch) return;
  const call = callOf(ctx.s, ch);
  // An inbound trunk leg whose caller id arrives late (chan_sip, dialplan fix-ups before any dial).
  if (call && call.direction === 'incoming' && ch.uniqueid === call.linkedid && call.conversations.length === 0) {
    const num = realNumber(ch.callerIdNum);
    if (num !== undefined) call.clientNumber = num;
  }
}

function onVarSet(ctx: Ctx, ev: AmiEventView): void {
  const variable = ev.index.get('variable');
  if (variable === undefined) return;
  const cfg = ctx.s.config;
  const isRecording = cfg.recordingVariables.includes(variable);
  const isClickToCall = !isRecording && cfg.clickToCallVariables.includes(variable);
  const isCallback = variable === CALLBACK_VARIABLE;
  const isVote = cfg.voteVariables.includes(variable);
  if (!isRecording && !isClickToCall && !isCallback && !isVote) return; // the VarSet flood stops here, cheaply
  const value = ev.index.get('value') ?? '';
  if (value === '') return;
  const ch = touchChannel(ctx, ev, '');
  const call = ch ? callOf(ctx.s, ch) : undefined;
  if (!call) return;
  if (isVote) {
    // A rating IVR's answer: 1–5; anything else (a timeout's empty or `#`) is no rating.
    if (/^[1-5]$/.test(value.trim())) call.vote = Number(value.trim());
  } else if (isCallback) {
    call.callback = value === '1';
  } else if (isRecording) {
    if (!call.recordings.includes(value)) call.recordings.push(value);
  } else {
    call.b24CallId = value;
    call.direction = 'click-to-call';
  }
}

function onHangup(ctx: Ctx, ev: AmiEventView): void {
  const ch = touchChannel(ctx, ev, '');
  if (!ch) return;
  const call = callOf(ctx.s, ch);
  const cause = intField(ev, 'cause');
  if (call) {
    const conv = findConv(call, ch.convId);
    if (conv && conv.stage !== 'conversation_ended') {
      conv.hangupCause = cause;
      if (conv.stage === 'conversation_requested' && conv.uniqueid === ch.uniqueid) {
        // No DialEnd for this leg (an originated first leg that was not answered).
        conv.dialStatus ??= dialStatusFromCause(cause);
        call.dialStatus ??= conv.dialStatus;
        endConversation(ctx, call, conv, conv.dialStatus);
      } else {
        endConversation(ctx, call, conv, 'hangup');
      }
    }
    const clientSide = ch.uniqueid === call.linkedid || ch.kind === 'trunk';
    if (cause !== undefined && (clientSide || call.hangupCause === undefined)) {
      if (clientSide || call.live.size === 1) call.hangupCause = cause;
    }
  }
  dropChannel(ctx, ch);
}

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['Newchannel', touchOnly],
  ['Newstate', touchOnly],
  ['NewCallerid', onNewCallerid],
  ['VarSet', onVarSet],
  ['DialBegin', onDialBegin],
  ['DialEnd', onDialEnd],
  ['BridgeEnter', onBridgeEnter],
  ['BridgeLeave', onBridgeLeave],
  ['BridgeDestroy', onBridgeDestroy],
  ['Hangup', onHangup],
  ['QueueCallerJoin', onQueueCallerJoin],
  ['QueueCallerLeave', onQueueCallerLeave],
  ['QueueCallerAbandon', onQueueCallerAbandon],
  ['AgentCalled', onAgentCalled],
  ['AgentConnect', onAgentConnect],
  ['AgentRingNoAnswer', onAgentRingNoAnswer],
  ['BlindTransfer', onBlindTransfer],
  ['AttendedTransfer', onAttendedTransfer],
  ['Pickup', onPickup],
]);

/** Live calls, for diagnostics and `CoreShowChannels` reconciliation. */
export function liveCallKeys(state: TrackerState): string[] {
  return [...state.calls.keys()];
}
