/**
 * voximplant.statistic.get (reference §6.9): the statistics rows written by externalCall.finish,
 * with FILTER operators (§5), SORT/ORDER and paging by 50.
 */
import type { MethodResult } from '../../contract.js';
import { accessDenied } from '../errors.js';
import { matchesFilter, page, parseFilter, sortRows } from '../list-query.js';
import { asInt, asList, type Params } from '../params.js';
import type { MethodContext, MethodTable } from './context.js';

/** Users listed in settings.statisticsDeniedUsers lack "Call Statistics — View" (§6.9). */
function statisticGet(p: Params, mc: MethodContext): MethodResult {
  const denied = asList(mc.state.settings['statisticsDeniedUsers']).map(asInt);
  if (denied.includes(mc.ctx.userId)) throw accessDenied('Access denied!');
  const filter = p.obj('FILTER') ?? {};
  const terms = parseFilter(filter);
  const rows = mc.state.statistics.all().filter((r) => matchesFilter(r, terms));
  const sortField = p.str('SORT') ?? 'ID';
  const order = p.str('ORDER') ?? 'ASC';
  return page(sortRows(rows, { [sortField]: order }), p.int('start'));
}

export const voximplantMethods: MethodTable = {
  'voximplant.statistic.get': { handler: statisticGet },
};
