/**
 * Login, logout and the session guard. Cookies are HttpOnly + SameSite=Strict (+ Secure on https
 * or when configured). Every POST behind the guard needs the session's CSRF token (form field
 * `_csrf` or header `x-csrf-token`) and, when the browser sends one, a same-host Origin. The login
 * form itself is protected by a double-submit token (cookie + field). Failed logins are limited
 * per IP and per user; over the limit the answer is 429 with Retry-After. Several users may log
 * in (roles.ts); a viewer's session is refused every change (403) here, whatever the route.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Logger } from '../../log.js';
import { AttemptLimiter, SessionStore, randomToken, tokensMatch, verifyPassword, type Session } from './auth.js';
import { forbiddenPage } from './pages/forbidden.js';
import { loginPage } from './pages/login.js';
import { canChange, findUser, isChange, type PanelUser } from './roles.js';
import type { FormBody } from './pages/settings-form.js';
import type { TFunction } from './ui/texts/index.js';

export const SESSION_COOKIE = 'ab24_session';
export const LOGIN_COOKIE = 'ab24_login';

export type PanelEnv = { Variables: { session: Session } };

export interface AuthDeps {
  /** Who may log in (roles.ts panelUsers); none: logging in is disabled. */
  readonly users: readonly PanelUser[];
  readonly now: () => number;
  readonly sessions: SessionStore;
  readonly attempts: AttemptLimiter;
  readonly t: TFunction;
  readonly logger: Logger;
  readonly secureCookies: boolean;
  readonly clientIp: (c: Context) => string;
}

export function isSecureRequest(c: Context, forced: boolean): boolean {
  return forced || new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** The posted form as strings (files are ignored). */
export async function readForm(c: Context): Promise<FormBody> {
  const ct = c.req.header('content-type') ?? '';
  if (!ct.includes('application/x-www-form-urlencoded') && !ct.includes('multipart/form-data')) return {};
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

function first(v: string | readonly string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return origin !== 'null';
  try {
    return new URL(origin).host === (c.req.header('host') ?? new URL(c.req.url).host);
  } catch {
    return false;
  }
}

/** Guard for panel routes: a live session, and on POST a valid CSRF token and origin. */
export function requireSession(deps: AuthDeps): MiddlewareHandler<PanelEnv> {
  return async (c, next) => {
    const session = deps.sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) {
      if (c.req.method === 'GET' && !c.req.header('x-fragment') && !c.req.path.startsWith('/events')) return c.redirect('/login', 303);
      return c.json({ error: 'HTTP_UNAUTHENTICATED' }, 401);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const form = await readForm(c);
      const token = c.req.header('x-csrf-token') ?? first(form._csrf);
      if (!sameOrigin(c) || !tokensMatch(session.csrf, token)) {
        deps.logger.warn({ path: c.req.path, code: 'HTTP_CSRF' }, 'panel POST refused: bad CSRF token or origin');
        return c.html(`<!doctype html><p>${deps.t('error.csrf')}</p>`, 403);
      }
    }
    if (isChange(c.req.method, c.req.path) && !canChange(session.role)) {
      deps.logger.warn({ path: c.req.path, user: session.user, role: session.role, code: 'HTTP_FORBIDDEN' }, 'panel change refused: the user may only look');
      return c.html(forbiddenPage({ t: deps.t, csrf: session.csrf, user: session.user, role: session.role, now: deps.now() }).value, 403);
    }
    c.set('session', session);
    await next();
  };
}

export function mountAuth(app: Hono<PanelEnv>, deps: AuthDeps, guard: MiddlewareHandler<PanelEnv>): void {
  const { t } = deps;
  const showLogin = (c: Context, status: 200 | 401 | 403 | 429, opts: { user?: string; error?: string } = {}): Response => {
    const csrf = randomToken();
    setCookie(c, LOGIN_COOKIE, csrf, { httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c, deps.secureCookies), path: '/login', maxAge: 900 });
    return c.html(loginPage(t, { csrf, ...opts, disabled: deps.users.length === 0 }).value, status);
  };

  app.get('/login', (c) => {
    if (deps.sessions.get(getCookie(c, SESSION_COOKIE))) return c.redirect('/', 303);
    return showLogin(c, 200);
  });

  app.post('/login', async (c) => {
    const form = await readForm(c);
    const user = (first(form.user) ?? '').slice(0, 200);
    if (!tokensMatch(getCookie(c, LOGIN_COOKIE) ?? '', first(form._csrf)) || !sameOrigin(c)) {
      return showLogin(c, 403, { user, error: t('error.csrf') });
    }
    const keys = [`ip:${deps.clientIp(c)}`, `user:${user}`];
    const verdicts = keys.map((k) => deps.attempts.check(k));
    const wait = Math.max(0, ...verdicts.map((v) => (v.allowed ? 0 : v.retryAfterSec)));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      deps.logger.warn({ code: 'HTTP_LOGIN_RATE_LIMITED', user, retryAfterSec: wait }, 'login refused: too many attempts');
      return showLogin(c, 429, { user, error: t('login.locked', { seconds: wait }) });
    }
    // Always hash, even for a wrong user name, so timing tells nothing.
    const account = findUser(deps.users, user);
    const hash = account?.passwordHash ?? deps.users[0]?.passwordHash ?? '';
    const passwordOk = hash !== '' && (await verifyPassword(first(form.password) ?? '', hash));
    if (!passwordOk || !account) {
      for (const k of keys) deps.attempts.fail(k);
      deps.logger.warn({ code: 'HTTP_LOGIN_FAILED', user }, 'login failed');
      return showLogin(c, deps.users.length === 0 ? 403 : 401, { user, error: t('login.failed') });
    }
    for (const k of keys) deps.attempts.reset(k);
    const session = deps.sessions.create(account.user, account.role);
    deleteCookie(c, LOGIN_COOKIE, { path: '/login' });
    setCookie(c, SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', secure: isSecureRequest(c, deps.secureCookies), path: '/' });
    deps.logger.info({ user, role: account.role }, 'panel login');
    return c.redirect('/', 303);
  });

  app.post('/logout', guard, (c) => {
    deps.sessions.destroy(c.get('session').id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
}
