import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveTimeoutMs, HOOK_POINT_SPECS, HOOK_POINTS, isHookPointName } from '../../src/core/hooks/points.js';
import { SAMPLE_INPUTS } from '../../src/core/hooks/samples.js';

describe('hook points', () => {
  test('14 points, numbered 1…14 as in the original product, keyed by name', () => {
    assert.equal(HOOK_POINTS.length, 14);
    assert.deepEqual(HOOK_POINTS.map((p) => HOOK_POINT_SPECS[p].number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    for (const p of HOOK_POINTS) assert.equal(HOOK_POINT_SPECS[p].name, p);
    assert.deepEqual(Object.keys(SAMPLE_INPUTS).sort(), [...HOOK_POINTS].sort());
  });

  test('isHookPointName', () => {
    assert.equal(isHookPointName('process_client_phone'), true);
    assert.equal(isHookPointName('process_client_phone.php'), false);
    assert.equal(isHookPointName('toString'), false);
  });

  test('stages per point', () => {
    const all = ['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended'];
    for (const p of ['need_registration', 'process_client_phone', 'process_user_phone', 'customize_show_call_card'] as const) {
      assert.deepEqual(HOOK_POINT_SPECS[p].stages, all, p);
    }
    for (const p of ['process_registration_params', 'post_registration'] as const) {
      assert.deepEqual(HOOK_POINT_SPECS[p].stages, ['conversation_requested', 'call_ended'], p);
    }
  });

  test('timeouts: 3 s default, per-point override, record path fixed at 10 s', () => {
    assert.equal(effectiveTimeoutMs('process_client_phone'), 3000);
    assert.equal(effectiveTimeoutMs('process_client_phone', { defaultMs: 500 }), 500);
    assert.equal(effectiveTimeoutMs('process_client_phone', { defaultMs: 500, perPoint: { process_client_phone: 800 } }), 800);
    assert.equal(effectiveTimeoutMs('process_record_file_path', { defaultMs: 500, perPoint: { process_record_file_path: 60_000 } }), 10_000);
  });

  test('read-only fields are declared', () => {
    const final = HOOK_POINT_SPECS.process_final_params.reply;
    assert.equal(final.kind === 'fields' && final.fields.CALL_ID?.writable, false);
    const reg = HOOK_POINT_SPECS.process_registration_params.reply;
    assert.equal(reg.kind === 'fields' && reg.fields.SHOW?.fixedValue, 0);
    const auto = HOOK_POINT_SPECS.customize_autodistribution;
    assert.deepEqual(Object.entries(auto.input).filter(([, f]) => !f.writable).map(([k]) => k), ['from', 'user', 'entity', 'error']);
    assert.equal(auto.reply.kind === 'fields' && auto.reply.fields.name?.maxLength, 20);
    assert.equal(HOOK_POINT_SPECS.post_registration.reply.kind, 'state-only');
    assert.equal(HOOK_POINT_SPECS.process_task_creation_params.reply.kind, 'nested-map');
  });
});
