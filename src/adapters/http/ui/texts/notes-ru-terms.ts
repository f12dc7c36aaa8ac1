/**
 * Russian words for the pieces the flow puts inside its timeline notes: CRM entity types, the
 * black/white list decision, the missed-call task's "why", the FastAGI route reasons, the
 * "no recording" reasons and the hook sources. Used by notes-ru.ts; a piece it does not know is
 * kept as it is (a code or a value reads the same in both languages).
 */

/** CRM entity types as Bitrix24's Russian UI names them: nominative and accusative ("за сделку"). */
const ENTITY: Readonly<Record<string, { readonly nom: string; readonly acc: string; readonly fem: boolean }>> = {
  CONTACT: { nom: 'контакт', acc: 'контакт', fem: false },
  COMPANY: { nom: 'компания', acc: 'компанию', fem: true },
  LEAD: { nom: 'лид', acc: 'лид', fem: false },
  DEAL: { nom: 'сделка', acc: 'сделку', fem: true },
};

/** Entity type names the notes use (for the regexes). */
export const ENTITY_TYPES = Object.keys(ENTITY).join('|');

/** `CONTACT 11` → `контакт 11` (`за компанию 3` with case 'acc'). */
export function entityRu(type: string, id: string, grammaticalCase: 'nom' | 'acc' = 'nom'): string {
  const e = ENTITY[type];
  return `${e ? e[grammaticalCase] : type} ${id}`;
}

/** "(created)" after an entity: «новый лид», «новая сделка». */
export function createdRu(type: string): string {
  return ENTITY[type]?.fem ? 'новая' : 'новый';
}

/** What a black/white list matched (src/core/crm/lists.ts `firstMatch`). */
function listMatchRu(match: string): string {
  const m = /^(extension|trunk|DID|number) (.*)$/.exec(match);
  if (!m) return match;
  const word = { extension: 'внутренний', trunk: 'транк', DID: 'DID', number: 'номер' }[m[1] as 'extension' | 'trunk' | 'DID' | 'number'];
  return `${word} ${m[2] ?? ''}`;
}

/** Why a call was not registered (src/flow/plan-inputs.ts `gateCall`). Undefined: not known. */
export function gateReasonRu(reason: string): string | undefined {
  if (reason === 'internal call (calls.internal is off)') return 'внутренний звонок (calls.internal выключен)';
  const mobile = /^call from extension (\S+)'s mobile \(calls\.internal is off\)$/.exec(reason);
  if (mobile) return `звонок с мобильного сотрудника с внутренним ${mobile[1] ?? ''} (calls.internal выключен)`;
  if (reason === 'not-whitelisted') return 'нет в белом списке';
  const black = /^blacklisted(?: \((.*)\))?$/.exec(reason);
  if (black) return black[1] !== undefined ? `в чёрном списке (${listMatchRu(black[1])})` : 'в чёрном списке';
  const hook = /^need_registration answered false at (\S+)$/.exec(reason);
  if (hook) return `хук need_registration ответил false на этапе ${hook[1] ?? ''}`;
  return undefined;
}

/** Whom a missed-call task goes to, and why (src/core/crm/missed-call.ts `decideResponsible`). */
export function taskWhyRu(why: string): string | undefined {
  const fixed: Readonly<Record<string, string>> = {
    'last user whose phone rang': 'последний, у кого звонил телефон',
    'nobody rang: default user': 'никому не звонили: ответственный по умолчанию',
    'no CRM entity: default user': 'нет объекта CRM: ответственный по умолчанию',
    'default user': 'ответственный по умолчанию',
    'entity owner': 'ответственный за объект CRM',
    'entity has no owner: default user': 'у объекта CRM нет ответственного: ответственный по умолчанию',
  };
  if (fixed[why] !== undefined) return fixed[why];
  const owner = new RegExp(`^owner of (${ENTITY_TYPES}) (\\d+)$`).exec(why);
  if (owner) return `ответственный за ${entityRu(owner[1] ?? '', owner[2] ?? '', 'acc')}`;
  const created = new RegExp(`^(${ENTITY_TYPES}) (\\d+) created by this call: its owner is the finishing user$`).exec(why);
  if (created) return `${entityRu(created[1] ?? '', created[2] ?? '')} создан этим звонком: ответственный — тот, кто завершил звонок`;
  return undefined;
}

/** The FastAGI route reasons (src/flow/route-notes.ts `REASONS`), by their English text. */
export const ROUTE_WHY_RU: Readonly<Record<string, string>> = {
  'the client\'s responsible': 'ответственный за клиента',
  'chosen by customize_autodistribution': 'выбран хуком customize_autodistribution',
  'the number is not in the CRM': 'номера нет в CRM',
  'the responsible has no extension (UF_PHONE_INNER) or is not active': 'у ответственного нет внутреннего номера (UF_PHONE_INNER) или он неактивен',
  'hidden caller number': 'скрытый номер',
  'outside agi.workingHours': 'нерабочее время (agi.workingHours)',
  'Bitrix24 did not answer within agi.deadlineMs (the answer is cached for the next call)': 'Битрикс24 не ответил за agi.deadlineMs (ответ сохранён для следующего звонка)',
  'the CRM lookup failed': 'поиск в CRM не удался',
  'the route could not be decided': 'маршрут не определён',
};

/** Sticky routing's part of a route's "why" (src/flow/route-notes.ts `stickyWhy`). */
const STICKY_WHY = /^sticky( passed over)?: last talked to user (\d+) \(extension (\S+)\) on (\d{4}-\d{2}-\d{2})(, not an active user with an extension now)?$/;

function stickyWhyRu(why: string): string | undefined {
  const m = STICKY_WHY.exec(why);
  if (!m || !m[1] !== !m[5]) return undefined;
  const last = `последним с клиентом говорил пользователь ${m[2]} (внутренний ${m[3]}), ${m[4]}`;
  return m[1] ? `история звонков не помогла: ${last}, но сейчас он неактивен или без внутреннего номера` : `по истории звонков: ${last}`;
}

/** A route's "why": a reason of ROUTE_WHY_RU, sticky routing's words, or a reason followed by `; sticky …`. */
export function routeWhyRu(why: string): string | undefined {
  const whole = ROUTE_WHY_RU[why] ?? stickyWhyRu(why);
  if (whole !== undefined) return whole;
  const i = why.indexOf('; sticky');
  if (i < 0) return undefined;
  const reason = ROUTE_WHY_RU[why.slice(0, i)];
  const sticky = stickyWhyRu(why.slice(i + 2));
  return reason !== undefined && sticky !== undefined ? `${reason}; ${sticky}` : undefined;
}

/** Why there is no recording (src/adapters/recordings/pipeline.ts `NoRecordingReason`). */
export const NO_RECORDING_RU: Readonly<Record<string, string>> = {
  'disabled': 'запись выключена',
  'not-recorded': 'звонок не записывался',
  'missing': 'файл не найден',
  'timeout': 'файл не появился вовремя',
  'empty': 'файл пустой',
  'unsupported-format': 'формат не поддерживается',
  'unreadable': 'файл не читается',
};

/** Where a hook's answer came from (src/flow/call-hooks.ts `describeRun`). */
export const HOOK_SOURCE_RU: Readonly<Record<string, string>> = { hook: 'хук', default: 'по умолчанию' };

/** " (user 5 talked)" / " (extension 101 talked)" of the missed-task closing notes; '' when absent. */
export function talkedRu(kind: string, value: string): string {
  if (!kind) return '';
  return ` (разговаривал ${kind === 'user' ? 'пользователь' : 'внутренний'} ${value})`;
}
