/**
 * AMI framing throughput: `benchParse(n)` frames n synthetic, realistic call events (~600 B each,
 * Newchannel / VarSet / DialBegin / Hangup with full channel blocks) fed as 64 KiB Buffers, and returns
 * events per second. Building the input is not timed. Called by bench/run.ts (`npm run bench`).
 */
import { performance } from 'node:perf_hooks';
import { AmiFramer } from '../src/adapters/ami/framing.js';

const CHUNK = 64 * 1024;

function channelBlock(prefix: string, i: number, name: string): string {
  return [
    `${prefix}Channel: PJSIP/${name}-${(i & 0xffffff).toString(16).padStart(8, '0')}`,
    `${prefix}ChannelState: 6`,
    `${prefix}ChannelStateDesc: Up`,
    `${prefix}CallerIDNum: +49301234${String(i % 1000).padStart(3, '0')}`,
    `${prefix}CallerIDName: Клиент ${i % 97}`,
    `${prefix}ConnectedLineNum: 101`,
    `${prefix}ConnectedLineName: Alice`,
    `${prefix}Language: en`,
    `${prefix}AccountCode: `,
    `${prefix}Context: from-trunk`,
    `${prefix}Exten: 5551006`,
    `${prefix}Priority: 1`,
    `${prefix}Uniqueid: 1795323195.${i}`,
    `${prefix}Linkedid: 1795323195.${i - (i % 4)}`,
    // manager.conf `channelvars` lines, as the connector's recommended setup produces.
    `${prefix}ChanVariable: B24_CALL_ID=externalCall.${(i * 2654435761 >>> 0).toString(16)}.1795323195`,
    `${prefix}ChanVariable: FROM_DID=5551006`,
  ].join('\r\n');
}

function syntheticEvent(i: number): string {
  switch (i % 4) {
    case 0:
      return `Event: Newchannel\r\nPrivilege: call,all\r\n${channelBlock('', i, 'trunk')}\r\n\r\n`;
    case 1:
      return `Event: VarSet\r\nPrivilege: dialplan,all\r\n${channelBlock('', i, 'trunk')}\r\n` +
        `Variable: B24_CALL_ID\r\nValue: externalCall.${i.toString(16)}.1795323195\r\n\r\n`;
    case 2:
      return `Event: DialBegin\r\nPrivilege: call,all\r\n${channelBlock('', i, 'trunk')}\r\n` +
        `${channelBlock('Dest', i + 1, '101')}\r\nDialString: 101\r\n\r\n`;
    default:
      return `Event: Hangup\r\nPrivilege: call,all\r\n${channelBlock('', i, '101')}\r\n` +
        `Cause: 16\r\nCause-txt: Normal Clearing\r\n\r\n`;
  }
}

/** Average event size in bytes of the synthetic mix (for reports). */
export function syntheticEventBytes(sample = 400): number {
  let total = 0;
  for (let i = 0; i < sample; i++) total += Buffer.byteLength(syntheticEvent(i));
  return Math.round(total / sample);
}

/** n synthetic events as 64 KiB Buffers (built chunk by chunk: one 600 MB string would exceed V8's string limit). */
export function syntheticEventChunks(n: number): Buffer[] {
  const chunks: Buffer[] = [];
  let pending = '';
  for (let i = 0; i < n; i++) {
    pending += syntheticEvent(i);
    if (pending.length >= CHUNK) { chunks.push(Buffer.from(pending, 'utf8')); pending = ''; }
  }
  if (pending) chunks.push(Buffer.from(pending, 'utf8'));
  return chunks;
}

export function benchParse(n: number): number {
  const chunks: Buffer[] = [Buffer.from('Asterisk Call Manager/11.0.0\r\n'), ...syntheticEventChunks(n)];

  let events = 0;
  let errors = 0;
  const framer = new AmiFramer({ onMessage: () => { events++; }, onError: () => { errors++; } });
  const t0 = performance.now();
  for (const c of chunks) framer.push(c);
  framer.end();
  const seconds = (performance.now() - t0) / 1000;
  if (events !== n || errors !== 0) throw new Error(`benchParse: framed ${events}/${n} events, ${errors} errors`);
  return seconds > 0 ? Math.round(n / seconds) : Number.POSITIVE_INFINITY;
}
