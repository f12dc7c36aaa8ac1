/** In-process panel test helpers: an app over the fake port, a cookie jar and a login. */
import type { Hono } from 'hono';
import { silentLogger } from '../../src/log.js';
import { createHttpApp, type HttpAppOptions } from '../../src/adapters/http/app.js';
import { hashPassword } from '../../src/adapters/http/auth.js';
import { FakePanelPort } from '../../src/adapters/http/fake-panel-port.js';
import { createMetrics } from '../../src/adapters/http/metrics.js';

export const PASSWORD = 'correct horse';

export interface TestApp {
  readonly app: Hono;
  readonly panel: FakePanelPort;
  readonly clock: { now: number };
  readonly metrics: ReturnType<typeof createMetrics>;
}

export async function makeApp(over: Partial<HttpAppOptions> = {}): Promise<TestApp> {
  const clock = { now: Date.parse('2026-11-22T10:00:00Z') };
  const panel = new FakePanelPort({ now: () => clock.now, stepMs: 5 });
  const metrics = createMetrics();
  const app = createHttpApp({
    panel, metrics, logger: silentLogger, now: () => clock.now,
    auth: { user: 'admin', passwordHash: await hashPassword(PASSWORD, { N: 1024 }) }, ...over,
  });
  return { app, panel, clock, metrics };
}

/** Collects Set-Cookie values and sends them back, like a browser (ignores attributes). */
export class Jar {
  readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, i);
      const value = (pair ?? '').slice(i + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export function form(fields: Record<string, string | string[]>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
}

export async function req(t: TestApp, jar: Jar, path: string, init: RequestInit = {}, ip = '10.0.0.1'): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size) headers.set('cookie', jar.header());
  if (init.body instanceof URLSearchParams) headers.set('content-type', 'application/x-www-form-urlencoded');
  const res = await t.app.request(`http://panel.test${path}`, { ...init, headers }, { incoming: { socket: { remoteAddress: ip } } });
  jar.store(res);
  return res;
}

export function hidden(page: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!m?.[1]) throw new Error(`no ${name} field`);
  return m[1];
}

/** Logs in; returns the session's CSRF token. */
export async function login(t: TestApp, jar: Jar, password = PASSWORD, ip = '10.0.0.1', user = 'admin'): Promise<{ res: Response; csrf?: string }> {
  const page = await (await req(t, jar, '/login', {}, ip)).text();
  const res = await req(t, jar, '/login', { method: 'POST', body: form({ _csrf: hidden(page, '_csrf'), user, password }) }, ip);
  if (res.status !== 303) return { res };
  const dash = await (await req(t, jar, '/', {}, ip)).text();
  return { res, csrf: /name="csrf-token" content="([^"]+)"/.exec(dash)?.[1] };
}

export const VIEWER_PASSWORD = 'look but do not touch';

/** An app with the legacy admin plus `ops` (admin) and `eve` (viewer) from `users`. */
export async function makeRolesApp(over: Partial<HttpAppOptions> = {}): Promise<TestApp> {
  const h = (p: string): Promise<string> => hashPassword(p, { N: 1024 });
  return makeApp({
    auth: {
      user: 'admin', passwordHash: await h(PASSWORD),
      users: [{ user: 'ops', passwordHash: await h(PASSWORD), role: 'admin' }, { user: 'eve', passwordHash: await h(VIEWER_PASSWORD), role: 'viewer' }],
    },
    ...over,
  });
}
