/**
 * The connector's HTTP app (one port): /healthz, /readyz, /metrics, the Bitrix24 event intake
 * (mounted by the composition root through `extraRoutes`), and the admin panel under `/`.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { errorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { AttemptLimiter, SessionStore } from './auth.js';
import type { MetricsRegistry } from './metrics.js';
import type { PanelPort } from './panel-port.js';
import { mountAuth, requireSession, type AuthDeps, type PanelEnv } from './routes-auth.js';
import { mountAudit } from './routes-audit.js';
import { mountPanel } from './routes-panel.js';
import { panelUsers, type PanelAuthConfig } from './roles.js';
import { sseHandler } from './sse.js';
import { PANEL_CSS } from './ui/static/panel-css.js';
import { PANEL_JS } from './ui/static/panel-js.js';
import { createT, type Texts } from './ui/texts/index.js';

export interface HttpAppOptions {
  readonly panel: PanelPort;
  /** From config.admin: the single `user` + `passwordHash` (an admin) and/or `users` with roles. No hash at all disables logging in. */
  readonly auth: PanelAuthConfig;
  readonly metrics: MetricsRegistry;
  /** Routes mounted before the panel, outside its auth (the Bitrix24 event handler). */
  readonly extraRoutes?: (app: Hono) => void;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Always mark cookies Secure (behind a TLS-terminating proxy that does not set X-Forwarded-Proto). */
  readonly secureCookies?: boolean;
  readonly texts?: Texts;
  readonly sessionIdleMs?: number;
  /** Failed logins allowed per IP and per user per window (default 5 per 60 s). */
  readonly loginAttempts?: { readonly max: number; readonly windowMs: number };
  readonly sseHeartbeatMs?: number;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // no-referrer would make Chromium send `Origin: null` on form POSTs, which the origin check refuses.
  'Referrer-Policy': 'same-origin',
};

function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // in-process requests (tests) have no socket
  }
}

export function createHttpApp(opts: HttpAppOptions): Hono {
  const now = opts.now ?? Date.now;
  const t = createT(opts.texts);
  const logger = opts.logger.child({ component: 'http' });
  const app = new Hono<PanelEnv>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const reasons: string[] = [];
    try {
      const h = await opts.panel.health();
      if (!h.ami.connected) reasons.push('ami: not connected');
      if (!h.store.open) reasons.push('store: not open');
    } catch (e) {
      reasons.push(`health: ${errorCode(e)}`);
    }
    return reasons.length ? c.json({ ready: false, reasons }, 503) : c.json({ ready: true });
  });
  app.get('/metrics', async (c) => {
    try {
      // Mirror the states the panel port knows, so a scrape is current even if nobody pushed.
      const h = await opts.panel.health();
      opts.metrics.outbox(h.outbox);
      opts.metrics.amiConnected(h.ami.connected);
      const l = opts.panel.limiter();
      opts.metrics.limiterLevel(l.level, l.capacity);
    } catch (e) {
      logger.warn({ code: errorCode(e) }, 'metrics: panel state unavailable');
    }
    return c.body(await opts.metrics.text(), 200, { 'Content-Type': opts.metrics.contentType });
  });
  app.get('/static/panel.js', (c) => c.body(PANEL_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'max-age=300' }));
  app.get('/static/panel.css', (c) => c.body(PANEL_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'max-age=300' }));

  app.get('/favicon.ico', (c) => c.body(null, 204));

  opts.extraRoutes?.(app as unknown as Hono);

  const secure: MiddlewareHandler<PanelEnv> = async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  };
  for (const p of ['/', '/login', '/logout', '/calls', '/calls/*', '/outbox', '/outbox/*', '/settings', '/hooks', '/hooks/*', '/charts', '/audit', '/audit.csv', '/fragments/*']) app.use(p, secure);

  const deps: AuthDeps = {
    users: panelUsers(opts.auth), now, t, logger, secureCookies: opts.secureCookies ?? false, clientIp,
    sessions: new SessionStore({ now, ...(opts.sessionIdleMs !== undefined ? { idleMs: opts.sessionIdleMs } : {}) }),
    attempts: new AttemptLimiter({ now, max: opts.loginAttempts?.max ?? 5, windowMs: opts.loginAttempts?.windowMs ?? 60_000 }),
  };
  const guard = requireSession(deps);
  mountAuth(app, deps, guard);
  app.get('/events', guard, sseHandler(opts.panel, { logger, ...(opts.sseHeartbeatMs !== undefined ? { heartbeatMs: opts.sseHeartbeatMs } : {}) }));
  mountPanel(app, { panel: opts.panel, t, now, logger, clientIp }, guard);
  mountAudit(app, { panel: opts.panel, t, now }, guard);

  app.onError((err, c) => {
    logger.error({ code: errorCode(err), err: String(err), path: c.req.path }, 'http handler failed');
    return c.json({ error: errorCode(err) === 'INTERNAL' ? 'HTTP_INTERNAL' : errorCode(err) }, 500);
  });
  return app as unknown as Hono;
}
