/**
 * Conversation stages and the allowed transitions between them.
 * Illegal transitions are never thrown: the tracker counts them as anomalies and goes on, because a
 * PBX can always send something unexpected (a reconnect mid-call, a module we never saw).
 */

export const STAGES = ['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended'] as const;
export type Stage = (typeof STAGES)[number];

/** Stage of one conversation (call_ended belongs to the call, not to a conversation). */
export type ConversationStage = Exclude<Stage, 'call_ended'>;

/** from → allowed next stages. `undefined` = the conversation does not exist yet. */
const ALLOWED: Readonly<Record<ConversationStage | 'none', readonly ConversationStage[]>> = {
  none: ['conversation_requested'],
  conversation_requested: ['conversation_accepted', 'conversation_ended'],
  conversation_accepted: ['conversation_ended'],
  conversation_ended: [],
};

export type TransitionVerdict = 'ok' | 'duplicate' | 'illegal';

/**
 * Judges a conversation stage change. `duplicate` (same stage again, e.g. app_queue's second
 * `DialEnd CANCEL`) is expected noise; `illegal` (backwards or skipping) is an anomaly.
 */
export function judgeTransition(from: ConversationStage | undefined, to: ConversationStage): TransitionVerdict {
  if (from === to) return 'duplicate';
  return ALLOWED[from ?? 'none'].includes(to) ? 'ok' : 'illegal';
}

export function isStage(s: string): s is Stage {
  return (STAGES as readonly string[]).includes(s);
}
