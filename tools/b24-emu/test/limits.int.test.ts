import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, startStub } from './helpers.js';

describe('request bucket over HTTP (reference §3.1)', () => {
  test('a burst of 50 passes, the 51st gets 503 with the exact body; draining lets one more in', async () => {
    const { emu } = await startStub();
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, () => postJson(`${emu.webhook}user.current`)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      const res = await fetch(`${emu.webhook}user.current`, { method: 'POST' });
      assert.equal(res.status, 503);
      assert.equal(await res.text(), '{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}');
      emu.clock.advance(500); // 2 per second → one slot
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 503);
    } finally {
      await emu.close();
    }
  });

  test('a batch counts as one request; Enterprise-like limits are configurable', async () => {
    const { emu } = await startStub({ limits: { capacity: 3, drainPerSec: 5 } });
    try {
      const cmd = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, 'user.current']));
      for (let i = 0; i < 3; i++) assert.equal((await postJson(`${emu.webhook}batch`, { cmd })).status, 200);
      assert.equal((await postJson(`${emu.webhook}batch`, { cmd })).status, 503);
    } finally {
      await emu.close();
    }
  });
});

describe('operating-time budget over HTTP (reference §3.2)', () => {
  test('the call that crosses the budget completes; the next one of that method gets 429', async () => {
    const { emu } = await startStub({ operatingBudgetSec: 1, processingSec: 0.4 });
    try {
      const ops: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await postJson(`${emu.webhook}user.current`);
        assert.equal(r.status, 200);
        ops.push(Number((r.body['time'] as { operating: number }).operating));
      }
      assert.deepEqual(ops, [0.4, 0.8, 1.2]);
      const blocked = await postJson(`${emu.webhook}user.current`);
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body['error'], 'OPERATION_TIME_LIMIT');
      assert.equal(blocked.body['time'], undefined, 'no time block on 429 (§11.16)');
      // Other methods and other callers keep working.
      assert.equal((await postJson(`${emu.webhook}user.get`)).status, 200);
      assert.equal((await postJson(`${emu.app.client_endpoint}user.current`, { auth: emu.app.access_token })).status, 200);
      // Inside a batch the blocked method fails alone.
      const b = await postJson(`${emu.webhook}batch`, { cmd: { a: 'user.current', b: 'user.get' } });
      const res = b.body['result'] as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(res['result'] ?? {}), ['b']);
      assert.equal((res['result_error']?.['a'] as { error: string }).error, 'OPERATION_TIME_LIMIT');
      emu.clock.advance(600_000); // the basket expires 10 minutes after it opened
      assert.equal((await postJson(`${emu.webhook}user.current`)).status, 200);
    } finally {
      await emu.close();
    }
  });
});
