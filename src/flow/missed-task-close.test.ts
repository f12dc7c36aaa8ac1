import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../errors.js';
import { b24Error } from '../adapters/bitrix/errors.js';
import { completeTaskExecutor, MissedTaskCloser } from './missed-task-close.js';

function memoryKv() {
  const m = new Map<string, unknown>();
  return {
    m,
    getValue: async <T>(k: string) => m.get(k) as T | undefined,
    setValue: async (k: string, v: unknown) => { m.set(k, JSON.parse(JSON.stringify(v))); },
    deleteValue: async (k: string) => m.delete(k),
  };
}

test('closer: remembered tasks of a number are completed by a call that reached the client, then forgotten', async () => {
  const kv = memoryKv();
  const stored = new Map<string, { state: string; result: unknown }>([
    ['m1:task', { state: 'done', result: { task: { id: '41' } } }],
    ['m2:task', { state: 'pending', result: null }],
    ['m3:task', { state: 'dead', result: null }],
  ]);
  const closer = new MissedTaskCloser({ kv, commands: { getByKey: async (k) => stored.get(k) }, now: () => 1 });
  const on = { completeOnContact: true };
  const task = (key: string) => [{ callKey: key, step: 'task', idempotencyKey: `${key}:task`, method: 'tasks.task.add', params: {}, priority: 50 }];
  for (const k of ['m1', 'm2', 'm3', 'm4']) await closer.rememberPlanned(on, task(k), k, '+7900', 1);
  await closer.rememberPlanned({ completeOnContact: false }, task('off'), 'off', '+7900', 1);
  await closer.learn('+7900', 'm4', { task: { id: '44' } });
  const missed = { callKey: 'c9', direction: 'incoming', conversations: [{ extension: '101' }] };
  assert.equal(await closer.onCallEnded(on, missed, '+7900', {}), undefined);
  const plan = await closer.onCallEnded(on, { ...missed, answeredAt: 5, conversations: [{ extension: '101', acceptedAt: 5 }] }, '+7900', { '101': 5 });
  assert.ok(plan);
  assert.deepEqual(plan.commands.map((c) => [c.idempotencyKey, c.method, c.params['taskId']]), [
    ['m1:task-complete', 'local.completeTask', 41],
    ['m2:task-complete', 'local.completeTask', { $ref: 'task', path: ['task', 'id'] }],
    ['m4:task-complete', 'local.completeTask', 44],
  ]);
  assert.equal(plan.commands[0]?.params['reachedOn'], 'c9');
  assert.equal(plan.notes[1], 'missed-call task of call m2 to be completed: the client was reached on this call (user 5 talked)');
  await closer.remember('+7900', 'm5', 2); // while the completion is being stored
  await plan.commit();
  assert.deepEqual(kv.m.get('tasks.open.+7900'), { tasks: [{ callKey: 'm5', at: 2 }] });
  assert.equal(await closer.onCallEnded({ completeOnContact: false }, { ...missed, answeredAt: 5 }, '+7900', {}), undefined);
});

test('executor: completed; refused ("0") is a result, not an error; other errors propagate', async () => {
  const calls: unknown[] = [];
  const ok = completeTaskExecutor({ call: async <T>(_m: string, p?: unknown) => { calls.push(p); return {} as T; } });
  assert.deepEqual(await ok({ taskId: '42', reachedOn: 'c2', talker: 'user 5' }), { taskId: 42, completed: true, reachedOn: 'c2', talker: 'user 5' });
  assert.deepEqual(calls, [{ taskId: 42 }]);
  const refused = completeTaskExecutor({ call: async () => { throw b24Error({ status: 400, error: '0', description: 'Action on the task is not allowed', method: 'tasks.task.complete' }); } });
  assert.deepEqual(await refused({ taskId: 42, reachedOn: 'c2', talker: '' }),
    { taskId: 42, completed: false, refused: 'Action on the task is not allowed', reachedOn: 'c2', talker: '' });
  const scope = completeTaskExecutor({ call: async () => { throw b24Error({ status: 401, error: 'insufficient_scope', method: 'tasks.task.complete' }); } });
  await assert.rejects(scope({ taskId: 42, reachedOn: 'c2', talker: '' }), (e: unknown) => e instanceof ConnectorError && !e.retryable);
  const net = completeTaskExecutor({ call: async () => { throw new ConnectorError('B24_NETWORK', 'down', { retryable: true, details: { error: '0' } }); } });
  await assert.rejects(net({ taskId: 42, reachedOn: 'c2', talker: '' }), (e: unknown) => e instanceof ConnectorError && e.retryable);
});
