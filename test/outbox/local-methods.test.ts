import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withLocalMethods } from '../../src/outbox/local-methods.js';
import type { B24Client } from '../../src/adapters/bitrix/types.js';
import { ConnectorError } from '../../src/errors.js';

const remote: B24Client = {
  async call<T>() { return null as T; },
  async callRaw() { return { result: null }; },
  async batch(cmds) {
    return { results: Object.fromEntries(cmds.map((c) => [c.key, { CALL_ID: `id-of-${c.key}` }])), errors: {} };
  },
};

test('local methods run after the remote ones, with batch references filled in', async () => {
  const seen: unknown[] = [];
  const client = withLocalMethods(remote, { 'local.attachRecord': async (p) => { seen.push(p); return { FILE_ID: 7 }; } });
  const out = await client.batch([
    { key: 'c1', method: 'telephony.externalcall.register', params: {} },
    { key: 'c2', method: 'local.attachRecord', params: { CALL_ID: '$result[c1][CALL_ID]', path: '/x.mp3' } },
  ]);
  assert.deepEqual(seen, [{ CALL_ID: 'id-of-c1', path: '/x.mp3' }]);
  assert.deepEqual(out.results['c2'], { FILE_ID: 7 });
});

test('a failing or unknown local method is a per-command error', async () => {
  const client = withLocalMethods(remote, { 'local.fail': async () => { throw new ConnectorError('REC_UPLOAD_FAILED', 'x', { retryable: true }); } });
  const out = await client.batch([{ key: 'a', method: 'local.fail', params: {} }, { key: 'b', method: 'local.none', params: {} }]);
  assert.equal(out.errors['a']?.code, 'REC_UPLOAD_FAILED');
  assert.equal(out.errors['b']?.code, 'OUTBOX_NO_EXECUTOR');
});
