/**
 * RecordingPipeline end to end: real files, real ffmpeg (skipped when absent), a fake HookPort,
 * virtual time for the waits, and the Bitrix24 emulator for the upload.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { callsSchema, recordingsSchema } from '../../src/config/schema.js';
import type { HookPort } from '../../src/flow/ports.js';
import { noHooks } from '../../src/flow/ports.js';
import { createRecordingPipeline, RecordingPipeline, type PreparedRecording, type RecordingPipelineOptions } from '../../src/adapters/recordings/pipeline.js';
import { startEmulator, type Emulator } from '../../tools/b24-emu/index.js';
import { captureLogger } from '../bitrix/capture-logger.js';
import { FFMPEG, tempDir, virtualClock, wavBytes, wavHeader } from './helpers.js';
import { emulatorClient, emuRecords, registerAndFinish } from './emu-helpers.js';

const NO_FFMPEG = existsSync(FFMPEG) ? false : `${FFMPEG} is not installed (apt install ffmpeg): ffmpeg-dependent pipeline tests skipped`;
if (NO_FFMPEG) console.log(`# SKIP: ${NO_FFMPEG}`);

const T0 = Date.UTC(2026, 10, 22, 4, 47, 41);

function hookReplying(reply: (input: Record<string, unknown>) => Record<string, unknown> | 'fail'): HookPort & { inputs: Array<Record<string, unknown>> } {
  const inputs: Array<Record<string, unknown>> = [];
  return {
    inputs,
    has: (p) => p === 'process_record_file_path',
    async run(_p, input) {
      inputs.push(input);
      const r = reply(input);
      if (r === 'fail') return { data: { ...input }, source: 'default', ok: false, code: 'HOOK_TIMEOUT', durationMs: 10_000 };
      return { data: { ...input, ...r }, source: 'hook', ok: true, durationMs: 3 };
    },
  };
}

describe('RecordingPipeline', () => {
  let dir: string;
  let monitor: string;
  let remove: () => Promise<void>;
  let emu: Emulator;
  const lines: string[] = [];

  before(async () => {
    ({ dir, remove } = await tempDir());
    monitor = join(dir, 'monitor');
    await mkdir(join(monitor, '2026', '11', '22'), { recursive: true });
    emu = await startEmulator({ port: 0, portal: { users: [{ ID: 1, NAME: 'Ann', ACTIVE: true, UF_PHONE_INNER: '101' }] }, limits: { capacity: 50, drainPerSec: 50 } });
  });
  after(async () => {
    await emu.close();
    await remove();
  });

  const make = (over: Partial<RecordingPipelineOptions> & { rec?: Record<string, unknown> } = {}): RecordingPipeline => {
    const { rec, ...rest } = over;
    return new RecordingPipeline({
      recordings: recordingsSchema.parse({ dirs: [monitor], ffmpegPath: FFMPEG, stableMs: 2000, ...rec }),
      maxWaitMs: 30_000, pollMs: 500, clock: virtualClock(T0), workDir: join(dir, 'work'), logger: captureLogger(lines),
      client: emulatorClient(emu), utcOffsetMinutes: 0, ...rest,
    });
  };
  const call = (recordings: string[], callKey = '1795322861.50') => ({ callKey, recordings, startedAt: T0, endedAt: T0 + 60_000 });

  test('disabled → none/disabled without touching the disk', async () => {
    const r = await make({ rec: { enabled: false } }).prepare(call(['/nowhere/x.wav']));
    assert.deepEqual(r, { kind: 'none', callKey: '1795322861.50', reason: 'disabled' });
  });

  test('no recording names and no file with the call ids → not-recorded at once', async () => {
    const clock = virtualClock(T0);
    const r = await make({ clock }).prepare(call([], '1795300000.1'));
    assert.equal(r.kind, 'none');
    assert.equal(r.kind === 'none' && r.reason, 'not-recorded');
    assert.deepEqual(clock.sleeps, []);
  });

  test('never appears → missing (REC_MISSING) after calls.recordingWaitMs', async () => {
    const r = await make({ maxWaitMs: 5000 }).prepare(call(['/var/spool/asterisk/monitor/ghost.wav']));
    assert.deepEqual({ ...r, detail: undefined }, { kind: 'none', callKey: '1795322861.50', reason: 'missing', code: 'REC_MISSING', waitedMs: 5000, detail: undefined });
  });

  test('a bare wav header → empty (REC_EMPTY)', async () => {
    await writeFile(join(monitor, 'silent.wav'), wavHeader(0));
    const r = await make().prepare(call(['silent.wav']));
    assert.equal(r.kind === 'none' && r.code, 'REC_EMPTY');
  });

  test('late FreePBX file → waited, mp3, hook 7 sees the mp3, upload attaches it to the call', { skip: NO_FFMPEG }, async () => {
    const name = 'in-+4930123456-5551004-20261122-044741-1795322861.50.wav';
    const clock = virtualClock(T0);
    clock.at(3000, () => writeFile(join(monitor, '2026', '11', '22', name), wavBytes(4)));
    const hooks = hookReplying(() => ({}));
    const p = make({ clock, hooks });
    const r = await p.prepare(call([`/var/spool/asterisk/monitor/${name}`]), { callFull: { call_key: '1795322861.50' } });
    assert.equal(r.kind, 'prepared');
    const prep = r as PreparedRecording;
    assert.equal(prep.sourcePath, join(monitor, '2026', '11', '22', name));
    assert.equal(prep.converted, true);
    assert.equal(prep.format, 'mp3');
    assert.equal(prep.fileName, 'in-+4930123456-5551004-20261122-044741-1795322861.50.mp3');
    assert.equal(prep.waitedMs, 5000);
    assert.equal(prep.hooked, false);
    assert.equal(prep.bytes, (await stat(prep.path)).size);
    assert.ok(prep.bytes > 7000 && prep.bytes < 10_000, `mp3 of 4 s at 16 kbit/s: ${prep.bytes}`);
    assert.deepEqual(hooks.inputs, [{ path: prep.path, call_full: { call_key: '1795322861.50' } }]);
    // plain JSON, fit for an outbox payload
    assert.deepEqual(JSON.parse(JSON.stringify(prep)), prep);

    const callId = await registerAndFinish(emulatorClient(emu), '+4930123456');
    const up = await p.upload(callId, prep);
    assert.equal(up.mode, 'base64');
    const rec = emuRecords(emu).find((x) => x.fileId === up.fileId)!;
    assert.deepEqual([rec.callId, rec.format, rec.size, rec.name], [callId, 'mp3', prep.bytes, prep.fileName]);

    await p.cleanup(prep);
    assert.equal(existsSync(prep.tempDir!), false);
    assert.equal(existsSync(prep.sourcePath), true, 'the PBX file is never removed');
  });

  test('large recording goes in two steps (small inline threshold)', { skip: NO_FFMPEG }, async () => {
    await writeFile(join(monitor, 'long.wav'), wavBytes(10));
    const p = make({ inlineMaxBytes: 5000 });
    const prep = (await p.prepare(call([join(monitor, 'long.wav')]))) as PreparedRecording;
    const callId = await registerAndFinish(emulatorClient(emu), '+4930123457');
    const up = await p.upload(callId, prep);
    assert.equal(up.mode, 'upload');
    const rec = emuRecords(emu).find((x) => x.fileId === up.fileId)!;
    assert.deepEqual([rec.callId, rec.format, rec.size, rec.via], [callId, 'mp3', prep.bytes, 'upload']);
    await p.cleanup(prep);
  });

  test('hook 7 points to another mp3 → that file is sent', { skip: NO_FFMPEG }, async () => {
    await writeFile(join(monitor, 'h.wav'), wavBytes(1));
    const other = join(dir, 'custom', 'renamed.mp3');
    await mkdir(join(dir, 'custom'), { recursive: true });
    await writeFile(other, Buffer.from([0xff, 0xf3, 1, 2, 3, 4]));
    const prep = (await make({ hooks: hookReplying(() => ({ path: other })) }).prepare(call(['h.wav']))) as PreparedRecording;
    assert.deepEqual([prep.path, prep.fileName, prep.bytes, prep.hooked, prep.converted], [other, 'renamed.mp3', 6, true, true]);
  });

  test('hook 7 failing or answering a missing / non-audio path → original kept, REC_HOOK_PATH_INVALID logged', { skip: NO_FFMPEG }, async () => {
    await writeFile(join(monitor, 'h2.wav'), wavBytes(1));
    for (const reply of ['fail', { path: join(dir, 'nope.mp3') }, { path: join(dir, 'x.ogg') }] as const) {
      lines.length = 0;
      const prep = (await make({ hooks: hookReplying(() => reply) }).prepare(call(['h2.wav']))) as PreparedRecording;
      assert.equal(prep.hooked, false);
      assert.equal(prep.fileName, 'h2.mp3');
      const invalid = lines.filter((l) => l.includes('REC_HOOK_PATH_INVALID')).length;
      assert.equal(invalid, reply === 'fail' ? 0 : 1);
    }
  });

  test('conversion off → the wav is sent as is', async () => {
    await writeFile(join(monitor, 'plain.wav'), wavBytes(1));
    const prep = (await make({ rec: { convertToMp3: false }, hooks: noHooks }).prepare(call(['plain.wav']))) as PreparedRecording;
    assert.deepEqual([prep.path, prep.format, prep.converted, prep.bytes, prep.tempDir], [join(monitor, 'plain.wav'), 'wav', false, 16_044, undefined]);
  });

  test('ffmpeg missing → wav sent as is with a REC_FFMPEG_MISSING warning; a gsm file cannot be sent', async () => {
    await writeFile(join(monitor, 'nf.wav'), wavBytes(1));
    await writeFile(join(monitor, 'nf2.gsm'), Buffer.alloc(3300, 1));
    lines.length = 0;
    const p = make({ rec: { ffmpegPath: join(dir, 'no-ffmpeg') } });
    const prep = (await p.prepare(call(['nf.wav']))) as PreparedRecording;
    assert.deepEqual([prep.format, prep.converted], ['wav', false]);
    assert.ok(lines.some((l) => JSON.parse(l).code === 'REC_FFMPEG_MISSING'));
    const r = await p.prepare(call(['nf2']));
    assert.equal(r.kind === 'none' && r.code, 'REC_UNSUPPORTED_FORMAT');
  });

  test('link mode: description for hook 14, file published; a private base URL is refused', async () => {
    await writeFile(join(monitor, 'l.wav'), wavBytes(1));
    const pub = join(dir, 'public');
    const p = createRecordingPipeline(
      { recordings: recordingsSchema.parse({ dirs: [monitor], convertToMp3: false, mode: 'link', publicBaseUrl: 'https://pbx.example.com/rec/', stableMs: 100 }),
        calls: callsSchema.parse({ recordingWaitMs: 1000 }) },
      { clock: virtualClock(T0), publishDir: pub });
    const prep = (await p.prepare(call(['l.wav']))) as PreparedRecording;
    const link = await p.link(prep);
    assert.equal(link.url, 'https://pbx.example.com/rec/l.wav');
    assert.equal(link.DESCRIPTION_TYPE, 3);
    assert.match(link.DESCRIPTION, /^<audio controls preload="none" src="https:\/\/pbx\.example\.com\/rec\/l\.wav"><\/audio>/);
    assert.equal(link.publishedPath, join(pub, 'l.wav'));
    assert.ok((await readFile(link.publishedPath!)).equals(await readFile(join(monitor, 'l.wav'))));

    const priv = make({ rec: { mode: 'link', publicBaseUrl: 'http://10.0.0.5:8080/rec/', convertToMp3: false } });
    await assert.rejects(priv.link(prep), { code: 'REC_LINK_PRIVATE_URL' });
  });

  test('conversions are limited to maxConcurrentConversions processes (stand-in ffmpeg script)', async () => {
    const log = join(dir, 'ffmpeg.log');
    const fake = join(dir, 'fake-ffmpeg.sh');
    // Writes s/e around a short sleep and an mp3-looking output to its last argument.
    await writeFile(fake, `#!/bin/sh\nfor a; do last="$a"; done\necho s >> '${log}'\nsleep 0.15\necho e >> '${log}'\nprintf 'ID3xxxxxxx' > "$last"\n`);
    await chmod(fake, 0o755);
    for (const n of [1, 2, 3]) await writeFile(join(monitor, `c${n}.wav`), wavBytes(0.5));
    const p = make({ rec: { ffmpegPath: fake }, maxConcurrentConversions: 1 });
    const out = await Promise.all([1, 2, 3].map((n) => p.prepare(call([`c${n}.wav`], `k${n}`))));
    assert.deepEqual(out.map((r) => r.kind === 'prepared' && r.converted && r.bytes), [10, 10, 10]);
    assert.equal((await readFile(log, 'utf8')).replace(/\n/g, ''), 'sesese');
    for (const r of out) if (r.kind === 'prepared') await p.cleanup(r);
  });

  test('upload without a client → REC_NO_CLIENT', async () => {
    const p = new RecordingPipeline({ recordings: recordingsSchema.parse({}), maxWaitMs: 10 });
    const fake = { kind: 'prepared', callKey: 'k', path: '/x.mp3', fileName: 'x.mp3', format: 'mp3', bytes: 1, sourcePath: '/x.mp3',
      converted: false, hooked: false, waitedMs: 0 } as const;
    await assert.rejects(p.upload('c', fake), { code: 'REC_NO_CLIENT' });
  });
});
