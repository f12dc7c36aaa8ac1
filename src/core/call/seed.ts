/**
 * Rebuilding the tracker after a restart or an AMI reconnect from `CoreShowChannels`: the channels
 * alive right now become synthetic events, applied before the live stream goes on, so a call that
 * began while the connector was away is still tracked (and registered) from here on.
 *
 * For the channels the tracker does not know yet:
 * 1. `Newchannel` for each, oldest first (the oldest channel of a Linkedid creates the call);
 * 2. `DialBegin` from the dialling channel (application Dial / Queue / …, or the call's first
 *    channel) to each channel created by a dial (`AppDial` / `AppQueue`, the "(Outgoing Line)");
 * 3. `BridgeEnter` for each channel in a bridge (two channels of one bridge: answered).
 * Pure: the caller passes what CoreShowChannels returned; times come in as data.
 */
import type { AmiEventView } from './tracker-state.js';
import { parseChannelName } from './classify.js';

export interface LiveChannel {
  readonly channel: string;
  readonly state: number | undefined;
  readonly stateDesc: string;
  readonly callerIdNum: string | undefined;
  readonly callerIdName: string | undefined;
  readonly connectedLineNum: string | undefined;
  readonly connectedLineName: string | undefined;
  readonly context: string;
  readonly exten: string;
  readonly priority: number | undefined;
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly application: string;
  readonly applicationData: string;
  readonly bridgeId: string;
}

const DIALLED_APPS = new Set(['appdial', 'appdial2', 'appqueue']);

function block(prefix: string, c: LiveChannel): Array<[string, string]> {
  const p = prefix.toLowerCase();
  return [
    [`${p}channel`, c.channel],
    [`${p}channelstate`, String(c.state ?? '')],
    [`${p}channelstatedesc`, c.stateDesc],
    [`${p}calleridnum`, c.callerIdNum ?? ''],
    [`${p}calleridname`, c.callerIdName ?? ''],
    [`${p}connectedlinenum`, c.connectedLineNum ?? ''],
    [`${p}connectedlinename`, c.connectedLineName ?? ''],
    [`${p}context`, c.context],
    [`${p}exten`, c.exten],
    [`${p}priority`, String(c.priority ?? 1)],
    [`${p}uniqueid`, c.uniqueid],
    [`${p}linkedid`, c.linkedid],
  ];
}

function event(name: string, fields: Array<[string, string]>): AmiEventView {
  return { index: new Map<string, string>([['event', name], ...fields]) };
}

/**
 * The Dial target that made `callee`, from the dialling channel's ApplicationData
 * (`PJSIP/101&PJSIP/79161234567@trunk,20` → `79161234567@trunk` for `PJSIP/trunk-…`), as the real
 * DialBegin's DialString would give it: the number a trunk leg dialled (outgoing calls, FMC). Only
 * when exactly one target names the callee's endpoint.
 */
function dialTarget(applicationData: string | undefined, callee: LiveChannel): string | undefined {
  if (!applicationData) return undefined;
  const endpoint = parseChannelName(callee.channel).endpoint;
  const matches = (applicationData.split(',')[0] ?? '').split('&').map((t) => t.slice(t.indexOf('/') + 1)).filter((rest) => {
    // PJSIP: `<number>@<endpoint>` or `<endpoint>/<uri>`; SIP/IAX2: `<peer>/<number>` or `<peer>`.
    const slash = rest.indexOf('/');
    const at = rest.indexOf('@');
    return (slash >= 0 && (at < 0 || slash < at) ? rest.slice(0, slash) : at >= 0 ? rest.slice(at + 1) : rest) === endpoint;
  });
  return matches.length === 1 ? matches[0] : undefined;
}

function seq(uid: string): number {
  const dot = uid.lastIndexOf('.');
  return Number(uid.slice(dot + 1)) + Number(uid.slice(0, dot)) * 1e6;
}

/** Synthetic events that describe `channels` the tracker does not `know` yet, in applying order. */
export function seedEvents(channels: readonly LiveChannel[], known: (uniqueid: string) => boolean): AmiEventView[] {
  const fresh = channels.filter((c) => c.uniqueid && !known(c.uniqueid)).sort((a, b) => seq(a.uniqueid) - seq(b.uniqueid));
  if (fresh.length === 0) return [];
  const out: AmiEventView[] = fresh.map((c) => event('Newchannel', block('', c)));
  const byCall = new Map<string, LiveChannel[]>();
  for (const c of channels) {
    const list = byCall.get(c.linkedid) ?? [];
    list.push(c);
    byCall.set(c.linkedid, list);
  }
  for (const callee of fresh) {
    if (!DIALLED_APPS.has(callee.application.toLowerCase())) continue;
    const peers = (byCall.get(callee.linkedid) ?? []).filter((c) => c.uniqueid !== callee.uniqueid && !DIALLED_APPS.has(c.application.toLowerCase()));
    const caller = peers.find((c) => /^(dial|queue|followme|originate)$/i.test(c.application))
      ?? peers.find((c) => c.uniqueid === callee.linkedid) ?? peers[0];
    const fields = [...block('dest', callee), ['dialstring', dialTarget(caller?.applicationData, callee) ?? callee.exten] as [string, string]];
    out.push(event('DialBegin', caller ? [...block('', caller), ...fields] : fields));
  }
  for (const c of fresh) {
    if (!c.bridgeId) continue;
    out.push(event('BridgeEnter', [...block('', c), ['bridgeuniqueid', c.bridgeId], ['bridgetype', 'basic'], ['bridgetechnology', 'simple_bridge']]));
  }
  return out;
}
