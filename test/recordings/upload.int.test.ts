/**
 * attachRecord against the in-process Bitrix24 emulator: register + finish a call with the REST
 * client, then attach a small file (one call, base64) and a large one (two-step uploadUrl).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { attachRecord } from '../../src/adapters/recordings/upload.js';
import { ConnectorError } from '../../src/errors.js';
import { startEmulator, type Emulator } from '../../tools/b24-emu/index.js';
import { emulatorClient, emuRecords as records, registerAndFinish } from './emu-helpers.js';
import { tempDir } from './helpers.js';

const SEED = { users: [{ ID: 1, NAME: 'Ann', LAST_NAME: 'Admin', ACTIVE: true, UF_PHONE_INNER: '101' }] };

/** A fake mp3: frame-sync bytes and a deterministic body. */
function mp3Bytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7) & 0xff;
  b[0] = 0xff;
  b[1] = 0xf3;
  return b;
}

describe('attachRecord against tools/b24-emu', () => {
  let emu: Emulator;
  let client: B24RestClient;
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => {
    emu = await startEmulator({ port: 0, portal: SEED, limits: { capacity: 50, drainPerSec: 50 } });
    client = emulatorClient(emu);
    ({ dir, remove } = await tempDir());
  });
  after(async () => {
    await emu.close();
    await remove();
  });

  test('small file: one attachRecord with FILE_CONTENT (base64), attached to the right call', async () => {
    const other = await registerAndFinish(client, '+4930111111');
    const callId = await registerAndFinish(client, '+4930123456');
    const path = join(dir, 'in-200-100-1795322861.50.mp3');
    await writeFile(path, mp3Bytes(3000));
    const before = emu.requests.list().length;
    const r = await attachRecord(client, callId, path);
    assert.equal(r.mode, 'base64');
    assert.equal(r.bytes, 3000);
    assert.equal(r.fileName, 'in-200-100-1795322861.50.mp3');
    const rec = records(emu).find((x) => x.fileId === r.fileId);
    assert.ok(rec, 'record stored');
    assert.equal(rec.callId, callId);
    assert.notEqual(rec.callId, other);
    assert.equal(rec.format, 'mp3');
    assert.equal(rec.size, 3000);
    assert.equal(rec.via, 'base64');
    assert.equal(rec.current, true);
    const sent = emu.requests.list().slice(before);
    assert.deepEqual(sent.map((e) => e.method.toLowerCase()), ['telephony.externalcall.attachrecord']);
  });

  test('large file: FILENAME only → uploadUrl → multipart POST; bytes arrive intact', async () => {
    const callId = await registerAndFinish(client, '+4930999999');
    const path = join(dir, 'Long-Call.MP3');
    const bytes = mp3Bytes(50_000);
    await writeFile(path, bytes);
    const before = emu.requests.list().length;
    const r = await attachRecord(client, callId, path, { inlineMaxBytes: 10_000 });
    assert.equal(r.mode, 'upload');
    assert.equal(r.fileName, 'Long-Call.mp3');
    assert.equal(typeof r.fileId, 'number');
    const rec = records(emu).find((x) => x.fileId === r.fileId)!;
    assert.equal(rec.callId, callId);
    assert.equal(rec.format, 'mp3');
    assert.equal(rec.size, 50_000);
    assert.equal(rec.via, 'upload');
    assert.equal(rec.name, 'Long-Call.mp3');
    const sent = emu.requests.list().slice(before);
    assert.deepEqual(sent.map((e) => e.kind), ['rest', 'upload']);
    assert.equal(sent[0]!.params && (sent[0]!.params as Record<string, unknown>).FILE_CONTENT, undefined);
    // the stored bytes are the file's bytes (the inspector shows only the size: read the portal's state)
    const state = (emu.portal as unknown as { state?: { records: Array<{ fileId: number; bytes: Uint8Array | null }> } }).state;
    const stored = state?.records.find((x) => x.fileId === r.fileId)?.bytes;
    assert.ok(stored, 'emulator keeps the bytes');
    assert.ok(Buffer.from(stored).equals(await readFile(path)));
  });

  test('a second attach replaces the first (re-sending after a failure is safe)', async () => {
    const callId = await registerAndFinish(client, '+4930888888');
    const path = join(dir, 'again.mp3');
    await writeFile(path, mp3Bytes(100));
    const a = await attachRecord(client, callId, path);
    const b = await attachRecord(client, callId, path);
    const mine = records(emu).filter((x) => x.callId === callId);
    assert.deepEqual(mine.map((x) => [x.fileId, x.current]), [[a.fileId, false], [b.fileId, true]]);
  });

  test('before finish → B24_METHOD_ERROR, not retryable (the flow must finish first)', async () => {
    const callId = await registerAndFinish(client, '+4930777777', false);
    const path = join(dir, 'early.mp3');
    await writeFile(path, mp3Bytes(100));
    await assert.rejects(attachRecord(client, callId, path), (e: unknown) => {
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.code, 'B24_METHOD_ERROR');
      assert.equal(e.retryable, false);
      return true;
    });
  });

  test('portal down during the upload step → retryable B24 error', async () => {
    const callId = await registerAndFinish(client, '+4930666666');
    const path = join(dir, 'down.mp3');
    await writeFile(path, mp3Bytes(20_000));
    // step 1 passes, then every request fails with a 5xx
    let n = 0;
    const flaky: typeof fetch = async () => {
      n++;
      return new Response(JSON.stringify({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }), { status: 500 });
    };
    await assert.rejects(attachRecord(client, callId, path, { inlineMaxBytes: 1000, fetch: flaky }), (e: unknown) => {
      assert.ok(e instanceof ConnectorError);
      assert.equal(e.code, 'B24_SERVER_ERROR');
      assert.equal(e.retryable, true);
      assert.doesNotMatch(e.message, /token=|auth=/);
      return true;
    });
    assert.equal(n, 1);
  });

  test('refused connection on the upload step → B24_NETWORK (retryable)', async () => {
    const callId = await registerAndFinish(client, '+4930555555');
    const path = join(dir, 'net.mp3');
    await writeFile(path, mp3Bytes(20_000));
    const refused: typeof fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    };
    await assert.rejects(attachRecord(client, callId, path, { inlineMaxBytes: 1000, fetch: refused }),
      { code: 'B24_NETWORK', retryable: true });
  });

  test('wrong extension → REC_UNSUPPORTED_FORMAT before any request; missing file → REC_FILE_UNREADABLE', async () => {
    const before = emu.requests.list().length;
    await assert.rejects(attachRecord(client, 'x', join(dir, 'a.gsm')), { code: 'REC_UNSUPPORTED_FORMAT' });
    await assert.rejects(attachRecord(client, 'x', join(dir, 'absent.wav')), { code: 'REC_FILE_UNREADABLE' });
    assert.equal(emu.requests.list().length, before);
  });
});
