/**
 * Recurring groups of events ("noise" included) that app_dial, the bridge core and chan_pjsip emit
 * the same way in every lab22 transcript. Flows call these so each group is written once.
 */
import { hash32, pseudoUuid, cdrTime, type CallBuilder, type Chan } from './builder.js';
import type { ChannelSnapshot } from './channel-block.js';

/** Variables Dial() clears on the caller when it starts, in wire order. */
export const DIAL_RESET_VARS = [
  'DIALSTATUS', 'DIALEDPEERNUMBER', 'DIALEDPEERNAME', 'ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME',
  'DIALEDTIME_MS', 'RINGTIME', 'RINGTIME_MS', 'PROGRESSTIME', 'PROGRESSTIME_MS',
] as const;

/** Dial() start: empty VarSets on the caller; `from`/`to` slice them when other events interleave. */
export function dialReset(b: CallBuilder, caller: ChannelSnapshot, from = 0, to: number = DIAL_RESET_VARS.length): void {
  for (const v of DIAL_RESET_VARS.slice(from, to)) b.varset(caller, v, '');
}

/** Queue() start: the subset app_queue clears. */
export function queueReset(b: CallBuilder, caller: ChannelSnapshot): void {
  for (const v of ['ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'QUEUEWAIT', 'QUEUEWAIT_MS']) b.varset(caller, v, '');
}

/** First ringing indication: RINGTIME (s) and RINGTIME_MS on the caller. */
export function ringTime(b: CallBuilder, caller: ChannelSnapshot, ms = 2): void {
  b.varset(caller, 'RINGTIME', String(Math.floor(ms / 1000)));
  b.varset(caller, 'RINGTIME_MS', String(ms));
}

/** Callee answered: DIALSTATUS, DIALEDPEERNAME, DIALEDPEERNUMBER on the caller. */
export function answerVars(b: CallBuilder, caller: ChannelSnapshot, callee: ChannelSnapshot, dialedNumber: string): void {
  b.varset(caller, 'DIALSTATUS', 'ANSWER');
  b.varset(caller, 'DIALEDPEERNAME', callee.name);
  b.varset(caller, 'DIALEDPEERNUMBER', dialedNumber);
}

/** Dial() returns after a bridged call: ANSWEREDTIME… on the caller (+ DIALSTATUS unless null). */
export function dialDoneVars(b: CallBuilder, caller: ChannelSnapshot, answeredMs: number, dialedMs: number, status: string | null = 'ANSWER'): void {
  b.varset(caller, 'ANSWEREDTIME', String(Math.floor(answeredMs / 1000)));
  b.varset(caller, 'ANSWEREDTIME_MS', String(answeredMs));
  b.varset(caller, 'DIALEDTIME', String(Math.floor(dialedMs / 1000)));
  b.varset(caller, 'DIALEDTIME_MS', String(dialedMs));
  if (status !== null) b.varset(caller, 'DIALSTATUS', status);
}

/** chan_pjsip's private call id: a UUID for our own trunk legs, `1-<n>@<ip>` for phones/SIPp. */
export function pvtCallId(ch: Chan): string {
  if (ch.device === 'trunk' || ch.device.startsWith('Local/')) return pseudoUuid(`${ch.uniqueid}/callid`);
  return `1-${1000 + (hash32(ch.uniqueid) % 9000)}@127.0.0.${2 + (hash32(ch.device) % 10)}`;
}

/** BRIDGEPEER + BRIDGEPVTCALLID on each channel of `order`, the whole group `times` times. */
export function bridgePeers(b: CallBuilder, order: readonly [Chan, Chan], times = 1, pairs?: readonly [Chan, Chan]): void {
  const [x, y] = order;
  const peerOf = (c: Chan): Chan => {
    if (pairs) return c === pairs[0] ? pairs[1] : pairs[0];
    return c === x ? y : x;
  };
  for (let i = 0; i < times; i++) {
    for (const c of [x, y]) {
      b.varset(c, 'BRIDGEPEER', peerOf(c).name);
      b.varset(c, 'BRIDGEPVTCALLID', pvtCallId(peerOf(c)));
    }
  }
}

/**
 * One channel's BRIDGEPEER/BRIDGEPVTCALLID set to `peer` (or cleared when peer is undefined).
 * A PJSIP channel bridged to a Local half gets no BRIDGEPVTCALLID (`callId` false; lab22-d2).
 */
export function bridgePeerOf(b: CallBuilder, ch: Chan, peer: Chan | undefined, callId = true): void {
  b.varset(ch, 'BRIDGEPEER', peer ? peer.name : '');
  if (callId) b.varset(ch, 'BRIDGEPVTCALLID', peer ? pvtCallId(peer) : '');
}

/** Leaving a bridge: both channels' BRIDGEPEER/BRIDGEPVTCALLID cleared, `first` first. */
export function bridgePeersClear(b: CallBuilder, first: Chan, second: Chan): void {
  bridgePeerOf(b, first, undefined);
  bridgePeerOf(b, second, undefined);
}

const QOS_KINDS = ['', 'JITTER', 'LOSS', 'RTT', 'MES'] as const;

function qosValue(kind: string, ch: Chan, durMs: number): string {
  const pk = Math.max(1, Math.round(durMs / 20));
  const ssrc = hash32(`${ch.uniqueid}/ssrc`);
  switch (kind) {
    case '': return `ssrc=${ssrc};themssrc=${hash32(`${ch.linkedid}/ssrc`)};lp=0;rxjitter=0.000000;rxcount=${pk};txjitter=0.000375;txcount=${pk};rlp=0;rtt=0.000000;rxmes=0.000000;txmes=88.087887`;
    case 'JITTER': return 'minrxjitter=000.000125;maxrxjitter=000.000750;avgrxjitter=000.000370;stdevrxjitter=000.000127;mintxjitter=000.000000;maxtxjitter=000.000000;avgtxjitter=000.000000;stdevtxjitter=000.000000;';
    case 'LOSS': return '  minrxlost=000.000000;  maxrxlost=000.000000;  avgrxlost=000.000000;  stdevrxlost=000.000000;  mintxlost=000.000000;  maxtxlost=000.000000;  avgtxlost=000.000000;  stdevtxlost=000.000000;';
    case 'RTT': return '     minrtt=000.000000;     maxrtt=000.000000;     avgrtt=000.000000;     stdevrtt=000.000000;';
    default: return '   minrxmes=088.087887;   maxrxmes=088.087887;   avgrxmes=088.087887;   stdevrxmes=000.000000;   mintxmes=000.000000;   maxtxmes=000.000000;   avgtxmes=000.000000;   stdevtxmes=000.000000;';
  }
}

/**
 * RTP statistics at the end of a channel's media: RTPAUDIOQOS, …JITTER, …LOSS, …RTT, …MES;
 * `from`/`to` slice them when other events interleave (as for dialReset).
 */
export function rtpQos(b: CallBuilder, ch: Chan, from = 0, to: number = QOS_KINDS.length): void {
  const dur = b.now - (ch.upAtMs ?? b.now);
  for (const k of QOS_KINDS.slice(from, to)) b.varset(ch, `RTPAUDIOQOS${k}`, qosValue(k, ch, dur));
}

/** A bridged channel's RTP ends: its QoS interleaved with the peer's `…BRIDGED` copies. */
export function rtpQosBridged(b: CallBuilder, ch: Chan, peer: Chan): void {
  const dur = b.now - (ch.upAtMs ?? b.now);
  for (const k of QOS_KINDS) {
    const v = qosValue(k, ch, dur);
    b.varset(ch, `RTPAUDIOQOS${k}`, v);
    b.varset(peer, `RTPAUDIOQOS${k}BRIDGED`, v);
  }
}

export interface CdrInit {
  source: string;
  destination: string;
  destinationContext: string;
  callerId: string;
  channel: string;
  destinationChannel: string;
  lastApplication: string;
  lastData: string;
  startMs: number;
  answerMs?: number;
  endMs: number;
  disposition: 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CONGESTION';
  uniqueid: string;
}

/** cdr_manager's `Cdr` event. */
export function cdr(b: CallBuilder, c: CdrInit): void {
  const dur = Math.floor((c.endMs - c.startMs) / 1000);
  const bill = c.answerMs === undefined ? 0 : Math.floor((c.endMs - c.answerMs) / 1000);
  b.emit('Cdr', 'cdr', [
    ['AccountCode', ''], ['Source', c.source], ['Destination', c.destination],
    ['DestinationContext', c.destinationContext], ['CallerID', c.callerId], ['Channel', c.channel],
    ['DestinationChannel', c.destinationChannel], ['LastApplication', c.lastApplication], ['LastData', c.lastData],
    ['StartTime', cdrTime(b.epochMs(c.startMs))],
    ['AnswerTime', c.answerMs === undefined ? '' : cdrTime(b.epochMs(c.answerMs))],
    ['EndTime', cdrTime(b.epochMs(c.endMs))], ['Duration', String(dur)], ['BillableSeconds', String(bill)],
    ['Disposition', c.disposition], ['AMAFlags', 'DOCUMENTATION'], ['UniqueID', c.uniqueid], ['UserField', ''],
  ]);
}

/** `"Name" <num>` as in Cdr CallerID. */
export function callerIdString(name: string, num: string): string {
  return name ? `"${name}" <${num}>` : `<${num}>`;
}
