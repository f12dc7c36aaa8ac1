/**
 * Inspector and control API under `/_emu/` (not part of Bitrix24): portal state, request and
 * delivery logs, limits, faults, clock, click-to-call / callback triggers, credentials, reset.
 * Errors are `{error: 'EMU_…', message}` with HTTP 400/404.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { ConnectorError } from '../../../src/errors.js';
import type { PortalSeed } from '../contract.js';
import { isoWithOffset, toApiError } from './envelope.js';
import type { FaultSpec } from './faults.js';
import type { EmuRuntime } from './runtime.js';
import { tokenResponse } from './oauth-routes.js';

export interface ControlExtras {
  /** `{url, webhook, app}` as printed by the CLI. */
  credentials(): unknown;
  /** Creates an incoming webhook for `userId`; returns its base URL (ending in `/`). */
  addWebhook(userId: number): string;
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  const v: unknown = JSON.parse(text);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('body must be a JSON object');
  return v as Record<string, unknown>;
}

function bad(c: Context, code: string, message: string, status: 400 | 404 = 400): Response {
  return c.json({ error: code, message }, status);
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Runs a portal trigger (click-to-call, callback); portal errors come back as their envelope. */
function trigger(c: Context, run: () => unknown): Response {
  try {
    return c.json({ result: run() ?? null });
  } catch (e) {
    if (e instanceof ConnectorError) return bad(c, e.code, e.message);
    const err = toApiError(e);
    return c.json({ error: err.error, error_description: err.description }, err.status as 400);
  }
}

export function controlRoutes(rt: EmuRuntime, extras: ControlExtras): Hono {
  const app = new Hono();
  app.onError((e, c) => bad(c, 'EMU_BAD_REQUEST', e.message));

  app.get('/state', (c) => c.json(rt.portal().inspect() as object));
  app.get('/credentials', (c) => c.json(extras.credentials() as object));
  app.get('/requests', (c) => {
    const since = num(c.req.query('since'));
    const method = c.req.query('method');
    return c.json({ requests: rt.log.list({ ...(since !== undefined ? { since } : {}), ...(method ? { method } : {}) }) });
  });
  app.delete('/requests', (c) => {
    rt.log.clear();
    return c.json({ ok: true });
  });
  app.get('/deliveries', (c) => c.json({ deliveries: rt.log.deliveries() }));
  app.get('/limits', (c) => {
    const now = rt.clock.now();
    return c.json({
      bucket: { ...rt.bucket.limits, levels: rt.bucket.snapshot(now) },
      operating: { budgetSec: rt.budget.budgetSec, methods: rt.budget.snapshot(now) },
    });
  });

  app.get('/faults', (c) => c.json(rt.faults.state()));
  app.post('/faults', async (c) => c.json(rt.faults.set((await jsonBody(c)) as FaultSpec)));
  app.delete('/faults', (c) => c.json(rt.faults.clear()));

  app.get('/clock', (c) => {
    const now = rt.clock.now();
    return c.json({ now, iso: isoWithOffset(now, 0) });
  });
  app.post('/clock', async (c) => {
    const b = await jsonBody(c);
    const ms = num(b['advanceMs']) ?? (num(b['advanceSec']) ?? 0) * 1000;
    if (ms <= 0) return bad(c, 'EMU_BAD_REQUEST', 'advanceMs or advanceSec (> 0) is required');
    rt.clock.advance(ms);
    return c.json({ now: rt.clock.now() });
  });

  app.post('/click-to-call', async (c) => {
    const b = await jsonBody(c);
    const userId = num(b['userId']);
    const phone = b['phone'];
    if (userId === undefined || typeof phone !== 'string') {
      return bad(c, 'EMU_BAD_REQUEST', 'userId (number) and phone (string) are required');
    }
    const args = {
      userId,
      phone,
      ...(typeof b['entityType'] === 'string' ? { entityType: b['entityType'] } : {}),
      ...(num(b['entityId']) !== undefined ? { entityId: num(b['entityId']) as number } : {}),
      ...(num(b['callListId']) !== undefined ? { callListId: num(b['callListId']) as number } : {}),
      ...(typeof b['lineNumber'] === 'string' ? { lineNumber: b['lineNumber'] } : {}),
    };
    return trigger(c, () => rt.portal().clickToCall(args, rt.clock.now()));
  });
  app.post('/callback', async (c) => {
    const b = await jsonBody(c);
    const portal = rt.portal();
    if (!portal.callback) return bad(c, 'EMU_UNSUPPORTED', 'this portal has no callback trigger', 404);
    if (typeof b['phone'] !== 'string') return bad(c, 'EMU_BAD_REQUEST', 'phone (string) is required');
    const args = {
      phone: b['phone'],
      ...(typeof b['text'] === 'string' ? { text: b['text'] } : {}),
      ...(typeof b['voice'] === 'string' ? { voice: b['voice'] } : {}),
      ...(typeof b['entityType'] === 'string' ? { entityType: b['entityType'] } : {}),
      ...(num(b['entityId']) !== undefined ? { entityId: num(b['entityId']) as number } : {}),
      ...(typeof b['lineNumber'] === 'string' ? { lineNumber: b['lineNumber'] } : {}),
    };
    return trigger(c, () => portal.callback?.(args, rt.clock.now()));
  });

  app.post('/install', async (c) => {
    const b = await jsonBody(c);
    if (typeof b['handler'] !== 'string') return bad(c, 'EMU_BAD_REQUEST', 'handler (URL) is required');
    const kind = b['uninstall'] === true ? 'uninstall' : 'install';
    await rt.delivery.lifecycle(kind, b['handler'], {
      ...(typeof b['version'] === 'string' ? { version: b['version'] } : {}),
      ...(typeof b['languageId'] === 'string' ? { languageId: b['languageId'] } : {}),
      clean: b['clean'] === true,
    });
    return c.json({ delivery: rt.log.deliveries().at(-1) ?? null });
  });

  app.post('/webhooks', async (c) => {
    const userId = num((await jsonBody(c))['userId']) ?? 1;
    return c.json({ webhook: extras.addWebhook(userId) });
  });
  app.post('/tokens', async (c) => {
    const userId = num((await jsonBody(c))['userId']) ?? 1;
    return c.json(tokenResponse(rt, rt.tokens.issue(userId)));
  });
  app.post('/tokens/expire', (c) => c.json({ expired: rt.tokens.expireAllAccess() }));

  app.post('/reset', async (c) => {
    const b = await jsonBody(c);
    const seed = b['seed'] && typeof b['seed'] === 'object' ? (b['seed'] as PortalSeed) : undefined;
    rt.resetAll(seed);
    return c.json({ ok: true });
  });
  // A catch-all route: a mounted sub-app's notFound is not consulted by the parent app.
  app.all('*', (c) => bad(c, 'EMU_NOT_FOUND', `no control route ${c.req.method} ${new URL(c.req.url).pathname}`, 404));
  return app;
}
