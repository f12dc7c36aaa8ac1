import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addOpenTask, clientReached, closingNote, completionNote, OPEN_TASKS_MAX, openTasksOf, taskIdOf, withoutCalls, withTaskId,
} from './task-close.js';

const conv = (extension: string, acceptedAt?: number, endedAt?: number) => ({ extension, ...(acceptedAt !== undefined ? { acceptedAt } : {}), ...(endedAt !== undefined ? { endedAt } : {}) });

test('reached: incoming answered by anyone, outgoing answered; the longest talker is named', () => {
  const users = { '101': 5 };
  assert.deepEqual(clientReached({ direction: 'incoming', answeredAt: 10, endedAt: 100, conversations: [conv('102', 10, 20), conv('101', 20, 100)] }, users), { talker: 'user 5' });
  assert.deepEqual(clientReached({ direction: 'outgoing', answeredAt: 10, endedAt: 50, conversations: [conv('109', 10)] }, users), { talker: 'extension 109' });
  assert.deepEqual(clientReached({ direction: 'incoming', answeredAt: 10, conversations: [] }, users), { talker: '' });
});

test('not reached: missed, unanswered outgoing, internal', () => {
  assert.equal(clientReached({ direction: 'incoming', conversations: [conv('101')] }, {}), undefined);
  assert.equal(clientReached({ direction: 'outgoing', conversations: [conv('101')] }, {}), undefined);
  assert.equal(clientReached({ direction: 'internal', answeredAt: 1, conversations: [conv('101', 1)] }, {}), undefined);
});

test('open-task list: add (no duplicates, capped), learn the id, forget handled calls, tolerant reading', () => {
  let list = addOpenTask([], { callKey: 'a', at: 1 });
  list = addOpenTask(list, { callKey: 'a', at: 2 });
  assert.deepEqual(list, [{ callKey: 'a', at: 2 }]);
  list = withTaskId(addOpenTask(list, { callKey: 'b', at: 3 }), 'b', 42);
  assert.deepEqual(list, [{ callKey: 'a', at: 2 }, { callKey: 'b', at: 3, taskId: 42 }]);
  assert.deepEqual(withoutCalls(list, new Set(['a'])), [{ callKey: 'b', at: 3, taskId: 42 }]);
  let many: ReturnType<typeof addOpenTask> = [];
  for (let i = 0; i < OPEN_TASKS_MAX + 5; i++) many = addOpenTask(many, { callKey: `c${i}`, at: i });
  assert.equal(many.length, OPEN_TASKS_MAX);
  assert.equal(many[0]?.callKey, 'c5');
  assert.deepEqual(openTasksOf({ tasks: [{ callKey: 'x', at: 1 }, { nope: 1 }, null] }), [{ callKey: 'x', at: 1 }]);
  assert.deepEqual(openTasksOf(undefined), []);
});

test('task id from the tasks.task.add result', () => {
  assert.equal(taskIdOf({ task: { id: '42' } }), 42);
  assert.equal(taskIdOf({ task: {} }), undefined);
  assert.equal(taskIdOf(null), undefined);
});

test('notes', () => {
  assert.equal(closingNote(42, 'm1', 'user 5'), 'missed-call task 42 of call m1 to be completed: the client was reached on this call (user 5 talked)');
  assert.equal(closingNote(undefined, 'm1', ''), 'missed-call task of call m1 to be completed: the client was reached on this call');
  assert.equal(completionNote({ taskId: 42, completed: true, reachedOn: 'c2', talker: 'user 5' }), 'missed-call task 42 completed: the client was reached on call c2 (user 5 talked)');
  assert.equal(completionNote({ taskId: 42, completed: false, refused: 'Action on the task is not allowed', reachedOn: 'c2', talker: '' }),
    'missed-call task 42 not completed: Bitrix24 refused it (Action on the task is not allowed): deleted, already closed or not permitted; not retried');
  assert.equal(completionNote({}), undefined);
});
