/**
 * Copies a whole store from one database to another (SQLite ↔ PostgreSQL, or SQLite → SQLite for a
 * backup): every table the source's migrations created, read from the catalog — a table the
 * destination's schema does not have stops the copy with STORE_COPY_SCHEMA_MISMATCH instead of
 * being left behind. The destination is migrated to the source's schema version first, written in
 * one transaction (all or nothing), its sequences moved past the copied ids (and past ids the
 * source handed out and purged since), then read back: rows per table and a checksum of every
 * table must equal the source's.
 *
 * The checksum is order-independent (the sum of each row's SHA-256 over its values by column
 * name), so it compares rows, not the order two engines return them in.
 */
import { createHash } from 'node:crypto';
import { ConnectorError } from '../../errors.js';
import type { CopyDb, Row, TableInfo } from './copy-port.js';

export interface TableReport {
  readonly table: string;
  readonly source: number;
  readonly copied: number;
  /** The source's checksum (hex, 16 characters shown). */
  readonly checksum: string;
  readonly ok: boolean;
  /** The identity sequence after the copy (new rows get greater ids), when the table has one. */
  readonly sequence?: number;
}

export interface CopyReport {
  readonly from: string;
  readonly to: string;
  readonly schemaVersion: number;
  readonly tables: readonly TableReport[];
  readonly ok: boolean;
  readonly ms: number;
}

export interface CopyOptions {
  /** Overwrite a destination that already holds rows. */
  readonly force?: boolean;
  readonly now?: () => number;
}

const MOD = 1n << 256n;

/** Order-independent digest of a table: the sum of its rows' SHA-256 (mod 2^256), and the count. */
export class TableDigest {
  private sum = 0n;
  count = 0;
  constructor(private readonly order: readonly number[]) {}

  add(row: Row): void {
    const canon = JSON.stringify(this.order.map((i) => canonical(row[i])));
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(canon).digest('hex')}`)) % MOD;
    this.count++;
  }

  hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}

function canonical(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : `bigint:${v}`;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Buffer.isBuffer(v)) return `bytes:${v.toString('base64')}`;
  return v;
}

/** Column order by name, so both engines' catalogs hash alike. */
function byName(columns: readonly string[]): { columns: string[]; order: number[] } {
  const sorted = [...columns].sort();
  return { columns: sorted, order: sorted.map((_, i) => i) };
}

function compareSchemas(src: readonly TableInfo[], dst: readonly TableInfo[], version: number): void {
  const d = new Map(dst.map((t) => [t.name, t]));
  for (const t of src) {
    const other = d.get(t.name);
    if (!other) {
      throw new ConnectorError('STORE_COPY_SCHEMA_MISMATCH',
        `the source has a table "${t.name}" that schema version ${version} of this build does not create on the destination (not made by the connector's migrations, or a newer build's): nothing copied`,
        { details: { table: t.name } });
    }
    const a = [...t.columns].sort().join(',');
    const b = [...other.columns].sort().join(',');
    if (a !== b) {
      throw new ConnectorError('STORE_COPY_SCHEMA_MISMATCH', `table "${t.name}" has columns (${a}) on the source but (${b}) on the destination: nothing copied`,
        { details: { table: t.name } });
    }
  }
  const extra = dst.filter((t) => !src.some((s) => s.name === t.name)).map((t) => t.name);
  if (extra.length) {
    throw new ConnectorError('STORE_COPY_SCHEMA_MISMATCH', `the destination has table(s) ${extra.join(', ')} that the source lacks at schema version ${version}: nothing copied`,
      { details: { tables: extra } });
  }
}

export async function copyStore(src: CopyDb, dst: CopyDb, options: CopyOptions = {}): Promise<CopyReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const version = await src.version();
  if (version === 0) {
    throw new ConnectorError('STORE_COPY_SOURCE_EMPTY', `${src.location} holds no connector store (no schema_version): check the source config`);
  }
  const dv = await dst.version();
  if (dv > version) {
    throw new ConnectorError('STORE_COPY_SCHEMA_MISMATCH',
      `the destination is at schema version ${dv}, the source at ${version}: start the connector once on the source (it migrates), then copy`,
      { details: { source: version, destination: dv } });
  }
  await dst.migrateTo(version);
  const tables = await src.tables();
  compareSchemas(tables, await dst.tables(), version);

  const digests = new Map<string, TableDigest>();
  const sequences = new Map<string, number>();
  await src.begin('read');
  try {
    await dst.begin('write');
    try {
      const occupied: string[] = [];
      for (const t of tables) if ((await dst.count(t)) > 0) occupied.push(t.name);
      if (occupied.length && !options.force) {
        throw new ConnectorError('STORE_COPY_DEST_NOT_EMPTY', `${dst.location} already holds rows (${occupied.join(', ')}): use an empty database, or --force to replace them`,
          { details: { tables: occupied } });
      }
      if (occupied.length) await dst.clear(tables);
      for (const t of tables) {
        const { columns, order } = byName(t.columns);
        const digest = new TableDigest(order);
        const seq = await src.sequence(t);
        const seqAt = seq ? columns.indexOf(seq.column) : -1;
        let maxId = seq?.value ?? 0;
        for await (const rows of src.scan(t, columns)) {
          for (const r of rows) {
            digest.add(r);
            if (seqAt >= 0) maxId = Math.max(maxId, Number(r[seqAt]));
          }
          await dst.insert(t, columns, rows);
        }
        digests.set(t.name, digest);
        if (seq) {
          await dst.setSequence(t, maxId);
          sequences.set(t.name, maxId);
        }
      }
      await dst.commit();
    } catch (e) {
      await dst.rollback();
      throw e;
    }
    await src.commit();
  } catch (e) {
    await src.rollback();
    throw e;
  }
  const report = await verify(dst, tables, digests, sequences);
  return { from: src.location, to: dst.location, schemaVersion: version, tables: report, ok: report.every((r) => r.ok), ms: now() - started };
}

/** Reads the destination back, table by table, against what was read from the source. */
async function verify(dst: CopyDb, tables: readonly TableInfo[], digests: ReadonlyMap<string, TableDigest>, sequences: ReadonlyMap<string, number>): Promise<TableReport[]> {
  const out: TableReport[] = [];
  await dst.begin('read');
  try {
    for (const t of tables) {
      const { columns, order } = byName(t.columns);
      const copied = new TableDigest(order);
      for await (const rows of dst.scan(t, columns)) for (const r of rows) copied.add(r);
      const source = digests.get(t.name) ?? new TableDigest(order);
      const want = sequences.get(t.name);
      const seq = want === undefined ? undefined : (await dst.sequence(t))?.value;
      const seqOk = want === undefined || seq === undefined || seq >= want;
      out.push({
        table: t.name, source: source.count, copied: copied.count, checksum: source.hex().slice(0, 16),
        ok: source.count === copied.count && source.hex() === copied.hex() && seqOk,
        ...(seq !== undefined ? { sequence: seq } : {}),
      });
    }
    await dst.commit();
  } catch (e) {
    await dst.rollback();
    throw e;
  }
  return out;
}
