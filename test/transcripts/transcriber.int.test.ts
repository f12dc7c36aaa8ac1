/**
 * The transcriber adapter with real processes: the job on stdin, the reply checked, the transcript
 * kept until attached, one run per call, at most `concurrency` at once, a hung program and its
 * children killed at the timeout, clear codes for every failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Transcriber, type TranscriberSettings, type TranscriptionJob } from '../../src/adapters/recordings/transcriber.js';
import { silentLogger } from '../../src/log.js';
import { MemoryKv, program, settingsFor, tempDir, TWO_LINES } from './helpers.js';

function setup(settings: TranscriberSettings | undefined): { t: Transcriber; kv: MemoryKv } {
  const kv = new MemoryKv();
  return { t: new Transcriber({ settings: () => settings, kv, now: Date.now, logger: silentLogger }), kv };
}

function job(dir: string, callKey = '1700000000.1'): TranscriptionJob {
  const file = join(dir, `${callKey}.wav`);
  if (!existsSync(file)) writeFileSync(file, 'RIFF');
  return { callKey, callId: 'externalCall.1', file, direction: 'incoming', clientNumber: '+79161234567', extension: '101', startedAt: '2026-11-22T10:00:00.000Z', talkSeconds: 4 };
}

/** Dead: no such process, or a zombie waiting for a parent that is gone (containers' PID 1 may never reap it). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}

const jobs = (dir: string): Array<Record<string, unknown>> =>
  readFileSync(join(dir, 'jobs.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

test('the program gets the job on stdin; its transcript is checked and kept until forgotten', async () => {
  const dir = tempDir();
  const { t, kv } = setup(settingsFor(program(dir, 'ok', { reply: TWO_LINES })));
  const j = job(dir);
  const r = await t.request(j);
  assert.equal(r.kind, 'done');
  assert.deepEqual(r.kind === 'done' && r.transcript.MESSAGES, [
    { SIDE: 'User', START_TIME: 0, STOP_TIME: 2, MESSAGE: 'Good afternoon, 101' },
    { SIDE: 'Client', START_TIME: 1, STOP_TIME: 4, MESSAGE: 'Hello from +79161234567' },
  ]);
  assert.deepEqual(jobs(dir), [j]);
  assert.deepEqual(await t.kept(j.callKey), r.kind === 'done' ? r.transcript : undefined);
  assert.ok(kv.map.has(`transcript.${j.callKey}`));
  await t.forget(j.callKey);
  assert.equal(await t.kept(j.callKey), undefined);
});

test('a slow program: the request answers "running" after waitMs, the same run is joined, then done', async () => {
  const dir = tempDir();
  const { t } = setup(settingsFor(program(dir, 'slow', { reply: TWO_LINES, delayMs: 700 }), { waitMs: 100 }));
  const j = job(dir);
  const first = await t.request(j);
  assert.deepEqual(first, { kind: 'running', pollMs: 1_000 });
  assert.equal(t.pending, 1);
  const second = await t.request({ ...j });
  assert.equal(second.kind, 'running');
  await new Promise((r) => setTimeout(r, 900));
  assert.ok(await t.kept(j.callKey), 'kept as soon as the program answered');
  assert.equal(jobs(dir).length, 1, 'one run for the two requests');
});

test('failures: exit status with stderr, not JSON, a bad field, an unreadable recording, a missing program', async () => {
  const dir = tempDir();
  const fails = program(dir, 'fails', { body: `process.stderr.write('model not found'); process.exit(3);` });
  const chatty = program(dir, 'chatty', { body: `process.stdout.write('Transcribing...\\n{}');` });
  const badSide = program(dir, 'bad', { reply: `{ MESSAGES: [{ SIDE: 'Agent', START_TIME: 0, STOP_TIME: 1, MESSAGE: 'x' }] }` });
  const run = async (s: TranscriberSettings, j = job(dir)) => setup(s).t.request(j);

  const a = await run(settingsFor(fails));
  assert.equal(a.kind === 'failed' && a.code, 'REC_TRANSCRIPT_FAILED');
  assert.match(a.kind === 'failed' ? `${a.message} ${a.log}` : '', /exit status 3 model not found/);
  const b = await run(settingsFor(chatty));
  assert.equal(b.kind === 'failed' && b.code, 'REC_TRANSCRIPT_BAD_REPLY');
  assert.match(b.kind === 'failed' ? b.message : '', /not JSON: Transcribing/);
  const c = await run(settingsFor(badSide));
  assert.deepEqual(c.kind === 'failed' && [c.code, c.message], ['REC_TRANSCRIPT_BAD_REPLY', 'MESSAGES.0.SIDE: SIDE must be "User" or "Client"']);
  const d = await run(settingsFor(fails), { ...job(dir), file: join(dir, 'gone.wav') });
  assert.equal(d.kind === 'failed' && d.code, 'REC_TRANSCRIPT_NO_FILE');
  const e = await run({ ...settingsFor(fails), command: join(dir, 'no-such-program') });
  assert.equal(e.kind === 'failed' && e.code, 'REC_TRANSCRIPT_FAILED');
  assert.match(e.kind === 'failed' ? e.message : '', /cannot start .*no-such-program/);
  const off = await run(undefined as never);
  assert.equal(off.kind === 'failed' && off.code, 'REC_TRANSCRIPT_FAILED');
});

test('a hung program is killed at the timeout with the children it started', async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'child.pid');
  const hung = program(dir, 'hung', {
    body: `import('node:child_process').then(({ spawn }) => import('node:fs').then((fs) => {
      const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      fs.writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
    })); setInterval(() => {}, 1000);`,
  });
  const { t } = setup(settingsFor(hung, { timeoutMs: 600, waitMs: 5_000 }));
  const started = Date.now();
  const r = await t.request(job(dir));
  assert.equal(r.kind === 'failed' && r.code, 'REC_TRANSCRIPT_TIMEOUT');
  assert.ok(Date.now() - started < 3_000);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  await new Promise((res) => setTimeout(res, 100));
  assert.ok(gone(pid), 'the grandchild died with the group');
});

test('at most `concurrency` programs at once: the others wait their turn', async () => {
  const dir = tempDir();
  const stamp = program(dir, 'stamp', { delayMs: 300, reply: `{ MESSAGES: [{ SIDE: 'User', START_TIME: 0, STOP_TIME: 1, MESSAGE: String(Date.now()) }] }` });
  const { t } = setup(settingsFor(stamp, { concurrency: 1 }));
  const started = Date.now();
  const [a, b] = await Promise.all([t.request(job(dir, 'k.1')), t.request(job(dir, 'k.2'))]);
  assert.equal(a.kind, 'done');
  assert.equal(b.kind, 'done');
  assert.ok(Date.now() - started >= 600, 'the second ran after the first');
});

test('close() kills running programs; their requests say "running" (the step comes back after a restart)', async () => {
  const dir = tempDir();
  const { t, kv } = setup(settingsFor(program(dir, 'long', { reply: TWO_LINES, delayMs: 5_000 })));
  const pending = t.request(job(dir));
  await new Promise((r) => setTimeout(r, 200));
  t.close();
  assert.equal((await pending).kind, 'running');
  assert.equal(kv.map.size, 0);
});
