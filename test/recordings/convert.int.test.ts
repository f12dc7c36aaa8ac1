/**
 * wav → mp3 with the real Debian ffmpeg (skipped with a message when /usr/bin/ffmpeg is absent).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertToMp3, ffmpegAvailable, ffmpegArgs } from '../../src/adapters/recordings/convert.js';
import { ConnectorError } from '../../src/errors.js';
import { FFMPEG, tempDir, ulawWavBytes, writeWav } from './helpers.js';

const NO_FFMPEG = existsSync(FFMPEG) ? false : `${FFMPEG} is not installed (apt install ffmpeg): ffmpeg tests skipped`;
if (NO_FFMPEG) console.log(`# SKIP: ${NO_FFMPEG}`);

/** Offset of the first MPEG audio frame: after an ID3v2 tag when there is one. */
function firstFrameOffset(b: Buffer): number {
  if (b.subarray(0, 3).toString('latin1') === 'ID3') {
    const size = ((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f);
    return 10 + size;
  }
  return 0;
}

describe('convertToMp3 (real ffmpeg)', { skip: NO_FFMPEG }, () => {
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => ({ dir, remove } = await tempDir()));
  after(() => remove());

  test('ffmpegAvailable reports the version; a wrong path is REC_FFMPEG_MISSING', async () => {
    const ok = await ffmpegAvailable(FFMPEG);
    assert.equal(ok.ok, true);
    assert.match(ok.version ?? '', /^ffmpeg version \S+/);
    const bad = await ffmpegAvailable(join(dir, 'no-such-ffmpeg'));
    assert.equal(bad.ok, false);
    assert.equal(bad.code, 'REC_FFMPEG_MISSING');
  });

  test('6 s of 8 kHz sine → a valid 16 kbit/s mono mp3 of ~12 kB', async () => {
    const wav = join(dir, 'in-100-200-1795322861.50.wav');
    await writeWav(wav, 6);
    const work = join(dir, 'work');
    const out = await convertToMp3(wav, { ffmpegPath: FFMPEG, workDir: work, timeoutMs: 15_000 });
    assert.equal(out.converted, true);
    assert.ok(out.path.startsWith(work + '/'));
    assert.ok(out.path.endsWith('/in-100-200-1795322861.50.mp3'));
    const b = await readFile(out.path);
    assert.equal(out.bytes, b.length);
    const off = firstFrameOffset(b);
    // MPEG audio frame sync: 11 set bits; layer III (bits 01); 8 kHz input stays MPEG 2.5.
    assert.equal(b[off], 0xff);
    assert.equal(b[off + 1]! & 0xe0, 0xe0);
    assert.equal((b[off + 1]! >> 1) & 0x03, 0x01, 'layer III');
    assert.equal((b[off + 3]! >> 6) & 0x03, 0x03, 'channel mode mono');
    // 16 kbit/s × 6 s = 12 000 bytes; allow tag/header overhead and frame rounding.
    assert.ok(b.length >= 11_000 && b.length <= 14_000, `size ${b.length}`);
    // No .part left behind, only the mp3 in its folder.
    assert.deepEqual(await readdir(out.tempDir!), ['in-100-200-1795322861.50.mp3']);
  });

  test('a µ-law wav (format 7) converts too', async () => {
    const wav = join(dir, 'ulaw.wav');
    await writeFile(wav, ulawWavBytes(3));
    const out = await convertToMp3(wav, { ffmpegPath: FFMPEG, workDir: join(dir, 'work') });
    const b = await readFile(out.path);
    const off = firstFrameOffset(b);
    assert.equal(b[off], 0xff);
    assert.ok(b.length >= 5_000 && b.length <= 8_000, `size ${b.length}`);
  });

  test('an mp3 input is passed through untouched', async () => {
    const mp3 = join(dir, 'already.mp3');
    await writeFile(mp3, Buffer.from([0xff, 0xfb, 0x90, 0x00, 1, 2, 3]));
    const out = await convertToMp3(mp3, { ffmpegPath: FFMPEG, workDir: join(dir, 'work') });
    assert.deepEqual(out, { path: mp3, converted: false, bytes: 7, durationMs: 0 });
  });

  test('a tiny timeout kills ffmpeg → REC_FFMPEG_TIMEOUT, nothing left in the work dir', async () => {
    const wav = join(dir, 'slow.wav');
    await writeWav(wav, 30);
    const work = join(dir, 'work-timeout');
    await assert.rejects(convertToMp3(wav, { ffmpegPath: FFMPEG, workDir: work, timeoutMs: 1 }), (e: unknown) => {
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.code, 'REC_FFMPEG_TIMEOUT');
      assert.equal(e.details?.timeoutMs, 1);
      return true;
    });
    assert.deepEqual(await readdir(work), []);
  });

  test('garbage input → REC_FFMPEG_FAILED with ffmpeg\'s last line', async () => {
    const junk = join(dir, 'junk.wav');
    await writeFile(junk, 'this is not audio at all');
    await assert.rejects(convertToMp3(junk, { ffmpegPath: FFMPEG, workDir: join(dir, 'work') }), (e: unknown) => {
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.code, 'REC_FFMPEG_FAILED');
      assert.equal(e.details?.exitCode, 1);
      assert.match(e.message, /junk\.wav|Invalid data/);
      return true;
    });
  });

  test('missing ffmpeg → REC_FFMPEG_MISSING; missing input → REC_FILE_UNREADABLE', async () => {
    const wav = join(dir, 'short.wav');
    await writeWav(wav, 0.5);
    await assert.rejects(convertToMp3(wav, { ffmpegPath: join(dir, 'nope'), workDir: join(dir, 'work') }), { code: 'REC_FFMPEG_MISSING' });
    await assert.rejects(convertToMp3(join(dir, 'absent.wav'), { ffmpegPath: FFMPEG, workDir: join(dir, 'work') }), { code: 'REC_FILE_UNREADABLE' });
  });
});

test('ffmpeg arguments: no shell, mono, libmp3lame 16k, explicit mp3 muxer', () => {
  assert.deepEqual(ffmpegArgs('/in.wav', '/out.mp3.part'), [
    '-hide_banner', '-nostdin', '-y', '-i', '/in.wav', '-ac', '1', '-codec:a', 'libmp3lame', '-b:a', '16k', '-f', 'mp3', '/out.mp3.part']);
});
