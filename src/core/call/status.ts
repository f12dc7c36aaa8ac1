/**
 * The dial/hangup outcome of a call, as a Bitrix24 `STATUS_CODE` (telephony.externalcall.finish).
 * Precedence (first match wins), documented in docs/call-model.md:
 *  1. some conversation was accepted, or the call was
 *     forwarded outside and answered there                → 200 answered
 *  2. rejected: cause 21 (Call Rejected)                   → 603
 *  3. busy: DialStatus BUSY or Hangup cause 17             → 486
 *  4. unavailable: DialStatus CHANUNAVAIL / CONGESTION, or
 *     cause 1, 3, 20, 27, 34, 38, 41, 42, 44 (no route,
 *     unregistered, out of order, congestion)              → 480 (cause 1 unallocated → 404)
 *  5. everything else (NOANSWER, CANCEL, queue / IVR
 *     abandon, causes 0, 16, 18, 19, 26, 127)              → 304 missed
 * The dial status of the last failed attempt outranks the client's hangup cause: a caller who hangs
 * up after a BUSY still had a busy call.
 */

export type OutcomeReason = 'answered' | 'busy' | 'rejected' | 'unavailable' | 'invalid_number' | 'no_answer' | 'cancelled' | 'abandoned';

export interface CallOutcome {
  readonly reason: OutcomeReason;
  /** Bitrix24 STATUS_CODE, always a string. */
  readonly statusCode: '200' | '304' | '404' | '480' | '486' | '603';
}

/** The minimal facts the outcome depends on (CallRec satisfies it). */
export interface OutcomeFacts {
  readonly conversations: readonly { readonly acceptedAt: number | undefined; readonly dialStatus: string | undefined }[];
  readonly dialStatus: string | undefined;
  readonly hangupCause: number | undefined;
  readonly abandoned: boolean;
  /** Answered through a trunk (forwarded to an outside number) rather than by an extension. */
  readonly answeredOutside?: boolean;
}

const UNAVAILABLE_CAUSES = new Set([3, 20, 27, 34, 38, 41, 42, 44]);

export function callOutcome(f: OutcomeFacts): CallOutcome {
  if (f.answeredOutside || f.conversations.some((c) => c.acceptedAt !== undefined)) return { reason: 'answered', statusCode: '200' };
  const ds = f.dialStatus;
  const cause = f.hangupCause;
  if (cause === 21) return { reason: 'rejected', statusCode: '603' };
  if (ds === 'BUSY' || cause === 17) return { reason: 'busy', statusCode: '486' };
  if (cause === 1) return { reason: 'invalid_number', statusCode: '404' };
  if (ds === 'CHANUNAVAIL' || ds === 'CONGESTION' || (cause !== undefined && UNAVAILABLE_CAUSES.has(cause))) {
    return { reason: 'unavailable', statusCode: '480' };
  }
  if (f.abandoned) return { reason: 'abandoned', statusCode: '304' };
  if (ds === 'CANCEL') return { reason: 'cancelled', statusCode: '304' };
  return { reason: 'no_answer', statusCode: '304' };
}

/** Dial status implied by a hangup cause, for a leg that ended without a DialEnd (originate). */
export function dialStatusFromCause(cause: number | undefined): string {
  switch (cause) {
    case 17: return 'BUSY';
    case 21: return 'BUSY';
    case 1: case 3: case 20: case 27: case 34: case 38: case 41: case 42: case 44: return 'CHANUNAVAIL';
    default: return 'NOANSWER';
  }
}
