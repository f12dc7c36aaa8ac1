/** Builders for synthetic AMI events in tracker unit tests (the real wire shapes, fewer fields). */
import { makeMessage, type AmiMessage } from '../../src/adapters/ami/message.js';
import { applyAmiEvent, createTrackerState, type TrackerState } from '../../src/core/call/tracker.js';
import { trackerConfig, type TrackerConfigInput } from '../../src/core/call/classify.js';
import type { StageChange } from '../../src/core/call/model.js';

export interface Chan {
  name: string;
  uid: string;
  linked: string;
  context?: string;
  exten?: string;
  cid?: string;
  state?: string;
}

function block(prefix: string, c: Chan): [string, string][] {
  return [
    [`${prefix}Channel`, c.name],
    [`${prefix}ChannelStateDesc`, c.state ?? 'Up'],
    [`${prefix}CallerIDNum`, c.cid ?? '<unknown>'],
    [`${prefix}Context`, c.context ?? 'from-internal'],
    [`${prefix}Exten`, c.exten ?? 's'],
    [`${prefix}Uniqueid`, c.uid],
    [`${prefix}Linkedid`, c.linked],
  ];
}

export function ev(event: string, opts: { ch?: Chan; dest?: Chan; blocks?: Record<string, Chan>; extra?: Record<string, string> } = {}): AmiMessage {
  const fields: [string, string][] = [['Event', event]];
  if (opts.ch) fields.push(...block('', opts.ch));
  if (opts.dest) fields.push(...block('Dest', opts.dest));
  for (const [prefix, c] of Object.entries(opts.blocks ?? {})) fields.push(...block(prefix, c));
  for (const [k, v] of Object.entries(opts.extra ?? {})) fields.push([k, v]);
  return makeMessage(fields);
}

/** Feeds events with a 1 s clock and collects `callKey stage extension` strings. */
export class Harness {
  readonly state: TrackerState;
  readonly changes: StageChange[] = [];
  private t = 1_000_000;

  constructor(cfg: TrackerConfigInput = {}) {
    this.state = createTrackerState(trackerConfig(cfg));
  }

  feed(...events: AmiMessage[]): this {
    for (const e of events) {
      this.t += 1000;
      const { state, changes } = applyAmiEvent(this.state, e, this.t);
      assertSame(state, this.state);
      this.changes.push(...changes);
    }
    return this;
  }

  lines(): string[] {
    return this.changes.map((c) => `${c.callKey} ${c.stage}${c.conversation ? ` ${c.conversation.extension}` : ''}`);
  }

  last(): StageChange {
    const c = this.changes[this.changes.length - 1];
    if (!c) throw new Error('no changes');
    return c;
  }
}

function assertSame(a: unknown, b: unknown): void {
  if (a !== b) throw new Error('applyAmiEvent returned another state object');
}

/** Shorthands for the events of one channel. */
export const newchannel = (c: Chan): AmiMessage => ev('Newchannel', { ch: c });
export const hangup = (c: Chan, cause = '16'): AmiMessage => ev('Hangup', { ch: c, extra: { Cause: cause } });
export const dialBegin = (caller: Chan | undefined, dest: Chan, dialString = ''): AmiMessage =>
  ev('DialBegin', { ...(caller ? { ch: caller } : {}), dest, extra: { DialString: dialString } });
export const dialEnd = (caller: Chan | undefined, dest: Chan, status: string): AmiMessage =>
  ev('DialEnd', { ...(caller ? { ch: caller } : {}), dest, extra: { DialStatus: status } });
export const bridgeEnter = (c: Chan, bridge: string, swap?: string): AmiMessage =>
  ev('BridgeEnter', { ch: c, extra: { BridgeUniqueid: bridge, ...(swap ? { SwapUniqueid: swap } : {}) } });
export const bridgeLeave = (c: Chan, bridge: string): AmiMessage => ev('BridgeLeave', { ch: c, extra: { BridgeUniqueid: bridge } });
