/**
 * `npm run bench`: every benchmark, one after the other, printed as a table and as JSON
 * (bench/results.json). Benchmarks are never run as tests. Figures are written to docs/benchmarks.md
 * by hand, with the machine they were taken on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { benchParse, syntheticEventBytes } from './ami-parse.js';
import { benchTrack, benchMemory } from './ami-track.js';

interface Row { name: string; value: number; unit: string; target?: string }
const rows: Row[] = [];
// `npm run bench -- outbox --store postgres`: the outbox figures on PostgreSQL instead of SQLite.
const args = process.argv.slice(2);
const storeAt = args.indexOf('--store');
const store = storeAt >= 0 && args[storeAt + 1] === 'postgres' ? 'postgres' : 'sqlite';
const only = args.filter((a, i) => a !== '--store' && (storeAt < 0 || i !== storeAt + 1));
const want = (name: string): boolean => only.length === 0 || only.some((o) => name.startsWith(o));

if (want('ami')) {
  benchParse(50_000); // warm-up
  rows.push({ name: `ami.framing (synthetic ${syntheticEventBytes()} B events, 1M)`, value: benchParse(1_000_000), unit: 'events/s' });
  benchTrack(100_000);
  const t = benchTrack(1_000_000);
  rows.push({ name: `ami.framing+tracker (lab22 transcripts, ${t.events} events)`, value: t.eventsPerSec, unit: 'events/s', target: '≥ 200,000' });
  const m = benchMemory(2000);
  rows.push({ name: `tracker memory per live call (${m.calls} ringing calls via Local channels)`, value: m.bytesPerCall, unit: "bytes", target: "≤ 10,240" });
}


if (want('ami-tls')) {
  const { benchAmiTransport } = await import('./ami-tls.js');
  for (const r of await benchAmiTransport(200_000)) {
    rows.push({ name: `ami.client over ${r.mode === 'tls' ? 'TLS' : 'plain TCP'} (loopback, 200k events, ${r.mbPerSec} MB/s)`, value: r.eventsPerSec, unit: 'events/s' });
  }
}

if (want('outbox')) {
  const { benchOutbox } = await import('./outbox.js');
  const o = await benchOutbox({ store });
  const on = store === 'postgres' ? ' [postgres]' : '';
  const sync = (s: string): string => (store === 'postgres' ? `synchronous_commit=${s === 'FULL' ? 'on' : 'off'}` : `synchronous=${s}`);
  for (const e of o.enqueue) rows.push({ name: `outbox.enqueue${on} ${sync(e.synchronous)} (3-command transactions)`, value: Math.round(e.transactionsPerSec), unit: 'tx/s' });
  rows.push({ name: `outbox.claim+record${on} (batches of ${o.claim.batchSize})`, value: Math.round(o.claim.commandsPerSec), unit: 'commands/s' });
  for (const s of o.sender) rows.push({ name: `outbox.sender${on} ${s.mode} (fake portal, ${s.requests} requests)`, value: Math.round(s.commandsPerSec), unit: 'commands/s' });
}
if (want('cdr')) {
  const { benchCdr } = await import('./cdr.js');
  await benchCdr(10_000); // warm-up
  const c = await benchCdr(100_000);
  rows.push({ name: `cdr.backfill read+parse+group+rebuild (${c.calls} calls, ${(c.bytes / 1e6).toFixed(0)} MB Master.csv)`, value: Math.round(c.callsPerSec), unit: 'calls/s' });
}
if (want('crm')) {
  const { benchCrm } = await import('./crm-throughput.js');
  rows.push(...(await benchCrm()));
}

const cpu = cpus()[0]?.model ?? 'unknown';
console.log(`node ${process.version}, ${cpus().length} × ${cpu}`);
for (const r of rows) console.log(`${r.name.padEnd(70)} ${r.value.toLocaleString('en-US').padStart(12)} ${r.unit}${r.target ? `   (target ${r.target})` : ''}`);
writeFileSync(join(import.meta.dirname, 'results.json'), JSON.stringify({ node: process.version, cpu, cores: cpus().length, at: new Date().toISOString(), rows }, null, 2));
