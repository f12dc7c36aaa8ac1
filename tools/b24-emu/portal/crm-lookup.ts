/**
 * Finding and creating CRM objects for calls: search by phone (register, searchCrmEntities,
 * crm.duplicate.findbycomm) and the auto-creation register does for CRM_CREATE=1.
 */
import { asInt, asString, type Row } from './params.js';
import { samePhone, type PhoneCountry } from './phones.js';
import { normaliseMultifield, type PortalSettings } from './seed.js';
import type { CreatedEntity, PortalState, Table } from './state.js';

export interface CrmMatch {
  readonly type: 'CONTACT' | 'COMPANY' | 'LEAD';
  readonly id: number;
  readonly row: Row;
}

function multiValues(row: Row, key: string): string[] {
  const list = row[key];
  if (!Array.isArray(list)) return [];
  return list.map((m) => (m && typeof m === 'object' ? asString((m as Row)['VALUE']) : undefined)).filter((v): v is string => v !== undefined);
}

function matchTable(table: Table, type: CrmMatch['type'], phone: string, country: PhoneCountry): CrmMatch[] {
  const out: CrmMatch[] = [];
  for (const [id, row] of table.rows) {
    if (multiValues(row, 'PHONE').some((v) => samePhone(v, phone, country))) out.push({ type, id, row });
  }
  return out;
}

/** Objects whose phones match, in the portal's priority: contacts, companies, then leads. */
export function findByPhone(state: PortalState, phone: string, country: PhoneCountry): CrmMatch[] {
  return [
    ...matchTable(state.contacts, 'CONTACT', phone, country),
    ...matchTable(state.companies, 'COMPANY', phone, country),
    // Converted leads became contacts/deals; the portal no longer routes calls to them.
    ...matchTable(state.leads, 'LEAD', phone, country).filter((m) => m.row['STATUS_ID'] !== 'CONVERTED'),
  ];
}

/** Ids per type whose multifield `key` (PHONE or EMAIL) matches one of the values. */
export function findByComm(state: PortalState, key: 'PHONE' | 'EMAIL', values: string[], type: 'LEAD' | 'CONTACT' | 'COMPANY', country: PhoneCountry): number[] {
  const table = state.crmTable(type);
  if (!table) return [];
  const ids: number[] = [];
  for (const [id, row] of table.rows) {
    const mine = multiValues(row, key);
    const hit = key === 'PHONE'
      ? mine.some((m) => values.some((v) => samePhone(m, v, country)))
      : mine.some((m) => values.some((v) => m.trim().toLowerCase() === v.trim().toLowerCase()));
    if (hit) ids.push(id);
  }
  return ids;
}

export function entityName(type: string, row: Row): string {
  if (type === 'COMPANY' || (type === 'LEAD' && !row['NAME'] && !row['LAST_NAME'])) return asString(row['TITLE']) ?? '';
  return [row['NAME'], row['LAST_NAME']].filter((s) => typeof s === 'string' && s !== '').join(' ');
}

export interface CreateResult {
  readonly lead: number | null;
  readonly entities: CreatedEntity[];
  readonly main: { type: string; id: number } | null;
  readonly error: string | null;
}

/**
 * register with CRM_CREATE=1 and no match: a lead in classic mode; a contact plus a deal in the
 * lead-less ("simple") mode (reference §11 item 6). Responsible = the call's user.
 */
export function createForCall(
  state: PortalState,
  settings: PortalSettings,
  input: { phone: string; userId: number; incoming: boolean; source: string | null; nowIso: string },
): CreateResult {
  if (settings.leadCreationError !== null) return { lead: null, entities: [], main: null, error: settings.leadCreationError };
  const title = `${input.phone} - ${input.incoming ? 'Incoming call' : 'Outgoing call'}`;
  const common = {
    ASSIGNED_BY_ID: String(input.userId), CREATED_BY_ID: String(input.userId),
    SOURCE_ID: input.source ?? settings.defaultLeadSource, DATE_CREATE: input.nowIso, OPENED: 'Y',
  };
  const phone = normaliseMultifield(state, 'PHONE', [{ VALUE: input.phone, VALUE_TYPE: 'WORK' }]);
  if (settings.crmMode === 'simple') {
    const contactId = state.contacts.insert({ ...common, NAME: input.phone, LAST_NAME: '', PHONE: phone });
    const dealId = state.deals.insert({ ...common, TITLE: title, CONTACT_ID: String(contactId), COMPANY_ID: '0', STAGE_ID: 'NEW', CLOSED: 'N', OPPORTUNITY: '0.00', CATEGORY_ID: '0' });
    return {
      lead: null,
      entities: [{ ENTITY_TYPE: 'CONTACT', ENTITY_ID: contactId }, { ENTITY_TYPE: 'DEAL', ENTITY_ID: dealId }],
      main: { type: 'CONTACT', id: contactId },
      error: null,
    };
  }
  const leadId = state.leads.insert({ ...common, TITLE: title, NAME: '', LAST_NAME: '', STATUS_ID: 'NEW', OPPORTUNITY: '0.00', PHONE: phone });
  return { lead: leadId, entities: [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: leadId }], main: { type: 'LEAD', id: leadId }, error: null };
}

/** ASSIGNED_BY_ID of a CRM object as an integer, or null. */
export function assignedOf(row: Row | undefined): number | null {
  return row ? (asInt(row['ASSIGNED_BY_ID']) ?? null) : null;
}
