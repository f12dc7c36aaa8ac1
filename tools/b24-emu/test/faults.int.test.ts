import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startStub } from './helpers.js';

describe('fault injection', () => {
  test('5xx: count, fraction pattern, statuses and bodies; control API drives the same state', async () => {
    const { emu } = await startStub();
    try {
      emu.faults.set({ error5xx: { status: 500, count: 2 } });
      const a = await postJson(`${emu.webhook}user.current`);
      assert.deepEqual([a.status, a.body], [500, { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }]);
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 500);
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200, 'count used up');

      const set = await postJson(`${emu.url}/_emu/faults`, { error5xx: { status: 502, fraction: 0.5 } });
      assert.deepEqual(set.body['error5xx'], { status: 502, fraction: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${emu.webhook}user.current`, { method: 'POST' });
        await res.text();
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [200, 502, 200, 502, 200, 502]);
      await fetch(`${emu.url}/_emu/faults`, { method: 'DELETE' }).then((r) => r.text());
      emu.faults.set({ error5xx: { status: 503, count: 1 } });
      const o = await postJson(`${emu.webhook}user.current`);
      assert.deepEqual([o.status, o.body['error']], [503, 'OVERLOAD_LIMIT']);
    } finally {
      await emu.close();
    }
  });

  test('seeded fraction repeats exactly run after run', async () => {
    const run = async () => {
      const { emu } = await startStub();
      try {
        emu.faults.set({ error5xx: { status: 500, fraction: 0.3, seed: 42 } });
        const out: number[] = [];
        for (let i = 0; i < 10; i++) out.push((await postJson(`${emu.webhook}user.current`)).status);
        return out;
      } finally {
        await emu.close();
      }
    };
    const first = await run();
    assert.deepEqual(await run(), first);
    assert.ok(first.includes(500) && first.includes(200));
  });

  test('forced rate limit → 503 QUERY_LIMIT_EXCEEDED for the next N requests', async () => {
    const { emu } = await startStub();
    try {
      emu.faults.set({ rateLimit: { count: 2 } });
      const r = await postJson(`${emu.webhook}user.current`);
      assert.deepEqual([r.status, r.body], [503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }]);
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 503);
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
      emu.faults.set({ rateLimit: true });
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 503);
      emu.faults.set({ rateLimit: false });
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
    } finally {
      await emu.close();
    }
  });

  test('slow: answers are delayed by slowMs', async () => {
    const { emu } = await startStub();
    try {
      emu.faults.set({ slowMs: 150 });
      const t = performance.now();
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
      assert.ok(performance.now() - t >= 140);
      const ctl = performance.now();
      await fetch(`${emu.url}/_emu/faults`).then((r) => r.json());
      assert.ok(performance.now() - ctl < 140, 'the control API is never slowed');
    } finally {
      await emu.close();
    }
  });

  test('down/refuse: connection refused, then back on the same port', async () => {
    const { emu } = await startStub();
    try {
      emu.faults.set({ down: 'refuse' });
      await assert.rejects(fetch(`${emu.webhook}user.current`), (e: Error) => {
        const code = (e.cause as { code?: string } | undefined)?.code;
        assert.equal(code, 'ECONNREFUSED');
        return true;
      });
      emu.faults.set({ down: false });
      await new Promise((r) => setTimeout(r, 20));
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
    } finally {
      await emu.close();
    }
  });

  test('down/reset: the socket is destroyed mid-request; control API still answers; forMs restores', async () => {
    const { emu } = await startStub();
    try {
      await postJson(`${emu.url}/_emu/faults`, { down: { mode: 'reset', forMs: 200 } });
      await assert.rejects(fetch(`${emu.webhook}user.current`, { method: 'POST' }), (e: Error) => {
        assert.match(String((e.cause as { code?: string } | undefined)?.code ?? e.message), /ECONNRESET|UND_ERR_SOCKET|other side closed/);
        return true;
      });
      const st = await fetch(`${emu.url}/_emu/faults`).then((r) => r.json() as Promise<{ down: { mode: string } }>);
      assert.equal(st.down.mode, 'reset');
      await new Promise((r) => setTimeout(r, 250));
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
    } finally {
      await emu.close();
    }
  });

  test('processingSec fault feeds time.processing and the operating budget', async () => {
    const { emu } = await startStub({ operatingBudgetSec: 100 });
    try {
      emu.faults.set({ processingSec: 60 });
      const a = await postJson(`${emu.webhook}user.current`);
      assert.equal((a.body['time'] as { processing: number }).processing, 60);
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 429);
    } finally {
      await emu.close();
    }
  });
});
