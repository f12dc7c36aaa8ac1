/**
 * PortalSeed (contract.ts) ↔ PortalState: normalises seeded rows into the shapes the portal
 * serves (string ids and numbers, multifield arrays with ids, boolean ACTIVE for users) and turns
 * the current state back into a seed (`Portal.snapshot()`).
 */
import type { PortalSeed } from '../contract.js';
import { asFlag, asInt, asList, asNumber, asString, isPlainObject, type Row } from './params.js';
import { PortalState, type Table } from './state.js';

/** Settings with their defaults; every key may be given in `PortalSeed.settings`. */
export interface PortalSettings {
  /** Portal time zone, minutes east of UTC; dates are written with this offset. */
  readonly timeZoneOffsetMinutes: number;
  /** ISO country for national phone forms in CRM matching ("" = none). */
  readonly phoneCountry: string;
  /** SOURCE_ID of leads created by register when CRM_SOURCE is not given. */
  readonly defaultLeadSource: string;
  readonly restAppId: number;
  readonly restAppName: string;
  readonly appCode: string;
  /** Base URL used in uploadUrl (the HTTP layer sets its real address with setBaseUrl). */
  readonly portalUrl: string;
  /** 'classic' creates a lead; 'simple' (lead-less CRM) creates a contact and a deal (§11 item 6). */
  readonly crmMode: 'classic' | 'simple';
  /** When set, auto-creation fails and register answers LEAD_CREATION_ERROR with this text. */
  readonly leadCreationError: string | null;
  readonly departments: Row[];
}

export function resolveSettings(raw: Row): PortalSettings {
  return {
    timeZoneOffsetMinutes: asInt(raw['timeZoneOffsetMinutes']) ?? 180,
    phoneCountry: asString(raw['phoneCountry']) ?? '',
    defaultLeadSource: asString(raw['defaultLeadSource']) ?? 'CALL',
    restAppId: asInt(raw['restAppId']) ?? 3,
    restAppName: asString(raw['restAppName']) ?? 'asterisk-b24',
    appCode: asString(raw['appCode']) ?? 'local.asterisk-b24',
    portalUrl: asString(raw['portalUrl']) ?? 'https://emulator.bitrix24.test',
    crmMode: raw['crmMode'] === 'simple' ? 'simple' : 'classic',
    leadCreationError: asString(raw['leadCreationError']) ?? null,
    departments: Array.isArray(raw['departments'])
      ? (raw['departments'] as unknown[]).filter(isPlainObject)
      : [{ ID: '1', NAME: 'DEMO', SORT: 500, UF_HEAD: '1' }],
  };
}

const MULTIFIELDS: Record<string, string> = { PHONE: 'PHONE', EMAIL: 'EMAIL', IM: 'IM', WEB: 'WEB' };

/** A multifield list `[{VALUE, VALUE_TYPE}]` (or plain strings) → served form with ids. */
export function normaliseMultifield(state: PortalState, typeId: string, value: unknown): Row[] {
  const out: Row[] = [];
  for (const item of asList(value)) {
    const v = isPlainObject(item) ? asString(item['VALUE']) : asString(item);
    if (v === undefined || v === '') continue;
    const valueType = isPlainObject(item) ? (asString(item['VALUE_TYPE']) ?? 'WORK') : 'WORK';
    const id = isPlainObject(item) ? asInt(item['ID']) : undefined;
    if (id !== undefined) state.counters.multifieldId = Math.max(state.counters.multifieldId, id + 1);
    out.push({ ID: String(id ?? state.counters.multifieldId++), VALUE_TYPE: valueType, VALUE: v, TYPE_ID: typeId });
  }
  return out;
}

function stringifyScalars(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = typeof v === 'number' ? String(v) : typeof v === 'boolean' ? (v ? 'Y' : 'N') : v;
  }
  return out;
}

export function normaliseCrmRow(state: PortalState, row: Row): Row {
  const out = stringifyScalars(row);
  for (const [key, typeId] of Object.entries(MULTIFIELDS)) {
    if (row[key] !== undefined) out[key] = normaliseMultifield(state, typeId, row[key]);
  }
  return out;
}

export function normaliseUser(row: Row): Row {
  const out = stringifyScalars(row);
  out['ACTIVE'] = asFlag(row['ACTIVE'], true);
  out['UF_DEPARTMENT'] = asList(row['UF_DEPARTMENT'] ?? [1]).map((d) => asInt(d) ?? 0);
  if (row['UF_PHONE_INNER'] !== undefined) out['UF_PHONE_INNER'] = asString(row['UF_PHONE_INNER']) ?? null;
  out['USER_TYPE'] = asString(row['USER_TYPE']) ?? 'employee';
  if (row['IS_ADMIN'] !== undefined) out['IS_ADMIN'] = asFlag(row['IS_ADMIN'], false);
  return out;
}

function loadRows(table: Table, rows: Array<Record<string, unknown>> | undefined, map: (r: Row) => Row): void {
  for (const row of rows ?? []) {
    const id = asInt(row['ID']);
    table.insert(map(row), id !== undefined && id > 0 ? id : undefined);
  }
}

export function loadSeed(seed: PortalSeed): PortalState {
  const state = new PortalState();
  Object.assign(state.settings, seed.settings ?? {});
  loadRows(state.users, seed.users, normaliseUser);
  const crm = (r: Row): Row => normaliseCrmRow(state, r);
  loadRows(state.contacts, seed.contacts, crm);
  loadRows(state.leads, seed.leads, crm);
  loadRows(state.companies, seed.companies, crm);
  loadRows(state.deals, seed.deals, crm);
  for (const line of seed.lines ?? []) {
    const number = asString(line['NUMBER']);
    if (number === undefined || number === '') continue;
    state.lines.insert({
      NUMBER: number,
      NAME: asString(line['NAME']) ?? number,
      CRM_AUTO_CREATE: asFlag(line['CRM_AUTO_CREATE'], true) ? 'Y' : 'N',
    }, asInt(line['ID']));
  }
  for (const counter of ['activities', 'statistics', 'tasks'] as const) {
    const start = asNumber((seed.settings ?? {})[`${counter}StartId`]);
    if (start !== undefined && start > 0) state[counter].startAt(start);
  }
  const fileStart = asInt((seed.settings ?? {})['filesStartId']);
  if (fileStart !== undefined && fileStart > 0) state.counters.fileId = fileStart;
  const transcriptStart = asInt((seed.settings ?? {})['transcriptsStartId']);
  if (transcriptStart !== undefined && transcriptStart > 0) state.counters.transcriptId = transcriptStart;
  return state;
}

/** The current users, CRM objects, lines and settings as a seed (JSON-safe copy). */
export function snapshotSeed(state: PortalState): PortalSeed {
  const copy = (t: Table): Array<Record<string, unknown>> => JSON.parse(JSON.stringify(t.all())) as Row[];
  return {
    users: copy(state.users),
    contacts: copy(state.contacts),
    leads: copy(state.leads),
    companies: copy(state.companies),
    deals: copy(state.deals),
    lines: state.lines.all().map((l) => ({ NUMBER: l['NUMBER'], NAME: l['NAME'], CRM_AUTO_CREATE: l['CRM_AUTO_CREATE'] })),
    settings: JSON.parse(JSON.stringify(state.settings)) as Row,
  };
}
