/**
 * End to end: the real CLI in a child process (node --import tsx) against the simulator and the
 * emulator running in this process; checks the printed lines and the exit code.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startLab, type Lab } from './harness.js';

const ENTRY = new URL('./doctor-entry.ts', import.meta.url).pathname;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe('asterisk-b24 doctor (spawned CLI)', () => {
  let lab: Lab;
  before(async () => { lab = await startLab(); });
  after(async () => { await lab.close(); });

  test('healthy lab → one line per check, no FAIL, exit 0; --json gives the same verdicts', async () => {
    const file = join(lab.dir, 'config.json');
    await writeFile(file, JSON.stringify(lab.input));
    const stop = lab.traffic();
    try {
      const [text, json] = await Promise.all([runCli(['--config', file]), runCli(['--config', file, '--json'])]);
      assert.equal(text.code, 0, text.stdout + text.stderr);
      const lines = text.stdout.trimEnd().split('\n');
      assert.deepEqual(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' ')), [
        'PASS config', 'PASS ami.tcp', 'PASS ami.login', 'PASS ami.read', 'PASS ami.write',
        'PASS b24.reach', 'PASS b24.auth', 'PASS b24.scopes', 'PASS b24.app-only', 'PASS b24.events', 'PASS b24.lines', 'PASS b24.fmc',
        'PASS local.recordings', 'PASS local.ffmpeg', 'PASS local.transcriber', 'PASS local.store', 'PASS local.cdr', 'doctor: 17',
      ]);
      assert.equal(lines.at(-1), 'doctor: 17 passed, 0 warning(s), 0 failed, 0 skipped — OK');
      assert.equal(json.code, 0);
      const report = JSON.parse(json.stdout) as { ok: boolean; checks: Array<{ id: string; status: string }> };
      assert.equal(report.ok, true);
      assert.equal(report.checks.length, 17);
      assert.ok(report.checks.every((c) => c.status === 'pass'));
    } finally {
      stop();
    }
  });

  test('wrong secret and a bad key → FAIL lines with hints, exit 1', async () => {
    const bad = join(lab.dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...lab.input, ami: { ...lab.input.ami, secret: 'wrong' } }));
    const invalid = join(lab.dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ ...lab.input, ami: { ...lab.input.ami, port: 'x' } }));
    const [r1, r2] = await Promise.all([runCli(['--config', bad]), runCli(['--config', invalid])]);
    assert.equal(r1.code, 1);
    assert.match(r1.stdout, /^FAIL ami\.login +AMI login: login as "crm" refused: Authentication failed \[AMI_LOGIN_FAILED\] — hint: .*manager\.conf/m);
    assert.match(r1.stdout, /^SKIP ami\.read /m);
    assert.equal(r2.code, 1);
    assert.match(r2.stdout, /^FAIL config +Configuration: invalid configuration:; ami\.port: .*\[CONFIG_INVALID\] — hint: .*docs\/configuration\.md/m);
    const usage = await runCli([]);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr, 'usage: asterisk-b24 doctor --config FILE [--json] [--timeout-ms N]\n');
  });
});
