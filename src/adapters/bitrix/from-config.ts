/**
 * Builds the Bitrix24 adapters from the `bitrix` config section (src/config/schema.ts), for the
 * composition root: auth (webhook or OAuth), the shared limiter, the REST client, and the
 * application-token getter the event intake needs. Tokens rotated by a refresh are handed to
 * `persistTokens`; tokens stored earlier (`storedTokens`) win over the config file's.
 */
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import { OAuthAuth, WebhookAuth } from './auth.js';
import type { B24Auth, OAuthTokens } from './auth.js';
import { B24RestClient } from './client.js';
import { b24LocalError } from './errors.js';
import { B24Limiter } from './limiter.js';
import type { FetchLike } from './transport.js';

export type BitrixConfig = Config['bitrix'];

export interface BitrixAdapterDeps {
  readonly logger?: Logger;
  readonly persistTokens?: (tokens: OAuthTokens) => void | Promise<void>;
  readonly storedTokens?: OAuthTokens;
  readonly fetch?: FetchLike;
  readonly onRequest?: (method: string, ok: boolean, seconds: number, code?: string) => void;
}

export interface BitrixAdapters {
  readonly auth: B24Auth;
  /** Present in OAuth mode. */
  readonly oauth?: OAuthAuth;
  readonly limiter: B24Limiter;
  readonly client: B24RestClient;
  /** Stored application token(s), for createEventIntake. */
  readonly applicationTokens: () => string[];
}

export function createBitrixAdapters(cfg: BitrixConfig, deps: BitrixAdapterDeps = {}): BitrixAdapters {
  const limiter = new B24Limiter({ capacity: cfg.limits.capacity, drainPerSec: cfg.limits.drainPerSec });
  let auth: B24Auth;
  let oauth: OAuthAuth | undefined;
  let configToken = '';
  if (cfg.auth === 'webhook') {
    if (!cfg.webhookUrl) throw b24LocalError('config', 'bitrix.webhookUrl is required in webhook mode');
    auth = new WebhookAuth(cfg.webhookUrl);
  } else {
    const o = cfg.oauth;
    if (!o) throw b24LocalError('config', 'bitrix.oauth is required in oauth mode');
    configToken = o.applicationToken;
    const tokens: OAuthTokens = deps.storedTokens ?? {
      accessToken: o.accessToken,
      refreshToken: o.refreshToken,
      clientEndpoint: o.clientEndpoint,
      ...(o.memberId ? { memberId: o.memberId } : {}),
      ...(o.applicationToken ? { applicationToken: o.applicationToken } : {}),
    };
    oauth = new OAuthAuth({
      tokens,
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      oauthServer: o.oauthServer,
      ...(deps.persistTokens ? { persist: deps.persistTokens } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      timeoutMs: cfg.requestTimeoutMs,
    });
    auth = oauth;
  }
  const client = new B24RestClient({
    auth, limiter, timeoutMs: cfg.requestTimeoutMs,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.onRequest ? { onRequest: deps.onRequest } : {}),
  });
  const applicationTokens = (): string[] =>
    [...new Set([oauth?.applicationToken, configToken].filter((t): t is string => !!t))];
  return { auth, ...(oauth ? { oauth } : {}), limiter, client, applicationTokens };
}
