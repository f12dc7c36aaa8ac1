/**
 * The call page's timeline notes and "why" reasons in Russian. The flow (src/core/crm/plan.ts,
 * src/flow/*.ts, the recordings in src/main.ts) writes its decisions as English one-liners and
 * explain.ts builds the verdicts from them; this table turns each format into Russian at display
 * time, keeping the values inside (user ids, extensions, codes, CALL_IDs, names) as they are.
 *
 * A new note format in the flow needs a rule here: test/http/notes-ru-coverage.test.ts replays
 * the golden transcripts through the real flow and fails on any note no rule translates.
 */
import {
  createdRu, ENTITY_TYPES, entityRu, gateReasonRu, HOOK_SOURCE_RU, NO_RECORDING_RU, routeWhyRu, talkedRu, taskWhyRu,
} from './notes-ru-terms.js';

/** Keeps a nested piece as it is when it has no translation, and says so (`complete: false`). */
type Piece = (ru: string | undefined, raw: string) => string;

export interface NoteRule {
  /** Where the note is written (for the coverage test's messages). */
  readonly source: string;
  readonly re: RegExp;
  /** The Russian text from the captures (a missing optional capture is ''). */
  readonly ru: (g: readonly string[], piece: Piece) => string;
  /** Only values and codes (`CALL_ID 123`): the same text in both languages. */
  readonly valuesOnly?: true;
}

const PLAN = 'src/core/crm/plan.ts';
const FLOW = 'src/flow/call-to-crm.ts';
const TASK = 'src/flow/missed-call-task.ts';
const EXPLAIN = 'src/adapters/http/explain.ts';
const CLOSE = 'src/core/crm/task-close.ts';
const E = ENTITY_TYPES;

export const NOTE_RULES: readonly NoteRule[] = [
  // The planner (src/core/crm/plan.ts).
  { source: PLAN, re: /^finished for user (\S+): status (\S+), (\d+) s of talk$/, ru: (g) => `завершён на пользователя ${g[0]}: статус ${g[1]}, разговор ${g[2]} с` },
  { source: PLAN, re: /^not registered: (.*)$/s, ru: (g, p) => `не зарегистрирован: ${p(gateReasonRu(g[0] ?? ''), g[0] ?? '')}` },
  { source: PLAN, re: /^waiting for the client number before registering$/, ru: () => 'ждём номер клиента, чтобы зарегистрировать звонок' },
  { source: PLAN, re: /^registered by Bitrix24 itself \(click-to-call (.*)\)$/, ru: (g) => `зарегистрирован самим Битрикс24 (звонок из CRM, ${g[0]})` },
  { source: PLAN, re: /^registered late \(SHOW=0\) for user (\S+)$/, ru: (g) => `зарегистрирован после окончания звонка (SHOW=0) на пользователя ${g[0]}` },
  { source: PLAN, re: /^registered for user (\S+) \(SHOW=0\)$/, ru: (g) => `зарегистрирован на пользователя ${g[0]} (SHOW=0)` },
  { source: PLAN, re: /^card shown to user (\S+) \(extension (\S+)'s mobile (\S+) rings\)$/, ru: (g) => `карточка звонка показана пользователю ${g[0]} (звонит мобильный ${g[2]} сотрудника с внутренним ${g[1]})` },
  { source: PLAN, re: /^card shown to user (\S+) \(extension (\S+)'s mobile (\S+) answered\)$/, ru: (g) => `карточка звонка показана пользователю ${g[0]} (ответил мобильный ${g[2]} сотрудника с внутренним ${g[1]})` },
  { source: PLAN, re: /^card hidden for user (\S+): extension (\S+)'s mobile (\S+) stopped ringing$/, ru: (g) => `карточка скрыта у пользователя ${g[0]}: мобильный ${g[2]} сотрудника с внутренним ${g[1]} больше не звонит` },
  { source: PLAN, re: /^card shown to user (\S+) \(extension (.*) rings\)$/, ru: (g) => `карточка звонка показана пользователю ${g[0]} (звонит внутренний ${g[1]})` },
  { source: PLAN, re: /^card shown to user (\S+) \(extension (.*) answered\)$/, ru: (g) => `карточка звонка показана пользователю ${g[0]} (ответил внутренний ${g[1]})` },
  { source: PLAN, re: /^extension (.*) is no Bitrix24 user: no card$/, ru: (g) => `внутренний ${g[0]} не привязан к пользователю Битрикс24: карточки нет` },
  { source: PLAN, re: /^card hidden for users (.*): user (\S+) answered$/, ru: (g) => `карточка скрыта у пользователей ${g[0]}: ответил пользователь ${g[1]}` },
  { source: PLAN, re: /^card hidden for user (\S+): extension (.*) stopped ringing$/, ru: (g) => `карточка скрыта у пользователя ${g[0]}: внутренний ${g[1]} больше не звонит` },
  { source: PLAN, re: /^recording not ready: card hidden now, finish when the file is ready$/, ru: () => 'запись ещё не готова: карточка скрыта, звонок завершится, когда появится файл' },

  // The flow around the planner (src/flow/call-to-crm.ts, command-hooks.ts, missed-call-task.ts, call-hooks.ts).
  { source: FLOW, re: /^rebuilt from the CDR \(Master\.csv\): the call began and ended while the connector was not listening to AMI$/, ru: () => 'восстановлен по CDR (Master.csv): звонок начался и закончился, пока коннектор не был подключён к AMI' },
  {
    source: FLOW, re: new RegExp(`^Bitrix24 registered (\\S+)(?: for (${E}) (\\d+)( \\(created\\))?)?$`),
    ru: (g) => `Битрикс24 зарегистрировал звонок ${g[0]}${g[1] ? `: ${entityRu(g[1], g[2] ?? '')}${g[3] ? ` (${createdRu(g[1])})` : ''}` : ''}`,
  },
  { source: FLOW, re: /^Bitrix24 activity (\S+)$/, ru: (g) => `Битрикс24: дело ${g[0]}` },
  { source: 'src/flow/command-hooks.ts', re: /^card for user (\S+) not shown at (\S+) \(customize_show_call_card\)$/, ru: (g) => `карточка для пользователя ${g[0]} не показана на этапе ${g[1]} (customize_show_call_card)` },
  { source: 'src/flow/command-hooks.ts', re: /^card for user (\S+) shown to user (\S+) \(customize_show_call_card\)$/, ru: (g) => `карточка для пользователя ${g[0]} показана пользователю ${g[1]} (customize_show_call_card)` },
  { source: TASK, re: /^missed-call task waits for the register result$/, ru: () => 'задача по пропущенному звонку ждёт ответа на регистрацию' },
  { source: TASK, re: new RegExp(`^missed-call task: looking up the owner of (${E}) (\\d+)$`), ru: (g) => `задача по пропущенному звонку: запрашиваем ответственного за ${entityRu(g[0] ?? '', g[1] ?? '', 'acc')}` },
  { source: TASK, re: /^missed-call task for user (\S+) \((.*)\)$/s, ru: (g, p) => `задача по пропущенному звонку на пользователя ${g[0]} (${p(taskWhyRu(g[1] ?? ''), g[1] ?? '')})` },
  // Missed-call tasks closed when the client is reached (tasks.completeOnContact).
  { source: CLOSE, re: /^missed-call task (?:(\d+) )?of call (\S+) to be completed: the client was reached on this call(?: \((user|extension) (\S+) talked\))?$/, ru: (g) => `задача по пропущенному звонку ${g[0] ? `${g[0]} ` : ''}(звонок ${g[1]}) будет закрыта: до клиента дозвонились в этом звонке${talkedRu(g[2] ?? '', g[3] ?? '')}` },
  { source: CLOSE, re: /^missed-call task (\d+) completed: the client was reached on call (\S+)(?: \((user|extension) (\S+) talked\))?$/, ru: (g) => `задача по пропущенному звонку ${g[0]} закрыта: до клиента дозвонились в звонке ${g[1]}${talkedRu(g[2] ?? '', g[3] ?? '')}` },
  { source: CLOSE, re: /^missed-call task (\d+) not completed: Bitrix24 refused it \((.*)\): deleted, already closed or not permitted; not retried$/s, ru: (g) => `задача по пропущенному звонку ${g[0]} не закрыта: Битрикс24 отказал (${g[1]}): задача удалена, уже закрыта или нет прав; повторять не будем` },
  { source: TASK, re: new RegExp(`^(${E}) (\\d+) updated by customize_entity: (.*)$`), ru: (g) => `${entityRu(g[0] ?? '', g[1] ?? '')}: хук customize_entity изменил ${g[2]}` },
  { source: TASK, re: /^activity (\S+) updated by customize_activity: (.*)$/, ru: (g) => `дело ${g[0]}: хук customize_activity изменил ${g[1]}` },
  {
    source: 'src/flow/call-hooks.ts', re: /^hook (\S+): (?:changed (.*)|(no change)|failed ?(.*), defaults used) \((hook|default), (\d+) ms\)$/,
    ru: (g, p) => {
      const how = g[1] ? `изменил ${g[1]}` : g[2] ? 'без изменений' : `ошибка${g[3] ? ` ${g[3]}` : ''}, взяты значения по умолчанию`;
      return `хук ${g[0]}: ${how} (${p(HOOK_SOURCE_RU[g[4] ?? ''], g[4] ?? '')}, ${g[5]} мс)`;
    },
  },
  // The FastAGI route decision (src/flow/route-notes.ts describeRoute).
  {
    source: 'src/flow/route-notes.ts',
    re: new RegExp(`^FastAGI route (\\S+)(?: → (\\S+)(?: \\(user (\\d+)(?: (.*?))?\\))?)?: (.*?)(?:, (${E}) (\\d+)(?: "(.*)")?)?(?: \\[(.*)\\])?$`, 's'),
    ru: (g, p) => {
      const user = g[2] ? ` (пользователь ${g[2]}${g[3] ? ` ${g[3]}` : ''})` : '';
      const target = g[1] ? ` → ${g[1]}${user}` : '';
      const entity = g[5] ? `, ${entityRu(g[5], g[6] ?? '')}${g[7] ? ` «${g[7]}»` : ''}` : '';
      const extra = g[8] ? ` [${g[8].replace(/\bcached lookup\b/, 'из кэша')}]` : '';
      return `маршрут FastAGI ${g[0]}${target}: ${p(routeWhyRu(g[4] ?? ''), g[4] ?? '')}${entity}${extra}`;
    },
  },
  // The recordings (src/main.ts → CallToCrm.finishDeferred).
  { source: 'src/main.ts (recordings)', re: /^recording ready: (.*)$/s, ru: (g) => `запись готова: ${g[0]}` },
  { source: 'src/main.ts (recordings)', re: /^no recording: (.*)$/, ru: (g, p) => `записи нет: ${p(NO_RECORDING_RU[g[0] ?? ''], g[0] ?? '')}` },
  { source: 'src/main.ts (recordings)', re: /^recording failed: (.*)$/s, ru: (g) => `ошибка записи: ${g[0]}` },

  // The verdicts' own words (explain.ts).
  { source: EXPLAIN, re: /^registered$/, ru: () => 'зарегистрирован' },
  { source: EXPLAIN, re: /^CALL_ID (\S+)$/, ru: (g) => `CALL_ID ${g[0]}`, valuesOnly: true },
  { source: EXPLAIN, re: /^not decided yet: no conversation reached an extension$/, ru: () => 'ещё не решено: звонок пока не дошёл ни до одного внутреннего' },
  { source: EXPLAIN, re: /^no card: the call is not registered$/, ru: () => 'карточки нет: звонок не зарегистрирован' },
  { source: EXPLAIN, re: /^no card: no extension with a Bitrix24 user rang$/, ru: () => 'карточки нет: не звонил ни один внутренний с пользователем Битрикс24' },
  { source: EXPLAIN, re: /^user (\S+) \(registered for; not finished yet\)$/, ru: (g) => `пользователь ${g[0]} (звонок зарегистрирован на него, ещё не завершён)` },
  { source: EXPLAIN, re: /^nobody yet$/, ru: () => 'пока никто' },
  { source: EXPLAIN, re: /^not assigned: the call is not registered$/, ru: () => 'ответственного нет: звонок не зарегистрирован' },
];

export interface NoteTranslation {
  readonly text: string;
  /** The rule that matched (undefined: no rule, the text is the English note). */
  readonly rule?: NoteRule;
  /** False when a rule matched but a piece inside it has no translation (kept in English). */
  readonly complete: boolean;
}

/** One note in Russian, with the rule used; an unknown note comes back as it is. */
export function translateNoteRu(note: string): NoteTranslation {
  for (const rule of NOTE_RULES) {
    const m = rule.re.exec(note);
    if (!m) continue;
    let complete = true;
    const piece: Piece = (ru, raw) => {
      if (ru !== undefined) return ru;
      complete = false;
      return raw;
    };
    const text = rule.ru(m.slice(1).map((x) => x ?? ''), piece);
    return { text, rule, complete };
  }
  return { text: note, complete: false };
}

/** How the call page shows a note or a reason part: as written (English) or in Russian. */
export function noteTextFor(lang: string): (note: string) => string {
  return lang === 'ru' ? (note) => translateNoteRu(note).text : (note) => note;
}
