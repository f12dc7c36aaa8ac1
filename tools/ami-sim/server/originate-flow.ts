/**
 * Originate outside the generator: the outcome event (OriginateResponse) and a small built-in
 * click-to-call flow used when no generator with `generateOriginate` is plugged in. The built-in
 * flow follows lab22-d1: first leg rung with Dest-only DialBegin/DialState/DialEnd, answered,
 * OriginateResponse, then the leg runs Dial() to the target, both are bridged, talk, hang up.
 */
import type { AmiFields, SimIds, TimedEvent } from '../scenario/types.js';
import type { OriginateOutcome, OriginateRequest } from './originate-request.js';
import { causeText, event } from './wire.js';

export interface DialFlowTiming {
  readonly ringMs: number;
  readonly talkMs: number;
}

export const DEFAULT_FLOW_TIMING: DialFlowTiming = { ringMs: 1500, talkMs: 4000 };

/** `"Alice" <101>` → { num, name } (Asterisk's ast_callerid_parse, simplified). */
export function parseCallerId(raw: string | undefined): { num: string; name: string } {
  if (!raw) return { num: '', name: '' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(raw);
  if (m) return { name: (m[1] ?? '').trim(), num: (m[2] ?? '').trim() };
  return /^[+\d*#]+$/.test(raw.trim()) ? { num: raw.trim(), name: '' } : { num: '', name: raw.trim() };
}

export function originateResponse(req: OriginateRequest, o: OriginateOutcome): AmiFields {
  const target: AmiFields = req.application !== undefined
    ? [['Application', req.application], ['Data', req.data ?? '']]
    : [['Context', req.context ?? ''], ['Exten', req.exten ?? '']];
  return event('OriginateResponse', 'call,all', [
    ...(req.actionId ? [['ActionID', req.actionId] as const] : []),
    ['Response', o.response], ['Channel', o.channel], ...target, ['Reason', String(o.reason)],
    ['Uniqueid', o.uniqueid], ['CallerIDNum', o.callerIdNum || '<unknown>'], ['CallerIDName', o.callerIdName || '<unknown>'],
  ]);
}

/** Failure without any channel (unknown endpoint): Reason 0, Uniqueid <unknown>. */
export function noChannelOutcome(req: OriginateRequest): OriginateOutcome {
  return { response: 'Failure', reason: 0, channel: req.channel, uniqueid: '<unknown>', callerIdNum: '', callerIdName: '' };
}

/** Reads the outcome back from an OriginateResponse event. */
export function outcomeOf(fields: AmiFields): OriginateOutcome {
  const get = (k: string): string => fields.find(([key]) => key === k)?.[1] ?? '';
  return {
    response: get('Response') === 'Success' ? 'Success' : 'Failure',
    reason: Number(get('Reason')) || 0,
    channel: get('Channel'),
    uniqueid: get('Uniqueid'),
    callerIdNum: get('CallerIDNum'),
    callerIdName: get('CallerIDName'),
  };
}

interface Leg {
  name: string;
  state: number;
  cidNum: string;
  cidName: string;
  connNum: string;
  connName: string;
  context: string;
  exten: string;
  priority: number;
  uniqueid: string;
  linkedid: string;
}

const DESC: Readonly<Record<number, string>> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' };
const unk = (v: string): string => (v.length > 0 ? v : '<unknown>');

function block(l: Leg, prefix = ''): AmiFields {
  return [
    [`${prefix}Channel`, l.name], [`${prefix}ChannelState`, String(l.state)], [`${prefix}ChannelStateDesc`, DESC[l.state] ?? 'Unknown'],
    [`${prefix}CallerIDNum`, unk(l.cidNum)], [`${prefix}CallerIDName`, unk(l.cidName)],
    [`${prefix}ConnectedLineNum`, unk(l.connNum)], [`${prefix}ConnectedLineName`, unk(l.connName)],
    [`${prefix}Language`, 'en'], [`${prefix}AccountCode`, ''], [`${prefix}Context`, l.context],
    [`${prefix}Exten`, l.exten], [`${prefix}Priority`, String(l.priority)], [`${prefix}Uniqueid`, l.uniqueid],
    [`${prefix}Linkedid`, l.linkedid],
  ];
}

function bridgeBlock(id: string, n: number): AmiFields {
  return [
    ['BridgeUniqueid', id], ['BridgeType', 'basic'], ['BridgeTechnology', 'simple_bridge'], ['BridgeCreator', '<unknown>'],
    ['BridgeName', '<unknown>'], ['BridgeNumChannels', String(n)], ['BridgeVideoSourceMode', 'none'],
  ];
}

/** Timeline helper: events at increasing times. */
class Timeline {
  readonly events: TimedEvent[] = [];
  constructor(public at: number) {}
  push(fields: AmiFields, stepMs = 0): void {
    this.at += stepMs;
    this.events.push({ atMs: this.at, fields });
  }
}

/** `caller` (already Up, in the dialplan) dials `destName` (e.g. `PJSIP/102`), it answers, talk, callee hangs up. */
export function dialAndTalk(
  ids: SimIds & { bridgeId?: () => string }, caller: Leg, destName: string, dialString: string, startMs: number, timing: DialFlowTiming,
): TimedEvent[] {
  const t = new Timeline(startMs);
  const dest: Leg = {
    name: `${destName}-${ids.channelSuffix()}`, state: 0, cidNum: caller.exten, cidName: '', connNum: caller.cidNum,
    connName: caller.cidName, context: caller.context, exten: 's', priority: 1, uniqueid: ids.uniqueid(), linkedid: caller.linkedid,
  };
  t.push(event('Newchannel', 'call,all', block(dest)));
  t.push(event('DialBegin', 'call,all', [...block(caller), ...block(dest, 'Dest'), ['DialString', dialString]]), 1);
  dest.state = 5;
  t.push(event('Newstate', 'call,all', block(dest)), 40);
  t.push(event('DialState', 'call,all', [...block(caller), ...block(dest, 'Dest'), ['DialStatus', 'RINGING']]), 1);
  dest.state = 6;
  t.push(event('Newstate', 'call,all', block(dest)), timing.ringMs);
  t.push(event('DialEnd', 'call,all', [...block(caller), ...block(dest, 'Dest'), ['DialStatus', 'ANSWER']]), 1);
  const bridge = ids.bridgeId ? ids.bridgeId() : `00000000-0000-4000-8000-${caller.uniqueid.replace(/\D/g, '').slice(-12).padStart(12, '0')}`;
  dest.exten = '';
  t.push(event('BridgeCreate', 'call,all', bridgeBlock(bridge, 0)), 1);
  t.push(event('BridgeEnter', 'call,all', [...bridgeBlock(bridge, 1), ...block(dest)]), 1);
  t.push(event('BridgeEnter', 'call,all', [...bridgeBlock(bridge, 2), ...block(caller)]), 1);
  t.push(event('HangupRequest', 'call,all', [...block(dest), ['Cause', '16']]), timing.talkMs);
  t.push(event('BridgeLeave', 'call,all', [...bridgeBlock(bridge, 1), ...block(dest)]), 1);
  t.push(event('SoftHangupRequest', 'call,all', [...block(caller), ['Cause', '16']]), 1);
  t.push(event('BridgeLeave', 'call,all', [...bridgeBlock(bridge, 0), ...block(caller)]), 1);
  t.push(event('BridgeDestroy', 'call,all', bridgeBlock(bridge, 0)), 1);
  t.push(event('Hangup', 'call,all', [...block(dest), ['Cause', '16'], ['Cause-txt', causeText(16)]]), 1);
  t.push(event('Hangup', 'call,all', [...block(caller), ['Cause', '16'], ['Cause-txt', causeText(16)]]), 1);
  return t.events;
}

/** Built-in click-to-call: first leg rings `ringMs`, answers, then dials exten (endpoint or trunk). */
export function builtinOriginate(
  req: OriginateRequest, ids: SimIds & { bridgeId?: () => string }, endpointContext: string, timing: DialFlowTiming = DEFAULT_FLOW_TIMING,
): TimedEvent[] {
  const cid = parseCallerId(req.callerId);
  const endpoint = req.resource.split('@')[0] ?? req.resource;
  const uid = req.channelId ?? ids.uniqueid();
  const leg: Leg = {
    name: `${req.tech}/${endpoint}-${ids.channelSuffix()}`, state: 0, cidNum: cid.num, cidName: cid.name, connNum: '', connName: '',
    context: endpointContext, exten: 's', priority: 1, uniqueid: uid, linkedid: uid,
  };
  const t = new Timeline(0);
  t.push(event('Newchannel', 'call,all', block(leg)));
  for (const [k, v] of req.variables) t.push(event('VarSet', 'dialplan,all', [...block(leg), ['Variable', k], ['Value', v]]));
  t.push(event('DialBegin', 'call,all', [...block(leg, 'Dest'), ['DialString', req.resource]]), 1);
  leg.state = 5;
  t.push(event('Newstate', 'call,all', block(leg)), 40);
  t.push(event('DialState', 'call,all', [...block(leg, 'Dest'), ['DialStatus', 'RINGING']]), 1);
  leg.state = 6;
  t.push(event('Newstate', 'call,all', block(leg)), timing.ringMs);
  t.push(event('DialEnd', 'call,all', [...block(leg, 'Dest'), ['DialStatus', 'ANSWER']]), 1);
  t.push(originateResponse(req, {
    response: 'Success', reason: 4, channel: leg.name, uniqueid: uid, callerIdNum: cid.num, callerIdName: cid.name,
  }), 1);
  if (req.application !== undefined || !req.exten) {
    t.push(event('Hangup', 'call,all', [...block(leg), ['Cause', '16'], ['Cause-txt', causeText(16)]]), timing.talkMs);
    return t.events;
  }
  leg.context = req.context ?? endpointContext;
  leg.exten = req.exten;
  leg.priority = Number(req.priority ?? '1') || 1;
  const external = /^0\d+/.test(req.exten);
  const destName = external ? 'PJSIP/trunk' : `PJSIP/${req.exten}`;
  const dialString = external ? `${req.exten.slice(1)}@trunk` : req.exten;
  t.push(event('Newexten', 'dialplan,all', [...block(leg), ['Extension', req.exten], ['Application', 'Dial'], ['AppData', `PJSIP/${dialString},30`]]), 1);
  return [...t.events, ...dialAndTalk(ids, leg, destName, dialString, t.at + 1, timing)];
}

export type { Leg };
