import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHookRunner, noopHookRunner } from '../../src/adapters/hooks/runner.js';
import { inlineInvoker } from '../../src/adapters/hooks/load-inline.js';
import type { HookInvoker } from '../../src/adapters/hooks/invoker.js';
import { SAMPLE_INPUTS } from '../../src/core/hooks/samples.js';
import { captureLogger } from './helpers.js';

const phoneInput = SAMPLE_INPUTS.process_client_phone;

/** A loader that ignores the abort signal and never answers. */
const deafInvoker: HookInvoker = {
  point: 'process_client_phone',
  kind: 'inline',
  location: 'deaf',
  invoke: () => new Promise(() => {}),
  close: async () => {},
};

describe('hook runner (in-process invokers)', () => {
  test('a good hook changes exactly the allowed fields', async () => {
    const { logger } = captureLogger();
    const runner = createHookRunner({
      logger,
      invokers: { process_client_phone: inlineInvoker('process_client_phone', (i) => ({ data: { phone: `+7${String(i.phone).slice(1)}` }, state: 'success' })) },
    });
    try {
      const r = await runner.run('process_client_phone', phoneInput);
      assert.equal(r.ok, true);
      assert.equal(r.source, 'hook');
      assert.deepEqual(r.data, { phone: '+79001234567' });
      assert.deepEqual(r.changed, ['phone']);
      assert.equal(runner.has('process_client_phone'), true);
      assert.equal(runner.has('process_user_phone'), false);
    } finally {
      await runner.close();
    }
  });

  test('the runner enforces the timeout even when the loader ignores the signal', async () => {
    const { logger, warns } = captureLogger();
    const runner = createHookRunner({ logger, timeouts: { defaultMs: 100 }, invokers: { process_client_phone: deafInvoker } });
    try {
      const t0 = Date.now();
      const r = await runner.run('process_client_phone', phoneInput);
      const took = Date.now() - t0;
      assert.equal(r.ok, false);
      assert.equal(r.code, 'HOOK_TIMEOUT');
      assert.equal(r.source, 'default');
      assert.deepEqual(r.data, { phone: '89001234567' });
      assert.ok(took >= 95 && took < 1000, `took ${took} ms`);
      assert.deepEqual(warns().map((l) => [l.hook, l.code]), [['process_client_phone', 'HOOK_TIMEOUT']]);
    } finally {
      await runner.close();
    }
  });

  test('a loader that throws synchronously → HOOK_INTERNAL, defaults', async () => {
    const bad: HookInvoker = { ...deafInvoker, invoke: () => { throw new Error('boom'); } };
    const runner = createHookRunner({ logger: captureLogger().logger, invokers: { process_client_phone: bad } });
    const r = await runner.run('process_client_phone', phoneInput);
    assert.equal(r.code, 'HOOK_INTERNAL');
    assert.deepEqual(r.data, { phone: '89001234567' });
    await runner.close();
  });

  test('thrown error in the hook → HOOK_THREW; stats count it', async () => {
    let now = 1_000;
    const clock = { now: () => now };
    const runner = createHookRunner({
      logger: captureLogger().logger,
      clock,
      invokers: {
        process_client_phone: inlineInvoker('process_client_phone', () => {
          now += 7;
          throw new Error('no database');
        }),
      },
    });
    const r = await runner.run('process_client_phone', phoneInput);
    assert.equal(r.code, 'HOOK_THREW');
    assert.equal(r.reason, 'no database');
    assert.equal(r.durationMs, 7);
    const s = runner.stats().process_client_phone!;
    assert.equal(s.runs, 1);
    assert.equal(s.failures, 1);
    assert.deepEqual(s.lastError, { code: 'HOOK_THREW', reason: 'no database', at: 1_000 });
    assert.equal(s.lastDurationMs, 7);
    assert.deepEqual(s.recent, [{ at: 1_000, ok: false, code: 'HOOK_THREW', durationMs: 7, dryRun: false, warnings: [], changed: [] }]);
    await runner.close();
  });

  test('enabled set: a disabled hook does not run; dryRun runs it anyway', async () => {
    let calls = 0;
    const runner = createHookRunner({
      logger: captureLogger().logger,
      enabled: new Set(['process_user_phone'] as const),
      invokers: { process_client_phone: inlineInvoker('process_client_phone', () => { calls += 1; return { data: { phone: '1' }, state: 'success' }; }) },
    });
    const r = await runner.run('process_client_phone', phoneInput);
    assert.deepEqual([r.source, r.ok, r.data.phone, calls], ['default', true, '89001234567', 0]);
    assert.equal(runner.stats().process_client_phone, undefined);
    assert.deepEqual(runner.recentInputs('process_client_phone'), [phoneInput]); // kept for a later dry run
    const d = await runner.dryRun('process_client_phone', phoneInput);
    assert.deepEqual([d.source, d.ok, d.data.phone, calls], ['hook', true, '1', 1]);
    assert.equal(runner.stats().process_client_phone?.recent[0]?.dryRun, true);
    assert.equal(runner.stats().process_client_phone?.runs, 0); // dry runs are not counted
    assert.deepEqual(runner.list().map((h) => [h.point, h.enabled]), [['process_client_phone', false]]);
    await runner.close();
  });

  test('disabled list from the settings', async () => {
    const runner = createHookRunner({
      logger: captureLogger().logger,
      disabled: ['process_client_phone', 'no_such_point'],
      invokers: { process_client_phone: inlineInvoker('process_client_phone', () => ({ data: { phone: '1' }, state: 'success' })) },
    });
    assert.equal(runner.has('process_client_phone'), false);
    assert.deepEqual(runner.problems().map((p) => [p.code, p.subject]), [['HOOK_UNKNOWN_NAME', 'disabled.no_such_point']]);
    await runner.close();
  });

  test('recent runs ring buffer keeps the newest N', async () => {
    const runner = createHookRunner({
      logger: captureLogger().logger,
      recentRuns: 3,
      recentInputs: 2,
      invokers: { process_client_phone: inlineInvoker('process_client_phone', (i) => ({ data: { phone: i.phone }, state: 'success' })) },
    });
    for (let k = 0; k < 5; k++) await runner.run('process_client_phone', { ...phoneInput, phone: String(k) });
    const s = runner.stats().process_client_phone!;
    assert.equal(s.runs, 5);
    assert.equal(s.failures, 0);
    assert.equal(s.recent.length, 3);
    assert.deepEqual(runner.recentInputs('process_client_phone').map((i) => i.phone), ['3', '4']);
    await runner.close();
  });

  test('read-only fields returned: warning logged, the rest applied', async () => {
    const { logger, warns } = captureLogger();
    const runner = createHookRunner({
      logger,
      invokers: {
        process_final_params: inlineInvoker('process_final_params', () => ({ data: { CALL_ID: 'forged', ADD_TO_CHAT: 0 }, state: 'success' })),
      },
    });
    const r = await runner.run('process_final_params', SAMPLE_INPUTS.process_final_params);
    assert.equal(r.ok, true);
    assert.equal(r.data.CALL_ID, 'externalCall.0c1f4e7b2a.1700000007');
    assert.equal(r.data.ADD_TO_CHAT, 0);
    assert.deepEqual(r.warnings, [{ code: 'HOOK_READONLY_DROPPED', fields: ['CALL_ID'] }]);
    assert.deepEqual(warns().map((l) => l.code), ['HOOK_READONLY_DROPPED']);
    assert.equal(runner.stats().process_final_params?.warnings, 1);
    await runner.close();
  });

  test('a bad input is logged (HOOK_BAD_INPUT) and the hook still runs', async () => {
    const { logger, warns } = captureLogger();
    const runner = createHookRunner({ logger, invokers: { process_client_phone: inlineInvoker('process_client_phone', () => ({ state: 'success' })) } });
    const r = await runner.run('process_client_phone', { phone: '1', call_stage: 'ringing' } as never);
    assert.equal(r.ok, true);
    assert.deepEqual(warns().map((l) => l.code), ['HOOK_BAD_INPUT']);
    await runner.close();
  });

  test('after close: defaults with HOOK_CLOSED', async () => {
    const runner = createHookRunner({ logger: captureLogger().logger, invokers: { process_client_phone: inlineInvoker('process_client_phone', () => ({ state: 'success' })) } });
    await runner.close();
    const r = await runner.run('process_client_phone', phoneInput);
    assert.deepEqual([r.ok, r.code, r.data.phone], [false, 'HOOK_CLOSED', '89001234567']);
  });

  test('noopHookRunner returns the defaults at once', async () => {
    const r = await noopHookRunner.run('process_registration_params', { ...SAMPLE_INPUTS.process_registration_params, SHOW: 1 as 0 });
    assert.deepEqual([r.ok, r.source, r.durationMs, r.data.SHOW, r.data.USER_ID], [true, 'default', 0, 0, 5]);
    assert.equal(noopHookRunner.has('process_client_phone'), false);
    assert.deepEqual(noopHookRunner.stats(), {});
  });

  test('timeouts settings: unknown names and the fixed one are reported', async () => {
    const runner = createHookRunner({
      logger: captureLogger().logger,
      timeouts: { defaultMs: 100, perPoint: { nope: 5, process_record_file_path: 60_000 } },
    });
    assert.deepEqual(runner.problems().map((p) => p.code), ['HOOK_UNKNOWN_NAME', 'HOOK_TIMEOUT_FIXED']);
    await runner.close();
  });
});

describe('hookRunnerFromSettings', () => {
  test('no folder and no URL → the noop runner; otherwise a real one with the settings applied', async () => {
    const { hookRunnerFromSettings } = await import('../../src/adapters/hooks/from-config.js');
    const logger = captureLogger().logger;
    assert.equal(hookRunnerFromSettings({ urls: {}, timeoutMs: 3000, timeouts: {}, disabled: [] }, { logger }), noopHookRunner);
    const r = hookRunnerFromSettings(
      { urls: { process_client_phone: 'http://127.0.0.1:9/x' }, timeoutMs: 1500, timeouts: { process_client_phone: 700 }, disabled: [] },
      { logger },
    );
    try {
      assert.deepEqual(r.list().map((h) => [h.point, h.kind, h.timeoutMs, h.enabled]), [['process_client_phone', 'url', 700, true]]);
    } finally {
      await r.close();
    }
  });
});

test('setEnabled switches a point off and on at run time (the admin panel switch)', async () => {
  const { silentLogger } = await import('../../src/log.js');
  const runner = createHookRunner({
    logger: silentLogger,
    invokers: { process_client_phone: inlineInvoker('process_client_phone', async () => ({ state: 'success', data: { phone: '+1' } })) },
  });
  const input = { ...SAMPLE_INPUTS.process_client_phone, phone: '+49' };
  assert.equal((await runner.run('process_client_phone', input)).data.phone, '+1');
  runner.setEnabled!('process_client_phone', false);
  assert.equal(runner.has('process_client_phone'), false);
  assert.equal((await runner.run('process_client_phone', input)).data.phone, '+49');
  runner.setEnabled!('process_client_phone', true);
  assert.equal((await runner.run('process_client_phone', input)).data.phone, '+1');
  await runner.close();
});
