/**
 * Where the CDR backfill reads from, by `cdr.source`: cdr_csv's Master.csv (`csvPath`), FreePBX's
 * MySQL table or cdr_pgsql's PostgreSQL table. Undefined when no source is configured (backfill off).
 */
import type { Config } from '../../config/schema.js';
import { cdrLayoutOf } from '../../core/cdr/csv.js';
import { cdrDbLayout } from '../../core/cdr/db-row.js';
import type { CdrBackfillDeps } from '../../flow/cdr-backfill.js';
import { readCdrTail } from './master-csv.js';
import { readCdrRows } from './mysql.js';
import { readPgCdrRows } from './pgsql.js';

export type CdrSource = Pick<CdrBackfillDeps, 'read' | 'layout' | 'source'>;

export function cdrSource(cdr: Config['cdr']): CdrSource | undefined {
  if (cdr.source === 'mysql' && cdr.mysql) {
    const o = { ...cdr.mysql, timezone: cdr.mysql.timezone ?? cdr.timezone };
    return { read: (since, layout, until) => readCdrRows(o, layout, since, until), layout: cdrDbLayout(o.timezone), source: 'the CDR database' };
  }
  if (cdr.source === 'pgsql' && cdr.pgsql) {
    const o = { ...cdr.pgsql, timezone: cdr.pgsql.timezone ?? cdr.timezone };
    return { read: (since, layout, until) => readPgCdrRows(o, layout, since, until), layout: cdrDbLayout(o.timezone), source: 'the CDR database' };
  }
  const path = cdr.csvPath;
  if (cdr.source !== 'csv' || !path) return undefined;
  return { read: (since, layout) => readCdrTail(path, since, layout), layout: cdrLayoutOf(cdr) };
}
