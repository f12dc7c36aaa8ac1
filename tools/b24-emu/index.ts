/**
 * Bitrix24 REST emulator: `startEmulator(options)` serves an in-memory portal over HTTP the way
 * the cloud does (tools/b24-emu/README.md; contract: shared/reference/bitrix24-rest.md). The same
 * function serves tests (port 0, in-process) and the CLI (`asterisk-b24 sim b24`).
 */
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { ConnectorError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { Logger } from '../../src/log.js';
import type { PortalSeed } from './contract.js';
import { createEmuApp } from './http/app.js';
import { createClock } from './http/clock.js';
import type { EmuClock } from './http/clock.js';
import { EventDelivery } from './http/event-delivery.js';
import { Faults } from './http/faults.js';
import { Listener } from './http/listener.js';
import { OperatingBudget, RequestBucket } from './http/limits.js';
import type { BucketLimits } from './http/limits.js';
import type { PortalFactory, PortalLike } from './http/portal-port.js';
import { RequestLog } from './http/request-log.js';
import type { EngineDeps } from './http/rest-engine.js';
import type { EmuRuntime } from './http/runtime.js';
import { TokenStore, createIdGenerator } from './http/tokens.js';
import type { AppIdentity } from './http/tokens.js';
import { defaultPortalFactory } from './http/default-portal.js';
import { emptySeed } from './portal/seeds.js';

export type { EmuClock } from './http/clock.js';
export { createClock, createManualClock } from './http/clock.js';
export type { FaultSpec, FaultState } from './http/faults.js';
export type { RequestLogEntry, DeliveryLogEntry } from './http/request-log.js';
export type { PortalLike, PortalFactory, BindingLike } from './http/portal-port.js';
export { decodePhpPairs, decodeQuery, encodePhpForm, encodePhpPairs } from './http/form.js';

export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 0 = any free port). */
  port?: number;
  /** Portal seed (users, CRM, lines, settings); default: one admin user, ID 1 (portal/seeds.ts emptySeed). */
  portal?: PortalSeed;
  /** Request bucket (reference §3.1); default 50 / 2 per s (Enterprise: 250 / 5). */
  limits?: BucketLimits;
  /** Operating-time budget per method per app/webhook over 10 minutes (§3.2); default 480 s. */
  operatingBudgetSec?: number;
  /** Simulated processing time of one method call, seconds (default 0.01). */
  processingSec?: number | ((method: string) => number);
  /** Access-token lifetime on the emulator clock (default 3600 s). */
  tokenLifetimeSec?: number;
  /** App-only methods refuse webhooks with WRONG_AUTH_TYPE (default true; reference §11.1). */
  enforceAppOnly?: boolean;
  /** Emulator clock: an EmuClock, or a time source that `advance` offsets (default Date.now). */
  clock?: EmuClock | (() => number);
  /** Error for an access token that was never issued (default `invalid_token`; §1.4, §11.11). */
  unknownTokenError?: 'invalid_token' | 'NO_AUTH_FOUND';
  /** Makes every generated secret reproducible. */
  idSeed?: string;
  /** Fixed application identity (client_id, client_secret, application_token, member_id …). */
  appIdentity?: Partial<AppIdentity>;
  /** Fixed secret of user 1's incoming webhook. */
  webhookSecret?: string;
  /** Real milliseconds to wait for an event handler before giving up (default 5000). */
  eventTimeoutMs?: number;
  logger?: Logger;
  /** Builds the portal model (default: tools/b24-emu/portal `Portal`). */
  portalFactory?: PortalFactory;
}

export interface EmulatorApp {
  readonly client_endpoint: string;
  readonly server_endpoint: string;
  /** Where the refresh_token grant is posted. */
  readonly token_url: string;
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
  readonly client_id: string;
  readonly client_secret: string;
  readonly application_token: string;
  readonly member_id: string;
  readonly domain: string;
  readonly scope: string;
  readonly user_id: number;
}

export interface Emulator {
  /** `http://host:port` (no trailing slash). */
  readonly url: string;
  /** Base URL of user 1's incoming webhook, ending in `/`. */
  readonly webhook: string;
  /** The installed application and its first token pair. */
  readonly app: EmulatorApp;
  /** The current portal model (replaced by reset). */
  readonly portal: PortalLike;
  readonly faults: Faults;
  /** REST/OAuth request log and event delivery log. */
  readonly requests: RequestLog;
  readonly clock: EmuClock;
  /** The Hono app, for in-process `hono.request(path, init)` calls. */
  readonly hono: Hono;
  /** Creates another incoming webhook (for `userId`); returns its base URL. */
  addWebhook(userId: number, secret?: string): string;
  /** Back to the seed (or `seed`): portal, limits, logs and faults; credentials stay valid. */
  reset(seed?: PortalSeed): void;
  /** Resolves when every event delivery started so far has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = (options.logger ?? silentLogger).child({ component: 'b24-emu' });
  const clock: EmuClock =
    typeof options.clock === 'function' ? createClock(options.clock) : (options.clock ?? createClock());
  const newId = createIdGenerator(options.idSeed);
  const tokens = new TokenStore(clock, options.tokenLifetimeSec ?? 3600, newId, options.appIdentity);
  const log = new RequestLog();
  const seed: PortalSeed = options.portal ?? emptySeed();
  const processing = options.processingSec ?? 0.01;
  const offset = Number((seed.settings ?? {})['timeZoneOffsetMinutes'] ?? 180);
  const factory = options.portalFactory ?? defaultPortalFactory(logger);

  let baseUrl = '';
  let portal: PortalLike | null = null;
  let onRequest: Parameters<typeof getRequestListener>[0] = () => new Response(null, { status: 503 });
  const listener = new Listener(host, options.port ?? 0, getRequestListener((req, env) => onRequest(req, env)), logger);
  const onDown = (mode: 'refuse' | 'reset' | null) => {
    if (mode === 'refuse') listener.refuse();
    else if (mode === null) listener.resume();
  };
  const faults = new Faults({
    onDown,
    expireTokens: () => void tokens.expireAllAccess(),
    revokeRefreshTokens: () => void tokens.revokeAllRefresh(),
  });
  const delivery = new EventDelivery({
    tokens, log, clock, logger,
    baseUrl: () => baseUrl,
    outgoingWebhookToken: newId(16),
    timeoutMs: options.eventTimeoutMs ?? 5000,
  });
  const budget = new OperatingBudget(options.operatingBudgetSec ?? 480);
  const engine: EngineDeps = {
    portal: () => current(),
    budget,
    processingSec: (m) => faults.state().processingSec ?? (typeof processing === 'function' ? processing(m) : processing),
    offsetMinutes: () => offset,
  };
  const makePortal = (s: PortalSeed): PortalLike => {
    const p = factory(s, { now: () => clock.now(), enforceAppOnly: options.enforceAppOnly ?? true, baseUrl });
    p.setBaseUrl?.(baseUrl);
    p.onEvent((ev, bindings) => delivery.deliver(ev, bindings));
    return p;
  };
  const current = (): PortalLike => {
    if (!portal) portal = makePortal(seed);
    return portal;
  };
  const rt: EmuRuntime = {
    clock, tokens, log, faults, delivery, logger, engine, budget,
    bucket: new RequestBucket(options.limits ?? { capacity: 50, drainPerSec: 2 }),
    portal: current,
    resetPortal: (s) => {
      portal = makePortal(s ?? seed);
    },
    resetAll: (s) => {
      portal = makePortal(s ?? seed);
      rt.bucket.reset();
      budget.reset();
      log.clear();
      faults.clear();
    },
    baseUrl: () => baseUrl,
    unknownTokenError: options.unknownTokenError ?? 'invalid_token',
  };

  const webhookSecret = tokens.addWebhook(1, options.webhookSecret);
  const first = tokens.issue(1);
  const addWebhook = (userId: number, secret?: string) => `${baseUrl}/rest/${userId}/${tokens.addWebhook(userId, secret)}/`;
  let credentials: { url: string; webhook: string; app: EmulatorApp } | null = null;
  const hono = createEmuApp(rt, { credentials: () => credentials, addWebhook: (u) => addWebhook(u) });
  onRequest = hono.fetch;
  let port: number;
  try {
    port = await listener.start();
  } catch (e) {
    throw new ConnectorError('EMU_LISTEN_FAILED', `b24-emu cannot listen on ${host}:${options.port ?? 0}`, { cause: e });
  }
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const app: EmulatorApp = {
    client_endpoint: `${baseUrl}/rest/`,
    server_endpoint: `${baseUrl}/rest/`,
    token_url: `${baseUrl}/oauth/token/`,
    access_token: first.access_token,
    refresh_token: first.refresh_token,
    expires_in: tokens.tokenLifetimeSec,
    client_id: tokens.app.client_id,
    client_secret: tokens.app.client_secret,
    application_token: tokens.app.application_token,
    member_id: tokens.app.member_id,
    domain: new URL(baseUrl).host,
    scope: tokens.app.scope,
    user_id: 1,
  };
  credentials = { url: baseUrl, webhook: `${baseUrl}/rest/1/${webhookSecret}/`, app };
  current();

  return {
    url: baseUrl,
    webhook: credentials.webhook,
    app,
    get portal() {
      return current();
    },
    faults,
    requests: log,
    clock,
    hono,
    addWebhook,
    reset: (s) => rt.resetAll(s),
    idle: () => delivery.idle(),
    close: async () => {
      faults.dispose();
      await listener.close();
      await delivery.idle();
    },
  };
}
