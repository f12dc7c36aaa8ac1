/**
 * Test helpers: read a lab transcript, reduce both it and a generated event list to the comparable
 * part (call events: no login/FullyBooted/SuccessfulAuth/responses; RTCP reports are timing noise
 * and compared separately), and report the first difference in names, keys or id structure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAmiStream } from '../../../../src/adapters/ami/framing.js';
import type { AmiFields, SimIds, TimedEvent } from '../types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** /work/main/../shared/fixtures/ami (same layout in CI). */
export const FIXTURE_DIR = path.resolve(HERE, '../../../../../shared/fixtures/ami');
/** The project's own Asterisk 22.10.1 recordings of office features (pickup, parking, REFER transfers…). */
export const RECORDED_DIR = path.resolve(HERE, '../../../../test/fixtures/ami-recorded');

/** Events never part of a call's comparable sequence. */
const SESSION_EVENTS = new Set(['FullyBooted', 'SuccessfulAuth', 'RequestBadFormat']);
/** Documented allow-list: their count/position depends on media timing only. */
export const TIMING_NOISE = new Set(['RTCPSent', 'RTCPReceived']);

export type Ev = AmiFields;

export function loadFixture(file: string, dir = FIXTURE_DIR): Ev[] {
  const raw = readFileSync(path.join(dir, file), 'utf8');
  const lines = raw.split('\n');
  let i = 0;
  while (lines[i]?.startsWith('# ')) i++;
  const { messages, errors } = parseAmiStream(lines.slice(i).join('\n'));
  if (errors.length > 0) throw new Error(`fixture ${file}: ${errors[0]?.message}`);
  return messages.map((m) => [...m.fields]);
}

export function nameOf(e: Ev): string {
  return e[0]?.[0] === 'Event' ? e[0][1] : '';
}

/** Call events only (drops responses, session events and RTCP). */
export function callEvents(evs: readonly Ev[]): Ev[] {
  return evs.filter((e) => {
    const n = nameOf(e);
    return n !== '' && !SESSION_EVENTS.has(n) && !TIMING_NOISE.has(n);
  });
}

export function generatedEvents(evs: readonly TimedEvent[]): Ev[] {
  return callEvents(evs.map((e) => e.fields));
}

const ID_KEY = /(uniqueid|linkedid)$/i;
const CHAN_KEY = /^(|Dest|Transferer|Transferee|LocalOne|LocalTwo|Source|OrigTransferer|SecondTransferer|TransferTarget)Channel$|^(DestinationChannel)$/;

function line(e: Ev): string {
  const get = (k: string): string => e.find(([kk]) => kk === k)?.[1] ?? '';
  return `${nameOf(e)} ${get('Channel')}${get('DestChannel') ? ' -> ' + get('DestChannel') : ''} ${get('Variable') || get('Device') || get('DialStatus') || get('Application')}`;
}

function window(evs: readonly Ev[], i: number): string {
  const out: string[] = [];
  for (let j = Math.max(0, i - 4); j < Math.min(evs.length, i + 5); j++) out.push(`${j === i ? '>>' : '  '} ${j}. ${line(evs[j] as Ev)}`);
  return out.join('\n');
}

/** Returns undefined when equal, else a readable description of the first difference. */
export function compareSequences(expected: readonly Ev[], actual: readonly Ev[]): string | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (!e || !a || nameOf(e) !== nameOf(a)) {
      return `event #${i}: expected ${e ? nameOf(e) : '(end)'} got ${a ? nameOf(a) : '(end)'}\n-- fixture:\n${window(expected, i)}\n-- generated:\n${window(actual, i)}`;
    }
    const ek = e.map(([k]) => k).join(',');
    const ak = a.map(([k]) => k).join(',');
    if (ek !== ak) return `event #${i} ${nameOf(e)}: keys differ\n  fixture:   ${ek}\n  generated: ${ak}`;
  }
  return undefined;
}

/** Checks that ids (Uniqueid/Linkedid family, channel names, bridge ids) map one-to-one. */
export function compareIdStructure(expected: readonly Ev[], actual: readonly Ev[]): string | undefined {
  const fwd = new Map<string, string>();
  const back = new Map<string, string>();
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
    const e = expected[i] as Ev;
    const a = actual[i] as Ev;
    for (let f = 0; f < e.length; f++) {
      const [k, ev] = e[f] as readonly [string, string];
      if (!(ID_KEY.test(k) || CHAN_KEY.test(k) || k === 'BridgeUniqueid' || k === 'SwapUniqueid' || k === 'DestUniqueId')) continue;
      const av = a[f]?.[1] ?? '';
      const tag = `${ev}`;
      const known = fwd.get(tag);
      if (known !== undefined && known !== av) return `event #${i} ${nameOf(e)} ${k}: fixture ${ev} was ${known}, generated ${av}`;
      const knownBack = back.get(av);
      if (knownBack !== undefined && knownBack !== tag) return `event #${i} ${nameOf(e)} ${k}: generated ${av} maps to both ${knownBack} and ${ev}`;
      fwd.set(tag, av);
      back.set(av, tag);
    }
  }
  return undefined;
}

/** SimIds like one Asterisk: `<epoch>.<seq>` and 8-hex channel suffixes. */
export function fakeIds(epoch = 1795322993, seq = 66, suffix = 0x36): SimIds & { readonly epoch: number } {
  let s = seq;
  let c = suffix;
  return {
    epoch,
    uniqueid: () => `${epoch}.${s++}`,
    channelSuffix: () => (c++).toString(16).padStart(8, '0'),
    nowEpoch: () => epoch,
  };
}
