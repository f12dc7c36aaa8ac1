import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { field } from '../../../src/adapters/ami/message.js';
import { fixturesDir, login, rawClient } from './raw-client.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('sim ami CLI', () => {
  test('prints the connection JSON first, plays the scenario, exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ami-sim-'));
    const scenario = join(dir, 'sc.json');
    // Real time (scale 1) and a 2 s offset: the client must be logged in before the call plays, even on a busy machine.
    writeFileSync(scenario, JSON.stringify([{ at: 2000, transcript: join(fixturesDir(), 'lab22-b2_inbound_busy.txt') }]));
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/ami-sim/cli-entry.ts', '--port', '0', '--username', 'u', '--secret', 's',
      '--scenario', scenario, '--time-scale', '1', '--no-generator'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const first = await new Promise<string>((resolveLine, reject) => {
        let buf = '';
        const t = setTimeout(() => reject(new Error('no first line')), 10_000);
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const nl = buf.indexOf('\n');
          if (nl >= 0) {
            clearTimeout(t);
            resolveLine(buf.slice(0, nl));
          }
        });
      });
      const info = JSON.parse(first) as { host: string; port: number; username: string; secret: string };
      assert.deepEqual(Object.keys(info), ['host', 'port', 'username', 'secret']);
      assert.equal(info.host, '127.0.0.1');
      assert.equal(info.username, 'u');
      assert.equal(info.secret, 's');
      assert.ok(info.port > 0);
      const c = rawClient(info.port);
      try {
        await login(c, info.username, info.secret, 'call');
        const h = await c.waitFor((m) => field(m, 'Event') === 'Hangup' && field(m, 'Cause') === '17', 15_000);
        assert.equal(field(h, 'Cause-txt'), 'User busy');
      } finally {
        c.close();
      }
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
