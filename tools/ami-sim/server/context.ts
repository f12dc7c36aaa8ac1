/**
 * What action handlers see of the simulator and of the session that sent the action.
 */
import type { AmiMessage } from '../../../src/adapters/ami/message.js';
import type { AmiFields } from '../scenario/types.js';
import type { ChannelRegistry, LiveChannel } from './channel-registry.js';
import type { PbxConfig } from './pbx-config.js';
import type { OriginateRequest, OriginateOutcome } from './originate-request.js';

export interface SimContext {
  readonly config: PbxConfig;
  readonly username: string;
  readonly secret: string;
  /** The user's `read=` classes: every session's event mask is intersected with it. */
  readonly readMask: number;
  readonly authFailDelayMs: number;
  readonly registry: ChannelRegistry;
  /** Wall clock, ms. */
  now(): number;
  /** Wall-clock ms when the simulator started (Uptime, LastReload). */
  readonly startedMs: number;
  /** Broadcasts an event to every logged-in session (and updates the channel registry). */
  emit(fields: AmiFields): void;
  /** AMI Hangup: ends the channel's call now (see README "Hangup"). */
  hangupChannel(ch: LiveChannel, cause: number): void;
  /** AMI Redirect: moves the channel to exten@context,priority (see README "Redirect"). */
  redirectChannel(ch: LiveChannel, context: string, exten: string, priority: string): void;
  /** AMI Originate: starts the call flow; `onOutcome` runs when the first leg's fate is known. */
  originate(req: OriginateRequest, onOutcome: (o: OriginateOutcome) => void): void;
  /** Calls started since the simulator started (`core show channels`). */
  callsProcessed(): number;
  /** Counts one action (stats). */
  countAction(name: string): void;
}

export interface SessionApi {
  readonly authenticated: boolean;
  /** MD5 challenge issued on this session, if any. */
  challenge: string | undefined;
  eventMask: number;
  /** Marks the session logged in (after the response was written). */
  markAuthenticated(): void;
  write(fields: AmiFields): void;
  /** Stops reading; closes after `delayMs` having written `last` (login failure, Logoff). */
  closeAfter(delayMs: number, last?: AmiFields): void;
  readonly remote: string;
  readonly local: string;
  readonly id: number;
}

export interface ActionCtx {
  readonly sim: SimContext;
  readonly session: SessionApi;
  readonly action: AmiMessage;
  reply(fields: AmiFields): void;
}

export type ActionHandler = (ctx: ActionCtx) => void;

export type { LiveChannel };
