/**
 * The call model (DESIGN §3): a call keyed by Asterisk's Linkedid, holding conversations (one
 * attempt to reach one extension each) and the channels that belong to it. The records here are
 * owned and mutated by the tracker only; everything handed out (stage changes, call_full) is a
 * fresh plain-object snapshot.
 */
import type { ChannelKind } from './classify.js';
import type { ConversationStage, Stage } from './stages.js';
import { callOutcome, type CallOutcome } from './status.js';

export type Direction = 'incoming' | 'outgoing' | 'internal' | 'click-to-call';

/** How a conversation was opened. */
export type ConversationVia = 'dial' | 'queue' | 'outgoing' | 'originate' | 'transfer' | 'pickup' | 'joined';

export interface ChannelRec {
  readonly uniqueid: string;
  readonly name: string;
  linkedid: string;
  callKey: string;
  readonly kind: ChannelKind;
  readonly endpoint: string;
  /** Extension number (extension channels only). */
  extension: string | undefined;
  readonly birthContext: string;
  /** Exten the channel was born with (the DID for an inbound trunk leg). */
  readonly birthExten: string;
  callerIdNum: string | undefined;
  state: string;
  bridge: string | undefined;
  /** Conversation this channel is the extension side of (dialled / queue member / outgoing caller). */
  convId: string | undefined;
  /** Local ;1 halves and real channels: the effective caller that dialled it (look-through). */
  dialledBy: string | undefined;
  /** Local ;2 halves: the real channel this half dialled last (look-through for its ;1 half). */
  reached: string | undefined;
  /** This channel dialled something (it is a caller, not a callee). */
  dialler: boolean;
  /** Dialled by AMI Originate (DialBegin with no caller block). */
  originated: boolean;
  /** Queue name when a queue rang this channel (AgentCalled). */
  queue: string | undefined;
  /** Local pairs this channel was reached through (innermost last). */
  via: string[] | undefined;
  /** Time of the last event that named this channel (for sweeping lost hangups). */
  lastAt: number;
}

export interface ConversationRec {
  readonly id: string;
  readonly index: number;
  readonly extension: string;
  readonly channel: string;
  readonly uniqueid: string;
  readonly via: ConversationVia;
  readonly queue: string | undefined;
  stage: ConversationStage;
  readonly requestedAt: number;
  acceptedAt: number | undefined;
  endedAt: number | undefined;
  dialStatus: string | undefined;
  hangupCause: number | undefined;
  /** Why it ended: dial status, `hangup`, `transfer`, `joined`. */
  endReason: string | undefined;
  /** Local pair bases crossed to reach the extension. */
  readonly localPath: readonly string[];
  /** FMC: the employee's mobile number the PBX forwarded this conversation to (through a trunk). */
  readonly mobile: string | undefined;
}

export interface CallRec {
  readonly key: string;
  readonly linkedid: string;
  direction: Direction;
  clientNumber: string | undefined;
  did: string | undefined;
  trunk: string | undefined;
  /** Caller extension of an internal / outgoing call. */
  callerExtension: string | undefined;
  readonly startedAt: number;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  /** Last dial status seen for the call (ANSWER, NOANSWER, BUSY, CANCEL, CHANUNAVAIL…). */
  dialStatus: string | undefined;
  /** Hangup cause of the client side (or of the last channel when there is no client side). */
  hangupCause: number | undefined;
  queue: string | undefined;
  abandoned: boolean;
  /** An incoming call answered outside (forwarded to a mobile through a trunk), not by an extension. */
  answeredOutside: boolean;
  originated: boolean;
  b24CallId: string | undefined;
  /** A callback ordered through Bitrix24 (channel variable B24_CALLBACK=1). */
  callback?: boolean;
  /** The caller's rating of the call, 1–5, from a rating IVR (channel variable B24_VOTE). */
  vote: number | undefined;
  readonly recordings: string[];
  readonly conversations: ConversationRec[];
  /** Uniqueids of the channels still alive. */
  readonly live: Set<string>;
  /** Every Uniqueid that belonged to the call (Asterisk ids for call_full). */
  readonly uniqueids: string[];
  /** Some stage of this call was emitted (a silent empty call is dropped without call_ended). */
  emitted: boolean;
  transfers: number;
  /** A blind transfer succeeded: the next conversation opened is the transfer target's. */
  transferPending: boolean;
  anomalies: number;
}

export interface ConversationSummary {
  readonly id: string;
  readonly extension: string;
  readonly channel: string;
  readonly uniqueid: string;
  readonly stage: ConversationStage;
  readonly via: ConversationVia;
  readonly queue?: string;
  readonly requestedAt: number;
  readonly acceptedAt?: number;
  readonly endedAt?: number;
  readonly dialStatus?: string;
  readonly endReason?: string;
  /** FMC: forwarded to this mobile number of the extension's employee. */
  readonly mobile?: string;
}

/** What the CRM planner needs to know about the call at a stage change. */
export interface CallSummary {
  readonly callKey: string;
  readonly direction: Direction;
  readonly clientNumber?: string;
  readonly did?: string;
  readonly trunk?: string;
  readonly callerExtension?: string;
  readonly startedAt: number;
  readonly answeredAt?: number;
  readonly endedAt?: number;
  readonly queue?: string;
  readonly b24CallId?: string;
  readonly callback?: boolean;
  /** The caller's rating, 1–5 (finish VOTE). */
  readonly vote?: number;
  /** FMC: an incoming call from this extension's employee, on their mobile (not a client). */
  readonly fromMobileOf?: string;
  readonly recordings: readonly string[];
  readonly conversations: readonly ConversationSummary[];
  /** Set at call_ended. */
  readonly outcome?: CallOutcome;
  readonly statusCode?: string;
  /** Where the summary came from when not from live AMI events: `cdr` = rebuilt from Master.csv (backfill). */
  readonly rebuiltFrom?: 'cdr';
}

export interface StageChange {
  readonly callKey: string;
  readonly stage: Stage;
  readonly at: number;
  readonly conversation?: ConversationSummary;
  readonly call: CallSummary;
}

export function conversationSummary(c: ConversationRec): ConversationSummary {
  const s: Record<string, unknown> = {
    id: c.id, extension: c.extension, channel: c.channel, uniqueid: c.uniqueid, stage: c.stage, via: c.via,
    requestedAt: c.requestedAt,
  };
  if (c.queue !== undefined) s.queue = c.queue;
  if (c.acceptedAt !== undefined) s.acceptedAt = c.acceptedAt;
  if (c.endedAt !== undefined) s.endedAt = c.endedAt;
  if (c.dialStatus !== undefined) s.dialStatus = c.dialStatus;
  if (c.endReason !== undefined) s.endReason = c.endReason;
  if (c.mobile !== undefined) s.mobile = c.mobile;
  return s as unknown as ConversationSummary;
}

export function callSummary(call: CallRec, ended: boolean, fromMobileOf?: string): CallSummary {
  const s: Record<string, unknown> = {
    callKey: call.key, direction: call.direction, startedAt: call.startedAt,
    recordings: call.recordings.slice(), conversations: call.conversations.map(conversationSummary),
  };
  if (call.clientNumber !== undefined) s.clientNumber = call.clientNumber;
  if (call.did !== undefined) s.did = call.did;
  if (call.trunk !== undefined) s.trunk = call.trunk;
  if (call.callerExtension !== undefined) s.callerExtension = call.callerExtension;
  if (call.answeredAt !== undefined) s.answeredAt = call.answeredAt;
  if (call.endedAt !== undefined) s.endedAt = call.endedAt;
  if (call.queue !== undefined) s.queue = call.queue;
  if (call.b24CallId !== undefined) s.b24CallId = call.b24CallId;
  if (call.callback) s.callback = true;
  if (call.vote !== undefined) s.vote = call.vote;
  if (fromMobileOf !== undefined) s.fromMobileOf = fromMobileOf;
  if (ended) {
    const outcome = callOutcome(call);
    s.outcome = outcome;
    s.statusCode = outcome.statusCode;
  }
  return s as unknown as CallSummary;
}

/** Version of the call_full JSON schema; bump on any incompatible change. */
export const CALL_FULL_VERSION = 1;

/** Bitrix24 side of call_full, filled by the flow (the tracker does not know it). */
export interface CallFullCrm {
  readonly callId?: string;
  readonly entityType?: string;
  readonly entityId?: number;
  readonly activityId?: number;
  readonly responsibleId?: number;
  /** extension → Bitrix24 user id */
  readonly users?: Readonly<Record<string, number>>;
}

/**
 * call_full (customizations.md): the whole call as the connector knows it, versioned. Times are
 * epoch ms and also ISO strings (UTC) for hook authors.
 */
export function serializeCallFull(summary: CallSummary, asterisk: { linkedid: string; uniqueids: readonly string[] }, crm: CallFullCrm = {}): Record<string, unknown> {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    version: CALL_FULL_VERSION,
    call_key: summary.callKey,
    direction: summary.direction,
    client_number: summary.clientNumber ?? null,
    did: summary.did ?? null,
    trunk: summary.trunk ?? null,
    caller_extension: summary.callerExtension ?? null,
    queue: summary.queue ?? null,
    started_at: iso(summary.startedAt),
    answered_at: iso(summary.answeredAt),
    ended_at: iso(summary.endedAt),
    status_code: summary.statusCode ?? null,
    outcome: summary.outcome?.reason ?? null,
    vote: summary.vote ?? null,
    from_mobile_of: summary.fromMobileOf ?? null,
    recordings: summary.recordings,
    conversations: summary.conversations.map((c) => ({
      id: c.id,
      extension: c.extension,
      user_id: crm.users?.[c.extension] ?? null,
      stage: c.stage,
      via: c.via,
      queue: c.queue ?? null,
      channel: c.channel,
      requested_at: iso(c.requestedAt),
      accepted_at: iso(c.acceptedAt),
      ended_at: iso(c.endedAt),
      dial_status: c.dialStatus ?? null,
      end_reason: c.endReason ?? null,
      mobile: c.mobile ?? null,
    })),
    asterisk: { linkedid: asterisk.linkedid, uniqueids: asterisk.uniqueids },
    bitrix24: {
      call_id: crm.callId ?? summary.b24CallId ?? null,
      entity_type: crm.entityType ?? null,
      entity_id: crm.entityId ?? null,
      activity_id: crm.activityId ?? null,
      responsible_id: crm.responsibleId ?? null,
    },
  };
}
