/**
 * telephony.externalLine.add / update / get / delete (reference §6.8). App-only methods; ID types
 * follow the doc examples (add → integer, update → string, §11 item 9).
 */
import type { MethodResult } from '../../contract.js';
import { errorCore } from '../errors.js';
import { sortRows } from '../list-query.js';
import { asFlag, type Params, type Row } from '../params.js';
import type { MethodContext, MethodTable } from './context.js';

function findLine(mc: MethodContext, number: string): [number, Row] | undefined {
  for (const entry of mc.state.lines.rows) if (entry[1]['NUMBER'] === number) return entry;
  return undefined;
}

function requireNumber(p: Params): string {
  const number = p.str('NUMBER');
  if (number === undefined || number.trim() === '') throw errorCore('NUMBER should not be empty');
  return number;
}

function add(p: Params, mc: MethodContext): MethodResult {
  const number = requireNumber(p);
  if (findLine(mc, number)) throw errorCore('Line already exists');
  const id = mc.state.lines.insert({
    NUMBER: number, NAME: p.str('NAME') ?? '', CRM_AUTO_CREATE: asFlag(p.get('CRM_AUTO_CREATE'), true) ? 'Y' : 'N', ORIGIN: 'api',
  });
  return { result: { ID: id } };
}

function update(p: Params, mc: MethodContext): MethodResult {
  const number = requireNumber(p);
  const name = p.str('NAME');
  const auto = p.get('CRM_AUTO_CREATE');
  if (name === undefined && (auto === undefined || auto === '')) throw errorCore('There are no fields to update');
  const line = findLine(mc, number);
  if (!line) throw errorCore(`Could not find line with number ${number}`);
  const [id, row] = line;
  if (name !== undefined) row['NAME'] = name;
  if (auto !== undefined && auto !== '') row['CRM_AUTO_CREATE'] = asFlag(auto, true) ? 'Y' : 'N';
  return { result: { ID: String(id) } };
}

function get(_p: Params, mc: MethodContext): MethodResult {
  const result = sortRows(mc.state.lines.all(), undefined).map((l) => ({
    NUMBER: l['NUMBER'], NAME: l['NAME'], CRM_AUTO_CREATE: l['CRM_AUTO_CREATE'],
  }));
  return { result };
}

function remove(p: Params, mc: MethodContext): MethodResult {
  const number = requireNumber(p);
  const line = findLine(mc, number);
  if (!line) throw errorCore(`Could not find line with number ${number}`);
  mc.state.lines.rows.delete(line[0]);
  return { result: [] };
}

export const lineMethods: MethodTable = {
  'telephony.externalline.add': { appOnly: true, handler: add },
  'telephony.externalline.update': { appOnly: true, handler: update },
  'telephony.externalline.get': { appOnly: true, handler: get },
  'telephony.externalline.delete': { appOnly: true, handler: remove },
};
