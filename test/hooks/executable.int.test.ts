import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createHookRunner, type HookRunner } from '../../src/adapters/hooks/runner.js';
import { SAMPLE_INPUTS } from '../../src/core/hooks/samples.js';
import { captureLogger, hookDir } from './helpers.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const hasPhp = spawnSync('php', ['--version']).status === 0;
// Executable hooks get a bare environment; the test passes PATH so python3 (pyenv) is found.
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

const files = {
  // Python: the phone selects the behaviour.
  'process_client_phone.py': [
    'import json, sys, time',
    'd = json.load(sys.stdin)',
    'p = d["phone"]',
    'if p == "exit": sys.stderr.write("no database\\n"); sys.exit(2)',
    'if p == "sleep": time.sleep(5)',
    'if p == "text": print("Done!"); sys.exit(0)',
    'if p == "huge": sys.stdout.write("x" * 5000); sys.exit(0)',
    'if p == "types": print(json.dumps({"data": {"phone": ["a"]}, "state": "success"})); sys.exit(0)',
    'if p == "state": print(json.dumps({"data": {"phone": "1"}, "state": "error"})); sys.exit(0)',
    'print(json.dumps({"data": {"phone": "+7" + p[1:]}, "state": "success"}))',
  ].join('\n'),
  // A shell script whose child would outlive it: the whole group must die at the timeout.
  'process_user_phone.sh': 'cat >/dev/null\nsleep 5 &\nwait\n',
  // An extension-less executable with a shebang.
  need_registration: '#!/bin/sh\ncat >/dev/null\necho \'{"data":{"result":false},"state":"success"}\'\n',
  // A shebang naming an interpreter that does not exist.
  post_registration: '#!/nonexistent/interpreter\n',
  // Reads no input at all (EPIPE must not matter) and answers.
  'customize_show_call_card.sh': 'echo \'{"data":{"USER_ID":"9"},"state":"success"}\'\n',
};

describe('executable hooks', { skip: !hasPython && 'python3 is not installed' }, () => {
  let runner: HookRunner;
  let cleanup: () => void;
  let dir: string;
  before(() => {
    const d = hookDir(files);
    cleanup = d.cleanup;
    dir = d.dir;
    runner = createHookRunner({ dir, logger: captureLogger().logger, timeouts: { defaultMs: 1500 }, env, maxOutputBytes: 1024 });
    // 1.5 s: a loaded CI machine can take 300+ ms just to start python3; the sleeping hooks take 5 s.
  });
  after(async () => {
    await runner.close();
    cleanup();
  });
  const run = (p: string) => runner.run('process_client_phone', { ...SAMPLE_INPUTS.process_client_phone, phone: p });

  test('a good Python hook: JSON on stdin, JSON on stdout', async () => {
    const r = await runner.run('process_client_phone', { ...SAMPLE_INPUTS.process_client_phone, phone: '89001234567' });
    assert.deepEqual([r.ok, r.source, r.data.phone], [true, 'hook', '+79001234567']);
  });

  test('non-zero exit → HOOK_EXIT_NONZERO with stderr captured', async () => {
    const r = await run('exit');
    assert.deepEqual([r.ok, r.code, r.reason, r.data.phone], [false, 'HOOK_EXIT_NONZERO', 'exit status 2', 'exit']);
    assert.equal(r.log, 'no database\n');
  });

  test('timeout → SIGKILL, HOOK_TIMEOUT', async () => {
    const t0 = Date.now();
    const r = await run('sleep');
    assert.deepEqual([r.code, r.data.phone], ['HOOK_TIMEOUT', 'sleep']);
    assert.ok(Date.now() - t0 < 3500, 'killed at the timeout, long before the 5 s sleep ends');
  });

  test('non-JSON stdout → HOOK_BAD_JSON', async () => {
    assert.equal((await run('text')).code, 'HOOK_BAD_JSON');
  });

  test('stdout over the cap → HOOK_OUTPUT_TOO_LARGE', async () => {
    assert.equal((await run('huge')).code, 'HOOK_OUTPUT_TOO_LARGE');
  });

  test('wrong types → HOOK_BAD_TYPES; bad state → HOOK_BAD_STATE', async () => {
    assert.equal((await run('types')).code, 'HOOK_BAD_TYPES');
    assert.equal((await run('state')).code, 'HOOK_BAD_STATE');
  });

  test('a shell hook and its child are killed together at the timeout', async () => {
    const t0 = Date.now();
    const r = await runner.run('process_user_phone', SAMPLE_INPUTS.process_user_phone);
    assert.deepEqual([r.code, r.data.phone], ['HOOK_TIMEOUT', '101']);
    assert.ok(Date.now() - t0 < 3500, 'killed at the timeout, long before the 5 s sleep ends');
    const left = spawnSync('pgrep', ['-f', `${dir}/process_user_phone.sh`]).stdout.toString().trim();
    assert.equal(left, '');
  });

  test('an extension-less executable runs through its shebang', async () => {
    const r = await runner.run('need_registration', SAMPLE_INPUTS.need_registration);
    assert.deepEqual([r.ok, r.data], [true, { result: false }]);
  });

  test('a hook that ignores stdin still works; "9" becomes 9', async () => {
    const r = await runner.run('customize_show_call_card', SAMPLE_INPUTS.customize_show_call_card);
    assert.deepEqual([r.ok, r.data.USER_ID], [true, 9]);
  });

  test('missing shebang interpreter → HOOK_INTERPRETER_MISSING', async () => {
    const r = await runner.run('post_registration', SAMPLE_INPUTS.post_registration);
    assert.deepEqual([r.ok, r.code, r.data], [false, 'HOOK_INTERPRETER_MISSING', {}]);
  });

  test('missing interpreter (php/python setting) → HOOK_INTERPRETER_MISSING', async () => {
    const other = createHookRunner({ dir, logger: captureLogger().logger, env, interpreters: { python: '/nonexistent/python3' } });
    try {
      const r = await other.run('process_client_phone', SAMPLE_INPUTS.process_client_phone);
      assert.deepEqual([r.ok, r.code, r.data.phone], [false, 'HOOK_INTERPRETER_MISSING', '89001234567']);
      assert.match(r.reason ?? '', /ENOENT/);
    } finally {
      await other.close();
    }
  });

  test('by default the hook sees a bare environment (not the connector\'s) plus ASTERISK_B24_HOOK', async () => {
    const d = hookDir({ 'process_user_phone.sh': 'cat >/dev/null\nprintf \'{"data":{"phone":"%s|%s"},"state":"success"}\' "$ASTERISK_B24_HOOK" "${SECRET_THING:-none}"\n' });
    process.env.SECRET_THING = 'leaked';
    const r2 = createHookRunner({ dir: d.dir, logger: captureLogger().logger });
    try {
      const r = await r2.run('process_user_phone', SAMPLE_INPUTS.process_user_phone);
      assert.equal(r.data.phone, 'process_user_phone|none');
    } finally {
      delete process.env.SECRET_THING;
      await r2.close();
      d.cleanup();
    }
  });
});

describe('the PHP example from the original product', { skip: !hasPhp && 'php is not installed' }, () => {
  test('process_client_phone.php turns 8… into +7…', async () => {
    const runner = createHookRunner({ dir: join(import.meta.dirname, '../../examples/hooks/php'), logger: captureLogger().logger, env, timeouts: { defaultMs: 3000 } });
    try {
      const r = await runner.run('process_client_phone', SAMPLE_INPUTS.process_client_phone);
      assert.deepEqual([r.ok, r.data.phone], [true, '+79001234567']);
    } finally {
      await runner.close();
    }
  });
});
