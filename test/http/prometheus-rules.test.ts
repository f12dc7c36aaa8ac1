/** The shipped Prometheus rules only name metrics the connector exports (and parse as the YAML subset they use). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMetrics } from '../../src/adapters/http/metrics.js';

const rules = readFileSync(new URL('../../examples/prometheus/asterisk-b24-alerts.yml', import.meta.url), 'utf8');

test('every asterisk_b24_* metric in the alert rules is exported, with the labels the rules group by', async () => {
  const exported = await createMetrics().text();
  const named = [...new Set([...rules.matchAll(/\basterisk_b24_[a-z_]+\b/g)].map((m) => m[0]))];
  assert.ok(named.length >= 6, named.join(', '));
  for (const name of named) assert.match(exported, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is not exported`);
  // `sum by (code)` / `by (point, code)`: those labels exist on the metric.
  assert.match(exported, /^# HELP asterisk_b24_rest_errors_total /m);
  const m = createMetrics();
  m.restRequest('telephony.externalcall.register', false, 0.1, 'B24_NO_AUTH');
  m.hookRun('need_registration', false, 3, 'HOOK_TIMEOUT');
  const text = await m.text();
  assert.match(text, /asterisk_b24_rest_errors_total\{method="telephony\.externalcall\.register",code="B24_NO_AUTH"\} 1/);
  assert.match(text, /asterisk_b24_hook_failures_total\{point="need_registration",code="HOOK_TIMEOUT"\} 1/);
});

test('each rule has an alert name, an expression and a summary', () => {
  const alerts = rules.split(/\n\s*- alert: /).slice(1);
  assert.equal(alerts.length, 7);
  for (const a of alerts) {
    assert.match(a, /^\w+\n\s+expr: \S/);
    assert.match(a, /summary: ".+"/);
    assert.doesNotMatch(a, /\t/, 'YAML has no tabs');
  }
});
