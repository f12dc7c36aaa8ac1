import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pack, stepKey } from '../../src/outbox/packer.js';
import type { KnownStep } from '../../src/outbox/packer.js';
import { referencedSteps, rewriteRefs, valueAt } from '../../src/outbox/refs.js';
import type { OutboxCommand } from '../../src/outbox/command.js';

let nextId = 1;
const cmd = (callKey: string, step: string, params: Record<string, unknown> = {}, over: Partial<OutboxCommand> = {}): OutboxCommand => ({
  id: nextId++, callKey, step, idempotencyKey: `${callKey}:${step}`, method: `m.${step}`, params, priority: 0,
  state: 'running', attempts: 0, nextAttemptAt: 0, lastError: null, result: undefined, solo: false, uncertain: false, expiresAt: null,
  createdAt: 0, updatedAt: 0, ...over,
});
const callId = { $ref: 'register', path: ['CALL_ID'] };

describe('refs', () => {
  test('finds, reads and rewrites references', () => {
    const params = { CALL_ID: callId, USER_ID: [1, { $ref: 'show', path: ['x', 0] }], deep: { a: { $ref: 'register', path: [] } } };
    assert.deepEqual(referencedSteps(params), ['register', 'show']);
    assert.equal(valueAt({ a: [{ b: 'z' }] }, ['a', '0', 'b']), 'z');
    assert.equal(valueAt({ a: 1 }, ['a', 'b']), undefined);
    const r = rewriteRefs(params, (ref) => ({ ok: true, value: `<${ref.$ref}>` }));
    assert.deepEqual(r, { ok: true, value: { CALL_ID: '<register>', USER_ID: [1, '<show>'], deep: { a: '<register>' } } });
    const bad = rewriteRefs(params, () => ({ ok: false, code: 'X', reason: 'nope' }));
    assert.deepEqual(bad, { ok: false, code: 'X', reason: 'nope' });
  });
  test('an object with $ref but no path array is plain data', () => {
    assert.deepEqual(referencedSteps({ a: { $ref: 'x' } }), []);
  });
});

describe('pack', () => {
  test('different calls share batches of at most maxBatch, in claim order', () => {
    const claimed = Array.from({ length: 120 }, (_, i) => cmd(`call${i}`, 'register'));
    const plan = pack(claimed, new Map(), { maxBatch: 50, inBatchRefs: true });
    assert.deepEqual(plan.batches.map((b) => b.length), [50, 50, 20]);
    assert.equal(plan.batches[0]?.[0]?.command.callKey, 'call0');
    assert.equal(plan.batches[2]?.[19]?.command.callKey, 'call119');
    assert.equal(plan.batches[0]?.[0]?.key, `c${claimed[0]?.id}`);
  });

  test('a chain stays in one batch and refers to its head by batch key', () => {
    const reg = cmd('A', 'register', { PHONE_NUMBER: '+7' });
    const show = cmd('A', 'show:101', { CALL_ID: callId, USER_ID: 101 });
    const other = cmd('B', 'register');
    const plan = pack([reg, other, show], new Map(), { maxBatch: 50, inBatchRefs: true });
    assert.equal(plan.batches.length, 1);
    assert.deepEqual(plan.batches[0]?.map((i) => i.command.step), ['register', 'show:101', 'register']);
    assert.deepEqual(plan.batches[0]?.[1]?.params, { CALL_ID: { $ref: `c${reg.id}`, path: ['CALL_ID'] }, USER_ID: 101 });
  });

  test('a chain that does not fit starts a new batch', () => {
    const fill = Array.from({ length: 49 }, (_, i) => cmd(`f${i}`, 'register'));
    const reg = cmd('A', 'register');
    const show = cmd('A', 'show', { CALL_ID: callId });
    const plan = pack([...fill, reg, show], new Map(), { maxBatch: 50, inBatchRefs: true });
    assert.deepEqual(plan.batches.map((b) => b.length), [49, 2]);
  });

  test('a reference to a done command is replaced by its value', () => {
    const show = cmd('A', 'show', { CALL_ID: callId, USER_ID: 5 });
    const known = new Map<string, KnownStep>([[stepKey('A', 'register'), { state: 'done', result: { CALL_ID: 'externalCall.1' } }]]);
    const plan = pack([show], known, { maxBatch: 50, inBatchRefs: true });
    assert.deepEqual(plan.batches[0]?.[0]?.params, { CALL_ID: 'externalCall.1', USER_ID: 5 });
  });

  test('unresolvable references: fatal for the command, not-sent for the rest of its chain', () => {
    const finish = cmd('A', 'finish', { CALL_ID: callId });
    const task = cmd('A', 'task', { x: { $ref: 'finish', path: ['ID'] } });
    const missingPath = cmd('B', 'show', { CALL_ID: callId });
    const known = new Map<string, KnownStep>([
      [stepKey('A', 'register'), { state: 'discarded', result: undefined }],
      [stepKey('B', 'register'), { state: 'done', result: { OTHER: 1 } }],
    ]);
    const plan = pack([finish, task, missingPath], known, { maxBatch: 50, inBatchRefs: true });
    assert.equal(plan.batches.length, 0);
    assert.deepEqual(plan.fatal.map((f) => [f.command.step, f.error.code]), [['finish', 'OUTBOX_REF_UNRESOLVED'], ['show', 'OUTBOX_REF_PATH_MISSING']]);
    assert.deepEqual(plan.notSent.map((c) => c.step), ['task']);
  });

  test('solo commands travel alone', () => {
    const a = cmd('A', 'register', {}, { solo: true });
    const b = cmd('B', 'register');
    const c = cmd('C', 'register');
    const plan = pack([b, a, c], new Map(), { maxBatch: 50, inBatchRefs: true });
    assert.deepEqual(plan.batches.map((x) => x.map((i) => i.command.callKey)), [['B'], ['A'], ['C']]);
  });

  test('naive mode: one command per request, chains beyond the head not sent', () => {
    const reg = cmd('A', 'register');
    const show = cmd('A', 'show', { CALL_ID: callId });
    const b = cmd('B', 'register');
    const plan = pack([reg, show, b], new Map(), { maxBatch: 50, inBatchRefs: false });
    assert.deepEqual(plan.batches.map((x) => x.map((i) => i.command.callKey)), [['A'], ['B']]);
    assert.deepEqual(plan.notSent.map((c) => c.step), ['show']);
  });
});
