/**
 * What `store copy` and `store backup` need from a database, on either backend: its schema
 * version, its tables as the catalog lists them (not a list written here: a table added by a
 * future migration is copied without touching the copier), rows in key order, the identity
 * sequence behind a key, and one write transaction on the destination.
 * Implemented by copy-sqlite.ts and copy-postgres.ts; used by store-copy.ts.
 */
import { ConnectorError } from '../../errors.js';
import type { StoreDriver } from './app-store.js';

export interface TableInfo {
  readonly name: string;
  /** In the catalog's order. */
  readonly columns: readonly string[];
  /** Primary key columns (the scan order); empty for a table without one. */
  readonly key: readonly string[];
}

export interface SequenceInfo {
  readonly column: string;
  /** The last value handed out (0 when none was): new rows get a greater one. */
  readonly value: number;
}

export type Row = readonly unknown[];

export interface CopyDb {
  readonly driver: StoreDriver;
  /** For messages: the SQLite path, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** schema_version's newest row, 0 when the database has no connector tables. */
  version(): Promise<number>;
  /** Applies this build's migrations up to `version` (destination only). */
  migrateTo(version: number): Promise<void>;
  /** The tables, schema_version and the engine's own excluded, by name. */
  tables(): Promise<TableInfo[]>;
  /** Opens the transaction every following call runs in: a snapshot to read, or the one write. */
  begin(mode: 'read' | 'write'): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Rows in key order, `columns` in the order given, in batches. */
  scan(table: TableInfo, columns: readonly string[]): AsyncIterable<readonly Row[]>;
  count(table: TableInfo): Promise<number>;
  /** The identity/autoincrement sequence of the table, if it has one. */
  sequence(table: TableInfo): Promise<SequenceInfo | undefined>;
  /** Deletes every row of these tables and resets their sequences (`--force`). */
  clear(tables: readonly TableInfo[]): Promise<void>;
  insert(table: TableInfo, columns: readonly string[], rows: readonly Row[]): Promise<void>;
  /** New rows get ids greater than `value`. No-op when the table has no sequence here. */
  setSequence(table: TableInfo, value: number): Promise<void>;
  close(): Promise<void>;
}

/** Table and column names come from the catalogs; anything else would be quoted by hand. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ConnectorError('STORE_COPY_SCHEMA_MISMATCH', `unexpected table or column name ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

/** The table the migration runner keeps for itself: each side is migrated, never copied into. */
export const SCHEMA_TABLE = 'schema_version';
