/**
 * `store copy` and `store backup` by config: opens both ends for copy-port.ts (the source
 * exclusively for a move, as a shared snapshot for a backup), refuses to copy a store onto itself,
 * and for a backup writes a new SQLite file next to the target, renamed into place only once the
 * copy is verified and the file reopens cleanly.
 */
import { existsSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'libsql';
import { ConnectorError } from '../../errors.js';
import type { CopyDb } from './copy-port.js';
import { openPostgresCopy } from './copy-postgres.js';
import { openSqliteCopy } from './copy-sqlite.js';
import type { StoreConfig } from './open-store.js';
import { storeLocation } from './open-store.js';
import { copyStore, type CopyReport } from './store-copy.js';

async function openEnd(cfg: StoreConfig, role: 'source' | 'snapshot' | 'destination' | 'backup'): Promise<CopyDb> {
  if (cfg.driver === 'postgres') {
    if (!cfg.url) throw new ConnectorError('CONFIG_STORE_URL_MISSING', 'store.driver "postgres" needs store.url');
    return openPostgresCopy({
      url: cfg.url, refuseInUse: role !== 'snapshot',
      ...(cfg.connectTimeoutMs !== undefined ? { connectTimeoutMs: cfg.connectTimeoutMs } : {}),
    });
  }
  const lock = role === 'snapshot' || role === 'backup' ? role : 'exclusive';
  return openSqliteCopy({ path: cfg.path, lock, mustExist: role === 'source' || role === 'snapshot' });
}

/** Where a store lives, comparable: the real path of a file, or host:port/database?options of a server. */
function identity(cfg: StoreConfig): string {
  if (cfg.driver !== 'postgres') {
    const p = resolve(cfg.path);
    return `sqlite:${existsSync(p) ? realpathSync(p) : p}`;
  }
  try {
    const u = new URL(cfg.url ?? '');
    return `pg:${u.hostname}:${u.port || '5432'}${u.pathname}?${u.searchParams.get('options') ?? ''}`;
  } catch {
    return `pg:${cfg.url ?? ''}`;
  }
}

export interface StoreCopyOptions {
  readonly force?: boolean;
}

/** `store copy`: the whole store of `from` into `to`. Neither may be in use by a connector. */
export async function copyStoreByConfig(from: StoreConfig, to: StoreConfig, options: StoreCopyOptions = {}): Promise<CopyReport> {
  if (identity(from) === identity(to)) {
    throw new ConnectorError('STORE_COPY_BAD_TARGET', `source and destination are the same store (${storeLocation(from)})`);
  }
  const src = await openEnd(from, 'source');
  try {
    const dst = await openEnd(to, 'destination');
    try {
      return await copyStore(src, dst, { force: options.force === true });
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

export interface BackupReport extends CopyReport {
  /** The backup file. */
  readonly file: string;
  /** SQLite's quick_check of the file, reopened after the rename ("ok"). */
  readonly check: string;
}

/**
 * `store backup`: a consistent snapshot of the store (either backend) into a new SQLite file,
 * taken while the connector runs. Refuses an existing file unless `force`.
 */
export async function backupStore(from: StoreConfig, file: string, options: StoreCopyOptions = {}): Promise<BackupReport> {
  const target = resolve(file);
  if (from.driver !== 'postgres' && identity(from) === identity({ driver: 'sqlite', path: target })) {
    throw new ConnectorError('STORE_COPY_BAD_TARGET', `the backup file is the store itself (${target})`);
  }
  if (existsSync(target) && !options.force) {
    throw new ConnectorError('STORE_BACKUP_EXISTS', `${target} exists: choose a new name, or --force to replace it`, { details: { file: target } });
  }
  const partial = `${target}.partial`;
  const leftovers = [partial, `${partial}-journal`];
  for (const f of leftovers) rmSync(f, { force: true });
  let report: CopyReport;
  try {
    const src = await openEnd(from, 'snapshot');
    try {
      const dst = await openEnd({ driver: 'sqlite', path: partial }, 'backup');
      try {
        report = await copyStore(src, dst);
      } finally {
        await dst.close();
      }
    } finally {
      await src.close();
    }
    if (!report.ok) return { ...report, file: partial, check: 'not run: the copy did not verify' };
    for (const f of [`${target}-wal`, `${target}-shm`, `${target}-journal`]) rmSync(f, { force: true });
    renameSync(partial, target);
  } catch (e) {
    for (const f of leftovers) rmSync(f, { force: true });
    throw e;
  }
  return { ...report, file: target, ...reopen(target, report) };
}

/** The renamed file opens, passes quick_check and has the rows the copy wrote. */
function reopen(file: string, report: CopyReport): { check: string; ok: boolean } {
  const db = new Database(file);
  try {
    const check = String((db.prepare('PRAGMA quick_check').raw().all()[0] as unknown[] | undefined)?.[0] ?? 'no answer');
    const counts = report.tables.every((t) =>
      Number((db.prepare(`SELECT COUNT(*) FROM "${t.table}"`).raw().all()[0] as unknown[])[0]) === t.copied);
    return { check: counts ? check : `${check}; row counts differ after reopening`, ok: report.ok && check === 'ok' && counts };
  } finally {
    db.close();
  }
}
