import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { LiveConfig, changedSections } from '../../src/config/live-config.js';

const base = parseConfig({ bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc123/' } });
const edited = parseConfig({ bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc123/' }, tasks: { missedCalls: true }, lists: { black: { numbers: ['+1'] } } });

test('changedSections names exactly the sections whose values differ', () => {
  assert.deepEqual([...changedSections(base, base)], []);
  assert.deepEqual([...changedSections(base, edited)].sort(), ['lists', 'tasks']);
});

test('set() tells every listener once with the changed sections; nothing changed → nobody is told', () => {
  const live = new LiveConfig(base);
  const seen: string[][] = [];
  const off = live.onChange((next, changed, prev) => {
    assert.equal(prev, base);
    assert.equal(next, edited);
    seen.push([...changed].sort());
  });
  assert.deepEqual([...live.set(base).changed], []);
  assert.equal(seen.length, 0);
  assert.deepEqual([...live.set(edited).changed].sort(), ['lists', 'tasks']);
  assert.deepEqual(seen, [['lists', 'tasks']]);
  assert.equal(live.get(), edited);
  off();
  live.set(base);
  assert.equal(seen.length, 1, 'unsubscribed');
});

test('a throwing listener does not stop the others; its error is returned', () => {
  const live = new LiveConfig(base);
  let second = false;
  live.onChange(() => {
    throw new Error('boom');
  });
  live.onChange(() => {
    second = true;
  });
  const r = live.set(edited);
  assert.equal(second, true);
  assert.equal(r.errors.length, 1);
  assert.equal(live.get(), edited);
});
