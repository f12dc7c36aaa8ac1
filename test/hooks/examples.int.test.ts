import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createHookRunner, type HookRunner } from '../../src/adapters/hooks/runner.js';
import { HOOK_POINTS } from '../../src/core/hooks/points.js';
import { SAMPLE_CALL_FULL, SAMPLE_INPUTS } from '../../src/core/hooks/samples.js';
import { captureLogger } from './helpers.js';

const examples = join(import.meta.dirname, '../../examples/hooks');
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('examples/hooks/js: one working example per point', () => {
  let runner: HookRunner;
  const { logger, warns } = captureLogger();
  before(async () => {
    runner = createHookRunner({ dir: join(examples, 'js'), logger, timeouts: { defaultMs: 5000 } });
    await runner.ready();
  });
  after(() => runner.close());

  test('all 14 are found, none has a problem', () => {
    assert.deepEqual(runner.list().map((h) => h.point), [...HOOK_POINTS]);
    assert.deepEqual(runner.problems(), []);
  });

  test('each example changes exactly what it should', async () => {
    const s = SAMPLE_INPUTS;
    const expect = async <P extends keyof typeof s>(p: P, input: (typeof s)[P], data: unknown, changed: string[]) => {
      const r = await runner.run(p, input);
      assert.equal(r.ok, true, `${p}: ${r.code} ${r.reason}`);
      assert.deepEqual(r.warnings, [], p);
      assert.deepEqual(r.data, data, p);
      assert.deepEqual(r.changed, changed, p);
    };
    await expect('customize_activity', s.customize_activity, { SUBJECT: 'Incoming call +79001234567 — ext. 101, 55 s' }, ['SUBJECT']);
    await expect('customize_entity', s.customize_entity, { SOURCE_DESCRIPTION: 'Called 74951234567' }, ['SOURCE_DESCRIPTION']);
    await expect('need_registration', s.need_registration, { result: true }, []);
    await expect('need_registration', { ...s.need_registration, call_full: { ...SAMPLE_CALL_FULL, trunk: 'fax-line' } }, { result: false }, ['result']);
    await expect('process_client_phone', s.process_client_phone, { phone: '+79001234567' }, ['phone']);
    await expect('process_final_params', { ...s.process_final_params, DURATION: 4 }, {
      ADD_TO_CHAT: 0, CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', DURATION: 4, STATUS_CODE: '200', USER_ID: 5,
    }, ['ADD_TO_CHAT']);
    const o = await runner.run('process_originate_params', s.process_originate_params);
    assert.deepEqual([o.data.Context, o.data.Exten, o.data.Variable, o.data.Channel, o.changed], [
      'to-mobile-trunk', '99001234567', { B24_CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', ROUTE: 'mobile' }, 'PJSIP/101', ['Context', 'Exten', 'Variable'],
    ]);
    await expect('process_record_file_path', s.process_record_file_path, { path: '/mnt/nas/records/1700000000.42.mp3' }, ['path']);
    const reg = await runner.run('process_registration_params', s.process_registration_params);
    assert.deepEqual([reg.data.CRM_SOURCE, reg.data.SHOW, reg.changed], ['ADVERTISING', 0, ['CRM_SOURCE']]);
    const task = await runner.run('process_task_creation_params', s.process_task_creation_params);
    assert.deepEqual(task.data.fields, { ...s.process_task_creation_params.fields, TITLE: 'Call back +79001234567', PRIORITY: 2 });
    await expect('process_user_phone', { ...s.process_user_phone, phone: '2101' }, { phone: '101' }, ['phone']);
    await expect('customize_autodistribution', s.customize_autodistribution, { number: '101', name: 'CRM: Ivan Ivanov' }, ['name']);
    await expect('customize_autodistribution', { ...s.customize_autodistribution, entity: { type: 'contact', id: 1, name: 'Konstantin Konstantinopolsky' } }, { number: '101', name: 'CRM: Konstantin Kon…' }, ['name']);
    const post = await runner.run('post_registration', s.post_registration);
    assert.deepEqual([post.ok, post.data, post.log], [true, {}, 'registered externalCall.0c1f4e7b2a.1700000007 at conversation_requested\n']);
    const bitrix24 = { ...SAMPLE_CALL_FULL.bitrix24, responsible_id: 7 };
    await expect('customize_show_call_card', { ...s.customize_show_call_card, call_full: { ...SAMPLE_CALL_FULL, bitrix24 } }, { CALL_ID: s.customize_show_call_card.CALL_ID, USER_ID: 7 }, ['USER_ID']);
    await expect('customize_attach_record_url', s.customize_attach_record_url, {
      DESCRIPTION: '<a href="https://pbx.example.com/records/1700000000.42.mp3">Call recording</a>', DESCRIPTION_TYPE: 3, COMPLETED: 'Y',
    }, ['DESCRIPTION', 'COMPLETED']);
    assert.deepEqual(warns(), []);
  });
});

describe('examples/hooks/python', { skip: spawnSync('python3', ['--version']).status !== 0 && 'python3 is not installed' }, () => {
  let runner: HookRunner;
  before(() => {
    runner = createHookRunner({ dir: join(examples, 'python'), logger: captureLogger().logger, env, timeouts: { defaultMs: 5000 } });
  });
  after(() => runner.close());

  test('found, the text file next to them ignored', () => {
    assert.deepEqual(runner.list().map((h) => [h.point, h.kind]), [
      ['need_registration', 'executable'], ['process_client_phone', 'executable'], ['customize_autodistribution', 'executable'],
    ]);
    assert.deepEqual(runner.problems(), []);
  });

  test('they answer as the JS ones do', async () => {
    assert.equal((await runner.run('process_client_phone', SAMPLE_INPUTS.process_client_phone)).data.phone, '+79001234567');
    const black = { ...SAMPLE_INPUTS.need_registration, call_full: { ...SAMPLE_CALL_FULL, client_number: '+74950000000' } };
    assert.deepEqual((await runner.run('need_registration', black)).data, { result: false });
    assert.deepEqual((await runner.run('need_registration', SAMPLE_INPUTS.need_registration)).data, { result: true });
    assert.deepEqual((await runner.run('customize_autodistribution', SAMPLE_INPUTS.customize_autodistribution)).data, { number: '100', name: 'VIP Ivan Ivanov' });
  });
});
