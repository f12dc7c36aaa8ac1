/**
 * Audit entries for changes made through the panel: what each action records, and the settings
 * diff (old → new per key, dot paths as the settings form names them) with secrets masked. The
 * entries are stored through PanelPort.audit (the store's `panel_audit` table).
 */
import type { NewAuditRecord } from '../store/audit-log.js';
import type { Role } from './roles.js';

export const AUDIT_ACTIONS = ['settings.save', 'settings.reset', 'outbox.retry', 'outbox.discard', 'hooks.enable', 'hooks.disable'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditActor {
  readonly user: string;
  readonly role: Role;
  readonly ip: string;
}

export interface SettingChange {
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

export const MASK = '***';
/** Key names whose values are secrets wherever they appear. */
const SECRET_KEY = /secret|password|passwd|token|hash|webhookurl|^url$/i;

/** A URL with its password and query values hidden (hook URLs may carry tokens). */
function maskUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return v;
  }
  if (!/^https?:$/.test(u.protocol)) return v;
  if (u.password) u.password = MASK;
  for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, MASK);
  return u.toString().replaceAll(encodeURIComponent(MASK), MASK);
}

/** The value as the audit log may keep it. */
export function maskValue(path: string, v: unknown): unknown {
  if (v === undefined || v === null || v === '') return v;
  const key = path.split('.').pop() ?? '';
  if (SECRET_KEY.test(key) && !path.startsWith('hooks.urls.')) return MASK;
  if (typeof v === 'string') return maskUrl(v);
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Arrays of plain values (lists) compare as one value; objects and arrays of objects key by key. */
function leaves(v: unknown, path: string, out: Map<string, unknown>): void {
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
  } else if (Array.isArray(v) && v.some((x) => isPlainObject(x) || Array.isArray(x))) {
    v.forEach((x, i) => leaves(x, `${path}.${i}`, out));
  } else if (v !== undefined) {
    out.set(path, v);
  }
}

/** Every key whose value differs between two settings objects, sorted by path, secrets masked. */
export function settingsDiff(before: unknown, after: unknown): SettingChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  leaves(before, '', a);
  leaves(after, '', b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: SettingChange[] = [];
  for (const p of paths) {
    const x = a.get(p);
    const y = b.get(p);
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    out.push({ path: p, from: maskValue(p, x) ?? null, to: maskValue(p, y) ?? null });
  }
  return out;
}

/** The top-level sections the changes touch. */
export function sectionsOf(changes: readonly SettingChange[]): string[] {
  return [...new Set(changes.map((c) => c.path.split('.')[0] ?? c.path))];
}

export function auditEntry(actor: AuditActor, at: number, action: AuditAction, target: string, details: unknown): NewAuditRecord {
  return { at, user: actor.user, role: actor.role, ip: actor.ip, action, target, details };
}

/** A settings save or reset: target is the changed sections, details the changes. */
export function settingsEntry(actor: AuditActor, at: number, action: 'settings.save' | 'settings.reset', before: unknown, after: unknown): NewAuditRecord {
  const changes = settingsDiff(before, after);
  return auditEntry(actor, at, action, sectionsOf(changes).join(','), { changes });
}

/** One line of text for an entry's details (the page and the CSV). */
export function detailsText(details: unknown): string {
  if (isPlainObject(details) && Array.isArray(details.changes)) {
    return (details.changes as SettingChange[]).map((c) => `${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join('; ');
  }
  if (isPlainObject(details)) return Object.entries(details).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  return details === undefined || details === null ? '' : JSON.stringify(details);
}
