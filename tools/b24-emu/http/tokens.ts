/**
 * Credentials the emulated portal and its OAuth server know: incoming webhooks (user id + secret),
 * the one installed local application (client_id/secret, application_token, member_id) and the
 * access/refresh token pairs issued to it (reference §2.1, §2.2). Tokens expire on the emulator clock.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmuClock } from './clock.js';

/** Makes opaque hex ids: random, or reproducible when a seed is given. */
export function createIdGenerator(seed?: string): (bytes: number) => string {
  let n = 0;
  return (bytes) => {
    if (seed === undefined) return randomBytes(bytes).toString('hex');
    let out = '';
    while (out.length < bytes * 2) out += createHash('sha256').update(`${seed}:${n++}`).digest('hex');
    return out.slice(0, bytes * 2);
  };
}

export interface AppIdentity {
  readonly client_id: string;
  readonly client_secret: string;
  readonly application_token: string;
  readonly member_id: string;
  /** Comma list as in OAuth responses (reference §2.2). */
  readonly scope: string;
  /** Application status letter (`L` = local). */
  readonly status: string;
}

export interface TokenPair {
  readonly access_token: string;
  readonly refresh_token: string;
  /** Epoch ms when the access token stops working. */
  readonly expiresAt: number;
  readonly userId: number;
}

export type AccessCheck =
  | { readonly ok: true; readonly userId: number; readonly clientId: string }
  | { readonly ok: false; readonly reason: 'unknown' | 'expired' };

export type RefreshOutcome =
  | { readonly ok: true; readonly pair: TokenPair }
  | { readonly ok: false; readonly error: 'invalid_client' | 'invalid_grant' | 'invalid_request' };

const REFRESH_LIFETIME_MS = 180 * 24 * 3600 * 1000;
/** An authorization `code` is valid for 30 s (§2.2). */
const CODE_LIFETIME_MS = 30_000;

interface AccessRecord { userId: number; clientId: string; expiresAt: number }
interface RefreshRecord { userId: number; clientId: string; expiresAt: number }

export class TokenStore {
  readonly app: AppIdentity;
  private readonly webhooks = new Map<string, number>();
  private readonly access = new Map<string, AccessRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly codes = new Map<string, { userId: number; expiresAt: number }>();

  constructor(
    private readonly clock: EmuClock,
    private readonly lifetimeSec: number,
    private readonly newId: (bytes: number) => string,
    app?: Partial<AppIdentity>,
  ) {
    this.app = {
      client_id: app?.client_id ?? `local.${newId(7).slice(0, 13)}.${parseInt(newId(4), 16) % 100_000_000}`,
      client_secret: app?.client_secret ?? newId(25),
      application_token: app?.application_token ?? newId(16),
      member_id: app?.member_id ?? newId(16),
      scope: app?.scope ?? 'crm,telephony,user,task,disk,im',
      status: app?.status ?? 'L',
    };
  }

  get tokenLifetimeSec(): number {
    return this.lifetimeSec;
  }

  /** Registers an incoming webhook of `userId`; returns its secret. */
  addWebhook(userId: number, secret?: string): string {
    const s = secret ?? this.newId(8);
    this.webhooks.set(`${userId}/${s}`, userId);
    return s;
  }

  checkWebhook(userId: number, secret: string): boolean {
    return this.webhooks.get(`${userId}/${secret}`) === userId;
  }

  /** A fresh access+refresh pair for the app acting as `userId`. */
  issue(userId: number): TokenPair {
    const now = this.clock.now();
    const pair: TokenPair = {
      access_token: this.newId(16),
      refresh_token: this.newId(16),
      expiresAt: now + this.lifetimeSec * 1000,
      userId,
    };
    this.access.set(pair.access_token, { userId, clientId: this.app.client_id, expiresAt: pair.expiresAt });
    this.refreshTokens.set(pair.refresh_token, {
      userId,
      clientId: this.app.client_id,
      expiresAt: now + REFRESH_LIFETIME_MS,
    });
    return pair;
  }

  checkAccess(token: string): AccessCheck {
    const rec = this.access.get(token);
    if (!rec) return { ok: false, reason: 'unknown' };
    if (this.clock.now() >= rec.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, userId: rec.userId, clientId: rec.clientId };
  }

  /** The refresh_token grant: a new pair; the used refresh token is gone for good (§2.2). */
  refresh(clientId: string, clientSecret: string, refreshToken: string): RefreshOutcome {
    if (!clientId || !clientSecret || !refreshToken) return { ok: false, error: 'invalid_request' };
    if (clientId !== this.app.client_id || clientSecret !== this.app.client_secret) {
      return { ok: false, error: 'invalid_client' };
    }
    const rec = this.refreshTokens.get(refreshToken);
    if (!rec || rec.clientId !== clientId) return { ok: false, error: 'invalid_grant' };
    this.refreshTokens.delete(refreshToken);
    if (this.clock.now() >= rec.expiresAt) return { ok: false, error: 'invalid_grant' };
    return { ok: true, pair: this.issue(rec.userId) };
  }

  /** The authorize step: a one-time code for `userId`, valid 30 s on the emulator clock. */
  issueCode(userId: number): string {
    const code = this.newId(16);
    this.codes.set(code, { userId, expiresAt: this.clock.now() + CODE_LIFETIME_MS });
    return code;
  }

  /** The authorization_code grant: code → first token pair; a code works once. */
  exchangeCode(clientId: string, clientSecret: string, code: string): RefreshOutcome {
    if (!clientId || !clientSecret || !code) return { ok: false, error: 'invalid_request' };
    if (clientId !== this.app.client_id || clientSecret !== this.app.client_secret) {
      return { ok: false, error: 'invalid_client' };
    }
    const rec = this.codes.get(code);
    this.codes.delete(code);
    if (!rec || this.clock.now() >= rec.expiresAt) return { ok: false, error: 'invalid_grant' };
    return { ok: true, pair: this.issue(rec.userId) };
  }

  /** Fault injection: every access token issued so far is now expired. */
  expireAllAccess(): number {
    const now = this.clock.now();
    let n = 0;
    for (const rec of this.access.values()) {
      if (rec.expiresAt > now) {
        rec.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  /** Forgets every refresh token (forces a full re-authorization: `invalid_grant`). */
  revokeAllRefresh(): number {
    const n = this.refreshTokens.size;
    this.refreshTokens.clear();
    return n;
  }
}
