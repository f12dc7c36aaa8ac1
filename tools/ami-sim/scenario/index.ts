/**
 * AMI simulator call generator: compact call descriptions in, the timed AMI events of a real
 * Asterisk 22 (chan_pjsip) out. Pure and deterministic for a given SimIds. See README.md.
 */
export { generateCall, generateOriginate, type GenerateOptions } from './generate.js';
export {
  validateCallSpec, validateOriginate, memberExten, originateTarget, parseCallerId,
  type CallSpec, type CallType, type DialOutcome, type InboundSpec, type OutboundSpec, type InternalSpec,
  type QueueSpec, type BlindTransferSpec, type AttendedTransferSpec, type IvrAbandonSpec, type FollowmeSpec,
  type OriginateRequest,
} from './spec.js';
export { LAB_PBX, type PbxProfile, type QueueMembership } from './pbx.js';
export { channelBlock, bridgeBlock, stateDesc, STATE, type ChannelSnapshot, type BridgeSnapshot } from './channel-block.js';
export { createSimIds, type SimIdsOptions } from './sim-ids.js';
export type { AmiFields, TimedEvent, SimIds, PhoneBehaviour } from './types.js';
