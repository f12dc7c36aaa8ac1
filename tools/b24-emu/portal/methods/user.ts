/**
 * user.get / user.search (reference §8.1), plus user.current and department.get, which the batch
 * examples use (§4, doc-examples §5). Sorted by ID ascending by default, 50 per page with total.
 */
import type { MethodResult } from '../../contract.js';
import { matchesFilter, page, parseFilter, selectFields, sortRows, type FilterTerm } from '../list-query.js';
import { asList, asString, isPlainObject, type Params, type Row } from '../params.js';
import type { MethodContext, MethodTable } from './context.js';

/** Keys of user.get that are not filter fields (example (a) puts filter fields at the top level). */
const RESERVED = new Set(['filter', 'sort', 'order', 'start', 'select', 'admin_mode', 'image_resize', 'auth', 'find']);
const QUICK_SEARCH = ['NAME', 'LAST_NAME', 'WORK_POSITION', 'UF_DEPARTMENT_NAME'];
const HIDDEN_FIELDS = ['IS_ADMIN'];

function serveUser(row: Row): Row {
  const out: Row = JSON.parse(JSON.stringify(row)) as Row;
  for (const k of HIDDEN_FIELDS) delete out[k];
  return out;
}

function departmentNames(mc: MethodContext, row: Row): string[] {
  const ids = asList(row['UF_DEPARTMENT']).map(String);
  return mc.settings.departments.filter((d) => ids.includes(String(d['ID']))).map((d) => String(d['NAME'] ?? ''));
}

/** FILTER (any casing) merged with top-level filter keys. */
function filterOf(p: Params): Row {
  const filter: Row = { ...(p.obj('filter') ?? {}) };
  for (const key of p.keys()) {
    if (!RESERVED.has(key.toLowerCase())) filter[key] = p.raw[key];
  }
  return filter;
}

/** Virtual user fields: NAME_SEARCH, UF_DEPARTMENT_NAME. */
function userField(mc: MethodContext) {
  return (row: Row, field: string): unknown => {
    const f = field.toUpperCase();
    if (f === 'NAME_SEARCH') return `${asString(row['NAME']) ?? ''} ${asString(row['LAST_NAME']) ?? ''}`;
    if (f === 'UF_DEPARTMENT_NAME') return departmentNames(mc, row);
    return row[f] ?? row[field];
  };
}

function orderOf(p: Params): Row | undefined {
  const order = p.get('order');
  if (isPlainObject(order)) return order;
  const sort = p.str('sort');
  return sort !== undefined ? { [sort.toUpperCase()]: asString(order) ?? 'ASC' } : undefined;
}

/** Not listed unless USER_TYPE is filtered explicitly (§8.1: bots, e-mail, Open Channel, replica). */
const SYSTEM_TYPES = new Set(['bot', 'email', 'imconnector', 'replica']);

function run(p: Params, mc: MethodContext, terms: FilterTerm[]): MethodResult {
  const byType = terms.some((t) => t.field === 'USER_TYPE');
  const rows = mc.state.users.all()
    .filter((r) => byType || !SYSTEM_TYPES.has(String(r['USER_TYPE'])))
    .filter((r) => matchesFilter(r, terms, userField(mc)));
  const select = p.get('select');
  const served = sortRows(rows, orderOf(p)).map((r) => (select === undefined ? serveUser(r) : selectFields(serveUser(r), select)));
  return page(served, p.int('start'));
}

function userGet(p: Params, mc: MethodContext): MethodResult {
  const terms = parseFilter(filterOf(p)).map((t) => {
    if (t.field === 'NAME_SEARCH' && t.op === '=') return { ...t, op: '%' };
    // Example (b) `{"NAME": "Iv%"}`: a plain key with % in the value is a pattern.
    if (t.op === '=' && typeof t.value === 'string' && t.value.includes('%')) return { ...t, op: '=%' };
    return t;
  });
  return run(p, mc, terms);
}

/** user.search: quick-search keys match as substrings; FIND searches all of them (alone). */
function userSearch(p: Params, mc: MethodContext): MethodResult {
  const filter = filterOf(p);
  const find = p.str('FIND') ?? asString(filter['FIND']);
  if (find !== undefined && find !== '') {
    const needle = find.toLowerCase();
    const field = userField(mc);
    const rows = mc.state.users.all().filter((r) =>
      QUICK_SEARCH.some((k) => asList(field(r, k)).some((v) => String(v ?? '').toLowerCase().includes(needle))));
    return page(sortRows(rows, orderOf(p)).map(serveUser), p.int('start'));
  }
  const terms = parseFilter(filter).map((t) => (QUICK_SEARCH.includes(t.field) && t.op === '=' ? { ...t, op: '%' } : t));
  return run(p, mc, terms);
}

function userCurrent(_p: Params, mc: MethodContext): MethodResult {
  const row = mc.state.users.get(mc.ctx.userId);
  return { result: row ? serveUser(row) : [] };
}

function departmentGet(p: Params, mc: MethodContext): MethodResult {
  const filter: Row = {};
  for (const key of p.keys()) if (!RESERVED.has(key.toLowerCase())) filter[key] = p.raw[key];
  const terms = parseFilter(filter);
  const rows = mc.settings.departments.map((d) => ({ ...d, ID: String(d['ID']) })).filter((d) => matchesFilter(d, terms));
  return page(sortRows(rows, undefined), p.int('start'));
}

export const userMethods: MethodTable = {
  'user.get': { handler: userGet },
  'user.search': { handler: userSearch },
  'user.current': { handler: userCurrent },
  'department.get': { handler: departmentGet },
};
