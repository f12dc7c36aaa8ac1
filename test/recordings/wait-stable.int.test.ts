/**
 * waitForStable on real files with virtual time: the test's clock moves only when the waiter
 * sleeps, and file changes are scheduled at exact virtual instants.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateRecordings } from '../../src/adapters/recordings/locate.js';
import { waitForStable } from '../../src/adapters/recordings/wait-stable.js';
import { tempDir, virtualClock, wavBytes } from './helpers.js';

describe('waitForStable', () => {
  let dir: string;
  let remove: () => Promise<void>;
  before(async () => ({ dir, remove } = await tempDir()));
  after(() => remove());

  const finder = (name: string) => async () =>
    (await locateRecordings({ names: [name] }, { dirs: [dir] })).map((f) => ({ path: f.path, size: f.size }));

  test('a file already complete is ready after exactly stableMs', async () => {
    await writeFile(join(dir, 'done.wav'), wavBytes(1));
    const clock = virtualClock();
    const r = await waitForStable(finder('done.wav'), { stableMs: 2000, maxWaitMs: 120_000, pollMs: 500, clock });
    assert.equal(r.status, 'ready');
    assert.equal(r.waitedMs, 2000);
    assert.deepEqual(r.files, [{ path: join(dir, 'done.wav'), size: 16_044 }]);
  });

  test('a file that appears late is found and waited for', async () => {
    const clock = virtualClock();
    clock.at(7_000, () => writeFile(join(dir, 'late.wav'), wavBytes(2)));
    const r = await waitForStable(finder('late.wav'), { stableMs: 2000, maxWaitMs: 120_000, pollMs: 500, clock });
    assert.equal(r.status, 'ready');
    assert.equal(r.waitedMs, 9_000); // seen at 7 s, unchanged until 9 s
    assert.deepEqual(r.files.map((f) => f.size), [32_044]);
  });

  test('a file that never appears → missing at the bound', async () => {
    const clock = virtualClock();
    const r = await waitForStable(finder('never.wav'), { stableMs: 2000, maxWaitMs: 10_000, pollMs: 1000, clock });
    assert.deepEqual(r, { status: 'missing', files: [], waitedMs: 10_000 });
    assert.ok(clock.sleeps.every((s) => s <= 1000));
  });

  test('a growing file is waited for until its size stops changing', async () => {
    const p = join(dir, 'growing.wav');
    await writeFile(p, wavBytes(0.5));
    const clock = virtualClock();
    // MixMonitor still flushing: +1000 bytes every 400 ms until t = 4 s
    for (let t = 400; t <= 4000; t += 400) clock.at(t, () => appendFile(p, Buffer.alloc(1000)));
    const r = await waitForStable(finder('growing.wav'), { stableMs: 1000, maxWaitMs: 60_000, pollMs: 200, clock });
    assert.equal(r.status, 'ready');
    assert.equal(r.files[0]!.size, 8_044 + 10_000);
    assert.equal(r.waitedMs, 5_000); // last change seen at 4 s + 1 s stable
  });

  test('a file still growing at the bound → timeout with its last size', async () => {
    const p = join(dir, 'endless.wav');
    await writeFile(p, Buffer.alloc(100));
    const clock = virtualClock();
    for (let t = 300; t <= 6000; t += 300) clock.at(t, () => appendFile(p, Buffer.alloc(10)));
    const r = await waitForStable(finder('endless.wav'), { stableMs: 1000, maxWaitMs: 5000, pollMs: 250, clock });
    assert.equal(r.status, 'timeout');
    assert.equal(r.waitedMs, 5000);
    assert.deepEqual(r.files, [{ path: p, size: 100 + 16 * 10 }]);
  });

  test('an aborted signal stops the wait', async () => {
    const ac = new AbortController();
    const clock = virtualClock();
    clock.at(1000, () => ac.abort());
    await assert.rejects(
      waitForStable(finder('never2.wav'), { stableMs: 1000, maxWaitMs: 60_000, pollMs: 500, clock, signal: ac.signal }),
      (e: Error) => e.name === 'AbortError');
  });

  test('real clock, small scale: late file found within the bound', async () => {
    const started = Date.now();
    const timer = setTimeout(() => void writeFile(join(dir, 'real.wav'), wavBytes(0.2)), 80);
    try {
      const r = await waitForStable(finder('real.wav'), { stableMs: 60, maxWaitMs: 3000, pollMs: 20 });
      assert.equal(r.status, 'ready');
      assert.deepEqual(r.files.map((f) => f.size), [3_244]);
      assert.ok(Date.now() - started < 2000);
    } finally {
      clearTimeout(timer);
    }
  });
});
