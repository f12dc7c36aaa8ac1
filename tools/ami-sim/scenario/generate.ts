/**
 * Entry points: CallSpec / OriginateRequest → the timed AMI events a real Asterisk 22 (chan_pjsip)
 * emits. Pure and deterministic for a given SimIds sequence.
 */
import { CallBuilder } from './builder.js';
import { LAB_PBX, type PbxProfile } from './pbx.js';
import { addRtcpReports } from './rtcp.js';
import { validateCallSpec, validateOriginate, type CallSpec, type OriginateRequest } from './spec.js';
import type { SimIds, TimedEvent } from './types.js';
import { inboundFlow } from './flows/inbound.js';
import { internalFlow } from './flows/internal.js';
import { outboundFlow } from './flows/outbound.js';
import { originateFlow } from './flows/originate.js';
import { queueFlow } from './flows/queue.js';
import { ivrAbandonFlow } from './flows/ivr.js';
import { blindTransferFlow } from './flows/blind-transfer.js';
import { attendedTransferFlow } from './flows/attended-transfer.js';
import { followmeFlow } from './flows/followme.js';
import { ringGroupFlow } from './flows/ring-group.js';
import { pickupFlow } from './flows/pickup.js';
import { parkFlow } from './flows/park.js';
import { forwardToMobileFlow } from './flows/forward-to-mobile.js';
import { ringWithMobileFlow } from './flows/ring-with-mobile.js';
import { ratingFlow } from './flows/rating.js';

export interface GenerateOptions {
  /** PBX configuration the events reflect (default: the lab setup of SCENARIOS.md). */
  readonly pbx?: PbxProfile;
  /** Add periodic `RTCPSent` reports for PJSIP channels with media (default true). */
  readonly rtcp?: boolean;
  readonly rtcpIntervalMs?: number;
}

function finish(b: CallBuilder, options: GenerateOptions): TimedEvent[] {
  if (options.rtcp === false) return b.events;
  return addRtcpReports(b.events, b.channels, options.rtcpIntervalMs ?? 5000);
}

/** Events of one call described by `spec`; throws SIM_SPEC_INVALID for a bad spec. */
export function generateCall(spec: CallSpec, ids: SimIds, options: GenerateOptions = {}): TimedEvent[] {
  const s = validateCallSpec(spec);
  const b = new CallBuilder(ids, options.pbx ?? LAB_PBX);
  switch (s.type) {
    case 'inbound':
      if (s.rating !== undefined) ratingFlow(b, s, s.rating);
      else inboundFlow(b, s);
      break;
    case 'internal': internalFlow(b, s); break;
    case 'outbound': outboundFlow(b, s); break;
    case 'queue': queueFlow(b, s); break;
    case 'ivr-abandon': ivrAbandonFlow(b, s); break;
    case 'blind-transfer': blindTransferFlow(b, s); break;
    case 'attended-transfer': attendedTransferFlow(b, s); break;
    case 'followme': followmeFlow(b, s); break;
    case 'ring-group': ringGroupFlow(b, s); break;
    case 'pickup': pickupFlow(b, s); break;
    case 'park': parkFlow(b, s); break;
    case 'ring-with-mobile': ringWithMobileFlow(b, s); break;
    case 'forward-to-mobile': forwardToMobileFlow(b, s); break;
  }
  return finish(b, options);
}

/**
 * Events following an AMI `Originate` (Async) — the server sends `Response: Success / Originate
 * successfully queued` itself, before these. Ends with (or, when answered, contains) the
 * `OriginateResponse` carrying `req.actionId`.
 */
export function generateOriginate(req: OriginateRequest, ids: SimIds, options: GenerateOptions = {}): TimedEvent[] {
  const r = validateOriginate(req);
  const b = new CallBuilder(ids, options.pbx ?? LAB_PBX);
  originateFlow(b, r);
  return finish(b, options);
}
