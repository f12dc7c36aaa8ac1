/**
 * Crash test (issue 4): 200 calls under load while the connector — a real process started by the
 * CLI — is killed with SIGKILL at random moments 20 times and restarted. Afterwards, in the
 * emulator, every physical call has exactly one registration (one CALL_ID) and exactly one finish,
 * and none is missing.
 *
 * Calls last at least 5 s and a restart takes well under that, as in real life, where nobody can
 * know of a call that began and ended entirely while the connector was down (AMI keeps no history).
 * The longest restart is reported with any failure.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CALLS = 200;
const KILLS = 20;
let rig: Rig;
let child: ChildProcess | undefined;
let configFile = '';

function cliCommand(): [string, string[]] {
  const built = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  return existsSync(built)
    ? [process.execPath, [join(ROOT, 'bin', 'asterisk-b24')]]
    : [process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'run.ts')]];
}

async function startChild(): Promise<ChildProcess> {
  const [cmd, pre] = cliCommand();
  const c = spawn(cmd, [...pre, 'start', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: c.stdout! });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connector did not start')), 20_000);
    lines.on('line', (l) => {
      if (l.includes('"type":"ready"')) {
        clearTimeout(t);
        resolve();
      }
    });
    c.once('exit', (code) => reject(new Error(`connector exited with ${code}`)));
  });
  return c;
}

async function kill(c: ChildProcess): Promise<void> {
  const exited = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await exited;
}

before(async () => {
  rig = await startRig(undefined, 1);
  configFile = join(rig.dir, 'connector.json');
  writeFileSync(configFile, JSON.stringify(rig.rawConfig({ log: { level: 'warn' } })));
});
after(async () => {
  if (child && child.exitCode === null) await kill(child);
  await rig?.close();
});

test(`${CALLS} calls, the connector SIGKILLed ${KILLS} times: each call registered once and finished once`, { timeout: 240_000 }, async () => {
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  child = await startChild();
  const numbers: string[] = [];
  const calls: Array<Promise<unknown>> = [];
  const load = (async () => {
    for (let i = 0; i < CALLS; i++) {
      const from = `+49302${String(100000 + i)}`;
      numbers.push(from);
      const to = String(101 + (i % 3));
      const spec = i % 4 === 3
        ? { type: 'inbound', from, did: '5551000', to, outcome: 'noanswer' }
        : { type: 'inbound', from, did: '5551000', to, outcome: 'answered', ringMs: 1000 + Math.floor(rand() * 1000), talkMs: 4000 + Math.floor(rand() * 3000) };
      calls.push(rig.sim.startCall(spec).done);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  let longestRestartMs = 0;
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 1200 + Math.floor(rand() * 800)));
    const t0 = Date.now();
    await kill(child);
    child = await startChild();
    longestRestartMs = Math.max(longestRestartMs, Date.now() - t0);
  }
  await load;
  await Promise.all(calls);
  await waitFor('every call finished', () => inspect(rig.emu).finishes.length >= CALLS || undefined, 90_000).catch(() => undefined);

  const ins = inspect(rig.emu);
  const missing: string[] = [];
  const doubled: string[] = [];
  for (const n of numbers) {
    const ids = new Set(ins.registrations.filter((r) => r.params['PHONE_NUMBER'] === n).map((r) => r.callId));
    if (ids.size === 0) missing.push(n);
    if (ids.size > 1) doubled.push(n);
    for (const id of ids) {
      const fins = ins.finishes.filter((f) => f.callId === id).length;
      if (fins !== 1) doubled.push(`${n}: ${fins} finishes`);
    }
  }
  assert.deepEqual(missing, [], `calls missing in Bitrix24 (longest restart ${longestRestartMs} ms)`);
  assert.deepEqual(doubled, [], 'calls registered or finished more than once');
  assert.equal(ins.finishes.length, CALLS);
});
