import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, raw } from '../../src/adapters/http/html.js';
import { settingsFromForm } from '../../src/adapters/http/pages/settings-form.js';
import { editableFrom, validateSettings } from '../../src/adapters/http/settings-schema.js';
import { configSchema } from '../../src/config/schema.js';
import { HOOK_POINTS } from '../../src/core/hooks/points.js';
import { createT } from '../../src/adapters/http/ui/texts/index.js';
import { en, type Texts } from '../../src/adapters/http/ui/texts/en.js';

test('html escapes every interpolated value, nests SafeHtml, joins arrays, drops null/undefined/false', () => {
  const name = '<script>alert("x")</script>&\'`';
  assert.equal(escapeHtml(name), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&#96;');
  const inner = html`<b>${name}</b>`;
  assert.equal(html`<p title="${name}">${inner}${[1, '<', raw('<i>')]}${undefined}${null}${false}${0}</p>`.value,
    `<p title="${escapeHtml(name)}"><b>${escapeHtml(name)}</b>1&lt;<i>0</p>`);
});

test('t() fills placeholders and a translation falls back to English per key', () => {
  const t = createT();
  assert.equal(t('login.locked', { seconds: 42 }), 'Too many attempts. Try again in 42 s.');
  const ru = { ...en, 'nav.calls': 'Звонки' } as Texts;
  assert.equal(createT(ru)('nav.calls'), 'Звонки');
  assert.equal(createT(ru)('nav.outbox'), 'Outbox');
});

test('settings form → schema: paths name the keys; valid forms parse', () => {
  const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://p.example/rest/1/x/' } };
  const current = editableFrom(configSchema.parse(base));
  const obj = settingsFromForm(current, { 'lists.white.extensions': '101, 102\n103', 'calls.defaultUserId': '0', 'recordings.mode': 'stream', 'pbx.trunks.0.endpoint': 'gw', 'pbx.trunks.0.defaultUserId': 'x' });
  const issues = validateSettings(base, obj).issues.map((i) => i.path).sort();
  assert.deepEqual(issues, ['calls.defaultUserId', 'pbx.trunks.0.defaultUserId', 'recordings.mode']);
  assert.deepEqual((obj.lists as { white: { extensions: string[] } }).white.extensions, ['101', '102', '103']);
  const ok = validateSettings(base, settingsFromForm(current, { 'calls.defaultUserId': '5', 'calls.internal': 'on' }));
  assert.deepEqual(ok.issues, []);
  assert.equal(ok.config?.calls.defaultUserId, 5);
  assert.equal(ok.config?.calls.internal, true);
  assert.deepEqual(validateSettings(base, { admin: {} }).issues, [{ path: 'admin', message: 'not editable from the panel' }]);
  // The CDR fieldset: flags read only when the form has it; an empty path or zone means off / default.
  const cdr = settingsFromForm(current, { 'cdr.csvPath': ' /var/log/asterisk/cdr-csv/Master.csv ', 'cdr.usegmtime': 'on', 'cdr.newcdrcolumns': 'on', 'cdr.timezone': '' });
  assert.deepEqual(cdr['cdr'], { source: 'csv', csvPath: '/var/log/asterisk/cdr-csv/Master.csv', usegmtime: true, loguniqueid: false, loguserfield: false, newcdrcolumns: true, maxGapMs: 86_400_000 });
  assert.deepEqual(validateSettings(base, cdr).issues, []);
  const noId = settingsFromForm(current, { 'cdr.csvPath': '/x' });
  assert.deepEqual(validateSettings(base, noId).issues.map((i) => i.path), ['cdr.loguniqueid']);
  const off = settingsFromForm(settingsFromForm(current, { 'cdr.csvPath': '/x', 'cdr.loguniqueid': 'on' }) as never, { 'cdr.csvPath': '' });
  assert.equal((off['cdr'] as { csvPath?: string }).csvPath, undefined);
});

test('settings form → hook points: a URL and a timeout per point, empty cells removed, fixed timeouts never set', () => {
  const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://p.example/rest/1/x/' } };
  const current = editableFrom(configSchema.parse({ ...base, hooks: { urls: { customize_entity: 'https://old.example/e', legacy_point: 'https://x.example/' }, timeouts: { customize_entity: 900 } } }));
  const empty = Object.fromEntries(HOOK_POINTS.flatMap((p) => [[`hooks.urls.${p}`, ''], [`hooks.timeouts.${p}`, '']]));
  const obj = settingsFromForm(current, {
    ...empty,
    'hooks.urls.need_registration': ' https://hooks.example/need ', 'hooks.timeouts.need_registration': '1500',
    'hooks.timeouts.process_record_file_path': '99', 'hooks.timeouts.customize_activity': 'soon',
  });
  const hooks = obj['hooks'] as { urls: Record<string, string>; timeouts: Record<string, unknown> };
  // customize_entity's URL and timeout were emptied; a key the form does not know is kept as it is.
  assert.deepEqual(hooks.urls, { need_registration: 'https://hooks.example/need', legacy_point: 'https://x.example/' });
  assert.deepEqual(hooks.timeouts, { need_registration: 1500, customize_activity: 'soon' });
  assert.deepEqual(validateSettings(base, obj).issues.map((i) => i.path), ['hooks.timeouts.customize_activity']);
  // A form without the table (another page posting a subset) leaves the points alone.
  assert.deepEqual((settingsFromForm(current, { 'calls.internal': 'on' })['hooks'] as typeof hooks).urls, current.hooks.urls);
});


test('settings form → FMC and the rating variable: numbers one per line, bad ones reported at their path; absent fieldset keeps them', () => {
  const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://p.example/rest/1/x/' } };
  const current = editableFrom(configSchema.parse({ ...base, pbx: { fmc: { enabled: true, numbers: { '+79160000001': '101' } } } }));
  const obj = settingsFromForm(current, {
    'pbx.fmc.enabled': 'on', 'pbx.fmc.fields': 'PERSONAL_MOBILE, WORK_PHONE', 'pbx.fmc.matchDigits': '10',
    'pbx.fmc.numbers': '+7 916 123-45-67 = 102\n89169999999 105\n\n', 'pbx.voteVariable': 'RATING',
  });
  const ok = validateSettings(base, obj);
  assert.deepEqual(ok.issues, []);
  assert.deepEqual(ok.config?.pbx.fmc, { enabled: true, fields: ['PERSONAL_MOBILE', 'WORK_PHONE'], numbers: { '+7 916 123-45-67': '102', '89169999999': '105' }, matchDigits: 10 });
  assert.equal(ok.config?.pbx.voteVariable, 'RATING');
  const bad = settingsFromForm(current, { 'pbx.fmc.matchDigits': '3', 'pbx.fmc.fields': 'MOBILE', 'pbx.fmc.numbers': 'call me' });
  assert.deepEqual(validateSettings(base, bad).issues.map((i) => i.path).sort(), ['pbx.fmc.fields.0', 'pbx.fmc.matchDigits', 'pbx.fmc.numbers.call']);
  // A form without the FMC fieldset (another section saved) leaves FMC as it was.
  assert.deepEqual((settingsFromForm(current, { 'calls.defaultUserId': '5' }) as { pbx: { fmc: unknown } }).pbx.fmc, current.pbx.fmc);
});
