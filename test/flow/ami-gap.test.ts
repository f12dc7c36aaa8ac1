/** AmiGapWatch: when the connector was not listening to AMI (fake store and clock). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AMI_ALIVE_KEY, AmiGapWatch, type AliveStore } from '../../src/flow/ami-gap.js';

function memStore(initial?: number): AliveStore & { kv: Map<string, unknown> } {
  const kv = new Map<string, unknown>(initial === undefined ? [] : [[AMI_ALIVE_KEY, initial]]);
  return {
    kv,
    getValue: async <T>(k: string) => kv.get(k) as T | undefined,
    setValue: async (k: string, v: unknown) => void kv.set(k, v),
  };
}

test('first start ever: no gap; a clean stop records the time the next start\'s gap begins', async () => {
  let now = 1_000;
  let up = false;
  const store = memStore();
  const w = await AmiGapWatch.start(store, () => now, () => up, 60_000);
  up = true;
  assert.equal(w.connectedNow(), undefined);
  now = 5_000;
  await w.close();
  assert.equal(store.kv.get(AMI_ALIVE_KEY), 5_000);
});

test('after a crash: the gap runs from the last time kept to the connect', async () => {
  let now = 90_000;
  const w = await AmiGapWatch.start(memStore(60_000), () => now, () => true, 60_000);
  assert.deepEqual(w.connectedNow(), { from: 60_000, to: 90_000 });
  now = 95_000;
  assert.equal(w.connectedNow(), undefined, 'told once');
  await w.close();
});

test('a disconnect while running opens a gap; a second disconnect keeps its start', async () => {
  let now = 10_000;
  const w = await AmiGapWatch.start(memStore(), () => now, () => true, 60_000);
  w.connectedNow();
  now = 20_000;
  w.disconnectedNow();
  now = 25_000;
  w.disconnectedNow();
  now = 30_000;
  assert.deepEqual(w.connectedNow(), { from: 20_000, to: 30_000 });
  await w.close();
});

test('the alive time is kept every interval while connected, not while disconnected', async () => {
  let now = 0;
  let up = true;
  const store = memStore();
  const w = await AmiGapWatch.start(store, () => now, () => up, 20);
  now = 1_000;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(store.kv.get(AMI_ALIVE_KEY), 1_000);
  up = false;
  now = 2_000;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(store.kv.get(AMI_ALIVE_KEY), 1_000);
  await w.close();
});
