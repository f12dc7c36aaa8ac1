/**
 * What AMI showed of a click-to-call's first leg before (and after) its OriginateResponse.
 *
 * Why: a failed OriginateResponse alone cannot tell a busy phone from an unknown endpoint (both
 * `Reason: 0`, lab22-d4 vs lab22-p), and whether a channel existed decides who finishes the
 * Bitrix24 call: when a channel carried the CALL_ID variable the call tracker has the call and the
 * CRM flow finishes it at call_ended; when none did, nobody else will.
 *
 * The leg is found by the `VarSet` of the CALL_ID variable (set by Originate on the first leg);
 * from then on the DialEnd statuses and the first Hangup cause of that Linkedid are kept. Only
 * CALL_IDs being watched are recorded, and at most `max` at once (oldest dropped).
 */
import { field, eventName, type AmiMessage } from '../adapters/ami/message.js';

export interface FirstLeg {
  /** A channel carrying the CALL_ID variable was seen. */
  readonly seen: boolean;
  readonly channel?: string | undefined;
  readonly linkedid?: string | undefined;
  /** The last non-ANSWER DialEnd status of that call (BUSY, CHANUNAVAIL …). */
  readonly dialStatus?: string | undefined;
  /** Cause of the first Hangup in that call. */
  readonly hangupCause?: number | undefined;
}

interface Leg {
  seen: boolean;
  channel?: string;
  linkedid?: string;
  dialStatus?: string;
  hangupCause?: number;
}

export class FirstLegWatcher {
  private readonly legs = new Map<string, Leg>();
  private readonly byLinkedid = new Map<string, string>();

  constructor(private readonly variable: string, private readonly max = 1000) {}

  get size(): number {
    return this.legs.size;
  }

  /** Starts recording for this CALL_ID (call before sending the Originate). */
  watch(callId: string): void {
    if (this.legs.has(callId)) return;
    if (this.legs.size >= this.max) {
      const oldest = this.legs.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    this.legs.set(callId, { seen: false });
  }

  /** Feed every AMI event (cheap for the ones it does not care about). */
  observe(msg: AmiMessage): void {
    const name = eventName(msg);
    if (name === 'VarSet') return this.onVarSet(msg);
    if (name !== 'DialEnd' && name !== 'Hangup') return;
    const linkedid = field(msg, 'Linkedid') ?? field(msg, 'DestLinkedid');
    const callId = linkedid === undefined ? undefined : this.byLinkedid.get(linkedid);
    const leg = callId === undefined ? undefined : this.legs.get(callId);
    if (!leg) return;
    if (name === 'DialEnd') {
      const status = field(msg, 'DialStatus');
      if (status && status !== 'ANSWER') leg.dialStatus = status;
    } else if (leg.hangupCause === undefined) {
      const cause = Number(field(msg, 'Cause'));
      if (Number.isInteger(cause)) leg.hangupCause = cause;
    }
  }

  /** What was seen so far; the CALL_ID stays watched until forget(). */
  peek(callId: string): FirstLeg {
    const leg = this.legs.get(callId);
    return leg ? { ...leg } : { seen: false };
  }

  forget(callId: string): void {
    const leg = this.legs.get(callId);
    if (leg?.linkedid !== undefined) this.byLinkedid.delete(leg.linkedid);
    this.legs.delete(callId);
  }

  private onVarSet(msg: AmiMessage): void {
    if (field(msg, 'Variable') !== this.variable) return;
    const value = field(msg, 'Value') ?? '';
    const leg = this.legs.get(value);
    if (!leg || leg.seen) return;
    leg.seen = true;
    const channel = field(msg, 'Channel');
    const linkedid = field(msg, 'Linkedid') ?? field(msg, 'Uniqueid');
    if (channel !== undefined) leg.channel = channel;
    if (linkedid !== undefined) {
      leg.linkedid = linkedid;
      this.byLinkedid.set(linkedid, value);
    }
  }
}
