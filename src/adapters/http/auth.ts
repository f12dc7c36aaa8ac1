/**
 * Panel authentication: scrypt password hashes, in-memory sessions with idle expiry, per-session
 * CSRF tokens and a login attempt limiter. The HTTP wiring (cookies, routes) is in routes-auth.ts.
 *
 * Hash format: `scrypt$N$r$p$saltB64$hashB64` (node:crypto scrypt, compared with timingSafeEqual).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConnectorError } from '../../errors.js';
import type { Role } from './roles.js';

export interface PasswordHashOptions {
  /** CPU/memory cost, a power of two. Default 2^15. */
  readonly N?: number;
  readonly r?: number;
  readonly p?: number;
}

interface ParsedHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const KEY_LEN = 32;
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;

function scrypt(password: string, salt: Buffer, keyLen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keyLen, o, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function scryptOptions(h: { N: number; r: number; p: number }): ScryptOptions {
  // Node refuses N·r above its 32 MB default memory cap; allow what the parameters need.
  return { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r + 1024 * 1024 };
}

export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const N = options.N ?? DEFAULTS.N;
  const r = options.r ?? DEFAULTS.r;
  const p = options.p ?? DEFAULTS.p;
  if (!Number.isInteger(Math.log2(N)) || N < 2 || r < 1 || p < 1) {
    throw new ConnectorError('HTTP_BAD_HASH_PARAMS', 'scrypt needs N a power of two ≥ 2, r ≥ 1, p ≥ 1', { details: { N, r, p } });
  }
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LEN, scryptOptions({ N, r, p }));
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function parsePasswordHash(stored: string): ParsedHash | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return undefined;
  const N = Number(m[1]);
  const r = Number(m[2]);
  const p = Number(m[3]);
  const salt = Buffer.from(m[4] ?? '', 'base64');
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (!Number.isInteger(Math.log2(N)) || N < 2 || N > 2 ** 22 || r < 1 || r > 64 || p < 1 || p > 16) return undefined;
  if (salt.length < 8 || hash.length < 16) return undefined;
  return { N, r, p, salt, hash };
}

/** Constant-time check. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parsePasswordHash(stored);
  if (!h) return false;
  const got = await scrypt(password, h.salt, h.hash.length, scryptOptions(h));
  return timingSafeEqual(got, h.hash);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Timing-safe string comparison (false on any length mismatch). */
export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

export interface Session {
  readonly id: string;
  readonly user: string;
  /** What the user may do (roles.ts). */
  readonly role: Role;
  readonly csrf: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface SessionStoreOptions {
  readonly now: () => number;
  /** Idle expiry. Default 30 min. */
  readonly idleMs?: number;
  /** Hard expiry whatever the activity. Default 12 h. */
  readonly absoluteMs?: number;
  /** Oldest sessions are dropped past this. Default 100. */
  readonly maxSessions?: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly maxSessions: number;

  constructor(private readonly opts: SessionStoreOptions) {
    this.idleMs = opts.idleMs ?? 30 * 60_000;
    this.absoluteMs = opts.absoluteMs ?? 12 * 3_600_000;
    this.maxSessions = opts.maxSessions ?? 100;
  }

  create(user: string, role: Role = 'admin'): Session {
    const now = this.opts.now();
    this.sweep(now);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.sessions.delete(oldest.value);
    }
    const s: Session = { id: randomToken(), user, role, csrf: randomToken(), createdAt: now, lastSeenAt: now };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session with this id, touched; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.opts.now();
    if (this.expired(s, now)) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeenAt = now;
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastSeenAt > this.idleMs || now - s.createdAt > this.absoluteMs;
  }

  private sweep(now: number): void {
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
  }
}

export interface AttemptLimiterOptions {
  readonly now: () => number;
  /** Failed attempts allowed per key in the window. Default 5. */
  readonly max?: number;
  /** Default 60 s. */
  readonly windowMs?: number;
}

export type AttemptVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSec: number };

/**
 * Sliding window of failed attempts per key (`ip:…`, `user:…`). Once `max` failures are in the
 * window, attempts are refused until the oldest one leaves it.
 */
export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  readonly max: number;
  readonly windowMs: number;

  constructor(private readonly opts: AttemptLimiterOptions) {
    this.max = opts.max ?? 5;
    this.windowMs = opts.windowMs ?? 60_000;
  }

  check(key: string): AttemptVerdict {
    const now = this.opts.now();
    const list = this.recent(key, now);
    if (list.length < this.max) return { allowed: true };
    const oldest = list[list.length - this.max] ?? now;
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000)) };
  }

  fail(key: string): void {
    const now = this.opts.now();
    const list = this.recent(key, now);
    list.push(now);
    this.failures.set(key, list);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }
}
