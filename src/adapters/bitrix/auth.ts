/**
 * The two ways to authorize REST calls (reference §2):
 * - WebhookAuth: `https://portal/rest/{user}/{secret}/` + `{method}.json`.
 * - OAuthAuth: `client_endpoint` + `{method}.json` with `auth=access_token` in the body; on
 *   `expired_token` / `invalid_token` (and only then) one single-flight refresh against the OAuth
 *   server, the rotated pair handed to `persist`, and exactly one retry of the original request.
 *
 * Neither class ever puts a secret into a log line or an error message.
 */
import { b24Error, b24LocalError } from './errors.js';
import { exchange } from './transport.js';
import type { FetchLike } from './transport.js';
import type { B24Params } from './types.js';
import { silentLogger } from '../../log.js';
import type { Logger } from '../../log.js';

/** Where one REST call goes and what it carries. */
export interface B24RequestTarget {
  readonly url: string;
  readonly body: Record<string, unknown>;
  /** Opaque: which credential was used (lets a refresh tell whether someone already renewed). */
  readonly credential: string;
}

export interface B24Auth {
  readonly kind: 'webhook' | 'oauth';
  /** Safe for logs: portal host and auth kind only. */
  readonly label: string;
  target(method: string, params: B24Params): B24RequestTarget;
  /**
   * The portal rejected `used` with expired_token/invalid_token. Resolves true when a retry with
   * a fresh credential makes sense; rejects with the refresh error.
   */
  renew(used: B24RequestTarget): Promise<boolean>;
}

/** `https://portal/rest/1/secret/` → webhook auth. http:// is allowed (on-prem, emulator). */
export class WebhookAuth implements B24Auth {
  readonly kind = 'webhook' as const;
  readonly label: string;
  readonly userId: number;
  private readonly base: string;

  constructor(webhookUrl: string) {
    let u: URL;
    try {
      u = new URL(webhookUrl);
    } catch (e) {
      throw b24LocalError('config', 'webhook URL is not a valid URL', { cause: undefined, details: { reason: String((e as Error).name) } });
    }
    const m = /^(.*\/rest)\/(\d+)\/([^/]+)\/?$/.exec(u.pathname);
    if (!m || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.search) {
      throw b24LocalError('config', 'webhook URL must look like https://portal/rest/<user id>/<secret>/');
    }
    this.userId = Number(m[2]);
    this.base = `${u.origin}${m[1]}/${m[2]}/${m[3]}/`;
    this.label = `webhook ${u.host} user ${this.userId}`;
  }

  target(method: string, params: B24Params): B24RequestTarget {
    return { url: `${this.base}${method}.json`, body: { ...params }, credential: 'webhook' };
  }

  /** A webhook code cannot be refreshed. */
  async renew(): Promise<boolean> {
    return false;
  }
}

/** Everything to persist for an installed application. */
export interface OAuthTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** `https://portal/rest/` (from the install event or the token response). */
  readonly clientEndpoint: string;
  /** Epoch ms, informational (we refresh on rejection, never on a timer). */
  readonly expiresAt?: number;
  readonly memberId?: string;
  /** Portal domain. */
  readonly domain?: string;
  readonly serverEndpoint?: string;
  readonly scope?: string;
  /** Secret every event of this app carries (stored from ONAPPINSTALL). */
  readonly applicationToken?: string;
}

export interface OAuthAuthOptions {
  readonly tokens: OAuthTokens;
  /** Needed to refresh; without them a rejected token is final (B24_OAUTH_NO_REFRESH). */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Token endpoint. Default `{oauthServer}/oauth/token/`. */
  readonly tokenUrl?: string;
  /** OAuth server base (config `bitrix.oauth.oauthServer`). Default `https://oauth.bitrix.info`. */
  readonly oauthServer?: string;
  /** The docs document GET with a query string; the JS SDK POSTs a form. Default GET. */
  readonly refreshHttpMethod?: 'GET' | 'POST';
  /** Called with every rotated pair; the old refresh token is dead once this is called. */
  readonly persist?: (tokens: OAuthTokens) => void | Promise<void>;
  readonly fetch?: FetchLike;
  readonly logger?: Logger;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_OAUTH_TOKEN_URL = 'https://oauth.bitrix.info/oauth/token/';

export class OAuthAuth implements B24Auth {
  readonly kind = 'oauth' as const;
  private current: OAuthTokens;
  private refreshing: Promise<OAuthTokens> | undefined;
  private readonly opts: OAuthAuthOptions;
  private readonly log: Logger;
  private refreshCount = 0;

  constructor(options: OAuthAuthOptions) {
    this.opts = options;
    this.current = { ...options.tokens, clientEndpoint: withSlash(options.tokens.clientEndpoint) };
    this.log = (options.logger ?? silentLogger).child({ component: 'b24-oauth' });
  }

  get label(): string {
    return `oauth ${hostOf(this.current.clientEndpoint)}`;
  }

  /** A copy of the current tokens. */
  tokens(): OAuthTokens {
    return { ...this.current };
  }

  /** A new pair from an installation (ONAPPINSTALL): used from now on, and persisted. */
  async install(tokens: OAuthTokens): Promise<void> {
    this.current = { ...tokens, clientEndpoint: withSlash(tokens.clientEndpoint) };
    await this.persistSafely(this.current);
  }

  get memberId(): string | undefined {
    return this.current.memberId;
  }

  get applicationToken(): string | undefined {
    return this.current.applicationToken;
  }

  /** How many refreshes this instance has performed (metrics, tests). */
  get refreshes(): number {
    return this.refreshCount;
  }

  target(method: string, params: B24Params): B24RequestTarget {
    const token = this.current.accessToken;
    return { url: `${this.current.clientEndpoint}${method}.json`, body: { ...params, auth: token }, credential: token };
  }

  async renew(used: B24RequestTarget): Promise<boolean> {
    // Someone refreshed while this request was in flight: just retry with the new token.
    if (used.credential !== this.current.accessToken) return true;
    await this.refresh();
    return true;
  }

  /** Refreshes the pair; concurrent callers share one request to the OAuth server. */
  refresh(): Promise<OAuthTokens> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<OAuthTokens> {
    const { clientId, clientSecret } = this.opts;
    if (!clientId || !clientSecret || !this.current.refreshToken) {
      throw b24LocalError('noRefreshToken', 'Bitrix24 OAuth: token rejected and refresh is not configured');
    }
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      client_secret: clientSecret,
      refresh_token: this.current.refreshToken,
    }).toString();
    const tokenUrl = this.opts.tokenUrl
      ?? (this.opts.oauthServer ? `${this.opts.oauthServer.replace(/\/+$/, '')}/oauth/token/` : DEFAULT_OAUTH_TOKEN_URL);
    const isPost = this.opts.refreshHttpMethod === 'POST';
    const res = await exchange(this.opts.fetch ?? fetch, {
      url: isPost ? tokenUrl : `${tokenUrl}${tokenUrl.includes('?') ? '&' : '?'}${form}`,
      method: isPost ? 'POST' : 'GET',
      headers: isPost ? { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }
        : { Accept: 'application/json' },
      ...(isPost ? { body: form } : {}),
      timeoutMs: this.opts.timeoutMs ?? 60_000,
      label: 'oauth/token',
    });
    const body = (res.json ?? {}) as Record<string, unknown>;
    if (typeof body.error === 'string' || res.status >= 400) {
      throw b24Error({
        method: 'oauth/token', status: res.status,
        error: typeof body.error === 'string' ? body.error : undefined,
        description: typeof body.error_description === 'string' ? body.error_description : undefined,
      });
    }
    const next = tokensFromTokenResponse(body, this.current, (this.opts.now ?? Date.now)());
    this.current = next;
    this.refreshCount++;
    this.log.info({ host: hostOf(next.clientEndpoint), memberId: next.memberId }, 'bitrix24 oauth tokens refreshed');
    await this.persistSafely(next);
    return { ...next };
  }

  private async persistSafely(tokens: OAuthTokens): Promise<void> {
    if (!this.opts.persist) return;
    try {
      await this.opts.persist({ ...tokens });
    } catch (e) {
      // The new pair still works in memory; after a restart the old refresh token will fail.
      this.log.error({ err: (e as Error)?.message, code: (e as { code?: unknown })?.code },
        'bitrix24 oauth: persisting refreshed tokens failed; re-authorization may be needed after restart');
    }
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

function hostOf(u: string): string {
  try {
    return new URL(u).host;
  } catch {
    return '?';
  }
}

/** Maps an OAuth token response onto the stored tokens (the response's `domain` is the OAuth server). */
export function tokensFromTokenResponse(body: Record<string, unknown>, prev: OAuthTokens, nowMs: number): OAuthTokens {
  const accessToken = str(body.access_token);
  const refreshToken = str(body.refresh_token);
  if (!accessToken || !refreshToken) {
    throw b24LocalError('refreshFailed', 'Bitrix24 OAuth: token response without access_token/refresh_token');
  }
  const expires = Number(body.expires);
  const expiresIn = Number(body.expires_in);
  const expiresAt = Number.isFinite(expires) && expires > 0 ? expires * 1000
    : Number.isFinite(expiresIn) && expiresIn > 0 ? nowMs + expiresIn * 1000 : undefined;
  const clientEndpoint = str(body.client_endpoint);
  return {
    ...prev,
    accessToken,
    refreshToken,
    clientEndpoint: clientEndpoint ? withSlash(clientEndpoint) : prev.clientEndpoint,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    ...(str(body.member_id) ? { memberId: str(body.member_id) } : {}),
    ...(str(body.server_endpoint) ? { serverEndpoint: str(body.server_endpoint) } : {}),
    ...(str(body.scope) ? { scope: str(body.scope) } : {}),
  };
}

/**
 * ONAPPINSTALL: the install event's `auth` block → the tokens to persist. Accepts the nested
 * block (`{access_token, …}`) or the flat form body (`auth[access_token]` keys).
 */
export function tokensFromInstallEvent(auth: Readonly<Record<string, unknown>>, nowMs: number): OAuthTokens {
  const get = (k: string): string | undefined => str(auth[k]) ?? str(auth[`auth[${k}]`]);
  const accessToken = get('access_token');
  const refreshToken = get('refresh_token');
  const domain = get('domain');
  const endpoint = get('client_endpoint') ?? (domain ? `https://${domain}/rest/` : undefined);
  if (!accessToken || !refreshToken || !endpoint) {
    throw b24LocalError('eventBadPayload', 'ONAPPINSTALL auth block lacks access_token, refresh_token or client_endpoint');
  }
  const expiresIn = Number(get('expires_in'));
  const out: OAuthTokens = {
    accessToken,
    refreshToken,
    clientEndpoint: withSlash(endpoint),
    ...(Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresAt: nowMs + expiresIn * 1000 } : {}),
    ...(get('member_id') ? { memberId: get('member_id') } : {}),
    ...(domain ? { domain } : {}),
    ...(get('server_endpoint') ? { serverEndpoint: get('server_endpoint') } : {}),
    ...(get('scope') ? { scope: get('scope') } : {}),
    ...(get('application_token') ? { applicationToken: get('application_token') } : {}),
  };
  return out;
}
