/** notes-ru.ts, one family of notes at a time (the coverage test replays the real flow). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noteTextFor, translateNoteRu } from '../../src/adapters/http/ui/texts/notes-ru.js';
import { callStatus } from '../../src/adapters/http/pages/components.js';
import { createT } from '../../src/adapters/http/ui/texts/index.js';
import type { CallView } from '../../src/adapters/http/panel-port.js';
import { explainCall } from '../../src/adapters/http/explain.js';
import type { StoredCallState } from '../../src/flow/call-to-crm.js';
import { Jar, login, makeApp, req } from './helpers.js';
import { ru } from '../../src/adapters/http/ui/texts/ru.js';

const ruOf = (note: string): string => {
  const t = translateNoteRu(note);
  assert.ok(t.rule && t.complete, `no full translation for ${note}`);
  return t.text;
};

test('planner: registration, cards, finish, not registered', () => {
  assert.equal(ruOf('registered for user 5 (SHOW=0)'), 'зарегистрирован на пользователя 5 (SHOW=0)');
  assert.equal(ruOf('registered late (SHOW=0) for user 9'), 'зарегистрирован после окончания звонка (SHOW=0) на пользователя 9');
  assert.equal(ruOf('registered by Bitrix24 itself (click-to-call externalCall.abc)'), 'зарегистрирован самим Битрикс24 (звонок из CRM, externalCall.abc)');
  assert.equal(ruOf('waiting for the client number before registering'), 'ждём номер клиента, чтобы зарегистрировать звонок');
  assert.equal(ruOf('card shown to user 3 (extension 103 rings)'), 'карточка звонка показана пользователю 3 (звонит внутренний 103)');
  assert.equal(ruOf('card shown to user 3 (extension 103 answered)'), 'карточка звонка показана пользователю 3 (ответил внутренний 103)');
  assert.equal(ruOf('extension 104 is no Bitrix24 user: no card'), 'внутренний 104 не привязан к пользователю Битрикс24: карточки нет');
  assert.equal(ruOf('card hidden for users 1, 2: user 3 answered'), 'карточка скрыта у пользователей 1, 2: ответил пользователь 3');
  assert.equal(ruOf('card hidden for user 1: extension 101 stopped ringing'), 'карточка скрыта у пользователя 1: внутренний 101 больше не звонит');
  assert.equal(ruOf('finished for user 3: status 200, 42 s of talk'), 'завершён на пользователя 3: статус 200, разговор 42 с');
  assert.equal(ruOf('recording not ready: card hidden now, finish when the file is ready'), 'запись ещё не готова: карточка скрыта, звонок завершится, когда появится файл');
  assert.equal(ruOf('not registered: blacklisted (number +79990001122)'), 'не зарегистрирован: в чёрном списке (номер +79990001122)');
  assert.equal(ruOf('not registered: blacklisted (trunk sip-out)'), 'не зарегистрирован: в чёрном списке (транк sip-out)');
  assert.equal(ruOf('not registered: blacklisted (DID 4951234567)'), 'не зарегистрирован: в чёрном списке (DID 4951234567)');
  assert.equal(ruOf('not registered: not-whitelisted'), 'не зарегистрирован: нет в белом списке');
  assert.equal(ruOf('not registered: internal call (calls.internal is off)'), 'не зарегистрирован: внутренний звонок (calls.internal выключен)');
  assert.equal(ruOf("not registered: call from extension 101's mobile (calls.internal is off)"), 'не зарегистрирован: звонок с мобильного сотрудника с внутренним 101 (calls.internal выключен)');
  assert.equal(ruOf('not registered: need_registration answered false at call_ended'), 'не зарегистрирован: хук need_registration ответил false на этапе call_ended');
});

test('Bitrix24 results, CDR, customize_show_call_card', () => {
  assert.equal(ruOf('Bitrix24 registered externalCall.1 for DEAL 7 (created)'), 'Битрикс24 зарегистрировал звонок externalCall.1: сделка 7 (новая)');
  assert.equal(ruOf('Bitrix24 registered externalCall.1 for CONTACT 11'), 'Битрикс24 зарегистрировал звонок externalCall.1: контакт 11');
  assert.equal(ruOf('Bitrix24 registered ?'), 'Битрикс24 зарегистрировал звонок ?');
  assert.equal(ruOf('Bitrix24 activity 77'), 'Битрикс24: дело 77');
  assert.match(ruOf('rebuilt from the CDR (Master.csv): the call began and ended while the connector was not listening to AMI'), /^восстановлен по CDR \(Master\.csv\)/);
  assert.equal(ruOf('card for user 5 not shown at conversation_requested (customize_show_call_card)'), 'карточка для пользователя 5 не показана на этапе conversation_requested (customize_show_call_card)');
  assert.equal(ruOf('card for user 5 shown to user 7 (customize_show_call_card)'), 'карточка для пользователя 5 показана пользователю 7 (customize_show_call_card)');
});

test('missed-call tasks and the update hooks', () => {
  assert.equal(ruOf('missed-call task waits for the register result'), 'задача по пропущенному звонку ждёт ответа на регистрацию');
  assert.equal(ruOf('missed-call task: looking up the owner of COMPANY 3'), 'задача по пропущенному звонку: запрашиваем ответственного за компанию 3');
  assert.equal(ruOf('missed-call task for user 2 (owner of DEAL 4)'), 'задача по пропущенному звонку на пользователя 2 (ответственный за сделку 4)');
  assert.equal(ruOf('missed-call task for user 9 (entity has no owner: default user)'), 'задача по пропущенному звонку на пользователя 9 (у объекта CRM нет ответственного: ответственный по умолчанию)');
  assert.equal(ruOf('missed-call task for user 9 (no CRM entity: default user)'), 'задача по пропущенному звонку на пользователя 9 (нет объекта CRM: ответственный по умолчанию)');
  assert.equal(ruOf('missed-call task for user 9 (entity owner)'), 'задача по пропущенному звонку на пользователя 9 (ответственный за объект CRM)');
  assert.equal(ruOf('LEAD 5 updated by customize_entity: TITLE, COMMENTS'), 'лид 5: хук customize_entity изменил TITLE, COMMENTS');
  assert.equal(ruOf('activity 77 updated by customize_activity: DESCRIPTION'), 'дело 77: хук customize_activity изменил DESCRIPTION');
});

test('hook runs', () => {
  assert.equal(ruOf('hook process_client_phone: changed phone (hook, 2 ms)'), 'хук process_client_phone: изменил phone (хук, 2 мс)');
  assert.equal(ruOf('hook need_registration: no change (hook, 1 ms)'), 'хук need_registration: без изменений (хук, 1 мс)');
  assert.equal(ruOf('hook post_registration: failed HOOK_TIMEOUT, defaults used (default, 5000 ms)'), 'хук post_registration: ошибка HOOK_TIMEOUT, взяты значения по умолчанию (по умолчанию, 5000 мс)');
  assert.equal(ruOf('hook post_registration: failed , defaults used (default, 0 ms)'), 'хук post_registration: ошибка, взяты значения по умолчанию (по умолчанию, 0 мс)');
});

test('FastAGI route', () => {
  assert.equal(ruOf('FastAGI route OK → 101 (user 5 Anna Petrova): the client\'s responsible, CONTACT 42 "Ivan Ivanov"'),
    'маршрут FastAGI OK → 101 (пользователь 5 Anna Petrova): ответственный за клиента, контакт 42 «Ivan Ivanov»');
  assert.equal(ruOf('FastAGI route NOROUTE: Bitrix24 did not answer within agi.deadlineMs (the answer is cached for the next call) [AGI_DEADLINE, cached lookup]'),
    'маршрут FastAGI NOROUTE: Битрикс24 не ответил за agi.deadlineMs (ответ сохранён для следующего звонка) [AGI_DEADLINE, из кэша]');
  assert.equal(ruOf('FastAGI route CLOSED: outside agi.workingHours'), 'маршрут FastAGI CLOSED: нерабочее время (agi.workingHours)');
});

test('recordings', () => {
  assert.equal(ruOf('recording ready: 1700000000.42.wav'), 'запись готова: 1700000000.42.wav');
  assert.equal(ruOf('no recording: timeout'), 'записи нет: файл не появился вовремя');
  assert.equal(ruOf('recording failed: REC_UPLOAD_FAILED'), 'ошибка записи: REC_UPLOAD_FAILED');
});

test('explain.ts phrases, and what is not known stays as written', () => {
  assert.equal(ruOf('registered'), 'зарегистрирован');
  assert.equal(ruOf('CALL_ID externalCall.9'), 'CALL_ID externalCall.9');
  assert.equal(ruOf('nobody yet'), 'пока никто');
  assert.equal(ruOf('user 4 (registered for; not finished yet)'), 'пользователь 4 (звонок зарегистрирован на него, ещё не завершён)');
  assert.equal(ruOf('not decided yet: no conversation reached an extension'), 'ещё не решено: звонок пока не дошёл ни до одного внутреннего');
  assert.equal(ruOf('no card: the call is not registered'), 'карточки нет: звонок не зарегистрирован');
  assert.equal(ruOf('no card: no extension with a Bitrix24 user rang'), 'карточки нет: не звонил ни один внутренний с пользователем Битрикс24');
  assert.equal(ruOf('not assigned: the call is not registered'), 'ответственного нет: звонок не зарегистрирован');
  assert.deepEqual(translateNoteRu('something new'), { text: 'something new', complete: false });
  const partial = translateNoteRu('not registered: a reason from the future');
  assert.equal(partial.text, 'не зарегистрирован: a reason from the future');
  assert.equal(partial.complete, false);
  assert.equal(noteTextFor('en')('registered for user 5 (SHOW=0)'), 'registered for user 5 (SHOW=0)');
});

test('explainCall keeps its pieces apart; the English reason is unchanged', () => {
  const state = {
    crm: { callKey: 'k', registered: true, b24CallId: 'externalCall.1', registeredUserId: 5, shownTo: [], seq: 0, finished: true, finishDeferred: false },
    summary: {} as never,
    timeline: [
      { at: 0, stage: 'route (FastAGI)', notes: ['FastAGI route OK → 101 (user 5): the client\'s responsible'], commands: [] },
      { at: 1, stage: 'conversation_requested 101', notes: ['registered for user 5 (SHOW=0)', 'card shown to user 5 (extension 101 rings)'], commands: [] },
      { at: 2, stage: 'call_ended', notes: ['finished for user 5: status 200, 3 s of talk'], commands: [] },
    ],
  } as unknown as StoredCallState;
  const e = explainCall(state);
  assert.equal(e.registered.reason, 'registered for user 5 (SHOW=0); CALL_ID externalCall.1');
  assert.deepEqual(e.registered.parts, ['registered for user 5 (SHOW=0)', 'CALL_ID externalCall.1']);
  assert.equal(e.assigned.reason, 'FastAGI route OK → 101 (user 5): the client\'s responsible; finished for user 5: status 200, 3 s of talk');
  assert.equal(e.assigned.parts.map(noteTextFor('ru')).join('; '), 'маршрут FastAGI OK → 101 (пользователь 5): ответственный за клиента; завершён на пользователя 5: статус 200, разговор 3 с');
});

test('the call page in Russian: the "why" and the timeline notes; in English as before', async () => {
  const t = await makeApp({ texts: ru });
  const jar = new Jar();
  await login(t, jar);
  const key = (await t.panel.history({ limit: 1, offset: 0 })).rows[0]?.summary.callKey ?? '';
  const page = await (await req(t, jar, `/calls/${encodeURIComponent(key)}`)).text();
  const why = /<section class="why">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
  assert.match(why, /зарегистрирован/);
  assert.doesNotMatch(why, /registered|card shown|finished for/);
  const timeline = /<table id="timeline">([\s\S]*?)<\/table>/.exec(page)?.[1] ?? '';
  assert.match(timeline, /<li>(зарегистрирован|карточка|завершён)/);
  assert.doesNotMatch(timeline, /<li>[a-zA-Z]/, 'a note left in English');
  const en = await makeApp();
  const jarEn = new Jar();
  await login(en, jarEn);
  const pageEn = await (await req(en, jarEn, `/calls/${encodeURIComponent(key)}`)).text();
  assert.match(pageEn, /<li>registered for user \d+ \(SHOW=0\)<\/li>/);
  assert.match(pageEn, /<th>requested<\/th><th>accepted<\/th><th>ended<\/th><th>dial status<\/th>/);
});

test('the "not registered" badge tells why in the panel\'s language (title)', () => {
  const view = { registered: false, skipped: 'blacklisted (number +79990001122)' } as unknown as CallView;
  const ctx = (lang: 'en' | 'ru') => ({ t: createT(lang === 'ru' ? ru : undefined), csrf: '', user: 'admin', role: 'admin' as const, now: 0 });
  assert.match(String(callStatus(ctx('ru'), view)), /title="в чёрном списке \(номер \+79990001122\)"/);
  assert.match(String(callStatus(ctx('en'), view)), /title="blacklisted \(number \+79990001122\)"/);
});
