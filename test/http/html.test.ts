import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, html, raw } from '../../src/adapters/http/html.js';
import { settingsFromForm } from '../../src/adapters/http/pages/settings-form.js';
import { editableFrom, validateSettings } from '../../src/adapters/http/settings-schema.js';
import { configSchema } from '../../src/config/schema.js';
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
  assert.deepEqual(cdr['cdr'], { csvPath: '/var/log/asterisk/cdr-csv/Master.csv', usegmtime: true, loguniqueid: false, loguserfield: false, newcdrcolumns: true, maxGapMs: 86_400_000 });
  assert.deepEqual(validateSettings(base, cdr).issues, []);
  const noId = settingsFromForm(current, { 'cdr.csvPath': '/x' });
  assert.deepEqual(validateSettings(base, noId).issues.map((i) => i.path), ['cdr.loguniqueid']);
  const off = settingsFromForm(settingsFromForm(current, { 'cdr.csvPath': '/x', 'cdr.loguniqueid': 'on' }) as never, { 'cdr.csvPath': '' });
  assert.equal((off['cdr'] as { csvPath?: string }).csvPath, undefined);
});
