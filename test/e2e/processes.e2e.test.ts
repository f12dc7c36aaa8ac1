/**
 * The three programs as a user runs them, each its own process on loopback: `asterisk-b24 sim b24`,
 * `asterisk-b24 sim ami --scenario FILE` and `asterisk-b24 start --config FILE`. The scenario plays
 * one call per scenario kind; the outcome is read from the emulator's inspector over HTTP.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './helpers.js';
import { connectorOAuthConfig, type EmulatorCredentials } from '../../tools/b24-emu/connector-config.js';

const ROOT = join(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
const dirs: string[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function cli(args: string[]): { child: ChildProcess; firstLine: Promise<string> } {
  const built = existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'));
  const cmd = built ? [join(ROOT, 'bin', 'asterisk-b24')] : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'run.ts')];
  const child = spawn(process.execPath, [...cmd, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${args.slice(0, 2).join(' ')} exited with ${code}`)));
  });
  return { child, firstLine };
}

const PORTAL = {
  users: [
    { ID: 1, NAME: 'Alice', UF_PHONE_INNER: '101', ACTIVE: true },
    { ID: 2, NAME: 'Bob', UF_PHONE_INNER: '102', ACTIVE: true },
    { ID: 3, NAME: 'Carol', UF_PHONE_INNER: '103', ACTIVE: true },
  ],
  contacts: [{ ID: 11, NAME: 'Known', PHONE: [{ VALUE: '+4930500001', VALUE_TYPE: 'WORK' }], ASSIGNED_BY_ID: 3 }],
};

// One call of each kind, starting ~7 s after the simulator (offsets are before the time scale of 0.25),
// once the connector — started after it — is surely connected.
const CALLS = [
  { from: '+4930500001', type: 'inbound', did: '5551000', to: '103', outcome: 'answered', expect: { user: '3', status: '200' } },
  { from: '+4930500002', type: 'inbound', did: '5551000', to: '101', outcome: 'noanswer', expect: { user: '1', status: '304' } },
  { from: '+4930500003', type: 'inbound', did: '5551000', to: '102', outcome: 'busy', expect: { user: '2', status: '486' } },
  { from: '+4930500004', type: 'queue', did: '5551001', strategy: 'ringall', members: ['101', '102'], answeredBy: '102', outcome: 'answered', expect: { user: '2', status: '200' } },
  { from: '+4930500005', type: 'queue', did: '5551002', strategy: 'linear', members: ['101', '102'], outcome: 'answered', expect: { user: '2', status: '200' } },
  { from: '+4930500006', type: 'blind-transfer', did: '5551006', to: '101', transferTo: '103', talkMs: 2000, afterTransferTalkMs: 6000, expect: { user: '3', status: '200' } },
  { from: '+4930500007', type: 'ivr-abandon', did: '5551003', expect: { user: '1', status: '304' } },
  // A known client whose dialplan asks the connector (FastAGI) where to go: Carol (103), not 101.
  { from: '+4930500001', type: 'inbound', did: '5551000', to: '101', outcome: 'answered', agi: true, expect: { user: '3', status: '200' } },
];

test('sim ami, sim b24 and start as separate processes: every scenario call registered and finished right', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ab24-proc-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'portal.json'), JSON.stringify(PORTAL));
  const emu = JSON.parse(await cli(['sim', 'b24', '--port', '0', '--portal', join(dir, 'portal.json')]).firstLine) as EmulatorCredentials;
  const agiPort = await freePort();
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify({
    timeScale: 0.25,
    calls: CALLS.map(({ expect: _e, agi, ...spec }, i) => ({ at: 28_000 + i * 2_000, ...spec, ...(agi ? { agi: `127.0.0.1:${agiPort}` } : {}) })),
  }));
  const ami = JSON.parse(await cli(['sim', 'ami', '--port', '0', '--scenario', join(dir, 'scenario.json')]).firstLine) as {
    host: string; port: number; username: string; secret: string;
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    ami: { host: ami.host, port: ami.port, username: ami.username, secret: ami.secret },
    bitrix: { auth: 'oauth', oauth: connectorOAuthConfig(emu) },
    store: { path: join(dir, 'connector.sqlite') },
    http: { host: '127.0.0.1', port: 0 },
    calls: { missedUserId: 1 },
    // A generous deadline: on a loaded machine the emulator (another process) may answer late.
    agi: { enabled: true, host: '127.0.0.1', port: agiPort, deadlineMs: 5_000 },
    log: { level: 'warn' },
  }));
  const ready = await cli(['start', '--config', join(dir, 'config.json')]).firstLine;
  assert.match(ready, /"type":"ready"/);

  type State = { registrations: Array<{ callId: string; params: Record<string, unknown>; reused: boolean }>; finishes: Array<{ callId: string; params: Record<string, unknown> }> };
  const state = await waitFor('every call finished', async () => {
    const s = (await (await fetch(`${emu.url}/_emu/state`)).json()) as State;
    return s.finishes.length >= CALLS.length ? s : undefined;
  }, 60_000);
  // The known client calls twice (once routed): two registrations, in call order.
  const seen = new Map<string, number>();
  for (const c of CALLS) {
    const nth = seen.get(c.from) ?? 0;
    seen.set(c.from, nth + 1);
    const regs = state.registrations.filter((r) => r.params['PHONE_NUMBER'] === c.from && !r.reused);
    assert.equal(regs.length, CALLS.filter((x) => x.from === c.from).length, `${c.from} (${c.type}) registered once per call`);
    const fins = state.finishes.filter((f) => f.callId === regs[nth]!.callId);
    assert.equal(fins.length, 1, `${c.from} finished once`);
    assert.equal(String(fins[0]!.params['USER_ID']), c.expect.user, `${c.from} (${c.type}${c.agi ? ', routed' : ''}) finished for the right user`);
    assert.equal(String(fins[0]!.params['STATUS_CODE']), c.expect.status, `${c.from} (${c.type}) status`);
  }
});
