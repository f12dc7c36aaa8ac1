/**
 * Parser + tracker throughput on real call transcripts, and memory per live call.
 *
 * - `benchTrack(minEvents)`: the call events of the lab22 transcripts (Asterisk 22.10.1), copied with
 *   fresh Uniqueid/Linkedid values until at least `minEvents` events, as one byte stream in 64 KiB
 *   chunks → AmiFramer → applyAmiEvent. Building the input is not timed.
 * - `benchMemory(calls)`: `calls` concurrent ringing calls (trunk → Local → PJSIP, the heaviest
 *   shape in the fixtures), heap measured after GC before and after (needs --expose-gc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AmiFramer } from '../src/adapters/ami/framing.js';
import { applyAmiEvent, createTrackerState } from '../src/core/call/tracker.js';
import { trackerConfig } from '../src/core/call/classify.js';
import { prepareTranscript } from '../src/cli/replay.js';

const CHUNK = 64 * 1024;
const FIXTURES = join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'ami');
const SKIP_EVENTS = /^Event: (FullyBooted|SuccessfulAuth)\r?$/m;

/** Call events (as raw blocks) of the lab22 call transcripts. */
function callBlocks(): string[][] {
  const out: string[][] = [];
  for (const f of readdirSync(FIXTURES).filter((n) => n.startsWith('lab22-') && !n.startsWith('lab22-p_')).sort()) {
    const { stream } = prepareTranscript(readFileSync(join(FIXTURES, f)));
    const text = stream.toString('utf8');
    const body = text.slice(text.indexOf('\n') + 1); // drop the banner
    const blocks = body.split('\r\n\r\n').filter((b) => b.startsWith('Event: ') && !SKIP_EVENTS.test(b));
    out.push(blocks.map((b) => `${b}\r\n\r\n`));
  }
  return out;
}

/** One copy of a transcript with every Asterisk id moved to a fresh range. */
function renumber(blocks: string[], copy: number): string {
  const base = 1800000000 + copy * 10;
  return blocks.join('').replace(/\b17953\d{5}\.(\d+)\b/g, (_m, seq: string) => `${base}.${seq}`)
    .replace(/-([0-9a-f]{8})(;[12])?\b/g, (_m, hex: string, half?: string) => `-${((parseInt(hex, 16) + copy * 64) >>> 0).toString(16).padStart(8, '0')}${half ?? ''}`);
}

export function benchTrack(minEvents: number): { events: number; seconds: number; eventsPerSec: number; stages: number } {
  const sets = callBlocks();
  const chunks: Buffer[] = [Buffer.from('Asterisk Call Manager/11.0.0\r\n')];
  let events = 0;
  let pending = '';
  for (let copy = 0; events < minEvents; copy++) {
    const blocks = sets[copy % sets.length]!;
    pending += renumber(blocks, copy);
    events += blocks.length;
    if (pending.length >= CHUNK) { chunks.push(Buffer.from(pending, 'utf8')); pending = ''; }
  }
  if (pending) chunks.push(Buffer.from(pending, 'utf8'));
  const state = createTrackerState(trackerConfig({}));
  let stages = 0;
  let seen = 0;
  let now = 0;
  const framer = new AmiFramer({
    onMessage: (m) => {
      seen++;
      stages += applyAmiEvent(state, m, ++now).changes.length;
    },
  });
  const t0 = performance.now();
  for (const c of chunks) framer.push(c);
  framer.end();
  const seconds = (performance.now() - t0) / 1000;
  return { events: seen, seconds, eventsPerSec: Math.round(seen / seconds), stages };
}

function chan(name: string, uid: string, linked: string, ctx: string, exten: string, cid: string): string {
  return `Channel: ${name}\r\nChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: ${cid}\r\nCallerIDName: Caller\r\n` +
    `ConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\nContext: ${ctx}\r\n` +
    `Exten: ${exten}\r\nPriority: 1\r\nUniqueid: ${uid}\r\nLinkedid: ${linked}\r\n`;
}

export function benchMemory(calls: number): { calls: number; bytesPerCall: number; live: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('benchMemory needs node --expose-gc');
  const state = createTrackerState(trackerConfig({}));
  const events: string[] = [];
  for (let i = 0; i < calls; i++) {
    const t = `1800000000.${4 * i}`;
    const trunk = chan(`PJSIP/trunk-${(4 * i).toString(16).padStart(8, '0')}`, t, t, 'from-trunk', '5551000', `+49301${String(i).padStart(6, '0')}`);
    const l1 = chan(`Local/101@from-internal-${i.toString(16).padStart(8, '0')};1`, `1800000000.${4 * i + 1}`, t, 'from-internal', '101', '+4930');
    const l2 = chan(`Local/101@from-internal-${i.toString(16).padStart(8, '0')};2`, `1800000000.${4 * i + 2}`, t, 'from-internal', '101', '+4930');
    const ext = chan(`PJSIP/101-${(4 * i + 3).toString(16).padStart(8, '0')}`, `1800000000.${4 * i + 3}`, t, 'from-internal', '101', '+4930');
    events.push(`Event: Newchannel\r\n${trunk}\r\n`, `Event: Newchannel\r\n${l1}\r\n`, `Event: Newchannel\r\n${l2}\r\n`);
    events.push(`Event: DialBegin\r\n${trunk}${l1.replace(/^/gm, 'Dest').replace(/Dest$/, '')}DialString: Local/101@from-internal\r\n\r\n`);
    events.push(`Event: Newchannel\r\n${ext}\r\n`);
    events.push(`Event: DialBegin\r\n${l2}${ext.replace(/^/gm, 'Dest').replace(/Dest$/, '')}DialString: 101\r\n\r\n`);
  }
  const framer = new AmiFramer({ onMessage: (m) => { applyAmiEvent(state, m, 1); } }, { expectBanner: false });
  gc();
  const before = process.memoryUsage().heapUsed;
  framer.push(Buffer.from(events.join(''), 'utf8'));
  events.length = 0;
  gc();
  const after = process.memoryUsage().heapUsed;
  return { calls, bytesPerCall: Math.round((after - before) / calls), live: state.calls.size };
}
