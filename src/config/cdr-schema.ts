/**
 * The `cdr` section of the configuration (src/config/schema.ts): where calls that happened while the
 * connector was away are read back from — cdr_csv's Master.csv, FreePBX's MySQL table or cdr_pgsql's
 * PostgreSQL table (docs/call-model.md §13, docs/configuration.md).
 */
import { z } from 'zod';

const ianaZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, { message: 'unknown IANA time zone' });

/** Time limits and read size, the same for every CDR database. */
const cdrDbLimits = {
  connectTimeoutMs: z.number().int().positive().default(5_000),
  queryTimeoutMs: z.number().int().positive().default(30_000),
  /** Rows per query; at most `maxRows` per backfill (the oldest of a longer gap are left out). */
  pageSize: z.number().int().min(100).max(100_000).default(5_000),
  maxRows: z.number().int().positive().default(200_000),
};

/** FreePBX / Issabel / VitalPBX: the CDR table cdr_adaptive_odbc (cdr_mysql) writes. */
export const cdrMysqlSchema = z.object({
  /** mysql://user:password@host:3306/asteriskcdrdb (a secret); a user with SELECT on the table only. */
  url: z.string().regex(/^mysql:\/\/[^/]+\/[^/?#]+/, 'cdr.mysql.url must look like mysql://user:password@host:3306/asteriskcdrdb (the database in the path)'),
  /** The CDR table in that database (FreePBX: CDRDBTABLENAME, default cdr). */
  table: z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, 'a plain table name (letters, digits, _ or $)').default('cdr'),
  /** IANA zone calldate is written in (DATETIME without zone, the PBX's local time); default cdr.timezone, else this host's zone. */
  timezone: ianaZone.optional(),
  ...cdrDbLimits,
}).strict();

/** The CDR table cdr_pgsql (or cdr_adaptive_odbc) writes into PostgreSQL. */
export const cdrPgsqlSchema = z.object({
  /** postgres://user:password@host:5432/asterisk (a secret); a user with SELECT on the table only. */
  url: z.string().regex(/^postgres(ql)?:\/\/[^/]+\/[^/?#]+/, 'cdr.pgsql.url must look like postgres://user:password@host:5432/asterisk (the database in the path)'),
  /** The table cdr_pgsql.conf's `table` names (default cdr), optionally schema-qualified (`asterisk.cdr`). */
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/, 'a plain table name, or schema.table (letters, digits, _ or $)').default('cdr'),
  /** Only for a `timestamp without time zone` calldate: the IANA zone it is written in; default cdr.timezone, else this host's zone. A timestamptz needs none. */
  timezone: ianaZone.optional(),
  ...cdrDbLimits,
}).strict();

const CDR_DB_SOURCES = ['mysql', 'pgsql'] as const;

/**
 * Calls that began and ended while the connector was away, rebuilt from the CDR (docs/call-model.md):
 * cdr_csv's Master.csv (`source: csv`, on when `csvPath` is set; the flags copy cdr.conf's [csv]
 * section, defaults: Asterisk's sample cdr.conf), FreePBX's MySQL table (`source: mysql`) or
 * cdr_pgsql's PostgreSQL table (`source: pgsql`).
 */
export const cdrSchema = z.object({
  source: z.enum(['csv', 'mysql', 'pgsql']).default('csv'),
  csvPath: z.string().optional(),
  usegmtime: z.boolean().default(true),
  loguniqueid: z.boolean().default(true),
  loguserfield: z.boolean().default(true),
  newcdrcolumns: z.boolean().default(false),
  /** IANA zone of the PBX host, for local times (usegmtime=no); default: this host's zone. */
  timezone: ianaZone.optional(),
  /** Gaps longer than this are backfilled for their last part only (Bitrix24 statistics are dated anyway). */
  maxGapMs: z.number().int().positive().default(24 * 3_600_000),
  mysql: cdrMysqlSchema.optional(),
  pgsql: cdrPgsqlSchema.optional(),
}).strict().superRefine((c, ctx) => {
  for (const other of CDR_DB_SOURCES) {
    if (other !== c.source && c[other]) {
      ctx.addIssue({ code: 'custom', path: [other], message: `cdr.${other} is set but cdr.source is "${c.source}": set cdr.source to "${other}" (one CDR source at a time)` });
    }
  }
  if (c.source === 'mysql' && !c.mysql) {
    ctx.addIssue({ code: 'custom', path: ['mysql'], params: { code: 'CONFIG_CDR_MYSQL_MISSING' }, message: 'cdr.source "mysql" needs cdr.mysql.url (mysql://user:password@host:3306/asteriskcdrdb)' });
  }
  if (c.source === 'pgsql' && !c.pgsql) {
    ctx.addIssue({ code: 'custom', path: ['pgsql'], params: { code: 'CONFIG_CDR_PGSQL_MISSING' }, message: 'cdr.source "pgsql" needs cdr.pgsql.url (postgres://user:password@host:5432/asterisk), or set ASTERISK_B24_CDR_PGSQL_URL' });
  }
  if (c.source !== 'csv') {
    if (c.csvPath) ctx.addIssue({ code: 'custom', path: ['csvPath'], message: 'cdr.csvPath is for cdr.source "csv"; remove it (one CDR source at a time)' });
    return;
  }
  if (!c.loguniqueid && !c.newcdrcolumns) {
    ctx.addIssue({ code: 'custom', path: ['loguniqueid'], message: 'CDR backfill needs loguniqueid=yes or newcdrcolumns=yes in cdr.conf [csv] (a call is found by its uniqueid or linkedid)' });
  }
});
