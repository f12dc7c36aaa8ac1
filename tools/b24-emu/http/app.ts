/**
 * The emulator's HTTP surface as one Hono app: `/rest/…` (REST), `/oauth/token/` (OAuth server),
 * `/_emu/…` (inspector/control). Runs behind @hono/node-server or in-process via `app.request()`.
 * Socket-level faults (`down: reset`) and `slowMs` apply to REST and OAuth, never to `/_emu/`.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { controlRoutes } from './control-routes.js';
import type { ControlExtras } from './control-routes.js';
import { handleOAuthAuthorize, handleOAuthToken } from './oauth-routes.js';
import { handleRest } from './rest-routes.js';
import type { EmuRuntime } from './runtime.js';

function destroySocket(c: Context): boolean {
  const env = c.env as { incoming?: { socket?: { destroy(): void } } } | undefined;
  const socket = env?.incoming?.socket;
  if (!socket) return false;
  socket.destroy();
  return true;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createEmuApp(rt: EmuRuntime, extras: ControlExtras): Hono {
  const app = new Hono();
  app.route('/_emu', controlRoutes(rt, extras));

  const faulted = async (c: Context, next: () => Promise<void>) => {
    const down = rt.faults.downMode();
    if (down !== null) {
      // A connection reset where we own a socket; in-process callers get a 502 stand-in.
      if (destroySocket(c)) return new Response(null, { status: 502 });
      return c.text('emulator is down', 502);
    }
    const slow = rt.faults.state().slowMs;
    if (slow > 0) await sleep(slow);
    await next();
    return undefined;
  };
  app.use('/rest/*', faulted);
  app.use('/oauth/*', faulted);

  app.get('/oauth/authorize', (c) => handleOAuthAuthorize(rt, c));
  app.get('/oauth/authorize/', (c) => handleOAuthAuthorize(rt, c));
  app.all('/oauth/token', (c) => handleOAuthToken(rt, c));
  app.all('/oauth/token/', (c) => handleOAuthToken(rt, c));
  app.all('/rest/*', (c) => handleRest(rt, c));
  app.notFound((c) => c.json({ error: 'NOT_FOUND', error_description: 'Not found' }, 404));
  app.onError((e, c) => {
    rt.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'emulator request failed');
    return c.json({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }, 500);
  });
  return app;
}
