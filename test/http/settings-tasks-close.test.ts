/** The settings editor's tasks.completeOnContact checkbox: shown in the tasks fieldset, saved on and off. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsFromForm } from '../../src/adapters/http/pages/settings-form.js';
import { editableFrom, validateSettings } from '../../src/adapters/http/settings-schema.js';
import { configSchema } from '../../src/config/schema.js';
import { ru } from '../../src/adapters/http/ui/texts/ru.js';
import { form, Jar, login, makeApp, req } from './helpers.js';

test('the checkbox sits in the tasks fieldset, unchecked by default; ticking it saves true, clearing it false', async () => {
  const t = await makeApp();
  const jar = new Jar();
  const { csrf } = await login(t, jar);
  const page = await (await req(t, jar, '/settings')).text();
  const fieldset = /<fieldset><legend>Missed-call tasks<\/legend>.*?<\/fieldset>|<fieldset><legend>[^<]*[Tt]ask[^<]*<\/legend>.*?<\/fieldset>/s.exec(page)?.[0] ?? '';
  assert.match(fieldset, /name="tasks\.completeOnContact"/);
  assert.match(fieldset, /Complete the task once the client is reached/);
  assert.doesNotMatch(/<input[^>]*name="tasks\.completeOnContact"[^>]*>/.exec(fieldset)?.[0] ?? '', /checked/);
  const on = await req(t, jar, '/settings', { method: 'POST', body: form({ _csrf: csrf ?? '', 'tasks.missedCalls': 'on', 'tasks.completeOnContact': 'on' }) });
  assert.equal(on.status, 303);
  assert.equal((await t.panel.settings.get()).tasks.completeOnContact, true);
  const shown = await (await req(t, jar, '/settings')).text();
  assert.match(/<input[^>]*name="tasks\.completeOnContact"[^>]*>/.exec(shown)?.[0] ?? '', /checked/);
  const off = await req(t, jar, '/settings', { method: 'POST', body: form({ _csrf: csrf ?? '', 'tasks.missedCalls': 'on' }) });
  assert.equal(off.status, 303);
  assert.equal((await t.panel.settings.get()).tasks.completeOnContact, false);
});

test('form → schema: the checkbox maps to a boolean; the Russian label exists', () => {
  const base = { bitrix: { auth: 'webhook', webhookUrl: 'https://p.example/rest/1/x/' } };
  const current = editableFrom(configSchema.parse(base));
  assert.equal(current.tasks.completeOnContact, false);
  const r = validateSettings(base, settingsFromForm(current, { 'tasks.missedCalls': 'on', 'tasks.completeOnContact': 'on' }));
  assert.equal(r.config?.tasks.completeOnContact, true);
  assert.match(ru['settings.tasksCompleteOnContact'], /Закрывать задачу/);
});
