/**
 * The channel snapshot block (14 keys, fixed order) and the bridge block that Asterisk embeds in
 * events, with optional key prefixes (`Dest`, `Transferer`, `LocalOne`, …). One helper for all, so
 * every generated event has exactly the wire layout of a real Asterisk 22.
 */
import type { AmiFields } from './types.js';

/** ChannelState numbers used by the generator. */
export const STATE = { down: 0, ring: 4, ringing: 5, up: 6, busy: 7 } as const;
export type ChannelStateNum = (typeof STATE)[keyof typeof STATE];

const STATE_DESC: Readonly<Record<number, string>> = {
  0: 'Down', 1: 'Rsrvd', 2: 'OffHook', 3: 'Dialing', 4: 'Ring', 5: 'Ringing', 6: 'Up', 7: 'Busy',
  8: 'Dialing Offhook', 9: 'Pre-ring', 10: 'Unknown',
};

export function stateDesc(state: number): string {
  return STATE_DESC[state] ?? 'Unknown';
}

/** A channel's state as seen in one event (a snapshot: flows copy it when values must differ). */
export interface ChannelSnapshot {
  name: string;
  state: number;
  cidNum: string;
  cidName: string;
  connNum: string;
  connName: string;
  language: string;
  accountCode: string;
  context: string;
  exten: string;
  priority: number;
  uniqueid: string;
  linkedid: string;
}

export interface BridgeSnapshot {
  id: string;
  type: string;
  technology: string;
  creator: string;
  name: string;
  numChannels: number;
  videoSourceMode: string;
}

const UNKNOWN = '<unknown>';

function orUnknown(v: string): string {
  return v.length === 0 ? UNKNOWN : v;
}

/** `Channel … Linkedid` (14 keys) with `prefix` on every key. */
export function channelBlock(ch: ChannelSnapshot, prefix = ''): AmiFields {
  return [
    [`${prefix}Channel`, ch.name],
    [`${prefix}ChannelState`, String(ch.state)],
    [`${prefix}ChannelStateDesc`, stateDesc(ch.state)],
    [`${prefix}CallerIDNum`, orUnknown(ch.cidNum)],
    [`${prefix}CallerIDName`, orUnknown(ch.cidName)],
    [`${prefix}ConnectedLineNum`, orUnknown(ch.connNum)],
    [`${prefix}ConnectedLineName`, orUnknown(ch.connName)],
    [`${prefix}Language`, ch.language],
    [`${prefix}AccountCode`, ch.accountCode],
    [`${prefix}Context`, ch.context],
    [`${prefix}Exten`, ch.exten],
    [`${prefix}Priority`, String(ch.priority)],
    [`${prefix}Uniqueid`, ch.uniqueid],
    [`${prefix}Linkedid`, ch.linkedid],
  ];
}

/** `BridgeUniqueid … BridgeVideoSourceMode` (7 keys) with `prefix` on every key. */
export function bridgeBlock(br: BridgeSnapshot, prefix = ''): AmiFields {
  return [
    [`${prefix}BridgeUniqueid`, br.id],
    [`${prefix}BridgeType`, br.type],
    [`${prefix}BridgeTechnology`, br.technology],
    [`${prefix}BridgeCreator`, br.creator],
    [`${prefix}BridgeName`, br.name],
    [`${prefix}BridgeNumChannels`, String(br.numChannels)],
    [`${prefix}BridgeVideoSourceMode`, br.videoSourceMode],
  ];
}

/** A copy of a snapshot with some values changed (for an event that saw the channel differently). */
export function snapshotOf(ch: ChannelSnapshot, overrides: Partial<ChannelSnapshot> = {}): ChannelSnapshot {
  return { ...ch, ...overrides };
}
