import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HookSession, applyFinal, applyRegistration, registrationInput } from './call-hooks.js';
import { noHooks, type HookPort } from './ports.js';

function port(reply: (point: string, input: Record<string, unknown>) => Record<string, unknown> | 'fail'): HookPort {
  return {
    has: () => true,
    async run(point, input) {
      const r = reply(point, input);
      return r === 'fail'
        ? { data: { ...input }, source: 'default', ok: false, code: 'HOOK_TIMEOUT', durationMs: 150 }
        : { data: r, source: 'hook', ok: true, durationMs: 2 };
    },
  };
}

test('a session adds call_full, keeps the inputs, records runs with what changed', async () => {
  const seen: Record<string, unknown>[] = [];
  const s = new HookSession(port((_p, i) => { seen.push(i); return { phone: '+79001234567' }; }), () => ({ version: 1, call_key: 'k' }));
  const d = await s.run('process_client_phone', { phone: '89001234567', call_stage: 'call_ended' }, ['phone']);
  assert.deepEqual(d, { phone: '+79001234567' });
  assert.deepEqual(seen[0], { phone: '89001234567', call_stage: 'call_ended', call_full: { version: 1, call_key: 'k' } });
  assert.deepEqual(s.inputs, { process_client_phone: { phone: '89001234567', call_stage: 'call_ended' } });
  assert.deepEqual(s.runs, [{ point: 'process_client_phone', source: 'hook', ok: true, ms: 2, changed: ['phone'] }]);
  assert.deepEqual(s.notes(), ['hook process_client_phone: changed phone (hook, 2 ms)']);
});

test('a failed run gives the input back; a map point gives {}', async () => {
  const s = new HookSession(port(() => 'fail'), () => ({}));
  assert.deepEqual(await s.run('need_registration', { call_stage: 'call_ended' }, ['result']), {});
  assert.deepEqual(await s.run('customize_entity', {}, 'map'), {});
  assert.deepEqual(s.runs.map((r) => [r.point, r.ok, r.code, r.changed]), [['need_registration', false, 'HOOK_TIMEOUT', []], ['customize_entity', false, 'HOOK_TIMEOUT', []]]);
  const m = new HookSession(port(() => ({ ID: 5, COMMENTS: 'x' })), () => ({}));
  assert.deepEqual(await m.run('customize_entity', {}, 'map'), { COMMENTS: 'x' });
});

test('without hooks nothing is recorded and the defaults come back', async () => {
  const s = new HookSession(noHooks, () => ({ big: true }));
  assert.deepEqual(await s.run('process_user_phone', { phone: '101', call_stage: 'conversation_requested' }, ['phone']), { phone: '101' });
  assert.deepEqual(s.runs, []);
  assert.deepEqual(Object.keys(s.inputs), ['process_user_phone']);
});

test('register and finish params after their hooks', () => {
  const reg = { USER_ID: 5, PHONE_NUMBER: '+4930', TYPE: 2, CALL_START_DATE: 'd', CRM_CREATE: 1, SHOW: 0, EXTERNAL_CALL_ID: 'k' };
  assert.deepEqual(registrationInput(reg, 'conversation_requested'), { CALL_START_DATE: 'd', CRM_CREATE: 1, CRM_SOURCE: '', LINE_NUMBER: '', PHONE_NUMBER: '+4930', SHOW: 0, TYPE: 2, USER_ID: 5, call_stage: 'conversation_requested' });
  assert.deepEqual(applyRegistration(reg, { ...registrationInput(reg, 'x'), CRM_SOURCE: 'WEB', SHOW: 1, USER_ID: 7 }),
    { ...reg, CRM_SOURCE: 'WEB', USER_ID: 7, SHOW: 0 });
  const fin = { CALL_ID: { $ref: 'register', path: ['CALL_ID'] }, USER_ID: 5, DURATION: 3, STATUS_CODE: '200', ADD_TO_CHAT: 1 };
  assert.deepEqual(applyFinal(fin, { CALL_ID: 'other', DURATION: 60, ADD_TO_CHAT: 0 }), { ...fin, DURATION: 60, ADD_TO_CHAT: 0 });
});

test('process_final_params: VOTE (a rating IVR) is not in the hook\'s five fields and survives its reply', async () => {
  const { finalInput } = await import('./call-hooks.js');
  const fin = { CALL_ID: 'x', USER_ID: 5, DURATION: 9, STATUS_CODE: '200', ADD_TO_CHAT: 1, VOTE: 4 };
  assert.deepEqual(Object.keys(finalInput(fin, {})).sort(), ['ADD_TO_CHAT', 'CALL_ID', 'DURATION', 'STATUS_CODE', 'USER_ID']);
  assert.deepEqual(applyFinal(fin, { USER_ID: 7 }), { ...fin, USER_ID: 7 });
});
