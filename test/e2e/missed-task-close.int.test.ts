/**
 * tasks.completeOnContact over real sockets (AMI simulator → connector → Bitrix24 emulator): a missed
 * call's task is completed in Bitrix24 once a later call with the same client number is answered —
 * incoming or outgoing —, exactly once, after a restart too; an unanswered call leaves it open; the
 * switch is off by default; a task deleted in the portal ends as a note, not as a dead command.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Connector } from '../../src/main.js';
import type { Portal } from '../../tools/b24-emu/portal/portal.js';
import { inspect, startRig, waitFor, type Rig } from './helpers.js';
import { runCall, startWith, storedState } from '../hooks-flow/helpers.js';

let rig: Rig;
let conn: Connector | undefined;

const ON = { tasks: { missedCalls: true, completeOnContact: true, responsible: 'default' } };
const missed = (from: string) => ({ type: 'inbound', from, did: '5551000', to: '101', outcome: 'noanswer', dialTimeoutMs: 400 });
const answered = (from: string) => ({ type: 'inbound', from, did: '5551000', to: '102', outcome: 'answered', ringMs: 200, talkMs: 400 });

before(async () => {
  rig = await startRig();
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

async function start(extra: Record<string, unknown>): Promise<Connector> {
  await conn?.close();
  conn = await startWith(rig, { calls: { missedUserId: 9, defaultUserId: 3 }, ...extra });
  return conn;
}

/** The missed call's task in Bitrix24 (waits for tasks.task.add). */
async function taskOf(c: Connector, callKey: string): Promise<{ id: number; row: () => Record<string, unknown> | undefined }> {
  const rec = await waitFor('task created', async () => {
    await c.idle();
    await c.sender.drain();
    const r = await c.store.getByKey(`${callKey}:task`);
    return r?.state === 'done' ? r : undefined;
  });
  const id = Number((rec.result as { task: { id: string } }).task.id);
  return { id, row: () => inspect(rig.emu).tasks.find((t) => Number(t['ID']) === id) };
}

async function settled(c: Connector): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await c.idle();
    await c.sender.drain();
  }
}

const completions = (id: number): number => inspect(rig.emu).events.filter((e) => e.event === 'ONTASKUPDATE' && (e.data['FIELDS_AFTER'] as Record<string, unknown>)['ID'] === String(id)).length;

test('off by default: an answered callback leaves the task open', async () => {
  const c = await start({ tasks: { missedCalls: true, responsible: 'default' } });
  assert.equal(c.live.get().tasks.completeOnContact, false);
  const m = await runCall(rig, c, missed('+4930700001'));
  const task = await taskOf(c, m.externalCallId);
  await runCall(rig, c, answered('+4930700001'));
  await settled(c);
  assert.equal(task.row()?.['STATUS'], '2');
  assert.equal(await c.store.getByKey(`${m.externalCallId}:task-complete`), undefined);
});

test('the client calls again and is answered: the task is completed once, and both timelines say why', async () => {
  const c = await start(ON);
  const m = await runCall(rig, c, missed('+4930700002'));
  const task = await taskOf(c, m.externalCallId);
  assert.equal(task.row()?.['STATUS'], '2');
  const a = await runCall(rig, c, answered('+4930700002'));
  await waitFor('task completed', async () => { await settled(c); return task.row()?.['STATUS'] === '5'; });
  const cmd = await c.store.getByKey(`${m.externalCallId}:task-complete`);
  assert.equal(cmd?.state, 'done');
  assert.equal(cmd?.method, 'local.completeTask');
  assert.match((await storedState(c, a.externalCallId)).timeline.flatMap((e) => e.notes).join('\n'),
    new RegExp(`missed-call task ${task.id} of call ${m.externalCallId} to be completed: the client was reached on this call \\(user 2 talked\\)`));
  assert.ok((await storedState(c, m.externalCallId)).timeline.flatMap((e) => e.notes)
    .includes(`missed-call task ${task.id} completed: the client was reached on call ${a.externalCallId} (user 2 talked)`));
  // Answered again: nothing more to complete.
  await runCall(rig, c, answered('+4930700002'));
  await settled(c);
  assert.equal(completions(task.id), 1);
  assert.equal((await c.sender.stats()).dead, 0);
});

test('several open tasks of one number: one answered outgoing call completes them all', async () => {
  // The PBX's outside-line prefix: "0" + 049… as dialled; the same number as the incoming +49….
  const c = await start({ ...ON, phone: { replacements: [{ match: '^049', replace: '+49' }] } });
  const m1 = await runCall(rig, c, missed('+49301234'));
  const m2 = await runCall(rig, c, missed('+49301234'));
  const t1 = await taskOf(c, m1.externalCallId);
  const t2 = await taskOf(c, m2.externalCallId);
  const out = await runCall(rig, c, { type: 'outbound', from: '103', to: '0049301234', outcome: 'answered', ringMs: 200, talkMs: 400 });
  assert.equal(out.state.clientPhone, m1.state.clientPhone, 'the same normalised number');
  await waitFor('both completed', async () => { await settled(c); return t1.row()?.['STATUS'] === '5' && t2.row()?.['STATUS'] === '5'; });
  assert.equal(t1.row()?.['CLOSED_BY'] !== undefined, true);
});

test('an unanswered second call does not complete the task', async () => {
  const c = await start(ON);
  const m = await runCall(rig, c, missed('+4930700003'));
  const task = await taskOf(c, m.externalCallId);
  const again = await runCall(rig, c, missed('+4930700003'));
  await taskOf(c, again.externalCallId);
  await settled(c);
  assert.equal(task.row()?.['STATUS'], '2');
  assert.equal(await c.store.getByKey(`${m.externalCallId}:task-complete`), undefined);
});

test('a task deleted in the portal: the completion ends done with a note, no dead command', async () => {
  const c = await start(ON);
  const m = await runCall(rig, c, missed('+4930700004'));
  const task = await taskOf(c, m.externalCallId);
  assert.equal((rig.emu.portal as unknown as Portal).deleteTask(task.id), true);
  await runCall(rig, c, answered('+4930700004'));
  const cmd = await waitFor('completion recorded', async () => {
    await settled(c);
    const r = await c.store.getByKey(`${m.externalCallId}:task-complete`);
    return r && r.state !== 'pending' && r.state !== 'running' ? r : undefined;
  });
  assert.equal(cmd.state, 'done');
  assert.deepEqual((cmd.result as Record<string, unknown>)['completed'], false);
  assert.equal((await c.sender.stats()).dead, 0);
  await waitFor('note on the missed call', async () => (await storedState(c, m.externalCallId)).timeline.flatMap((e) => e.notes)
    .includes(`missed-call task ${task.id} not completed: Bitrix24 refused it (Action on the task is not allowed): deleted, already closed or not permitted; not retried`));
});

test('a restart between the missed call and the callback: the task is still completed', async () => {
  let c = await start(ON);
  const m = await runCall(rig, c, missed('+4930700005'));
  const task = await taskOf(c, m.externalCallId);
  c = await start(ON);
  await runCall(rig, c, answered('+4930700005'));
  await waitFor('task completed after the restart', async () => { await settled(c); return task.row()?.['STATUS'] === '5'; });
  assert.equal(completions(task.id), 1);
});
