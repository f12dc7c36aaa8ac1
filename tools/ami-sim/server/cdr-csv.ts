/**
 * cdr_csv, simulated: every `Cdr` event the simulator emits is also appended to a Master.csv, as
 * Asterisk writes both (cdr_manager and cdr_csv are independent backends) — whether or not an AMI
 * client is connected. Layout per cdr.conf [csv]: uniqueid / userfield columns, GMT or local times.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { cdrRecordFromEvent, formatCdrLine, gmtCdrTime } from '../../../src/core/cdr/csv.js';
import type { AmiFields } from '../scenario/types.js';

export interface SimCdrCsvOptions {
  readonly path: string;
  /** Default true (the sample cdr.conf). */
  readonly usegmtime?: boolean;
  readonly loguniqueid?: boolean;
  readonly loguserfield?: boolean;
}

function localCdrTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Returns the sink for emitted events (ignores everything but `Cdr`). */
export function cdrCsvWriter(o: SimCdrCsvOptions): (fields: AmiFields) => void {
  mkdirSync(dirname(o.path), { recursive: true });
  const layout = { usegmtime: o.usegmtime ?? true, loguniqueid: o.loguniqueid ?? true, loguserfield: o.loguserfield ?? true, newcdrcolumns: false };
  return (fields) => {
    const get = (k: string): string => fields.find(([key]) => key === k)?.[1] ?? '';
    if (get('Event') !== 'Cdr') return;
    const r = cdrRecordFromEvent(get); // the simulator's Cdr times are UTC (builder.cdrTime)
    appendFileSync(o.path, `${formatCdrLine(r, layout, layout.usegmtime ? gmtCdrTime : localCdrTime)}\n`);
  };
}
