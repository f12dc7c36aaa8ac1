import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateRecordings } from '../../src/adapters/recordings/locate.js';
import { tempDir } from './helpers.js';

describe('locateRecordings on real folders', () => {
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => {
    ({ dir, remove } = await tempDir());
    await mkdir(join(dir, 'monitor', '2026', '11', '22'), { recursive: true });
    await writeFile(join(dir, 'monitor', '2026', '11', '22', 'in-200-100-20261122-044741-1795322861.50.wav'), Buffer.alloc(1000));
    await writeFile(join(dir, 'monitor', 'flat.wav'), Buffer.alloc(10));
    await writeFile(join(dir, 'monitor', 'noext.WAV'), Buffer.alloc(20));
    await writeFile(join(dir, 'monitor', 'q-777-1795322900.7-x.gsm'), Buffer.alloc(30));
    await writeFile(join(dir, 'monitor', 'q-777-1795322900.70-x.wav'), Buffer.alloc(40));
  });
  after(() => remove());

  test('full path that exists is returned as is', async () => {
    const p = join(dir, 'monitor', 'flat.wav');
    assert.deepEqual(await locateRecordings({ names: [p] }, { dirs: [] }), [{ name: p, path: p, size: 10 }]);
  });

  test('full path from another host (different mount) is found by name in the dirs', async () => {
    const found = await locateRecordings({ names: ['/var/spool/asterisk/monitor/flat.wav'] }, { dirs: [join(dir, 'monitor')] });
    assert.deepEqual(found.map((f) => f.path), [join(dir, 'monitor', 'flat.wav')]);
  });

  test('bare FreePBX name is found in its YYYY/MM/DD folder', async () => {
    const name = 'in-200-100-20261122-044741-1795322861.50.wav';
    const found = await locateRecordings({ names: [name] }, { dirs: ['/nonexistent', join(dir, 'monitor')] });
    assert.deepEqual(found, [{ name, path: join(dir, 'monitor', '2026', '11', '22', name), size: 1000 }]);
  });

  test('the date folder also comes from the call time when the name has no date', async () => {
    await writeFile(join(dir, 'monitor', '2026', '11', '22', 'plain-1.wav'), Buffer.alloc(5));
    const t = Date.UTC(2026, 10, 22, 10, 0);
    const found = await locateRecordings({ names: ['plain-1.wav'], times: [t] }, { dirs: [join(dir, 'monitor')], utcOffsetMinutes: 0 });
    assert.deepEqual(found.map((f) => f.size), [5]);
  });

  test('a name without extension matches the WAV (wav49) file', async () => {
    const found = await locateRecordings({ names: ['noext'] }, { dirs: [join(dir, 'monitor')] });
    assert.deepEqual(found.map((f) => f.path), [join(dir, 'monitor', 'noext.WAV')]);
  });

  test('no names: files named after the call ids, with an exact id boundary', async () => {
    const found = await locateRecordings({ names: [], ids: ['1795322900.7'] }, { dirs: [join(dir, 'monitor')] });
    assert.deepEqual(found.map((f) => f.path), [join(dir, 'monitor', 'q-777-1795322900.7-x.gsm')]);
  });

  test('absent names → empty list; the same file named twice is listed once', async () => {
    assert.deepEqual(await locateRecordings({ names: ['nope.wav'] }, { dirs: [join(dir, 'monitor')] }), []);
    const p = join(dir, 'monitor', 'flat.wav');
    assert.equal((await locateRecordings({ names: [p, 'flat.wav'] }, { dirs: [join(dir, 'monitor')] })).length, 1);
  });

  test('an unsearchable folder is reported and skipped, the next dir still searched', { skip: process.getuid?.() === 0 ? 'root ignores permissions' : false }, async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await writeFile(join(locked, 'flat.wav'), 'x');
    await chmod(locked, 0o000);
    const problems: string[] = [];
    try {
      const found = await locateRecordings({ names: ['flat.wav'] }, { dirs: [locked, join(dir, 'monitor')], onProblem: (_p, code) => problems.push(code) });
      assert.deepEqual(found.map((f) => f.path), [join(dir, 'monitor', 'flat.wav')]);
      assert.ok(problems.includes('EACCES'), problems.join());
    } finally {
      await chmod(locked, 0o755);
    }
  });
});
