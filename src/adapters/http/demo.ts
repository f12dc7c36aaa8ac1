/**
 * A panel demo over the fake port: serves the real app with seeded history and plays a simulated
 * call every `everyMs`. For screenshots, UI work and trying the panel without a PBX; the lead can
 * expose it as a CLI command (`asterisk-b24 panel-demo`).
 */
import type { Logger } from '../../log.js';
import { createHttpApp } from './app.js';
import { hashPassword } from './auth.js';
import { FakePanelPort } from './fake-panel-port.js';
import { createMetrics } from './metrics.js';
import { startHttpServer, type RunningHttpServer } from './server.js';

export interface PanelDemoOptions {
  readonly host?: string;
  readonly port?: number;
  readonly password: string;
  readonly logger: Logger;
  /** A new simulated call this often (0 = none). Default 15 s. */
  readonly everyMs?: number;
}

export interface PanelDemo {
  readonly url: string;
  readonly panel: FakePanelPort;
  close(): Promise<void>;
}

const CALLERS = ['+79161234567', '+74959876543', '+79035551122', '+78122223344'];

export async function startPanelDemo(opts: PanelDemoOptions): Promise<PanelDemo> {
  const panel = new FakePanelPort({ stepMs: 4_000 });
  const app = createHttpApp({
    panel, metrics: createMetrics({ defaultMetrics: true }), logger: opts.logger,
    auth: { user: 'admin', passwordHash: await hashPassword(opts.password) },
  });
  const server: RunningHttpServer = await startHttpServer(app, { host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
  let n = 0;
  const every = opts.everyMs ?? 15_000;
  const timer = every > 0
    ? setInterval(() => {
      n++;
      void panel.simulateCall({ from: CALLERS[n % CALLERS.length] ?? '+79161234567', extension: String(101 + (n % 3)), answer: n % 4 !== 0 });
    }, every)
    : undefined;
  opts.logger.info({ url: server.url }, 'panel demo listening (user admin)');
  return {
    url: server.url,
    panel,
    async close() {
      if (timer) clearInterval(timer);
      panel.close();
      await server.close();
    },
  };
}
