/**
 * CRM objects: crm.lead/contact/company/deal .get/.add/.update/.list and crm.duplicate.findbycomm
 * (reference §8.2–§8.4). Classic CRM errors carry `error: ""` and the text in error_description.
 */
import type { MethodResult } from '../../contract.js';
import { findByComm } from '../crm-lookup.js';
import { B24ApiError, crmError } from '../errors.js';
import { matchesFilter, page, parseFilter, selectFields, sortRows } from '../list-query.js';
import { asInt, asList, asString, isPlainObject, type Params, type Row } from '../params.js';
import { normaliseCrmRow, normaliseMultifield } from '../seed.js';
import type { PortalState, Table } from '../state.js';
import type { MethodContext, MethodDef, MethodTable } from './context.js';

const MULTIFIELDS = ['PHONE', 'EMAIL', 'IM', 'WEB'];

/** The object as `.get` serves it: stored strings plus HAS_PHONE / HAS_EMAIL. */
export function serveCrmRow(row: Row): Row {
  const out: Row = JSON.parse(JSON.stringify(row)) as Row;
  const has = (k: string): string => (Array.isArray(row[k]) && (row[k] as unknown[]).length > 0 ? 'Y' : 'N');
  if (!('HAS_PHONE' in row) || 'PHONE' in row) out['HAS_PHONE'] = has('PHONE');
  if (!('HAS_EMAIL' in row) || 'EMAIL' in row) out['HAS_EMAIL'] = has('EMAIL');
  return out;
}

function requireId(p: Params): number {
  const id = asInt(p.get('id', 'ID'));
  if (id === undefined || id <= 0) throw crmError('ID is not defined or invalid.');
  return id;
}

function getter(table: (s: PortalState) => Table): MethodDef {
  return {
    handler: (p, mc) => {
      const row = table(mc.state).get(requireId(p));
      if (!row) throw crmError('Not found');
      return { result: serveCrmRow(row) };
    },
  };
}

/** Multifield update rules: `{VALUE}` adds, `{ID, VALUE}` changes, `{ID, DELETE: 'Y'}` removes. */
function mergeMultifield(state: PortalState, typeId: string, current: unknown, changes: unknown): Row[] {
  const list = Array.isArray(current) ? (current as Row[]).map((m) => ({ ...m })) : [];
  for (const change of asList(changes)) {
    if (!isPlainObject(change)) continue;
    const id = asString(change['ID']);
    const existing = id === undefined ? undefined : list.find((m) => m['ID'] === id);
    if (existing && String(change['DELETE'] ?? '').toUpperCase() === 'Y') list.splice(list.indexOf(existing), 1);
    else if (existing) Object.assign(existing, { VALUE: change['VALUE'] ?? existing['VALUE'], VALUE_TYPE: change['VALUE_TYPE'] ?? existing['VALUE_TYPE'] });
    else list.push(...normaliseMultifield(state, typeId, [change]));
  }
  return list;
}

function updater(type: string, table: (s: PortalState) => Table): MethodDef {
  return {
    handler: (p, mc) => {
      const id = requireId(p);
      const row = table(mc.state).get(id);
      if (!row) throw crmError('Not found');
      const fields = p.obj('fields');
      if (!fields) throw crmError("Parameter 'fields' must be array.");
      for (const [key, value] of Object.entries(fields)) {
        const k = key.toUpperCase();
        if (k === 'ID') continue;
        if (MULTIFIELDS.includes(k)) row[k] = mergeMultifield(mc.state, k, row[k], value);
        else row[k] = typeof value === 'number' ? String(value) : value;
      }
      mc.emit(`ONCRM${type}UPDATE`, { FIELDS: { ID: String(id) } });
      return { result: true };
    },
  };
}

/** crm.*.add: `fields` → new object (string values, multifields with ids); result = integer id. */
function adder(type: string, table: (s: PortalState) => Table): MethodDef {
  return {
    handler: (p, mc) => {
      const fields = p.obj('fields');
      if (!fields) throw crmError("Parameter 'fields' must be array.");
      const upper: Row = {};
      for (const [k, v] of Object.entries(fields)) if (k.toUpperCase() !== 'ID') upper[k.toUpperCase()] = v;
      const id = table(mc.state).insert(normaliseCrmRow(mc.state, {
        ASSIGNED_BY_ID: mc.ctx.userId, CREATED_BY_ID: mc.ctx.userId, ...upper,
      }));
      mc.emit(`ONCRM${type}ADD`, { FIELDS: { ID: String(id) } });
      return { result: id };
    },
  };
}

/** filter/order must be objects ("must be array." in PHP terms, §8.4). */
export function listArgs(p: Params): { filter: Row; order: Row | undefined; select: unknown } {
  const filter = p.get('filter');
  if (filter !== undefined && filter !== '' && !isPlainObject(filter) && !(Array.isArray(filter) && filter.length === 0)) {
    throw crmError("Parameter 'filter' must be array.");
  }
  const order = p.get('order');
  if (order !== undefined && order !== '' && !isPlainObject(order) && !(Array.isArray(order) && order.length === 0)) {
    throw crmError("Parameter 'order' must be array.");
  }
  return { filter: isPlainObject(filter) ? filter : {}, order: isPlainObject(order) ? order : undefined, select: p.get('select') };
}

function lister(table: (s: PortalState) => Table, defaultSelect: string[]): MethodDef {
  return {
    handler: (p, mc) => {
      const { filter, order, select } = listArgs(p);
      const terms = parseFilter(filter);
      const rows = sortRows(table(mc.state).all().filter((r) => matchesFilter(r, terms)), order);
      const wanted = asList(select).length > 0 ? asList(select).map(String) : defaultSelect;
      const explicit = new Set(wanted.map((w) => w.toUpperCase()));
      const served = rows.map((r) => {
        const out = selectFields(serveCrmRow(r), wanted);
        // Multifields come only when named in select, never through '*'.
        for (const m of MULTIFIELDS) if (!explicit.has(m)) delete out[m];
        return out;
      });
      return page(served, p.int('start'));
    },
  };
}

const COMM_TYPES = new Set(['PHONE', 'EMAIL']);
const ENTITY_ORDER = ['LEAD', 'CONTACT', 'COMPANY'] as const;

/** §8.2: keys only for types that matched; stops after a type with ≥ 20 hits; `[]` when empty. */
function findByCommunication(p: Params, mc: MethodContext): MethodResult {
  const type = p.str('type');
  if (type === undefined || type === '') {
    throw new B24ApiError('Communication type is not defined', "Parameter 'type' is required.", 400);
  }
  if (!COMM_TYPES.has(type.toUpperCase())) {
    const text = `Communication type '${type}' is not supported in current context`;
    throw new B24ApiError(text, text, 400);
  }
  const values = asList(p.get('values')).map(asString).filter((v): v is string => v !== undefined && v !== '').slice(0, 20);
  if (values.length === 0) {
    throw new B24ApiError('Communication values is not defined', "Parameter 'values' is required.", 400);
  }
  const only = p.str('entity_type')?.toUpperCase();
  const result: Record<string, number[]> = {};
  for (const entity of ENTITY_ORDER) {
    if (only !== undefined && only !== '' && entity !== only) continue;
    const ids = findByComm(mc.state, type.toUpperCase() as 'PHONE' | 'EMAIL', values, entity, mc.country);
    if (ids.length === 0) continue;
    result[entity] = ids.slice(0, 20);
    if (ids.length >= 20) break;
  }
  return { result: Object.keys(result).length === 0 ? [] : result };
}

const leads = (s: PortalState): Table => s.leads;
const contacts = (s: PortalState): Table => s.contacts;
const companies = (s: PortalState): Table => s.companies;
const deals = (s: PortalState): Table => s.deals;

export const crmMethods: MethodTable = {
  'crm.lead.get': getter(leads),
  'crm.contact.get': getter(contacts),
  'crm.company.get': getter(companies),
  'crm.deal.get': getter(deals),
  'crm.lead.add': adder('LEAD', leads),
  'crm.contact.add': adder('CONTACT', contacts),
  'crm.company.add': adder('COMPANY', companies),
  'crm.deal.add': adder('DEAL', deals),
  'crm.lead.update': updater('LEAD', leads),
  'crm.contact.update': updater('CONTACT', contacts),
  'crm.company.update': updater('COMPANY', companies),
  'crm.deal.update': updater('DEAL', deals),
  'crm.lead.list': lister(leads, ['*']),
  'crm.contact.list': lister(contacts, ['*']),
  'crm.company.list': lister(companies, ['*']),
  'crm.deal.list': lister(deals, ['*', 'UF_*']),
  'crm.duplicate.findbycomm': { handler: findByCommunication },
};
