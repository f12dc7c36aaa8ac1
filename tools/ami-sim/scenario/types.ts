/**
 * Contract between the simulator's call generator (tools/ami-sim/scenario/) and its server
 * (tools/ami-sim/server/…). The generator is pure: a scenario description in, timed AMI events out.
 */

/** AMI fields in wire order; events start with ['Event', name], then ['Privilege', …]. */
export type AmiFields = Array<readonly [string, string]>;

export interface TimedEvent {
  /** Milliseconds from the start of the generated call (before the time scale is applied). */
  readonly atMs: number;
  readonly fields: AmiFields;
}

/**
 * Allocates ids the way one Asterisk instance does, shared by every call the server plays so that
 * concurrent calls never collide: Uniqueid `<epoch>.<sequence>`, channel suffixes `-0000001a`
 * (8 hex digits, one counter per server).
 */
export interface SimIds {
  /** Next Uniqueid, e.g. `1795322993.66` (epoch seconds of the server start + a global sequence). */
  uniqueid(): string;
  /** Next channel suffix without the dash, e.g. `0000001a`. */
  channelSuffix(): string;
  /** Current wall-clock epoch seconds (for Uniqueid-like values inside generated fields). */
  nowEpoch(): number;
}

/** How a ringing extension behaves when the simulator is asked to ring it. */
export type PhoneBehaviour =
  | { readonly kind: 'answer'; readonly afterMs: number; readonly talkMs: number }
  | { readonly kind: 'noanswer' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'reject' };
