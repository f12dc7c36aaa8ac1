/**
 * An AMI Originate as the simulator understands it (parsed and validated by the action handler),
 * and its outcome (what OriginateResponse reports).
 */
export interface OriginateRequest {
  /** `PJSIP/101`, `Local/101@from-internal`, `PJSIP/0049301234@trunk`. */
  readonly channel: string;
  readonly tech: string;
  /** Part after the slash (`101`, `101@from-internal`). */
  readonly resource: string;
  readonly context?: string;
  readonly exten?: string;
  readonly priority?: string;
  readonly application?: string;
  readonly data?: string;
  readonly timeoutMs: number;
  /** Raw `CallerID` value (`"Name" <num>`), if given. */
  readonly callerId?: string;
  readonly variables: ReadonlyArray<readonly [string, string]>;
  readonly account?: string;
  readonly channelId?: string;
  readonly otherChannelId?: string;
  readonly async: boolean;
  readonly actionId?: string;
}

export interface OriginateOutcome {
  /** `Success` iff the first leg answered. */
  readonly response: 'Success' | 'Failure';
  /** 0 no channel, 1 hung up, 3 ringing at timeout, 4 answered, 5 busy, 8 congestion. */
  readonly reason: number;
  /** Created channel's name, or the requested `tech/data` when none was created. */
  readonly channel: string;
  readonly uniqueid: string;
  readonly callerIdNum: string;
  readonly callerIdName: string;
}
