/**
 * Bitrix24 users by inner phone (UF_PHONE_INNER), cached.
 * - Loaded at start and refreshed periodically (every `refreshMs`).
 * - A miss triggers a refresh, at most once per `missRefreshMinMs`, so a stream of calls from an
 *   unknown extension cannot flood the portal.
 * - A failed `user.get` keeps the previous directory: it is never wiped by one error.
 * Inner phones are normalised with the same rules as at lookup (normaliseInnerPhone).
 * - `onPhonesChanged` listeners hear when a load changes the set of inner phones (the tracker's
 *   extension list follows: a portal unreachable at start, a new employee's extension).
 */
import type { B24Client, B24Envelope } from '../adapters/bitrix/types.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';

export interface DirectoryUser {
  readonly id: number;
  readonly name: string;
  readonly innerPhone: string;
  readonly email?: string;
  readonly position?: string;
  readonly active: boolean;
  /** The user's other phone fields (PERSONAL_MOBILE, WORK_PHONE, PERSONAL_PHONE) as Bitrix24 returned them. */
  readonly phones?: Readonly<Record<string, string>>;
}

/** User fields that can hold an employee's own (mobile) numbers, kept for FMC. */
export const PHONE_FIELDS = ['PERSONAL_MOBILE', 'WORK_PHONE', 'PERSONAL_PHONE'] as const;

export interface UserDirectoryOptions {
  readonly client: Pick<B24Client, 'callRaw'>;
  readonly logger: Logger;
  readonly now: () => number;
  readonly normalise: (innerPhone: string) => string;
  readonly refreshMs?: number;
  readonly missRefreshMinMs?: number;
  /** Safety cap on pages read (50 users each). */
  readonly maxPages?: number;
}

export class UserDirectory {
  private byPhone = new Map<string, DirectoryUser>();
  private byId = new Map<number, DirectoryUser>();
  private loadedAt = 0;
  private lastMissRefresh = -Infinity;
  private inflight: Promise<boolean> | undefined;
  private failures = 0;
  private readonly phoneListeners = new Set<(innerPhones: readonly string[]) => void>();

  constructor(private readonly opts: UserDirectoryOptions) {}

  /** Called after a load that changed the set of inner phones; returns the unsubscribe function. */
  onPhonesChanged(fn: (innerPhones: readonly string[]) => void): () => void {
    this.phoneListeners.add(fn);
    return () => this.phoneListeners.delete(fn);
  }

  /** Size, last load time and failure count, for /metrics and the panel. */
  stats(): { users: number; loadedAt: number; failures: number } {
    return { users: this.byId.size, loadedAt: this.loadedAt, failures: this.failures };
  }

  byUserId(id: number): DirectoryUser | undefined {
    return this.byId.get(id);
  }

  /** Inner phones of every known user (feeds the tracker's extension detection). */
  innerPhones(): string[] {
    return [...this.byPhone.keys()];
  }

  /**
   * The users with an inner phone as portal rows (UF_PHONE_INNER and the phone fields), for the
   * tracker configuration: extensions, and the employees' mobiles for FMC.
   */
  portalRows(): Array<Record<string, string | boolean>> {
    return [...this.byPhone.values()].map((u) => ({ ...u.phones, UF_PHONE_INNER: u.innerPhone, ACTIVE: true }));
  }

  /** Cached lookup; never touches the network. */
  peek(innerPhone: string): DirectoryUser | undefined {
    return this.byPhone.get(this.opts.normalise(innerPhone));
  }

  /** Lookup; on a miss (or when stale) refreshes first, within the rate rules above. */
  async find(innerPhone: string): Promise<DirectoryUser | undefined> {
    const key = this.opts.normalise(innerPhone);
    const now = this.opts.now();
    if (now - this.loadedAt >= (this.opts.refreshMs ?? 15 * 60_000)) await this.refresh();
    const hit = this.byPhone.get(key);
    if (hit) return hit;
    if (now - this.lastMissRefresh >= (this.opts.missRefreshMinMs ?? 60_000)) {
      this.lastMissRefresh = now;
      await this.refresh();
    }
    return this.byPhone.get(key);
  }

  /** Reloads every active user; resolves false (keeping the old directory) on failure. */
  refresh(): Promise<boolean> {
    this.inflight ??= this.load().finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  private async load(): Promise<boolean> {
    const byPhone = new Map<string, DirectoryUser>();
    const byId = new Map<number, DirectoryUser>();
    try {
      let start: number | undefined = 0;
      for (let page = 0; start !== undefined && page < (this.opts.maxPages ?? 200); page++) {
        const env: B24Envelope = await this.opts.client.callRaw('user.get', { FILTER: { ACTIVE: true }, start });
        const rows = Array.isArray(env.result) ? (env.result as Array<Record<string, unknown>>) : [];
        for (const row of rows) {
          const user = toUser(row, this.opts.normalise);
          if (!user) continue;
          byId.set(user.id, user);
          if (user.innerPhone && user.active && !byPhone.has(user.innerPhone)) byPhone.set(user.innerPhone, user);
        }
        start = typeof env.next === 'number' ? env.next : undefined;
      }
    } catch (e) {
      this.failures++;
      this.opts.logger.warn({ code: errorCode(e), users: this.byId.size }, 'user.get failed; keeping the cached user directory');
      return false;
    }
    const before = this.byPhone;
    this.byPhone = byPhone;
    this.byId = byId;
    this.loadedAt = this.opts.now();
    if (before.size !== byPhone.size || [...byPhone].some(([p, u]) => !samePhones(before.get(p), u))) {
      const phones = this.innerPhones();
      for (const fn of this.phoneListeners) {
        try {
          fn(phones);
        } catch (e) {
          this.opts.logger.warn({ code: errorCode(e) }, 'a user directory listener failed');
        }
      }
    }
    return true;
  }
}

/** Same inner phone owner with the same other phones (an FMC mobile changed is a change too). */
function samePhones(a: DirectoryUser | undefined, b: DirectoryUser): boolean {
  return a !== undefined && a.id === b.id && JSON.stringify(a.phones ?? {}) === JSON.stringify(b.phones ?? {});
}

function phoneFields(row: Record<string, unknown>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const f of PHONE_FIELDS) {
    const v = row[f];
    if (typeof v === 'string' && v.trim() !== '') (out ??= {})[f] = v.trim();
  }
  return out;
}

function toUser(row: Record<string, unknown>, normalise: (s: string) => string): DirectoryUser | undefined {
  const id = Number(row['ID']);
  if (!Number.isInteger(id) || id <= 0) return undefined;
  const name = [row['NAME'], row['LAST_NAME']].filter((x) => typeof x === 'string' && x).join(' ');
  const inner = typeof row['UF_PHONE_INNER'] === 'string' || typeof row['UF_PHONE_INNER'] === 'number' ? normalise(String(row['UF_PHONE_INNER'])) : '';
  const user: DirectoryUser = { id, name, innerPhone: inner, active: row['ACTIVE'] !== false && row['ACTIVE'] !== 'N' };
  return {
    ...user,
    ...(typeof row['EMAIL'] === 'string' && row['EMAIL'] ? { email: row['EMAIL'] } : {}),
    ...(typeof row['WORK_POSITION'] === 'string' && row['WORK_POSITION'] ? { position: row['WORK_POSITION'] } : {}),
    ...(phoneFields(row) ? { phones: phoneFields(row) } : {}),
  };
}
