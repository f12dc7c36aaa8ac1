/**
 * The panel in Russian (`admin.language: "ru"`): every English key has a translation with the same
 * placeholders, and the pages come out in Russian — login, navigation, the settings form and its
 * messages — with `<html lang="ru">`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en } from '../../src/adapters/http/ui/texts/en.js';
import { ru } from '../../src/adapters/http/ui/texts/ru.js';
import { languages, LANGUAGES } from '../../src/adapters/http/ui/texts/index.js';
import { adminSchema } from '../../src/config/schema.js';
import { Jar, login, makeApp, req } from './helpers.js';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

test('every key is translated, with the same placeholders; nothing left in English by mistake', () => {
  assert.deepEqual(Object.keys(ru).sort(), Object.keys(en).sort());
  const sameAsEnglish: string[] = [];
  for (const [k, v] of Object.entries(en)) {
    const r = ru[k as keyof typeof en];
    assert.deepEqual(placeholders(r), placeholders(v), `placeholders of ${k}`);
    if (r === v) sameAsEnglish.push(k);
  }
  // Names that are the same in both languages (product, protocol and Asterisk terms).
  assert.deepEqual(sameAsEnglish.sort(), ['app.title', 'health.ami', 'health.bitrixOk', 'settings.endpoint'].sort());
  assert.deepEqual(Object.keys(languages).sort(), [...LANGUAGES].sort());
  assert.equal(adminSchema.parse({}).language, 'en');
  assert.equal(adminSchema.safeParse({ language: 'de' }).success, false);
});

test('the pages in Russian: login, navigation, a form message, <html lang>', async () => {
  const t = await makeApp({ texts: ru });
  const jar = new Jar();
  const loginPage = await (await req(t, jar, '/login')).text();
  assert.match(loginPage, /<html lang="ru">/);
  assert.match(loginPage, /<title>Вход · asterisk-b24<\/title>/);
  assert.match(loginPage, />Войти<\/button>/);
  const bad = await login(t, new Jar(), 'wrong password');
  assert.match(await bad.res.text(), /Неверный пользователь или пароль\./);
  const { csrf } = await login(t, jar);
  assert.ok(csrf);
  const dash = await (await req(t, jar, '/')).text();
  for (const word of ['Сводка', 'Звонки', 'Команды', 'Настройки', 'Хуки', 'Графики', 'Выйти', 'Звонки сейчас', 'Битрикс24']) assert.ok(dash.includes(word), word);
  const settings = await (await req(t, jar, '/settings')).text();
  assert.match(settings, /Чёрный список: никогда не регистрировать/);
  assert.match(settings, /<html lang="ru">/);
  const english = await makeApp();
  assert.match(await (await req(english, new Jar(), '/login')).text(), /<html lang="en">/);
});
