import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { discoverHooks } from '../../src/adapters/hooks/discover.js';
import { hookDir } from './helpers.js';

describe('discoverHooks', () => {
  test('one hook per point; unknown names, bad files and duplicates reported', () => {
    const d = hookDir({
      'process_client_phone.php': '<?php',
      'process_client_phone.mjs': 'export default () => ({})',
      'process_user_phone.py': '',
      'customize_entity.sh': '',
      need_registration: '#!/bin/sh\n',
      post_registration: 'not executable',
      'process_final_params.rb': '',
      'process_client_phone_old.php': '',
      'README.md': '# notes',
      '.hidden': '',
      'customize_activity.php~': '',
    });
    mkdirSync(join(d.dir, 'customize_activity'));
    try {
      const r = discoverHooks(d.dir, {
        process_user_phone: 'https://hooks.example.com/user',
        customize_show_call_card: 'http://127.0.0.1:8000/card.php?auth=abc',
        nonsense: 'http://x/',
        process_record_file_path: 'ftp://x/',
      });
      assert.deepEqual(
        r.hooks.map((h) => [h.point, h.kind, h.kind === 'executable' ? h.runner : '', h.location.replace(d.dir, '.')]),
        [
          ['customize_entity', 'executable', 'sh', './customize_entity.sh'],
          ['need_registration', 'executable', 'direct', './need_registration'],
          ['process_client_phone', 'module', '', './process_client_phone.mjs'],
          ['process_user_phone', 'executable', 'python', './process_user_phone.py'],
          ['customize_show_call_card', 'url', '', 'http://127.0.0.1:8000/card.php?auth=***'],
        ],
      );
      assert.deepEqual(
        r.problems.map((p) => [p.code, p.subject.replace(d.dir, '.')]),
        [
          ['HOOK_UNSUPPORTED_FILE', 'post_registration'],
          ['HOOK_UNKNOWN_NAME', 'process_client_phone_old.php'],
          ['HOOK_UNSUPPORTED_FILE', 'process_final_params.rb'],
          ['HOOK_UNKNOWN_NAME', 'urls.nonsense'],
          ['HOOK_BAD_URL', 'urls.process_record_file_path'],
          ['HOOK_DUPLICATE', './process_client_phone.php'],
          ['HOOK_DUPLICATE', 'urls.process_user_phone'],
        ],
      );
    } finally {
      d.cleanup();
    }
  });

  test('.ts refused when tsx is not available', () => {
    const d = hookDir({ 'process_client_phone.ts': 'export default () => ({})' });
    try {
      const r = discoverHooks(d.dir, {}, { typescript: false });
      assert.deepEqual(r.hooks, []);
      assert.deepEqual(r.problems.map((p) => p.code), ['HOOK_TS_UNSUPPORTED']);
    } finally {
      d.cleanup();
    }
  });

  test('a missing folder is a problem, not a crash', () => {
    const r = discoverHooks('/nonexistent/hooks');
    assert.deepEqual(r.hooks, []);
    assert.deepEqual(r.problems.map((p) => [p.code, p.message]), [['HOOK_DIR_UNREADABLE', 'cannot read the hooks folder: ENOENT']]);
  });
});

describe('runner.reload', () => {
  test('a hook added to the folder is picked up; a removed one is gone', async () => {
    const { createHookRunner } = await import('../../src/adapters/hooks/runner.js');
    const { captureLogger } = await import('./helpers.js');
    const { writeFileSync, rmSync } = await import('node:fs');
    const d = hookDir({ 'process_user_phone.mjs': 'export default () => ({ state: "success" })' });
    const runner = createHookRunner({ dir: d.dir, logger: captureLogger().logger });
    try {
      assert.deepEqual(runner.list().map((h) => h.point), ['process_user_phone']);
      writeFileSync(join(d.dir, 'process_client_phone.mjs'), 'export default () => ({ data: { phone: "new" }, state: "success" })');
      rmSync(join(d.dir, 'process_user_phone.mjs'));
      await runner.reload();
      assert.deepEqual(runner.list().map((h) => h.point), ['process_client_phone']);
      const r = await runner.run('process_client_phone', { phone: '1', call_stage: 'call_ended', call_full: {} });
      assert.equal(r.data.phone, 'new');
    } finally {
      await runner.close();
      d.cleanup();
    }
  });
});

describe('runner.reconfigure (settings edited in the admin panel)', () => {
  test('a runner started without hooks takes a folder, timeouts and disabled points; counters are kept', async () => {
    const { hookRunnerFromSettings } = await import('../../src/adapters/hooks/from-config.js');
    const { runnerSettingsOf } = await import('../../src/adapters/hooks/from-config.js');
    const { captureLogger } = await import('./helpers.js');
    const d = hookDir({
      'process_client_phone.mjs': 'export default () => ({ data: { phone: "hooked" }, state: "success" })',
      'process_user_phone.mjs': 'export default () => ({ state: "success" })',
    });
    const base = { urls: {}, timeoutMs: 3000, timeouts: {}, disabled: [] as string[] };
    const runner = hookRunnerFromSettings(base, { logger: captureLogger().logger }, { reconfigurable: true });
    try {
      assert.deepEqual(runner.list(), []);
      const input = { phone: '1', call_stage: 'call_ended', call_full: {} } as const;
      assert.equal((await runner.run('process_client_phone', input)).source, 'default');
      await runner.reconfigure!(runnerSettingsOf({ ...base, dir: d.dir, timeouts: { process_client_phone: 1234 }, disabled: ['process_user_phone'] }));
      assert.deepEqual(runner.list().map((h) => [h.point, h.enabled, h.timeoutMs]), [['process_client_phone', true, 1234], ['process_user_phone', false, 3000]]);
      const r = await runner.run('process_client_phone', input);
      assert.equal(r.data.phone, 'hooked');
      assert.equal(runner.stats().process_client_phone?.runs, 1, 'runs before the change are kept too (defaults are not counted)');
      assert.equal(runner.recentInputs('process_client_phone').length, 2, 'inputs seen before the change are kept');
      await runner.reconfigure!(runnerSettingsOf(base));
      assert.deepEqual(runner.list(), [], 'folder removed: no hook any more');
      assert.equal(runner.has('process_client_phone'), false);
    } finally {
      await runner.close();
      d.cleanup();
    }
  });
});
