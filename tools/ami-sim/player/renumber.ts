/**
 * Gives one playback of a transcript fresh identities: every Uniqueid/Linkedid-like value, channel
 * suffix (`PJSIP/101-00000037` → `PJSIP/101-0000012c`, both halves of a Local pair alike) and
 * BridgeUniqueid is mapped to a newly allocated one, consistently inside the run, and the same
 * old id is also replaced where it appears inside other values (BRIDGEPEER, MIXMONITOR_FILENAME…).
 * Ids are allocated when first seen, i.e. at emission time, as Asterisk allocates them.
 * Everything else stays byte-identical.
 */
import type { AmiFields } from '../scenario/types.js';
import type { SimIdAllocator } from '../server/ids.js';

const UID_KEY = /(uniqueid|linkedid)$/i;
const BRIDGE_KEY = /(bridgeuniqueid|bridgeid)$/i;
const CHANNEL_KEY = /channel$/i;
const UID_VALUE = /^(?:(.+)-)?(\d+\.\d+)$/;
const CHANNEL_VALUE = /-([0-9a-f]{8})(?:;\d)?$/;
const UID_IN_TEXT = /(?<![\d.])(\d{5,}\.\d+)(?!\d)/g;
const SUFFIX_IN_TEXT = /-([0-9a-f]{8})(?![0-9a-f])/g;

export class Renumberer {
  /** old `epoch.seq` → new `epoch.seq` */
  private readonly uids = new Map<string, string>();
  private readonly suffixes = new Map<string, string>();
  private readonly bridges = new Map<string, string>();

  constructor(private readonly ids: SimIdAllocator) {}

  private uid(old: string): string {
    let n = this.uids.get(old);
    if (n === undefined) {
      const fresh = this.ids.uniqueid();
      n = fresh.slice(fresh.lastIndexOf('-') + 1); // keep the transcript's own systemname prefix
      this.uids.set(old, n);
    }
    return n;
  }

  private learn(key: string, value: string): void {
    if (BRIDGE_KEY.test(key)) {
      if (value.length > 0 && !this.bridges.has(value)) this.bridges.set(value, this.ids.bridgeId());
      return;
    }
    if (UID_KEY.test(key)) {
      const m = UID_VALUE.exec(value);
      if (m?.[2]) this.uid(m[2]);
      return;
    }
    if (CHANNEL_KEY.test(key)) {
      const m = CHANNEL_VALUE.exec(value);
      if (m?.[1] && !this.suffixes.has(m[1])) this.suffixes.set(m[1], this.ids.channelSuffix());
    }
  }

  private rewrite(value: string): string {
    let out = value;
    if (this.uids.size > 0 && out.includes('.')) out = out.replace(UID_IN_TEXT, (s, id: string) => this.uids.get(id) ?? s);
    if (this.suffixes.size > 0 && out.includes('-')) {
      out = out.replace(SUFFIX_IN_TEXT, (s, suf: string) => {
        const n = this.suffixes.get(suf);
        return n === undefined ? s : `-${n}`;
      });
    }
    if (this.bridges.size > 0 && out.length >= 36) {
      for (const [old, fresh] of this.bridges) if (out.includes(old)) out = out.split(old).join(fresh);
    }
    return out;
  }

  apply(fields: AmiFields): AmiFields {
    for (const [k, v] of fields) this.learn(k, v);
    return fields.map(([k, v]) => [k, this.rewrite(v)] as const);
  }
}
