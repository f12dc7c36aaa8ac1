import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTranscript, MAX_TRANSCRIPT_MESSAGES } from '../../src/core/crm/transcript.js';

test('a reply in the method\'s own names passes; fractional times are widened to whole seconds', () => {
  const r = checkTranscript({
    MESSAGES: [
      { SIDE: 'User', START_TIME: 0.4, STOP_TIME: 2.1, MESSAGE: ' Good afternoon ' },
      { SIDE: 'Client', START_TIME: 0, STOP_TIME: 0.3, MESSAGE: 'Hi' },
      { SIDE: 'Client', START_TIME: 7.9, STOP_TIME: 7.95, MESSAGE: 'ok' },
    ],
    COST: 0.25, COST_CURRENCY: 'USD',
  });
  assert.deepEqual(r, {
    ok: true,
    transcript: {
      MESSAGES: [
        { SIDE: 'User', START_TIME: 0, STOP_TIME: 3, MESSAGE: 'Good afternoon' },
        { SIDE: 'Client', START_TIME: 0, STOP_TIME: 1, MESSAGE: 'Hi' },
        { SIDE: 'Client', START_TIME: 7, STOP_TIME: 8, MESSAGE: 'ok' },
      ],
      COST: 0.25, COST_CURRENCY: 'USD',
    },
  });
  // No cost: no currency either (Bitrix24 uses the currency only with a cost).
  assert.deepEqual(checkTranscript({ MESSAGES: [], COST_CURRENCY: 'EUR' }), { ok: true, transcript: { MESSAGES: [] } });
});

test('what Bitrix24 would refuse is refused here, with the path of the field', () => {
  const one = (m: Record<string, unknown>): unknown => ({ MESSAGES: [{ SIDE: 'User', START_TIME: 1, STOP_TIME: 2, MESSAGE: 'x', ...m }] });
  const cases: Array<[unknown, string]> = [
    [null, ''],
    [[], ''],
    [{}, 'MESSAGES'],
    [{ MESSAGES: 'hello' }, 'MESSAGES'],
    [{ MESSAGES: ['hello'] }, 'MESSAGES.0'],
    [one({ SIDE: 'Agent' }), 'MESSAGES.0.SIDE'],
    [one({ START_TIME: -1 }), 'MESSAGES.0.START_TIME'],
    [one({ START_TIME: '1' }), 'MESSAGES.0.START_TIME'],
    [one({ STOP_TIME: 0 }), 'MESSAGES.0.STOP_TIME'],
    [one({ START_TIME: 5, STOP_TIME: 4 }), 'MESSAGES.0.STOP_TIME'],
    [one({ STOP_TIME: Number.NaN }), 'MESSAGES.0.STOP_TIME'],
    [one({ MESSAGE: '  ' }), 'MESSAGES.0.MESSAGE'],
    [one({ MESSAGE: 42 }), 'MESSAGES.0.MESSAGE'],
    [{ MESSAGES: [], COST: -1 }, 'COST'],
    [{ MESSAGES: [], COST: 1, COST_CURRENCY: 5 }, 'COST_CURRENCY'],
    [{ MESSAGES: Array.from({ length: MAX_TRANSCRIPT_MESSAGES + 1 }, () => ({ SIDE: 'User', START_TIME: 0, STOP_TIME: 1, MESSAGE: 'a' })) }, 'MESSAGES'],
  ];
  for (const [reply, path] of cases) {
    const r = checkTranscript(reply);
    assert.equal(r.ok, false, JSON.stringify(reply).slice(0, 80));
    if (!r.ok) {
      assert.equal(r.path, path, JSON.stringify(reply).slice(0, 80));
      assert.ok(r.message.length > 5);
    }
  }
});
