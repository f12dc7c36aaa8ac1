/**
 * `asterisk-b24 hooks try|list` (src/cli/hooks.ts) against hooks folders, input files and a real
 * SQLite store written by the call flow.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHooks } from '../../src/cli/hooks.js';
import { CallToCrm } from '../../src/flow/call-to-crm.js';
import { hookPortOf } from '../../src/flow/hook-port.js';
import { createHookRunner } from '../../src/adapters/hooks/runner.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { CallSummary } from '../../src/core/call/model.js';

let dir: string;
let hooksDir: string;
let configFile: string;

function io(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { write: (s: string) => void out.push(s), err: { write: (s: string) => void err.push(s) }, readStdin: () => stdin } };
}
const json = (o: { out: string[] }) => JSON.parse(o.out.join('')) as Record<string, unknown>;

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const conv = { id: 'c1', extension: '101', channel: 'PJSIP/101-1', uniqueid: 'u2', stage: 'conversation_requested', via: 'dial', requestedAt: T0 + 100 } as const;
const ringing: CallSummary = { callKey: 'k1', direction: 'incoming', clientNumber: '89001234567', did: '5551000', trunk: 'trunk', startedAt: T0, recordings: [], conversations: [conv] };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ab24-hooks-cli-'));
  hooksDir = join(dir, 'hooks');
  mkdirSync(hooksDir);
  writeFileSync(join(hooksDir, 'process_client_phone.mjs'), `export default function (i) { return { data: { phone: '+7' + String(i.phone).slice(1) }, state: 'success' }; }\n`);
  writeFileSync(join(hooksDir, 'need_registration.mjs'), `export default function () { return { data: { result: false }, state: 'fail' }; }\n`);
  writeFileSync(join(hooksDir, 'process_client_phones.mjs'), `export default () => ({ state: 'success' });\n`);
  const storePath = join(dir, 'store.sqlite');
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ bitrix: { auth: 'webhook', webhookUrl: 'http://127.0.0.1:1/rest/1/x/' }, store: { path: storePath }, hooks: { dir: hooksDir }, phone: { format: 'digits' } }));
  // A real call through the flow, with the real runner on the folder, into the store.
  const config = parseConfig({ bitrix: { auth: 'webhook', webhookUrl: 'http://127.0.0.1:1/rest/1/x/' }, phone: { format: 'digits' } });
  const store = openSqliteStore({ path: storePath });
  const runner = createHookRunner({ dir: hooksDir, logger: silentLogger });
  try {
    const flow = new CallToCrm({
      config, logger: silentLogger, tzOffsetMinutes: 180, hooks: hookPortOf(runner), now: () => T0,
      users: { find: async (p) => (p === '101' ? { id: 5 } : undefined) },
      sink: { enqueue: (c, o) => store.enqueue(c, T0, o) }, calls: store,
    });
    await flow.handle({ callKey: 'k1', stage: 'conversation_requested', at: T0 + 100, conversation: conv, call: ringing });
    await flow.idle();
  } finally {
    await runner.close();
    await store.close();
  }
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('try --input: the effective reply and how it was obtained', async () => {
  const input = join(dir, 'input.json');
  writeFileSync(input, JSON.stringify({ phone: '89001234567', call_stage: 'conversation_requested', call_full: {} }));
  const o = io();
  assert.equal(await runHooks(['try', 'process_client_phone', '--hooks-dir', hooksDir, '--input', input], o.io), 0);
  const r = json(o);
  assert.deepEqual(r['data'], { phone: '+79001234567' });
  assert.equal(r['source'], 'hook');
  assert.equal(r['ok'], true);
  assert.deepEqual(r['changed'], ['phone']);
  assert.match(String(r['hook']), /^module .*process_client_phone\.mjs$/);
  assert.equal(typeof r['durationMs'], 'number');
});

test('try with a failing hook: the defaults, the code, exit 1; input from stdin', async () => {
  const o = io(JSON.stringify({ call_stage: 'call_ended', call_full: {} }));
  assert.equal(await runHooks(['try', 'need_registration', '--hooks-dir', hooksDir, '--input', '-'], o.io), 1);
  const r = json(o);
  assert.deepEqual(r['data'], { result: true });
  assert.equal(r['source'], 'default');
  assert.equal(r['code'], 'HOOK_BAD_STATE');
  assert.deepEqual(r['reply'], { data: { result: false }, state: 'fail' });
});

test('try --call: the input the real call gave the point, call_full rebuilt from the store', async () => {
  const o = io();
  assert.equal(await runHooks(['try', 'process_client_phone', '--call', 'k1', '--config', configFile], o.io), 0);
  const r = json(o);
  assert.equal(r['input'], 'call k1');
  assert.deepEqual(r['data'], { phone: '+79001234567' });
  const o2 = io();
  assert.equal(await runHooks(['try', 'process_final_params', '--call', 'k1', '--config', configFile], o2.io), 1);
  assert.match(o2.err.join(''), /call k1 never reached process_final_params \(recorded points: .*process_client_phone.*\) \(CLI_HOOKS_NO_INPUT\)/);
});

test('usage errors exit 2 with a code', async () => {
  const o = io();
  assert.equal(await runHooks(['try', 'process_client_phones', '--hooks-dir', hooksDir, '--input', 'x'], o.io), 2);
  assert.match(o.err.join(''), /CLI_HOOKS_UNKNOWN_POINT/);
  const o2 = io();
  assert.equal(await runHooks(['try', 'process_client_phone', '--hooks-dir', hooksDir], o2.io), 2);
  assert.match(o2.err.join(''), /CLI_HOOKS_BAD_ARGS/);
});

test('list: installed hooks, problems, and with --config the recent runs of the stored calls', async () => {
  const o = io();
  assert.equal(await runHooks(['list', '--config', configFile, '--json'], o.io), 0);
  const r = json(o) as { installed: Array<Record<string, unknown>>; problems: Array<Record<string, unknown>>; recentRuns: Array<Record<string, unknown>> };
  assert.deepEqual(r.installed.map((h) => h['point']).sort(), ['need_registration', 'process_client_phone']);
  assert.deepEqual(r.problems.map((p) => [p['code'], p['subject']]), [['HOOK_UNKNOWN_NAME', 'process_client_phones.mjs']]);
  const byPoint = Object.fromEntries(r.recentRuns.map((x) => [x['point'], x]));
  assert.equal(byPoint['process_client_phone']?.['ok'], true);
  assert.deepEqual(byPoint['process_client_phone']?.['changed'], ['phone']);
  assert.equal(byPoint['need_registration']?.['code'], 'HOOK_BAD_STATE');
  assert.equal(byPoint['need_registration']?.['callKey'], 'k1');
  const t = io();
  assert.equal(await runHooks(['list', '--hooks-dir', hooksDir], t.io), 0);
  const text = t.out.join('');
  assert.match(text, /^hooks folder: /);
  assert.match(text, /process_client_phone\s+module\s+enabled/);
  assert.match(text, /HOOK_UNKNOWN_NAME process_client_phones\.mjs/);
  assert.doesNotMatch(text, /recent runs/);
});
