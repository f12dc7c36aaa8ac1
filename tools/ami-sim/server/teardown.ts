/**
 * Events the simulator synthesises when an AMI action changes a call it is playing: Hangup ends
 * the whole call the channel belongs to, Redirect pulls the channel out of its bridge/dial and
 * drops it into the dialplan elsewhere. Built from the live state (latest channel blocks), in the
 * order Asterisk 22 raised them in lab22-p_actions_events.txt.
 */
import type { AmiFields } from '../scenario/types.js';
import type { ChannelRegistry, LiveChannel } from './channel-registry.js';
import { blockValue } from './channel-registry.js';
import { causeText, event } from './wire.js';

type Block = AmiFields;

function prefixed(block: Block, prefix: string): AmiFields {
  return block.map(([k, v]) => [`${prefix}${k}`, v] as const);
}

function withBlock(block: Block, replace: Readonly<Record<string, string>>): Array<[string, string]> {
  return block.map(([k, v]): [string, string] => [k, replace[k] ?? v]);
}

/** Tracks bridge head-counts while several channels leave in one synthesised sequence. */
class BridgeExits {
  private readonly left = new Map<string, number>();
  constructor(private readonly reg: ChannelRegistry) {}

  leave(ch: LiveChannel, out: AmiFields[]): void {
    const br = ch.bridgeId ? this.reg.bridge(ch.bridgeId) : undefined;
    if (!br) return;
    const n = (this.left.get(br.id) ?? br.members.size) - 1;
    this.left.set(br.id, n);
    const bblock = withBlock(br.block, { BridgeNumChannels: String(Math.max(0, n)) });
    out.push(event('BridgeLeave', 'call,all', [...bblock, ...ch.block]));
    if (n <= 0) out.push(event('BridgeDestroy', 'call,all', bblock));
  }
}

function dialEnd(reg: ChannelRegistry, callerUid: string, dest: LiveChannel, status: string): AmiFields | undefined {
  const caller = callerUid ? reg.byUniqueid(callerUid) : undefined;
  if (callerUid && !caller) return undefined;
  // An originated first leg has no caller block (and Asterisk sends no DialEnd for it unanswered).
  if (!caller) return undefined;
  return event('DialEnd', 'call,all', [...caller.block, ...prefixed(dest.block, 'Dest'), ['DialStatus', status]]);
}

function hangupEvent(ch: LiveChannel, cause: number): AmiFields {
  return event('Hangup', 'call,all', [...ch.block, ['Cause', String(cause)], ['Cause-txt', causeText(cause)]]);
}

/** AMI Hangup on `target`: the target and every other live channel of its call end. */
export function hangupSequence(reg: ChannelRegistry, target: LiveChannel, cause: number): AmiFields[] {
  const out: AmiFields[] = [];
  const exits = new BridgeExits(reg);
  const others = (target.runId === undefined ? [] : reg.ofRun(target.runId)).filter((c) => c.uniqueid !== target.uniqueid);
  exits.leave(target, out);
  out.push(event('SoftHangupRequest', 'call,all', [...target.block, ['Cause', String(cause)]]));
  for (const dest of reg.pendingDialsFrom(target.uniqueid)) {
    const d = reg.byUniqueid(dest);
    const ev = d && dialEnd(reg, target.uniqueid, d, 'CANCEL');
    if (ev) out.push(ev);
  }
  const callerOfTarget = reg.pendingDialTo(target.uniqueid);
  if (callerOfTarget) {
    const ev = dialEnd(reg, callerOfTarget, target, 'NOANSWER');
    if (ev) out.push(ev);
  }
  for (const o of others) {
    for (const dest of reg.pendingDialsFrom(o.uniqueid)) {
      const d = reg.byUniqueid(dest);
      const ev = d && d.uniqueid !== target.uniqueid ? dialEnd(reg, o.uniqueid, d, 'CANCEL') : undefined;
      if (ev) out.push(ev);
    }
    exits.leave(o, out);
  }
  out.push(hangupEvent(target, cause));
  for (const o of others) {
    const up = blockValue(o.block, 'ChannelState') === '6';
    out.push(hangupEvent(o, up ? 16 : cause));
  }
  return out;
}

/**
 * AMI Redirect of `target` to exten@context,priority: it leaves its bridge (its bridge partners,
 * left alone, are hung up with cause 16) or its pending dials are cancelled (dialled legs hang up),
 * then it starts executing at the new place (one Newexten).
 */
export function redirectSequence(
  reg: ChannelRegistry, target: LiveChannel, context: string, exten: string, priority: string,
): { events: AmiFields[]; moved: Block } {
  const out: AmiFields[] = [];
  const exits = new BridgeExits(reg);
  const moved = withBlock(target.block, { Context: context, Exten: exten, Priority: priority });
  const partners = target.bridgeId
    ? [...(reg.bridge(target.bridgeId)?.members ?? [])].filter((u) => u !== target.uniqueid)
    : [];
  exits.leave({ ...target, block: moved }, out);
  for (const uid of partners) {
    const p = reg.byUniqueid(uid);
    if (!p) continue;
    exits.leave(p, out);
    out.push(hangupEvent(p, 16));
  }
  for (const dest of reg.pendingDialsFrom(target.uniqueid)) {
    const d = reg.byUniqueid(dest);
    if (!d) continue;
    const ev = dialEnd(reg, target.uniqueid, d, 'CANCEL');
    if (ev) out.push(ev);
    out.push(hangupEvent(d, 0));
  }
  out.push(event('Newexten', 'dialplan,all', [...moved, ['Extension', exten], ['Application', 'NoOp'], ['AppData', `Redirected to ${exten}@${context}`]]));
  return { events: out, moved };
}
