/**
 * What the simulated Asterisk knows about its live channels, learnt only from the events it emits
 * (so transcripts and generated calls are tracked the same way): snapshot block, variables,
 * dialplan application, bridge membership, pending dials. Feeds CoreShowChannels, Getvar, Status,
 * Hangup, Redirect and PJSIPShowEndpoints.
 */
import type { AmiFields } from '../scenario/types.js';

/** The 14 keys of a channel block (+ Tenantid when present), in wire order. */
export const CHANNEL_KEYS = [
  'Channel', 'ChannelState', 'ChannelStateDesc', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum',
  'ConnectedLineName', 'Language', 'AccountCode', 'Context', 'Exten', 'Priority', 'Uniqueid', 'Linkedid',
] as const;

export const BRIDGE_KEYS = [
  'BridgeUniqueid', 'BridgeType', 'BridgeTechnology', 'BridgeCreator', 'BridgeName', 'BridgeNumChannels',
  'BridgeVideoSourceMode',
] as const;

export interface LiveChannel {
  readonly uniqueid: string;
  /** Latest unprefixed channel block, wire order. */
  block: Array<[string, string]>;
  readonly vars: Map<string, string>;
  readonly createdMs: number;
  application: string;
  applicationData: string;
  /** BridgeUniqueid of the bridge it is in, '' when none. */
  bridgeId: string;
  /** The call (run) that created it; undefined for channels of unknown origin. */
  readonly runId: number | undefined;
}

export interface LiveBridge {
  readonly id: string;
  block: Array<[string, string]>;
  readonly members: Set<string>;
}

/** Value of `key` in a block (exact key, blocks are normalised to unprefixed spelling). */
export function blockValue(block: ReadonlyArray<readonly [string, string]>, key: string): string {
  for (const [k, v] of block) if (k === key) return v;
  return '';
}

export function channelName(ch: LiveChannel): string {
  return blockValue(ch.block, 'Channel');
}

type Index = Map<string, string>;

function indexOf(fields: AmiFields): Index {
  const idx: Index = new Map();
  for (const [k, v] of fields) {
    const lk = k.toLowerCase();
    if (!idx.has(lk)) idx.set(lk, v);
  }
  return idx;
}

/** Prefixes of the channel blocks in an event ('' for the main one, 'Dest', 'Transferee' …). */
function channelPrefixes(idx: Index): string[] {
  const out: string[] = [];
  for (const k of idx.keys()) {
    if (!k.endsWith('uniqueid')) continue;
    const p = k.slice(0, -'uniqueid'.length);
    if (idx.has(`${p}channel`) && idx.has(`${p}channelstate`)) out.push(p);
  }
  return out;
}

function readBlock(idx: Index, prefix: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of CHANNEL_KEYS) out.push([key, idx.get(`${prefix}${key.toLowerCase()}`) ?? '']);
  const tenant = idx.get(`${prefix}tenantid`);
  if (tenant !== undefined) out.push(['Tenantid', tenant]);
  return out;
}

function readBridge(idx: Index): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of BRIDGE_KEYS) out.push([key, idx.get(key.toLowerCase()) ?? '']);
  return out;
}

/** Records (CDR/CEL) mention channels after their Hangup; they never update live state. */
const RECORD_EVENTS = new Set(['cdr', 'cel']);

export class ChannelRegistry {
  private readonly channels = new Map<string, LiveChannel>();
  private readonly bridges = new Map<string, LiveBridge>();
  /** Dest uniqueid → caller uniqueid ('' when none) of dials that have no final DialEnd yet. */
  private readonly dials = new Map<string, string>();
  readonly globals = new Map<string, string>();

  observe(fields: AmiFields, runId: number | undefined, nowMs: number): void {
    const idx = indexOf(fields);
    const event = (idx.get('event') ?? '').toLowerCase();
    if (event.length === 0 || RECORD_EVENTS.has(event)) return;
    for (const p of channelPrefixes(idx)) this.updateChannel(idx, p, event === 'newchannel' && p === '', runId, nowMs);
    const uid = idx.get('uniqueid') ?? '';
    const ch = this.channels.get(uid);
    switch (event) {
      case 'newexten':
        if (ch) {
          ch.application = idx.get('application') ?? '';
          ch.applicationData = idx.get('appdata') ?? '';
        }
        break;
      case 'varset':
        this.setVar(idx, ch);
        break;
      case 'bridgecreate':
        this.bridgeCreate(idx);
        break;
      case 'bridgeenter':
      case 'bridgeleave':
        this.bridgeMove(idx, ch, event === 'bridgeenter');
        break;
      case 'bridgedestroy':
        this.bridges.delete(idx.get('bridgeuniqueid') ?? '');
        break;
      case 'dialbegin': {
        this.dials.set(idx.get('destuniqueid') ?? '', uid);
        // A dialled leg runs AppDial / AppQueue "(Outgoing Line)" (asterisk-ami.md, Newexten row):
        // that is what CoreShowChannels reports for it while it rings and talks.
        const dest = this.channels.get(idx.get('destuniqueid') ?? '');
        if (dest && dest.application === '') {
          dest.application = ch?.application === 'Queue' ? 'AppQueue' : 'AppDial';
          dest.applicationData = '(Outgoing Line)';
        }
        break;
      }
      case 'dialend':
        this.dials.delete(idx.get('destuniqueid') ?? '');
        break;
      case 'hangup':
        if (ch) this.remove(ch);
        break;
      default:
        break;
    }
  }

  private updateChannel(idx: Index, prefix: string, create: boolean, runId: number | undefined, nowMs: number): void {
    const uid = idx.get(`${prefix}uniqueid`) ?? '';
    const existing = this.channels.get(uid);
    const block = readBlock(idx, prefix);
    if (existing) {
      existing.block = block;
    } else if (create && uid.length > 0) {
      this.channels.set(uid, {
        uniqueid: uid, block, vars: new Map(), createdMs: nowMs, application: '', applicationData: '',
        bridgeId: '', runId,
      });
    }
  }

  private setVar(idx: Index, ch: LiveChannel | undefined): void {
    // Inheritance prefixes (`_X`, `__X`) are not part of the name (ast_var_name()).
    const name = (idx.get('variable') ?? '').replace(/^_{1,2}/, '');
    const value = idx.get('value') ?? '';
    if ((idx.get('channel') ?? '') === 'none') this.globals.set(name, value);
    else if (ch) ch.vars.set(name, value);
  }

  private bridgeCreate(idx: Index): void {
    const id = idx.get('bridgeuniqueid') ?? '';
    if (id.length > 0) this.bridges.set(id, { id, block: readBridge(idx), members: new Set() });
  }

  private bridgeMove(idx: Index, ch: LiveChannel | undefined, enter: boolean): void {
    const id = idx.get('bridgeuniqueid') ?? '';
    let br = this.bridges.get(id);
    if (!br && enter && id.length > 0) {
      br = { id, block: readBridge(idx), members: new Set() };
      this.bridges.set(id, br);
    }
    if (br) br.block = readBridge(idx);
    if (!ch) return;
    if (enter) {
      br?.members.add(ch.uniqueid);
      ch.bridgeId = id;
    } else {
      br?.members.delete(ch.uniqueid);
      if (ch.bridgeId === id) ch.bridgeId = '';
    }
  }

  private remove(ch: LiveChannel): void {
    this.channels.delete(ch.uniqueid);
    if (ch.bridgeId) this.bridges.get(ch.bridgeId)?.members.delete(ch.uniqueid);
    this.dials.delete(ch.uniqueid);
  }

  /** Live channels in creation order. */
  list(): LiveChannel[] {
    return [...this.channels.values()];
  }

  get size(): number {
    return this.channels.size;
  }

  byUniqueid(uid: string): LiveChannel | undefined {
    return this.channels.get(uid);
  }

  byName(name: string): LiveChannel | undefined {
    for (const ch of this.channels.values()) if (channelName(ch) === name) return ch;
    return undefined;
  }

  ofRun(runId: number): LiveChannel[] {
    return this.list().filter((c) => c.runId === runId);
  }

  bridge(id: string): LiveBridge | undefined {
    return this.bridges.get(id);
  }

  /** Caller uniqueid of the unfinished dial towards `destUid` ('' = originate), if any. */
  pendingDialTo(destUid: string): string | undefined {
    return this.dials.get(destUid);
  }

  /** Dest uniqueids of unfinished dials placed by `callerUid`. */
  pendingDialsFrom(callerUid: string): string[] {
    const out: string[] = [];
    for (const [dest, caller] of this.dials) if (caller === callerUid) out.push(dest);
    return out;
  }

  clear(): void {
    this.channels.clear();
    this.bridges.clear();
    this.dials.clear();
  }
}
