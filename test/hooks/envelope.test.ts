import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInput, defaultData, validateReply } from '../../src/core/hooks/envelope.js';
import { SAMPLE_INPUTS } from '../../src/core/hooks/samples.js';
import type { HookPointName } from '../../src/core/hooks/points.js';

const ok = (data: unknown): string => JSON.stringify({ data, state: 'success' });
const input = (p: HookPointName): Record<string, unknown> => SAMPLE_INPUTS[p] as unknown as Record<string, unknown>;

function valid(p: HookPointName, reply: unknown) {
  const r = validateReply(p, input(p), reply);
  assert.equal(r.ok, true, JSON.stringify(r));
  return r as Extract<typeof r, { ok: true }>;
}
function invalid(p: HookPointName, reply: unknown) {
  const r = validateReply(p, input(p), reply);
  assert.equal(r.ok, false, JSON.stringify(r));
  return r as Extract<typeof r, { ok: false }>;
}

describe('envelope', () => {
  test('non-JSON, non-object, empty → HOOK_BAD_JSON', () => {
    assert.equal(invalid('process_client_phone', 'Warning: undefined index in line 3').code, 'HOOK_BAD_JSON');
    assert.equal(invalid('process_client_phone', '').code, 'HOOK_BAD_JSON');
    assert.equal(invalid('process_client_phone', '[1,2]').code, 'HOOK_BAD_JSON');
    assert.equal(invalid('process_client_phone', 42).code, 'HOOK_BAD_JSON');
    assert.equal(invalid('process_client_phone', null).code, 'HOOK_BAD_JSON');
  });

  test('state other than "success" → HOOK_BAD_STATE', () => {
    assert.equal(invalid('process_client_phone', { data: { phone: '1' }, state: 'error' }).code, 'HOOK_BAD_STATE');
    assert.equal(invalid('process_client_phone', { data: { phone: '1' } }).code, 'HOOK_BAD_STATE');
  });

  test('data not an object → HOOK_BAD_TYPES; absent data = no change', () => {
    assert.equal(invalid('process_client_phone', { data: ['x'], state: 'success' }).code, 'HOOK_BAD_TYPES');
    const r = valid('process_client_phone', { state: 'success' });
    assert.deepEqual(r.data, { phone: '89001234567' });
    assert.deepEqual(r.changed, []);
  });

  test('a string reply is parsed (stdout with a trailing newline)', () => {
    const r = valid('process_client_phone', `${ok({ phone: '+79001234567' })}\n`);
    assert.deepEqual(r.data, { phone: '+79001234567' });
    assert.deepEqual(r.changed, ['phone']);
  });
});

describe('defaults', () => {
  test('each point defaults to its own input values', () => {
    assert.deepEqual(defaultData('need_registration', input('need_registration')), { result: true });
    assert.deepEqual(defaultData('customize_activity', input('customize_activity')), {});
    assert.deepEqual(defaultData('customize_entity', input('customize_entity')), {});
    assert.deepEqual(defaultData('post_registration', input('post_registration')), {});
    assert.deepEqual(defaultData('process_record_file_path', input('process_record_file_path')), { path: '/var/spool/asterisk/monitor/1700000000.42.mp3' });
    assert.deepEqual(defaultData('customize_autodistribution', input('customize_autodistribution')), { number: '101', name: 'Anna Petrova' });
    assert.deepEqual(defaultData('customize_show_call_card', input('customize_show_call_card')), { CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', USER_ID: 5 });
    assert.deepEqual(Object.keys(defaultData('customize_attach_record_url', input('customize_attach_record_url'))), ['DESCRIPTION', 'DESCRIPTION_TYPE']);
    assert.deepEqual(defaultData('process_task_creation_params', input('process_task_creation_params')), {
      fields: { CREATED_BY: 1, DEADLINE: '2026-01-15T10:31:02.000Z', RESPONSIBLE_ID: 5, TITLE: 'Missed call from +79001234567', UF_CRM_TASK: ['C_42'] },
    });
  });

  test('SHOW is 0 even when the input says 1', () => {
    assert.equal(defaultData('process_registration_params', { ...input('process_registration_params'), SHOW: 1 }).SHOW, 0);
  });
});

describe('the 14 points', () => {
  test('customize_activity: any activity field; ID dropped with a warning', () => {
    const r = valid('customize_activity', ok({ SUBJECT: 'Call with VIP', PRIORITY: 3, ID: '999' }));
    assert.deepEqual(r.data, { SUBJECT: 'Call with VIP', PRIORITY: 3 });
    assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['ID'] }]);
    assert.equal(invalid('customize_activity', ok({ 'bad key': 1 })).code, 'HOOK_BAD_TYPES');
  });

  test('customize_activity: echoing the input activity back is dropped silently', () => {
    const r = valid('customize_activity', ok({ activity: input('customize_activity').activity, SUBJECT: 'x' }));
    assert.deepEqual(r.data, { SUBJECT: 'x' });
    assert.deepEqual(r.warnings, []);
  });

  test('customize_entity: field map', () => {
    const r = valid('customize_entity', ok({ SOURCE_ID: 'CALL', UF_CRM_1700: ['a', 'b'] }));
    assert.deepEqual(r.data, { SOURCE_ID: 'CALL', UF_CRM_1700: ['a', 'b'] });
  });

  test('need_registration: result boolean (0/1 accepted), strings rejected', () => {
    assert.deepEqual(valid('need_registration', ok({ result: false })).data, { result: false });
    assert.deepEqual(valid('need_registration', ok({ result: 0 })).data, { result: false });
    assert.equal(invalid('need_registration', ok({ result: 'no' })).code, 'HOOK_BAD_TYPES');
  });

  test('process_client_phone / process_user_phone: phone string; call_stage read-only', () => {
    for (const p of ['process_client_phone', 'process_user_phone'] as const) {
      const r = valid(p, ok({ phone: '+7 900', call_stage: 'call_ended' }));
      assert.deepEqual(r.data, { phone: '+7 900' });
      assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['call_stage'] }]);
      assert.deepEqual(valid(p, ok({ phone: 79001234567 })).data, { phone: '79001234567' });
      assert.equal(invalid(p, ok({ phone: { n: 1 } })).code, 'HOOK_BAD_TYPES');
      assert.equal(invalid(p, ok({ phone: null })).code, 'HOOK_BAD_TYPES');
    }
  });

  test('process_final_params: CALL_ID unchangeable, the rest typed', () => {
    const r = valid('process_final_params', ok({ ADD_TO_CHAT: '0', CALL_ID: 'other', DURATION: '60', STATUS_CODE: 304, USER_ID: 7 }));
    assert.deepEqual(r.data, { ADD_TO_CHAT: 0, CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', DURATION: 60, STATUS_CODE: '304', USER_ID: 7 });
    assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['CALL_ID'] }]);
    assert.deepEqual(r.changed, ['ADD_TO_CHAT', 'DURATION', 'STATUS_CODE', 'USER_ID']);
    // the same CALL_ID echoed back is not a warning
    assert.deepEqual(valid('process_final_params', ok({ CALL_ID: 'externalCall.0c1f4e7b2a.1700000007' })).warnings, []);
    assert.equal(invalid('process_final_params', ok({ ADD_TO_CHAT: 2 })).code, 'HOOK_BAD_TYPES');
    assert.equal(invalid('process_final_params', ok({ DURATION: 1.5 })).code, 'HOOK_BAD_TYPES');
  });

  test('process_originate_params: AMI fields writable, event read-only', () => {
    const r = valid('process_originate_params', ok({ Context: 'trunk-2', Exten: '+79001234567', Variable: { A: 1 }, event: { USER_ID: '9' } }));
    assert.equal(r.data.Context, 'trunk-2');
    assert.equal(r.data.Exten, '+79001234567');
    assert.deepEqual(r.data.Variable, { A: '1' });
    assert.equal(r.data.Channel, 'PJSIP/101');
    assert.equal('event' in r.data, false);
    assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['event'] }]);
    assert.equal(invalid('process_originate_params', ok({ Variable: 'A=1' })).code, 'HOOK_BAD_TYPES');
    assert.equal(invalid('process_originate_params', ok({ Timeout: 'soon' })).code, 'HOOK_BAD_TYPES');
  });

  test('process_record_file_path: path string', () => {
    assert.deepEqual(valid('process_record_file_path', ok({ path: '/mnt/nas/a.mp3' })).data, { path: '/mnt/nas/a.mp3' });
    assert.equal(invalid('process_record_file_path', ok({ path: false })).code, 'HOOK_BAD_TYPES');
  });

  test('process_registration_params: SHOW stays 0, the rest writable', () => {
    const r = valid('process_registration_params', ok({ SHOW: 1, CRM_CREATE: false, LINE_NUMBER: 'trunk-2', TYPE: '2' }));
    assert.equal(r.data.SHOW, 0);
    assert.equal(r.data.CRM_CREATE, 0);
    assert.equal(r.data.LINE_NUMBER, 'trunk-2');
    assert.equal(r.data.TYPE, 2);
    assert.equal(r.data.PHONE_NUMBER, '+79001234567');
    assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['SHOW'] }]);
    assert.deepEqual(r.changed, ['CRM_CREATE', 'LINE_NUMBER']);
    assert.equal(invalid('process_registration_params', ok({ USER_ID: 'anna' })).code, 'HOOK_BAD_TYPES');
  });

  test('process_task_creation_params: replies `fields`, merged over the input', () => {
    const r = valid('process_task_creation_params', ok({ fields: { TITLE: 'Call back!', PRIORITY: 2, UF_CRM_TASK: ['L_11201', 'CO_7'] } }));
    assert.deepEqual(r.data, {
      fields: { CREATED_BY: 1, DEADLINE: '2026-01-15T10:31:02.000Z', RESPONSIBLE_ID: 5, TITLE: 'Call back!', UF_CRM_TASK: ['L_11201', 'CO_7'], PRIORITY: 2 },
    });
    assert.equal(invalid('process_task_creation_params', ok({ fields: { UF_CRM_TASK: ['lead 5'] } })).code, 'HOOK_BAD_TYPES');
    assert.equal(invalid('process_task_creation_params', ok({ fields: 'x' })).code, 'HOOK_BAD_TYPES');
    assert.equal(invalid('process_task_creation_params', ok({ fields: { RESPONSIBLE_ID: 'boss' } })).code, 'HOOK_BAD_TYPES');
  });

  test('customize_autodistribution: name ≤ 20 characters; from/user/entity/error read-only', () => {
    const r = valid('customize_autodistribution', ok({ number: '102', name: 'VIP Ivanov → Anna 20', from: '+7000', user: { id: 1 } }));
    assert.deepEqual(r.data, { number: '102', name: 'VIP Ivanov → Anna 20' });
    assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['from', 'user'] }]);
    const long = invalid('customize_autodistribution', ok({ name: 'A name of twenty-one!' }));
    assert.equal(long.code, 'HOOK_BAD_TYPES');
    assert.match(long.reason, /longer than 20/);
    // error is read-only even when absent from the input
    assert.deepEqual(valid('customize_autodistribution', ok({ error: 'x' })).warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['error'] }]);
  });

  test('post_registration: only state counts', () => {
    const r = valid('post_registration', { state: 'success', data: { anything: [1] } });
    assert.deepEqual(r.data, {});
    assert.equal(invalid('post_registration', { state: 'failed' }).code, 'HOOK_BAD_STATE');
  });

  test('customize_show_call_card: CALL_ID and USER_ID writable', () => {
    const r = valid('customize_show_call_card', ok({ USER_ID: 9 }));
    assert.deepEqual(r.data, { CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', USER_ID: 9 });
    assert.equal(invalid('customize_show_call_card', ok({ USER_ID: [9] })).code, 'HOOK_BAD_TYPES');
  });

  test('customize_attach_record_url: DESCRIPTION typed and seeded; other fields free', () => {
    const r = valid('customize_attach_record_url', ok({ DESCRIPTION: '<a href="x">rec</a>', COMPLETED: 'Y' }));
    assert.deepEqual(r.data, { DESCRIPTION: '<a href="x">rec</a>', DESCRIPTION_TYPE: 3, COMPLETED: 'Y' });
    assert.equal(invalid('customize_attach_record_url', ok({ DESCRIPTION_TYPE: 'html' })).code, 'HOOK_BAD_TYPES');
  });

  test('unknown reply fields are ignored with a warning', () => {
    const r = valid('process_client_phone', ok({ phone: '1', extra: true }));
    assert.deepEqual(r.data, { phone: '1' });
    assert.deepEqual(r.warnings, [{ code: 'HOOK_UNKNOWN_FIELDS_IGNORED', fields: ['extra'] }]);
  });
});

describe('checkInput', () => {
  test('the samples match the contract', () => {
    for (const [p, i] of Object.entries(SAMPLE_INPUTS)) assert.deepEqual(checkInput(p as HookPointName, i), [], p);
  });
  test('a stage the point is not called at, a missing call_full, a wrong type', () => {
    assert.deepEqual(checkInput('process_registration_params', { ...input('process_registration_params'), call_stage: 'conversation_accepted' }), [
      'call_stage: string "conversation_accepted" is not one of conversation_requested, call_ended',
    ]);
    assert.deepEqual(checkInput('process_client_phone', { phone: '1', call_stage: 'call_ended' }), ['call_full: missing']);
    assert.deepEqual(checkInput('process_final_params', { ...input('process_final_params'), DURATION: 'long' }), ['DURATION: expected integer, got string "long"']);
  });
});
