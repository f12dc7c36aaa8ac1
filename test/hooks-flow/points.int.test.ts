/**
 * Every customization point the call flow calls, through real JS hooks in a hooks folder: the
 * change each hook makes shows in what the Bitrix24 emulator receives.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Connector } from '../../src/main.js';
import { startRig, inspect, waitFor, type Rig } from '../e2e/helpers.js';
import { callsFrom, hook, restCalls, runCall, settle, startWith, writeHooks } from './helpers.js';

let rig: Rig;
let conn: Connector;
let postLog: string;

before(async () => {
  rig = await startRig();
  postLog = join(rig.dir, 'post-registration.log');
  const dir = writeHooks(rig, 'hooks', {
    process_client_phone: hook(`input.phone === '+4930200001' ? { phone: '+4930123456' } : {}`),
    process_user_phone: hook(`input.phone === '103' ? { phone: '101' } : {}`),
    need_registration: hook(`{ result: input.call_full.client_number !== '+4930200002' }`),
    process_registration_params: hook(`{ CRM_SOURCE: 'HOOKED', SHOW: 1 }`),
    customize_show_call_card: hook(`input.USER_ID === 2 ? { USER_ID: 3 } : {}`),
    process_final_params: hook(`input.call_full.client_number === '+4930200004' ? { STATUS_CODE: '603', DURATION: 77, ADD_TO_CHAT: 0, CALL_ID: 'nope' } : {}`),
    customize_activity: hook(`{ SUBJECT: 'Hooked: ' + input.activity.name, PRIORITY: 3 }`),
    customize_entity: hook(`input.call_full.client_number === '+4930200001' ? { SOURCE_DESCRIPTION: 'Called ' + input.call_full.client_number } : {}`),
    process_task_creation_params: hook(`{ fields: { TITLE: 'Call back ' + input.call_full.client_number, PRIORITY: 2 } }`),
    post_registration: `import { appendFileSync } from 'node:fs';
export default function (input) {
  appendFileSync(${JSON.stringify(postLog)}, input.call_stage + ' ' + input.call_full.call_key + '\\n');
  return { state: 'success' };
}
`,
  });
  conn = await startWith(rig, { hooks: { dir, timeoutMs: 2000 }, tasks: { missedCalls: true } });
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test('process_client_phone, process_registration_params, post_registration, customize_entity, customize_activity on one answered call', async () => {
  const r = await runCall(rig, conn, { type: 'inbound', from: '+4930200001', did: '5551000', to: '101', outcome: 'answered', ringMs: 1000, talkMs: 2000 });
  const ins = inspect(rig.emu);
  const reg = ins.registrations.find((x) => x.callId === r.callId)!;
  assert.equal(reg.params['PHONE_NUMBER'], '+4930123456', 'process_client_phone rewrote the number');
  assert.equal(reg.params['CRM_SOURCE'], 'HOOKED', 'process_registration_params set CRM_SOURCE');
  assert.equal(String(reg.params['SHOW']), '0', 'SHOW stays 0 whatever the hook says');
  assert.equal(ins.calls.find((c) => c.callId === r.callId)?.crmEntityId, 11, 'the rewritten number found contact 11');
  // post_registration ran once, right after the register, at conversation_requested.
  const lines = readFileSync(postLog, 'utf8').trim().split('\n').filter((l) => l.endsWith(r.externalCallId));
  assert.deepEqual(lines, [`conversation_requested ${r.externalCallId}`]);
  // customize_entity → crm.contact.update; customize_activity → crm.activity.update.
  const upd = await waitFor('crm.contact.update', () => restCalls(rig, 'crm.contact.update').find((p) => String(p['id']) === '11'));
  assert.deepEqual(upd['fields'], { SOURCE_DESCRIPTION: 'Called +4930200001' });
  const fin = ins.finishes.find((f) => f.callId === r.callId)!;
  const activityId = fin.activityId;
  const act = await waitFor('activity updated', () => inspect(rig.emu).activities.find((a) => String(a['ID']) === String(activityId) && String(a['SUBJECT']).startsWith('Hooked: ')));
  assert.equal(String(act['PRIORITY']), '3');
  await settle(conn);
  const st = callsFrom(conn, '+4930200001')[0]!.state;
  const runs = st.timeline.flatMap((e) => e.hooks ?? []);
  const points = new Set(runs.map((h) => h.point));
  for (const p of ['process_client_phone', 'process_user_phone', 'need_registration', 'process_registration_params', 'post_registration', 'process_final_params', 'customize_entity', 'customize_activity']) {
    assert.ok(points.has(p), `${p} recorded in the timeline`);
  }
  const regRun = runs.find((h) => h.point === 'process_registration_params')!;
  assert.equal(regRun.ok, true);
  assert.equal(regRun.source, 'hook');
  assert.deepEqual(regRun.changed, ['CRM_SOURCE']);
  assert.equal(st.b24?.entity?.id, 11);
  assert.equal(st.task, undefined, 'answered: no task');
  assert.equal(inspect(rig.emu).tasks.length, 0);
});

test('need_registration false: nothing is registered, the reason is in the timeline', async () => {
  const handle = rig.sim.startCall({ type: 'inbound', from: '+4930200002', did: '5551000', to: '101', outcome: 'answered', ringMs: 500, talkMs: 500 });
  assert.equal(await handle.done, 'completed');
  await settle(conn);
  const [c] = callsFrom(conn, '+4930200002');
  assert.ok(c);
  assert.match(c.state.crm.skipped ?? '', /need_registration answered false at conversation_requested/);
  assert.equal(inspect(rig.emu).calls.filter((x) => x.externalCallId === c.callKey).length, 0);
  assert.ok(!existsSync(postLog) || !readFileSync(postLog, 'utf8').includes(c.callKey), 'no post_registration');
});

test('customize_show_call_card: the card of extension 102 goes to user 3', async () => {
  const r = await runCall(rig, conn, { type: 'inbound', from: '+4930200003', did: '5551000', to: '102', outcome: 'answered', ringMs: 1000, talkMs: 1000 });
  const shows = inspect(rig.emu).cardHistory.filter((h) => h.callId === r.callId && h.action === 'show' && h.source === 'show').map((h) => h.userId);
  assert.deepEqual(shows, [3]);
  // The redirected card stays while 102 talks; it goes at the end of the call like any other.
  const steps = r.state.timeline.map((e) => `${e.stage.split(' ')[0]}: ${e.commands.join(' ')}`);
  assert.ok(steps.includes('conversation_accepted: '), steps.join(' | '));
  assert.ok(steps.some((s) => s.startsWith('call_ended: hide:3:')), steps.join(' | '));
  assert.ok(r.state.timeline.some((e) => e.notes.includes('card for user 2 shown to user 3 (customize_show_call_card)')));
  const fin = inspect(rig.emu).finishes.find((f) => f.callId === r.callId)!;
  assert.equal(String(fin.params['USER_ID']), '2', 'the call still belongs to whoever talked');
});

test('process_user_phone: extension 103 is looked up as 101', async () => {
  const r = await runCall(rig, conn, { type: 'inbound', from: '+4930200005', did: '5551000', to: '103', outcome: 'answered', ringMs: 500, talkMs: 500 });
  const ins = inspect(rig.emu);
  assert.equal(String(ins.registrations.find((x) => x.callId === r.callId)!.params['USER_ID']), '1');
  assert.deepEqual(ins.cardHistory.filter((h) => h.callId === r.callId && h.source === 'show').map((h) => h.userId), [1]);
});

test('process_final_params: STATUS_CODE, DURATION and ADD_TO_CHAT from the hook, CALL_ID untouched', async () => {
  const r = await runCall(rig, conn, { type: 'inbound', from: '+4930200004', did: '5551000', to: '101', outcome: 'answered', ringMs: 500, talkMs: 1000 });
  const fin = inspect(rig.emu).finishes.find((f) => f.callId === r.callId)!;
  assert.equal(String(fin.params['STATUS_CODE']), '603');
  assert.equal(String(fin.params['DURATION']), '77');
  assert.equal(String(fin.params['ADD_TO_CHAT']), '0');
  assert.equal(fin.params['CALL_ID'], r.callId);
});

test('process_task_creation_params: the missed call task has the hook\'s TITLE', async () => {
  const r = await runCall(rig, conn, { type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'noanswer' });
  const task = await waitFor('the task', () => inspect(rig.emu).tasks.find((t) => JSON.stringify(t).includes('Call back +4930123456')));
  const t = task as Record<string, unknown>;
  assert.equal(String(t['PRIORITY'] ?? t['priority']), '2');
  await settle(conn);
  assert.equal(inspect(rig.emu).tasks.length, 1);
  assert.equal((await conn.store.getCall(r.externalCallId))?.state && (callsFrom(conn, '+4930123456').at(-1)!.state.task?.status), 'queued');
});
