/**
 * The settings form ↔ EditableSettings. Field names are config dot paths (`lists.black.numbers`,
 * `pbx.trunks.0.line`), so a validation issue's path names the field it belongs to. A value that
 * does not parse (a user id "abc") is passed through as text: the schema then reports it at its path.
 */
import { HOOK_POINTS, HOOK_POINT_SPECS } from '../../../core/hooks/points.js';
import type { EditableSettings } from '../panel-port.js';

export type FormBody = Readonly<Record<string, string | readonly string[] | undefined>>;

export const LIST_FIELDS = [
  'lists.black.extensions', 'lists.black.trunks', 'lists.black.numbers',
  'lists.white.extensions', 'lists.white.trunks', 'lists.white.numbers',
  'hooks.disabled',
] as const;

export const NUMBER_FIELDS = ['calls.defaultUserId', 'calls.missedUserId', 'tasks.deadlineMinutes', 'hooks.timeoutMs'] as const;
export const CHECKBOX_FIELDS = ['calls.internal', 'tasks.missedCalls', 'tasks.completeOnContact', 'recordings.enabled', 'recordings.convertToMp3'] as const;
/** cdr.conf flags: read only from a form that has the CDR fieldset (its path field is always posted). */
export const CDR_CHECKBOX_FIELDS = ['cdr.usegmtime', 'cdr.loguniqueid', 'cdr.loguserfield', 'cdr.newcdrcolumns'] as const;
export const TEXT_FIELDS = ['calls.transferMode', 'tasks.responsible', 'tasks.deadlineIn', 'tasks.title', 'recordings.mode', 'pbx.voteVariable'] as const;
/** Optional text: an empty field removes the key (off / default). */
export const OPTIONAL_TEXT_FIELDS = ['hooks.dir', 'cdr.csvPath', 'cdr.timezone'] as const;
const TRUNK_TEXT = ['endpoint', 'line', 'lineName', 'crmSource'] as const;

/** Max trunk rows the form may post (existing ones plus blanks). */
const MAX_TRUNKS = 50;

function one(body: FormBody, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' ? v : v?.[0];
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

function parseNumber(s: string | undefined): unknown {
  const v = (s ?? '').trim();
  if (v === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

function parseList(s: string | undefined): string[] {
  return (s ?? '').split(/[\n,]/).map((x) => x.trim()).filter((x) => x !== '');
}

/** Applies a posted settings form over the current settings. */
export function settingsFromForm(current: EditableSettings, body: FormBody): Record<string, unknown> {
  const out = structuredClone(current) as unknown as Record<string, unknown>;
  for (const f of LIST_FIELDS) if (body[f] !== undefined) setPath(out, f, parseList(one(body, f)));
  for (const f of NUMBER_FIELDS) setPath(out, f, parseNumber(one(body, f)));
  for (const f of CHECKBOX_FIELDS) setPath(out, f, one(body, f) !== undefined);
  if (one(body, 'cdr.csvPath') !== undefined) for (const f of CDR_CHECKBOX_FIELDS) setPath(out, f, one(body, f) !== undefined);
  for (const f of TEXT_FIELDS) {
    const v = one(body, f);
    if (v !== undefined) setPath(out, f, v);
  }
  for (const f of OPTIONAL_TEXT_FIELDS) {
    const v = one(body, f);
    if (v !== undefined) setPath(out, f, v.trim() === '' ? undefined : v.trim());
  }
  const trunks: Record<string, unknown>[] = [];
  for (let i = 0; i < MAX_TRUNKS; i++) {
    const p = `pbx.trunks.${i}.`;
    if (one(body, `${p}endpoint`) === undefined) continue;
    const row: Record<string, unknown> = {};
    for (const k of TRUNK_TEXT) {
      const v = (one(body, p + k) ?? '').trim();
      if (v !== '') row[k] = v;
    }
    const user = parseNumber(one(body, `${p}defaultUserId`));
    if (user !== undefined) row.defaultUserId = user;
    if (Object.keys(row).length === 0) continue; // a blank row
    row.crmCreate = one(body, `${p}crmCreate`) !== undefined;
    trunks.push(row);
  }
  setPath(out, 'pbx.trunks', trunks);
  applyHookPoints(out, body);
  applyFmc(out, body);
  return out;
}

/**
 * FMC (`pbx.fmc`): read only from a form that has its fieldset (`pbx.fmc.matchDigits` is always
 * posted). Numbers are one per line, `number = extension` (or `number extension`); a line that is not
 * that is kept as a number with no extension, so the schema reports it at its path.
 */
function applyFmc(out: Record<string, unknown>, body: FormBody): void {
  if (one(body, 'pbx.fmc.matchDigits') === undefined) return;
  const numbers: Record<string, string> = {};
  for (const line of (one(body, 'pbx.fmc.numbers') ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
    const m = /^(.+?)\s*(?:=|\s)\s*(\S+)$/.exec(line);
    if (m) numbers[(m[1] ?? '').trim()] = m[2] ?? '';
    else numbers[line] = '';
  }
  setPath(out, 'pbx.fmc', {
    enabled: one(body, 'pbx.fmc.enabled') !== undefined,
    fields: parseList(one(body, 'pbx.fmc.fields')),
    numbers,
    matchDigits: parseNumber(one(body, 'pbx.fmc.matchDigits')),
  });
}

/**
 * The per-point table (`hooks.urls.<point>`, `hooks.timeouts.<point>`): read only from a form that
 * has it (its first URL field is always posted). An empty cell removes the key; a fixed timeout
 * (process_record_file_path) is never set from the form. Keys of unknown points are kept as they are.
 */
function applyHookPoints(out: Record<string, unknown>, body: FormBody): void {
  if (one(body, `hooks.urls.${HOOK_POINTS[0]}`) === undefined) return;
  const hooks = (out['hooks'] ??= {}) as Record<string, unknown>;
  const urls = { ...(hooks['urls'] as Record<string, unknown> | undefined) };
  const timeouts = { ...(hooks['timeouts'] as Record<string, unknown> | undefined) };
  for (const point of HOOK_POINTS) {
    const url = (one(body, `hooks.urls.${point}`) ?? '').trim();
    if (url === '') delete urls[point];
    else urls[point] = url;
    if (!HOOK_POINT_SPECS[point].timeoutOverridable) continue;
    const ms = parseNumber(one(body, `hooks.timeouts.${point}`));
    if (ms === undefined) delete timeouts[point];
    else timeouts[point] = ms;
  }
  hooks['urls'] = urls;
  hooks['timeouts'] = timeouts;
}
