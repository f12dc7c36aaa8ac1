import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, loadConfigFile, maskSecrets } from '../../src/config/load.js';
import { ConnectorError } from '../../src/errors.js';
import { VERSION } from '../../src/version.js';

const minimal = { bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/abc123/' } };

test('a minimal config gets every default', () => {
  const c = parseConfig(minimal);
  assert.equal(c.ami.port, 5038);
  assert.equal(c.bitrix.limits.capacity, 50);
  assert.equal(c.bitrix.limits.drainPerSec, 2);
  assert.equal(c.calls.internal, false);
  assert.equal(c.hooks.timeoutMs, 3000);
  assert.equal(c.store.path, './asterisk-b24.sqlite');
  assert.ok(Object.isFrozen(c.ami));
});

test('a bad key is named in the error', () => {
  assert.throws(() => parseConfig({ ...minimal, ami: { port: 'x' } }), (e: unknown) => {
    assert.ok(e instanceof ConnectorError);
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.match(e.message, /ami\.port/);
    return true;
  });
  assert.throws(() => parseConfig({ bitrix: { auth: 'webhook' } }), /bitrix\.webhookUrl: required/);
  assert.throws(() => parseConfig({ ...minimal, amy: {} }), /amy|Unrecognized/);
});

test('file errors have their own codes; secrets can come from the environment and are masked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  assert.throws(() => loadConfigFile(join(dir, 'none.json')), { code: 'CONFIG_UNREADABLE' });
  writeFileSync(join(dir, 'bad.json'), '{nope');
  assert.throws(() => loadConfigFile(join(dir, 'bad.json')), { code: 'CONFIG_NOT_JSON' });
  writeFileSync(join(dir, 'ok.json'), JSON.stringify(minimal));
  const c = loadConfigFile(join(dir, 'ok.json'), { ASTERISK_B24_AMI_SECRET: 's3cret' });
  assert.equal(c.ami.secret, 's3cret');
  const masked = JSON.stringify(maskSecrets(c));
  assert.ok(!masked.includes('s3cret'));
  assert.ok(!masked.includes('abc123'));
});

test('version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
});

test('tasks.deadlineIn working-hours needs agi.workingHours, and then the task settings carry the schedule', async () => {
  const { configSchema } = await import('../../src/config/schema.js');
  const { taskSettingsFor } = await import('../../src/flow/plan-inputs.js');
  const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://p.example/rest/1/x/' } };
  const bad = configSchema.safeParse({ ...base, tasks: { deadlineIn: 'working-hours' } });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.')), ['tasks.deadlineIn']);
  const hours = { timezone: 'Europe/Moscow', days: { mon: ['09:00-18:00'] } };
  const ok = configSchema.parse({ ...base, tasks: { deadlineIn: 'working-hours' }, agi: { workingHours: hours } });
  const call = { callKey: 'k', direction: 'incoming', startedAt: 0, recordings: [], conversations: [] } as never;
  assert.deepEqual(taskSettingsFor(ok, call, 180).workingHours, hours);
  assert.equal(taskSettingsFor(configSchema.parse({ ...base, agi: { workingHours: hours } }), call, 180).workingHours, undefined, 'calendar by default');
});
