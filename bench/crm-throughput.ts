/**
 * Calls through the real sender, REST client and Bitrix24 emulator enforcing the cloud limits
 * (bucket 50, drain 2 per s), in real time:
 * - sustained three-command calls per second (register, show, finish), batched vs naive (one
 *   request per command), measured after the bucket is full so the initial burst does not count;
 * - card latency (enqueue of a ringing call's register+show → the emulator showing the card), p50 / p99,
 *   on an idle connector and while a 10,000-call backlog drains.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../src/adapters/store/sqlite.js';
import { createOutboxSender, type OutboxSender } from '../src/outbox/sender.js';
import { createBitrixAdapters } from '../src/adapters/bitrix/from-config.js';
import { parseConfig } from '../src/config/load.js';
import { command, ref, type CrmCommand } from '../src/core/crm/commands.js';
import { startEmulator, type Emulator } from '../tools/b24-emu/index.js';
import { connectorOAuthConfig } from '../tools/b24-emu/connector-config.js';

const USERS = Array.from({ length: 20 }, (_, i) => ({ ID: i + 1, NAME: `U${i + 1}`, UF_PHONE_INNER: String(101 + i), ACTIVE: true }));

/**
 * One call's commands. `live`: a ringing call (register + show, live priority). Otherwise an ended
 * call: register (late) + show + finish for the sustained test, register + finish for a backlog
 * (the planner drops the card of a call that is over).
 */
function call(i: number, live: boolean, expires: number, withShow = true): CrmCommand[] {
  const key = `${live ? 'live' : 'bk'}-${i}`;
  const cid = ref('register', 'CALL_ID');
  const user = 1 + (i % 20);
  return [
    command(key, 'register', 'telephony.externalcall.register', { USER_ID: user, PHONE_NUMBER: `+4930${String(1000000 + i)}`, TYPE: 2, SHOW: 0, EXTERNAL_CALL_ID: key, CRM_CREATE: 0 }, live ? 'live' : 'late'),
    ...(live || withShow ? [command(key, `show:${user}:1`, 'telephony.externalcall.show', { CALL_ID: cid, USER_ID: user }, 'live', expires)] : []),
    ...(live ? [] : [command(key, 'finish', 'telephony.externalcall.finish', { CALL_ID: cid, USER_ID: user, DURATION: 30, STATUS_CODE: '200' }, 'finish')]),
  ];
}

async function rig(mode: 'batch' | 'naive', prefill = true, onShown?: (callKey: string) => void): Promise<{ emu: Emulator; sender: OutboxSender; close(): Promise<void> }> {
  const emu = await startEmulator({ portal: { users: USERS }, limits: { capacity: 50, drainPerSec: 2 }, processingSec: 0.001, operatingBudgetSec: 1e9 });
  const store = openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'bench-crm-')), 'o.sqlite') });
  const config = parseConfig({ bitrix: { auth: 'oauth', oauth: connectorOAuthConfig(emu) } });
  const { client } = createBitrixAdapters(config.bitrix);
  // Fill the bucket first: what follows is the sustained rate, not the initial burst.
  if (prefill) await Promise.all(Array.from({ length: 50 }, () => client.call('app.info')));
  const sender = createOutboxSender({
    store, client, mode, pollIntervalMs: 50,
    onDone: (cmd, result) => { if (onShown && cmd.step.startsWith('show:') && result === true) onShown(cmd.callKey); },
  });
  await sender.start();
  return { emu, sender, async close() { await sender.stop(); await store.close(); await emu.close(); } };
}

async function sustained(mode: 'batch' | 'naive', calls: number): Promise<number> {
  const r = await rig(mode);
  try {
    const far = Date.now() + 3_600_000;
    for (let i = 0; i < calls; i++) await r.sender.enqueue(call(i, false, far));
    const t0 = performance.now();
    for (;;) {
      const st = await r.sender.stats();
      if (st.depth === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    return calls / ((performance.now() - t0) / 1000);
  } finally {
    await r.close();
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function cardLatency(backlog: number, samples: number): Promise<{ p50: number; p99: number; max: number }> {
  const shownAt = new Map<string, number>();
  const r = await rig('batch', backlog > 0, (key) => shownAt.set(key, Date.now()));
  try {
    const far = Date.now() + 3_600_000;
    for (let i = 0; i < backlog; i += 500) await r.sender.enqueue(Array.from({ length: Math.min(500, backlog - i) }, (_, j) => call(i + j, false, far, false)).flat());
    // The card counts as shown when the emulator's answer to the show reached the connector.
    // Sampling starts once the backlog is stored and draining (2 s after it was enqueued).
    if (backlog > 0) await new Promise((res) => setTimeout(res, 2000));
    const lat: number[] = [];
    for (let i = 0; i < samples; i++) {
      await new Promise((res) => setTimeout(res, 400 + (i % 5) * 100));
      const t0 = Date.now();
      await r.sender.enqueue(call(i, true, t0 + 60_000));
      for (;;) {
        const at = shownAt.get(`live-${i}`);
        if (at !== undefined) { lat.push(at - t0); break; }
        if (Date.now() - t0 > 30_000) { lat.push(30_000); break; }
        await new Promise((res) => setTimeout(res, 5));
      }
    }
    if (process.env.BENCH_DEBUG) console.error(backlog, lat.join(" "));
    return { p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat) };
  } finally {
    await r.close();
  }
}

export interface CrmBenchRow { name: string; value: number; unit: string; target?: string }

export async function benchCrm(): Promise<CrmBenchRow[]> {
  const batched = process.env.SKIP_SUSTAINED ? 1 : await sustained('batch', 900);
  const naive = process.env.SKIP_SUSTAINED ? 1 : await sustained('naive', 20);
  const idle = await cardLatency(0, 20);
  const busy = await cardLatency(10_000, 100);
  return [
    { name: 'crm: sustained 3-command calls/s, batched (emulator at 50 / 2 per s)', value: Math.round(batched * 10) / 10, unit: 'calls/s', target: '≥ 26' },
    { name: 'crm: sustained 3-command calls/s, naive (one request per command)', value: Math.round(naive * 100) / 100, unit: 'calls/s' },
    { name: 'crm: batched / naive', value: Math.round((batched / naive) * 10) / 10, unit: '×', target: '≥ 40' },
    { name: 'crm: card latency idle p50', value: idle.p50, unit: 'ms' },
    { name: 'crm: card latency idle p99', value: idle.p99, unit: 'ms' },
    { name: 'crm: card latency during a 10,000-call backlog p50', value: busy.p50, unit: 'ms' },
    { name: 'crm: card latency during a 10,000-call backlog p99', value: busy.p99, unit: 'ms', target: '< 1000' },
  ];
}
