/**
 * Mounts the admin panel, its SSE stream, /healthz, /readyz and /metrics on the connector's own
 * Hono app (src/main.ts, at the `// PANEL:` line), over the real ConnectorPanelPort. Called before
 * the HTTP server starts, with the connector's parts (the Connector object does not exist yet).
 */
import type { Hono } from 'hono';
import type { Logger } from '../../log.js';
import { createHttpApp } from './app.js';
import { ConnectorPanelPort, type PanelSources } from './connector-panel-port.js';
import type { MetricsRegistry } from './metrics.js';
import type { PanelAuthConfig } from './roles.js';
import { languages } from './ui/texts/index.js';

export interface MountPanelOptions {
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly now?: () => number;
  /** Live-event comparison interval while a panel listens (default 1000 ms). */
  readonly pollMs?: number;
  readonly sseHeartbeatMs?: number;
  /** Overrides config.admin (the demo sets a generated password's hash). */
  readonly auth?: PanelAuthConfig;
}

/**
 * Adds every panel route to `app` and returns the port (close it when the connector stops).
 * The settings overlay saved earlier is loaded (and its lists applied) before this resolves.
 */
export async function mountPanel(app: Hono, connector: PanelSources, options: MountPanelOptions): Promise<ConnectorPanelPort> {
  const port = new ConnectorPanelPort(connector, {
    logger: options.logger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });
  await port.init();
  const { config } = connector;
  const panel = createHttpApp({
    panel: port,
    auth: options.auth ?? { user: config.admin.user, passwordHash: config.admin.passwordHash, users: config.admin.users },
    metrics: options.metrics,
    logger: options.logger,
    ...(options.now ? { now: options.now } : {}),
    secureCookies: config.http.publicUrl?.startsWith('https:') ?? false,
    texts: languages[config.admin.language],
    ...(options.sseHeartbeatMs !== undefined ? { sseHeartbeatMs: options.sseHeartbeatMs } : {}),
  });
  app.route('/', panel);
  return port;
}
