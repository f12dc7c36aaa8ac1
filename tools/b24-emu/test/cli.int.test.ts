import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runSimB24 } from '../cli.js';
import { emptySeed } from '../portal/seeds.js';
import { postJson } from './helpers.js';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { write: (s: string) => void out.push(s), err: { write: (s: string) => void err.push(s) } } };
}

describe('sim b24 CLI', () => {
  test('spawned: first stdout line is {url, webhook, app}; serves; exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'b24-emu-cli-'));
    const seedFile = join(dir, 'portal.json');
    await writeFile(seedFile, JSON.stringify(emptySeed()));
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--portal', seedFile, '--limits', '250/5', '--token-lifetime', '60'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({ input: child.stdout });
        rl.once('line', (l) => {
          rl.close();
          resolve(l);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const info = JSON.parse(first) as { url: string; webhook: string; app: Record<string, unknown> };
      assert.deepEqual(Object.keys(info), ['url', 'webhook', 'app']);
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(info.webhook.startsWith(`${info.url}/rest/1/`) && info.webhook.endsWith('/'));
      for (const k of ['client_endpoint', 'access_token', 'refresh_token', 'client_id', 'client_secret', 'application_token', 'member_id']) {
        assert.equal(typeof info.app[k], 'string', k);
      }
      assert.equal(info.app['expires_in'], 60);
      const me = await postJson(`${info.webhook}user.current`);
      assert.equal(me.status, 200);
      assert.equal((me.body['result'] as { ID: string }).ID, '1');
      const limits = await fetch(`${info.url}/_emu/limits`).then((r) => r.json() as Promise<{ bucket: { capacity: number } }>);
      assert.equal(limits.bucket.capacity, 250);
      const code = await new Promise<number | null>((resolve) => {
        child.once('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('in-process: bad arguments → exit 2 with the error code; abort signal stops the server', async () => {
    const a = capture();
    assert.equal(await runSimB24(['--limits', 'fast'], a.io), 2);
    assert.match(a.err.join(''), /EMU_BAD_ARGS/);
    const b = capture();
    assert.equal(await runSimB24(['--portal', '/nonexistent/portal.json'], b.io), 2);
    assert.match(b.err.join(''), /EMU_PORTAL_SEED_INVALID/);
    const c = capture();
    const ac = new AbortController();
    const running = runSimB24(['--port', '0', '--no-app-only', '--id-seed', 'cli'], c.io, ac.signal);
    while (c.out.length === 0) await new Promise((r) => setTimeout(r, 5));
    const info = JSON.parse(c.out[0] ?? '{}') as { webhook: string };
    const r = await postJson(`${info.webhook}telephony.externalLine.get`);
    assert.equal(r.status, 200, 'app-only methods accept webhooks with --no-app-only');
    ac.abort();
    assert.equal(await running, 0);
  });
});
