import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_BACKOFF } from '../../src/outbox/backoff.js';
import { applyUpdate, canTransition, classifyError, decide } from '../../src/outbox/journal.js';
import type { OutboxCommand } from '../../src/outbox/command.js';
import { ConnectorError } from '../../src/errors.js';

const cmd = (over: Partial<OutboxCommand> = {}): OutboxCommand => ({
  id: 5, callKey: 'c1', step: 'register', idempotencyKey: 'c1:register', method: 'telephony.externalcall.register',
  params: {}, priority: 0, state: 'running', attempts: 0, nextAttemptAt: 0, lastError: null, result: undefined,
  solo: false, uncertain: false, expiresAt: null, createdAt: 0, updatedAt: 0, ...over,
});

describe('backoffDelay', () => {
  test('doubles from 1 s, equal jitter: rand 0 gives half, rand→1 the full delay', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelay(n, 0)), [500, 1000, 2000, 4000]);
    assert.deepEqual([1, 2, 3].map((n) => backoffDelay(n, 0.999999)), [1000, 2000, 4000]);
    assert.equal(backoffDelay(1, 0.5), 750);
  });
  test('is capped at 5 minutes, even for huge attempt counts', () => {
    assert.equal(backoffDelay(20, 0.999999), 300_000);
    assert.equal(backoffDelay(10_000, 0.999999), 300_000);
    assert.equal(backoffDelay(10_000, 0), 150_000);
  });
  test('a server hint raises the delay, but never above the cap', () => {
    assert.equal(backoffDelay(1, 0, DEFAULT_BACKOFF, 42_000), 42_000);
    assert.equal(backoffDelay(1, 0, DEFAULT_BACKOFF, 10), 500);
    assert.equal(backoffDelay(1, 0, DEFAULT_BACKOFF, 9e9), 300_000);
  });
  test('no jitter and odd inputs', () => {
    const p = { baseMs: 100, factor: 3, capMs: 1_000, jitter: 0 };
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => backoffDelay(n, 0.7, p)), [100, 100, 300, 900, 1000]);
    assert.equal(backoffDelay(2, Number.NaN, DEFAULT_BACKOFF), 1000);
  });
});

describe('journal', () => {
  test('transition table', () => {
    assert.equal(canTransition('pending', 'running'), true);
    assert.equal(canTransition('running', 'done'), true);
    assert.equal(canTransition('dead', 'pending'), true);
    assert.equal(canTransition('done', 'pending'), false);
    assert.equal(canTransition('pending', 'done'), false);
    assert.equal(canTransition('discarded', 'pending'), false);
  });

  test('success → done with the result, attempts counted', () => {
    const u = decide(cmd({ attempts: 2 }), { kind: 'success', result: { CALL_ID: 'X' } }, { now: 1000, rand: 0 });
    assert.deepEqual(u, { id: 5, solo: false, state: 'done', attempts: 3, nextAttemptAt: 1000, lastError: null, result: { CALL_ID: 'X' } });
  });

  test('retryable failure → pending with backoff', () => {
    const error = { code: 'B24_QUERY_LIMIT', message: 'Too many requests', retryable: true };
    const u = decide(cmd({ attempts: 1 }), { kind: 'failure', error }, { now: 10_000, rand: 0 });
    assert.deepEqual(u, {
      id: 5, solo: false, state: 'pending', attempts: 2, nextAttemptAt: 11_000,
      lastError: { code: 'B24_QUERY_LIMIT', message: 'Too many requests' },
    });
  });

  test('retryable failure honours retryAfterMs', () => {
    const error = { code: 'B24_OPERATION_TIME_LIMIT', message: 'x', retryable: true, retryAfterMs: 60_000 };
    assert.equal(decide(cmd(), { kind: 'failure', error }, { now: 0, rand: 0 }).nextAttemptAt, 60_000);
  });

  test('non-retryable → dead; maxAttempts turns retryable into dead too', () => {
    const fatal = decide(cmd(), { kind: 'failure', error: { code: 'B24_ERROR_CORE', message: 'Unknown TYPE', retryable: false } }, { now: 7, rand: 0 });
    assert.equal(fatal.state, 'dead');
    assert.deepEqual(fatal.lastError, { code: 'B24_ERROR_CORE', message: 'Unknown TYPE' });
    const worn = decide(cmd({ attempts: 2 }), { kind: 'failure', error: { code: 'B24_NETWORK', message: 'reset', retryable: true } }, { now: 7, rand: 0, maxAttempts: 3 });
    assert.equal(worn.state, 'dead');
    assert.equal(worn.attempts, 3);
    assert.equal(worn.lastError?.code, 'OUTBOX_ATTEMPTS_EXHAUSTED');
  });

  test('a timed-out send marks the command uncertain (sticky)', () => {
    const error = { code: 'OUTBOX_SEND_TIMEOUT', message: 'no answer', retryable: true };
    const u = decide(cmd(), { kind: 'failure', error }, { now: 0, rand: 0 });
    assert.equal(u.uncertain, true);
    assert.equal(applyUpdate(cmd(), u, 0).uncertain, true);
    const later = decide(cmd({ uncertain: true }), { kind: 'success', result: 1 }, { now: 0, rand: 0 });
    assert.equal(applyUpdate(cmd({ uncertain: true }), later, 0).uncertain, true);
  });

  test('batch-rejected → pending, solo, due now; not-sent keeps attempts', () => {
    const err = { code: 'B24_BATCH_METHOD_NOT_ALLOWED', message: 'no', retryable: false };
    assert.deepEqual(decide(cmd(), { kind: 'batch-rejected', error: err }, { now: 3, rand: 0 }), {
      id: 5, solo: true, state: 'pending', attempts: 1, nextAttemptAt: 3, lastError: { code: err.code, message: err.message },
    });
    const ns = decide(cmd({ attempts: 4 }), { kind: 'not-sent' }, { now: 9, rand: 0 });
    assert.equal(ns.state, 'pending');
    assert.equal(ns.attempts, 4);
    assert.equal(ns.nextAttemptAt, 9);
  });

  test('classifyError keeps ConnectorError flags, retries unknown throwables', () => {
    const c = classifyError(new ConnectorError('B24_QUERY_LIMIT', 'slow down', { retryable: true, details: { retryAfterMs: 2500 } }));
    assert.deepEqual(c, { code: 'B24_QUERY_LIMIT', message: 'slow down', retryable: true, retryAfterMs: 2500 });
    assert.deepEqual(classifyError(new TypeError('boom')), { code: 'OUTBOX_SEND_FAILED', message: 'boom', retryable: true });
  });

  test('applyUpdate gives the observer view', () => {
    const after = applyUpdate(cmd(), { id: 5, state: 'done', attempts: 1, nextAttemptAt: 4, lastError: null, result: 1, solo: false }, 4);
    assert.equal(after.state, 'done');
    assert.equal(after.result, 1);
    assert.equal(after.updatedAt, 4);
  });
});
