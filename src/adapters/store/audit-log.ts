/**
 * The panel's audit log (table `panel_audit`, migration 4 on both backends): one row per change
 * made through the admin panel — who, when, from which IP, what. Rows are only appended; the
 * panel reads them newest first, a page at a time. `details` is JSON written by the panel (its
 * secrets already masked), kept as text so both backends return it byte for byte.
 */
import type Database from 'libsql';
import type { Queryable } from './postgres-pool.js';

export interface AuditRecord {
  readonly id: number;
  /** Epoch ms. */
  readonly at: number;
  readonly user: string;
  readonly role: string;
  readonly ip: string;
  /** What was done, e.g. `settings.save`, `outbox.retry`. */
  readonly action: string;
  /** What it was done to: sections, a command id, a hook point. */
  readonly target: string;
  readonly details: unknown;
}

export type NewAuditRecord = Omit<AuditRecord, 'id'>;

export interface AuditPage {
  readonly rows: readonly AuditRecord[];
  readonly total: number;
}

export interface AuditLog {
  /** Appends one entry; returns its id. */
  append(entry: NewAuditRecord): Promise<number>;
  /** Newest first. */
  page(q: { readonly limit: number; readonly offset: number }): Promise<AuditPage>;
}

interface AuditRow {
  id: number;
  at: number;
  user_name: string;
  role: string;
  ip: string;
  action: string;
  target: string;
  details: string;
}

function toRecord(r: AuditRow): AuditRecord {
  let details: unknown;
  try {
    details = JSON.parse(r.details);
  } catch {
    details = r.details;
  }
  return { id: Number(r.id), at: Number(r.at), user: r.user_name, role: r.role, ip: r.ip, action: r.action, target: r.target, details };
}

function bounds(q: { limit: number; offset: number }): { limit: number; offset: number } {
  return { limit: Math.max(1, Math.min(1000, Math.floor(q.limit))), offset: Math.max(0, Math.floor(q.offset)) };
}

type Run<P> = <R>(what: string, fn: () => P extends 'sync' ? R : Promise<R>) => Promise<R>;

export function sqliteAuditLog(db: Database.Database, run: Run<'sync'>): AuditLog {
  // Prepared on first use: a store opened with test migrations may lack the table.
  const insert = (): Database.Statement => db.prepare(`INSERT INTO panel_audit (at, user_name, role, ip, action, target, details)
    VALUES (@at, @user, @role, @ip, @action, @target, @details)`);
  return {
    append: (e) => run('auditAppend', () => Number(insert().run({ ...e, details: JSON.stringify(e.details ?? null) }).lastInsertRowid)),
    page: (q) => run('auditPage', () => {
      const b = bounds(q);
      const total = (db.prepare('SELECT COUNT(*) AS n FROM panel_audit').get() as { n: number }).n;
      return { rows: (db.prepare('SELECT * FROM panel_audit ORDER BY id DESC LIMIT ? OFFSET ?').all(b.limit, b.offset) as AuditRow[]).map(toRecord), total };
    }),
  };
}

export function postgresAuditLog(q: Queryable, run: Run<'async'>): AuditLog {
  return {
    append: (e) => run('auditAppend', async () => {
      const r = await q.query<{ id: number }>(`INSERT INTO panel_audit (at, user_name, role, ip, action, target, details)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, [e.at, e.user, e.role, e.ip, e.action, e.target, JSON.stringify(e.details ?? null)]);
      return Number(r.rows[0]?.id ?? 0);
    }),
    page: (p) => run('auditPage', async () => {
      const b = bounds(p);
      const total = (await q.query<{ n: number }>('SELECT COUNT(*) AS n FROM panel_audit')).rows[0]?.n ?? 0;
      const rows = await q.query<AuditRow>('SELECT * FROM panel_audit ORDER BY id DESC LIMIT $1 OFFSET $2', [b.limit, b.offset]);
      return { rows: rows.rows.map(toRecord), total: Number(total) };
    }),
  };
}

/** The in-memory twin (the panel's fake port, the demo). */
export function memoryAuditLog(): AuditLog {
  const rows: AuditRecord[] = [];
  return {
    append: async (e) => {
      const id = rows.length + 1;
      rows.push({ id, ...e, details: JSON.parse(JSON.stringify(e.details ?? null)) as unknown });
      return id;
    },
    page: async (q) => {
      const b = bounds(q);
      return { rows: rows.slice().reverse().slice(b.offset, b.offset + b.limit), total: rows.length };
    },
  };
}
