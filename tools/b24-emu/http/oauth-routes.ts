/**
 * The OAuth server part (reference §2.2): `GET|POST /oauth/token/` with
 * `grant_type=refresh_token&client_id&client_secret&refresh_token` → a new access+refresh pair (the
 * used refresh token is invalidated), or `grant_type=authorization_code&…&code` after
 * `/oauth/authorize/`. Errors are `{error, error_description}` with the documented
 * codes (`invalid_request`, `invalid_client`, `invalid_grant`); the docs give no HTTP statuses for
 * them, so we use 400, 401 (bad client) and 400.
 */
import type { Context } from 'hono';
import { toApiError } from './envelope.js';
import { readRequestParams } from './request-params.js';
import type { EmuRuntime } from './runtime.js';
import type { TokenPair } from './tokens.js';

const OAUTH_ERRORS = {
  invalid_request: { status: 400, text: 'Invalid request' },
  invalid_client: { status: 401, text: 'Invalid client credentials' },
  invalid_grant: { status: 400, text: 'Invalid grant' },
  unsupported_grant_type: { status: 400, text: 'Unsupported grant type' },
} as const;

type OAuthErrorCode = keyof typeof OAUTH_ERRORS;

/** The refresh answer of §2.2 (`domain` is the OAuth server's, `expires` unix seconds). */
export function tokenResponse(rt: EmuRuntime, pair: TokenPair): Record<string, unknown> {
  const base = rt.baseUrl();
  return {
    access_token: pair.access_token,
    expires: Math.floor(pair.expiresAt / 1000),
    expires_in: rt.tokens.tokenLifetimeSec,
    scope: rt.tokens.app.scope,
    domain: new URL(base).host,
    server_endpoint: `${base}/rest/`,
    status: rt.tokens.app.status,
    client_endpoint: `${base}/rest/`,
    member_id: rt.tokens.app.member_id,
    user_id: pair.userId,
    refresh_token: pair.refresh_token,
  };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * `GET /oauth/authorize/?client_id=…&state=…[&redirect_uri=…][&user_id=N]`: the user step, done
 * without a login page (user 1 unless `user_id` is given). Redirects (302) to `redirect_uri` with
 * `code`, `state`, `domain`, `member_id`, `scope`, `server_domain`; without one answers them as JSON.
 */
export function handleOAuthAuthorize(rt: EmuRuntime, c: Context): Response {
  const q = new URL(c.req.url).searchParams;
  if (q.get('client_id') !== rt.tokens.app.client_id) {
    return c.json({ error: 'invalid_client', error_description: OAUTH_ERRORS.invalid_client.text }, 401);
  }
  const userId = Number(q.get('user_id') ?? '1') || 1;
  const host = new URL(rt.baseUrl()).host;
  const answer = {
    code: rt.tokens.issueCode(userId),
    state: q.get('state') ?? '',
    domain: host,
    member_id: rt.tokens.app.member_id,
    scope: rt.tokens.app.scope,
    server_domain: host,
  };
  const redirect = q.get('redirect_uri');
  if (!redirect) return c.json(answer);
  const target = new URL(redirect);
  for (const [k, v] of Object.entries(answer)) target.searchParams.set(k, v);
  return c.redirect(target.toString(), 302);
}

export async function handleOAuthToken(rt: EmuRuntime, c: Context): Promise<Response> {
  const now = rt.clock.now();
  let params: Record<string, unknown>;
  try {
    params = (await readRequestParams(c.req.raw)).params;
  } catch (e) {
    const err = toApiError(e);
    return c.json({ error: 'invalid_request', error_description: err.description }, 400);
  }
  const fail = (code: OAuthErrorCode) => {
    const { status, text } = OAUTH_ERRORS[code];
    rt.log.add({ at: now, kind: 'oauth', httpMethod: c.req.method, path: '/oauth/token/', method: 'oauth.token', params, status, error: code, error_description: text });
    return c.json({ error: code, error_description: text }, status);
  };
  const grant = str(params['grant_type']);
  const id = str(params['client_id']);
  const secret = str(params['client_secret']);
  let out;
  if (grant === 'refresh_token') out = rt.tokens.refresh(id, secret, str(params['refresh_token']));
  else if (grant === 'authorization_code') out = rt.tokens.exchangeCode(id, secret, str(params['code']));
  else return fail(grant === '' ? 'invalid_request' : 'unsupported_grant_type');
  if (!out.ok) return fail(out.error);
  rt.log.add({ at: now, kind: 'oauth', httpMethod: c.req.method, path: '/oauth/token/', method: 'oauth.token', params, status: 200, userId: out.pair.userId });
  const body = tokenResponse(rt, out.pair);
  if (grant === 'authorization_code') {
    // The code exchange answer has no `expires` and no `user_id` (§2.2 table).
    delete body['expires'];
    delete body['user_id'];
  }
  return c.json(body, 200);
}
