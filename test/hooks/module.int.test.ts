import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHookRunner, type HookRunner } from '../../src/adapters/hooks/runner.js';
import { SAMPLE_INPUTS } from '../../src/core/hooks/samples.js';
import { captureLogger, hookDir } from './helpers.js';

const phone = SAMPLE_INPUTS.process_client_phone;
const user = SAMPLE_INPUTS.process_user_phone;

// One folder, one hook per point, each misbehaving in its own way (selected by the input).
const files = {
  'process_client_phone.mjs': `
    export default async function (input) {
      switch (input.phone) {
        case 'throw': throw new Error('hook exploded');
        case 'loop': for (;;) {}
        case 'hang': return new Promise(() => {});
        case 'string': return 'Array';
        case 'types': return { data: { phone: { n: 1 } }, state: 'success' };
        case 'huge': return { data: { phone: 'x'.repeat(4096) }, state: 'success' };
        case 'exit': process.exit(3);
        case 'undefined': return undefined;
        case 'env': return { data: { phone: process.env.ASTERISK_B24_HOOK + '|' + (process.env.SECRET_THING ?? 'none') }, state: 'success' };
        case 'log': console.error('looking up', input.phone); return { data: { phone: 'logged' }, state: 'success' };
        default: return { data: { phone: '+7' + input.phone.slice(1) }, state: 'success' };
      }
    }`,
  'process_user_phone.mjs': 'export const notDefault = 1;\n',
  'need_registration.ts': `
    interface In { call_stage: string; call_full: { direction: string } }
    export default (input: In): { data: { result: boolean }; state: string } =>
      ({ data: { result: input.call_full.direction !== 'internal' }, state: 'success' });
  `,
  'customize_autodistribution.js': `
    export default (input) => ({ data: { number: '102', name: 'Duty manager', from: 'forged', entity: null }, state: 'success' });
  `,
  'customize_entity.mjs': 'export default (input) => { syntax error here',
  'process_record_file_path.mjs': `
    export default () => { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }`,
};

describe('module hooks in worker threads', () => {
  let runner: HookRunner;
  let cleanup: () => void;
  const { logger, warns } = captureLogger();

  before(async () => {
    process.env.SECRET_THING = 'leaked'; // in the connector's environment before any worker starts
    const d = hookDir(files);
    cleanup = d.cleanup;
    runner = createHookRunner({
      dir: d.dir,
      logger,
      timeouts: { defaultMs: 300 },
      maxOutputBytes: 1024,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    await runner.ready();
  });
  after(async () => {
    delete process.env.SECRET_THING;
    await runner.close();
    cleanup();
  });

  const run = (p: string) => runner.run('process_client_phone', { ...phone, phone: p });

  test('discovered: .mjs, .js, .ts', () => {
    assert.deepEqual(runner.list().map((h) => [h.point, h.kind, h.timeoutMs]).sort(), [
      ['customize_autodistribution', 'module', 300],
      ['customize_entity', 'module', 300],
      ['need_registration', 'module', 300],
      ['process_client_phone', 'module', 300],
      ['process_record_file_path', 'module', 10_000],
      ['process_user_phone', 'module', 300],
    ]);
  });

  test('a good hook changes the phone', async () => {
    const r = await run('89001234567');
    assert.deepEqual([r.ok, r.source, r.data.phone], [true, 'hook', '+79001234567']);
  });

  test('concurrent runs share the warm worker', async () => {
    const rs = await Promise.all(['8111', '8222', '8333'].map((p) => run(p)));
    assert.deepEqual(rs.map((r) => r.data.phone), ['+7111', '+7222', '+7333']);
  });

  test('throw → HOOK_THREW, defaults', async () => {
    const r = await run('throw');
    assert.deepEqual([r.ok, r.code, r.reason, r.data.phone], [false, 'HOOK_THREW', 'hook exploded', 'throw']);
  });

  test('busy loop → HOOK_TIMEOUT at ~300 ms, then a fresh worker serves the next run', async () => {
    const t0 = Date.now();
    const r = await run('loop');
    const took = Date.now() - t0;
    assert.deepEqual([r.ok, r.code, r.data.phone], [false, 'HOOK_TIMEOUT', 'loop']);
    assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
    const next = await runner.run('process_client_phone', phone);
    assert.deepEqual([next.ok, next.data.phone], [true, '+79001234567']);
  });

  test('never-settling promise → HOOK_TIMEOUT', async () => {
    const r = await run('hang');
    assert.deepEqual([r.ok, r.code, r.data.phone], [false, 'HOOK_TIMEOUT', 'hang']);
    assert.equal((await run('8123')).data.phone, '+7123');
  });

  test('a reply that is not a JSON object → HOOK_BAD_JSON', async () => {
    assert.equal((await run('string')).code, 'HOOK_BAD_JSON');
    assert.equal((await run('undefined')).code, 'HOOK_BAD_JSON');
  });

  test('wrong types → HOOK_BAD_TYPES', async () => {
    const r = await run('types');
    assert.deepEqual([r.code, r.data.phone], ['HOOK_BAD_TYPES', 'types']);
  });

  test('output over the cap → HOOK_OUTPUT_TOO_LARGE', async () => {
    assert.equal((await run('huge')).code, 'HOOK_OUTPUT_TOO_LARGE');
  });

  test('process.exit in the hook → HOOK_WORKER_LOST, then respawned', async () => {
    const r = await run('exit');
    assert.deepEqual([r.code, r.data.phone], ['HOOK_WORKER_LOST', 'exit']);
    assert.equal((await run('8555')).data.phone, '+7555');
  });

  test('the worker sees the bare hook environment, not the connector\'s', async () => {
    assert.equal((await run('env')).data.phone, 'process_client_phone|none');
  });

  test('console output of the hook is captured in the result', async () => {
    const r = await run('log');
    assert.equal(r.data.phone, 'logged');
    assert.match(r.log ?? '', /looking up log/);
  });

  test('no default export → HOOK_LOAD_FAILED', async () => {
    const r = await runner.run('process_user_phone', user);
    assert.deepEqual([r.code, r.data.phone], ['HOOK_LOAD_FAILED', '101']);
  });

  test('syntax error → HOOK_LOAD_FAILED', async () => {
    const r = await runner.run('customize_entity', SAMPLE_INPUTS.customize_entity);
    assert.deepEqual([r.code, r.data], ['HOOK_LOAD_FAILED', {}]);
  });

  test('a .ts hook runs through tsx', async () => {
    const r = await runner.run('need_registration', { ...SAMPLE_INPUTS.need_registration, call_full: { direction: 'internal' } });
    assert.deepEqual([r.ok, r.data], [true, { result: false }]);
  });

  test('read-only fields dropped, name applied', async () => {
    const r = await runner.run('customize_autodistribution', SAMPLE_INPUTS.customize_autodistribution);
    assert.deepEqual(r.data, { number: '102', name: 'Duty manager' });
    assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['from', 'entity'] }]);
  });

  test('memory limit → HOOK_OUT_OF_MEMORY; the record path keeps the original file', async () => {
    const r = await runner.run('process_record_file_path', SAMPLE_INPUTS.process_record_file_path);
    assert.deepEqual([r.ok, r.code, r.data.path], [false, 'HOOK_OUT_OF_MEMORY', '/var/spool/asterisk/monitor/1700000000.42.mp3']);
  });

  test('every failure was logged with its code and counted', () => {
    const codes = warns().filter((l) => l.hook === 'process_client_phone').map((l) => l.code);
    assert.deepEqual(codes, ['HOOK_THREW', 'HOOK_TIMEOUT', 'HOOK_TIMEOUT', 'HOOK_BAD_JSON', 'HOOK_BAD_JSON', 'HOOK_BAD_TYPES', 'HOOK_OUTPUT_TOO_LARGE', 'HOOK_WORKER_LOST']);
    const s = runner.stats().process_client_phone!;
    assert.equal(s.failures, 8);
    assert.equal(s.runs, 17);
  });
});
