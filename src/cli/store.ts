/**
 * `asterisk-b24 store copy|backup`: move a whole store between SQLite and PostgreSQL (or to another
 * SQLite file), and take a consistent backup while the connector runs. Prints one line per table
 * (rows on each side, the source's checksum, the next id) and exits 0 when every table verified,
 * 1 when not (or on an error), 2 on a usage error. docs/operations.md "Moving from SQLite to
 * PostgreSQL" and "Backups".
 */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import type { StoreConfig } from '../adapters/store/open-store.js';
import { backupStore, copyStoreByConfig } from '../adapters/store/store-copy-open.js';
import type { CopyReport } from '../adapters/store/store-copy.js';
import type { CliIo } from './main.js';

const USAGE = `usage:
  asterisk-b24 store copy (--from-config A.json | --from-sqlite FILE) --to-config B.json [--force] [--json]
        Copy every table of A's store into B's (SQLite ↔ PostgreSQL); stop the connector first.
  asterisk-b24 store backup --config C.json --to FILE [--force] [--json]
        A consistent SQLite copy of the store, taken while the connector runs.
`;

export async function runStore(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest, strict: true,
      options: {
        'from-config': { type: 'string' }, 'from-sqlite': { type: 'string' }, 'to-config': { type: 'string' },
        config: { type: 'string' }, to: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    io.err.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] as string : undefined);
  const force = values['force'] === true;
  if (sub === 'copy') {
    const fromConfig = str('from-config');
    const fromSqlite = str('from-sqlite');
    const toConfig = str('to-config');
    if (!toConfig || (fromConfig === undefined) === (fromSqlite === undefined)) {
      io.err.write(USAGE);
      return 2;
    }
    const from: StoreConfig = fromSqlite !== undefined ? { driver: 'sqlite', path: fromSqlite } : loadConfigFile(fromConfig as string).store;
    const to = loadConfigFile(toConfig).store;
    const report = await copyStoreByConfig(from, to, { force });
    return print(io, report, values['json'] === true, 'copied');
  }
  if (sub === 'backup') {
    const config = str('config');
    const to = str('to');
    if (!config || !to) {
      io.err.write(USAGE);
      return 2;
    }
    const store = loadConfigFile(config).store;
    const report = await backupStore(store, to, { force });
    const code = print(io, report, values['json'] === true, 'backed up');
    if (values['json'] !== true) {
      io.write(`file: ${report.file} (quick_check: ${report.check})\n`);
      if (store.driver === 'postgres') {
        io.write(`PostgreSQL's own dump, as an alternative (password from PGPASSWORD or ~/.pgpass):\n  pg_dump -Fc -d '${report.from.replace(':***@', '@')}' -f ${to.replace(/\.sqlite$/, '')}.dump\n`);
      }
    }
    return code;
  }
  io.err.write(USAGE);
  return 2;
}

const VERIFY_FAILED = 'STORE_COPY_VERIFY_FAILED';

function print(io: CliIo, r: CopyReport, json: boolean, verb: string): number {
  if (json) {
    io.write(`${JSON.stringify(r)}\n`);
    return r.ok ? 0 : 1;
  }
  io.write(`${verb} ${r.from} → ${r.to} (schema version ${r.schemaVersion}) in ${(r.ms / 1000).toFixed(2)} s\n`);
  const rows = [['table', 'source', 'copied', 'checksum', 'next id', ''],
    ...r.tables.map((t) => [t.table, String(t.source), String(t.copied), t.checksum, t.sequence !== undefined ? String(t.sequence + 1) : '', t.ok ? 'ok' : 'MISMATCH'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) {
    io.write(`${row.map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
  }
  if (!r.ok) io.err.write(`verification failed: the destination does not read back as the source (${VERIFY_FAILED})\n`);
  return r.ok ? 0 : 1;
}
