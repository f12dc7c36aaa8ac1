/**
 * RTCP reports: chan_pjsip raises `RTCPSent` for every PJSIP channel with media about every 5 s
 * while it is Up. Their count and position depend only on timing, so they are added after a flow
 * has run, by time, with the channel's snapshot of that moment.
 */
import { hash32, type Chan } from './builder.js';
import type { AmiFields, TimedEvent } from './types.js';

const BLOCK_LEN = 14;

function blockOf(ev: TimedEvent, uniqueid: string): AmiFields | undefined {
  const f = ev.fields;
  const start = f.findIndex(([k]) => k === 'Channel');
  if (start < 0) return undefined;
  const block = f.slice(start, start + BLOCK_LEN);
  return block[12]?.[0] === 'Uniqueid' && block[12][1] === uniqueid ? block : undefined;
}

function rtcpFields(ch: Chan, block: AmiFields, n: number, intervalMs: number): AmiFields {
  const packets = Math.round((n * intervalMs) / 20);
  const ssrc = `0x${hash32(`${ch.uniqueid}/ssrc`).toString(16).padStart(8, '0')}`;
  const host = ch.device === 'trunk' ? '127.0.0.2' : `127.0.0.${10 + (hash32(ch.device) % 10)}`;
  return [
    ['Event', 'RTCPSent'], ['Privilege', 'reporting,all'], ...block,
    ['To', `${host}:6001`], ['From', `127.0.0.1:${10000 + (hash32(ch.uniqueid) % 20000)}`], ['MES', '88.1'],
    ['SSRC', ssrc], ['PT', '200(SR)'], ['ReportCount', '1'], ['SentNTP', `${n * 5}.000000`], ['SentRTP', '0'],
    ['SentPackets', String(packets)], ['SentOctets', String(packets * 160)], ['Report0SourceSSRC', ssrc],
    ['Report0FractionLost', '0'], ['Report0CumulativeLost', '0'], ['Report0HighestSequence', String(packets + 3)],
    ['Report0SequenceNumberCycles', '0'], ['Report0IAJitter', '3'], ['Report0LSR', '0'], ['Report0DLSR', '0.0000'],
  ];
}

/** Returns `events` with RTCPSent reports of every PJSIP channel that was Up merged in by time. */
export function addRtcpReports(events: readonly TimedEvent[], channels: readonly Chan[], intervalMs = 5000): TimedEvent[] {
  const reports: TimedEvent[] = [];
  for (const ch of channels) {
    if (ch.upAtMs === undefined || ch.name.startsWith('Local/')) continue;
    const hangup = events.find((e) => e.fields[0]?.[1] === 'Hangup' && blockOf(e, ch.uniqueid) !== undefined);
    const end = hangup?.atMs ?? Number.POSITIVE_INFINITY;
    for (let n = 1; ch.upAtMs + n * intervalMs <= end; n++) {
      const at = ch.upAtMs + n * intervalMs;
      let block: AmiFields | undefined;
      for (let i = events.length - 1; i >= 0 && !block; i--) {
        const e = events[i] as TimedEvent;
        if (e.atMs < at) block = blockOf(e, ch.uniqueid);
      }
      if (block) reports.push({ atMs: at, fields: rtcpFields(ch, block, n, intervalMs) });
    }
  }
  reports.sort((a, b) => a.atMs - b.atMs);
  // Merge: a report goes before the first event of the same or a later time.
  const out: TimedEvent[] = [];
  let r = 0;
  for (const e of events) {
    while (r < reports.length && (reports[r] as TimedEvent).atMs <= e.atMs) out.push(reports[r++] as TimedEvent);
    out.push(e);
  }
  while (r < reports.length) out.push(reports[r++] as TimedEvent);
  return out;
}
