/**
 * tasks.task.complete (api-reference/tasks/tasks-task-complete.md): the doc's example request
 * `{"taskId": 1}`, its result (status "5", closedBy/closedDate/changedDate, action.complete false)
 * and its error table (HTTP 400, error "0": "Action on the task is not allowed" / "wrong task id").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../index.js';
import { createManualClock } from '../../http/clock.js';
import { docExampleSeed } from '../seeds.js';
import { expectB24, harness, rec, T0 } from './helpers.js';
import { postJson } from '../../test/helpers.js';

const add = (h: ReturnType<typeof harness>, title = 'Call back'): string => {
  const r = rec(h.app('tasks.task.add', { fields: { TITLE: title, CREATED_BY: 1, RESPONSIBLE_ID: 1269 } }));
  return String((r['task'] as Record<string, unknown>)['id']);
};

describe('tasks.task.complete', () => {
  test('doc example {"taskId":1}: status 5, closed by the caller at the call time, changedDate follows', () => {
    const h = harness();
    assert.equal(add(h), '1');
    h.clock.advance(60_000);
    const task = rec(h.app('tasks.task.complete', { taskId: 1 }, 1269))['task'] as Record<string, unknown>;
    const at = '2026-03-10T11:20:38+03:00';
    assert.deepEqual(
      [task['id'], task['status'], task['closedBy'], task['closedDate'], task['changedBy'], task['changedDate'], task['statusChangedDate'], task['createdDate']],
      ['1', '5', '1269', at, '1269', at, at, '2026-03-10T11:19:38+03:00']);
    const action = task['action'] as Record<string, unknown>;
    assert.deepEqual([action['complete'], action['start'], action['renew']], [false, false, true]);
    const row = h.portal.inspect().tasks[0];
    assert.deepEqual([row?.['STATUS'], row?.['CLOSED_BY'], row?.['CLOSED_DATE']], ['5', '1269', at]);
    assert.ok(h.portal.inspect().events.some((e) => e.event === 'ONTASKUPDATE'));
  });

  test('taskId as a numeric string is an integer (form-encoded requests)', () => {
    const h = harness();
    add(h);
    assert.equal((rec(h.hook('tasks.task.complete', { taskId: '1' }))['task'] as Record<string, unknown>)['status'], '5');
  });

  test('errors: unknown, deleted, already completed; wrong type; missing', () => {
    const h = harness();
    add(h);
    add(h, 'second');
    expectB24(() => h.app('tasks.task.complete', { taskId: 4242 }), '0', 'Action on the task is not allowed');
    expectB24(() => h.app('tasks.task.complete', { taskId: 0 }), '0', 'Action on the task is not allowed');
    expectB24(() => h.app('tasks.task.complete', { taskId: 'abc' }), '0', 'wrong task id');
    expectB24(() => h.app('tasks.task.complete', { taskId: 1.5 }), '0', 'wrong task id');
    expectB24(() => h.app('tasks.task.complete', { taskId: [1] }), '0', 'wrong task id');
    expectB24(() => h.app('tasks.task.complete', {}), '100', 'Could not find value for parameter {taskId}');
    h.app('tasks.task.complete', { taskId: 1 });
    // Completed: action.complete is false, so a second completion is an action not allowed (emulator assumption, README).
    expectB24(() => h.app('tasks.task.complete', { taskId: 1 }), '0', 'Action on the task is not allowed');
    assert.equal(h.portal.deleteTask(2), true);
    assert.equal(h.portal.deleteTask(2), false);
    expectB24(() => h.app('tasks.task.complete', { taskId: 2 }), '0', 'Action on the task is not allowed');
    assert.deepEqual(h.portal.inspect().tasks.map((t) => [t['ID'], t['STATUS']]), [['1', '5']]);
    assert.ok(h.portal.inspect().events.some((e) => e.event === 'ONTASKDELETE'));
  });

  test('over HTTP and inside batch: the error keeps its "0" code and HTTP 400', async () => {
    const emu = await startEmulator({ portal: docExampleSeed(), clock: createManualClock(T0), idSeed: 'tasks', webhookSecret: 'hooksecret123456' });
    try {
      const created = await postJson(`${emu.webhook}tasks.task.add`, { fields: { TITLE: 'Call back', RESPONSIBLE_ID: 1269 } });
      assert.equal(created.status, 200);
      const single = await postJson(`${emu.webhook}tasks.task.complete`, { taskId: 77 });
      assert.equal(single.status, 400);
      assert.deepEqual(single.body, { error: '0', error_description: 'Action on the task is not allowed' });
      const b = await postJson(`${emu.webhook}batch`, { halt: 0, cmd: { a: 'tasks.task.complete?taskId=1', b: 'tasks.task.complete?taskId=1' } });
      const res = b.body['result'] as Record<string, Record<string, unknown>>;
      assert.equal(((res['result']?.['a'] as Record<string, unknown>)['task'] as Record<string, unknown>)['status'], '5');
      assert.deepEqual(res['result_error']?.['b'], { error: '0', error_description: 'Action on the task is not allowed' });
    } finally {
      await emu.close();
    }
  });
});
