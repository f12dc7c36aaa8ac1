/**
 * The FastAGI server (node:net): one AgiSession per connection from Asterisk's
 * `AGI(agi://HOST:4573/route)`. Routes by script path (`/route` only for now).
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Config } from '../../config/schema.js';
import type { RoutePort } from '../../flow/routing.js';
import { ConnectorError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { AgiSession } from './session.js';
import type { AgiSessionResult } from './session.js';

export interface AgiServerOptions {
  readonly config: Pick<Config['agi'], 'host' | 'port' | 'deadlineMs'>;
  readonly routing: RoutePort;
  readonly logger: Logger;
  /** Extra time after the deadline to write NOROUTE and close (default 500 ms). */
  readonly graceMs?: number;
  /** Called when a session ends (metrics, tests). */
  readonly onSession?: (result: AgiSessionResult) => void;
}

export interface AgiServer {
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  /** Sessions running now. */
  active(): number;
  /** Stops listening and ends every open session. */
  close(): Promise<void>;
}

export async function startAgiServer(opts: AgiServerOptions): Promise<AgiServer> {
  const log = opts.logger.child({ component: 'agi-server' });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const session = new AgiSession(socket, {
      routing: opts.routing, logger: opts.logger, deadlineMs: opts.config.deadlineMs,
      ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
    });
    void session.run().then((result) => {
      log.debug({ outcome: result.outcome, path: result.script?.path, status: result.decision?.status, commands: result.commands }, 'AGI session ended');
      opts.onSession?.(result);
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(new ConnectorError('AGI_LISTEN_FAILED', `cannot listen on ${opts.config.host}:${opts.config.port}: ${e.message}`, { cause: e }));
    server.once('error', onError);
    server.listen(opts.config.port, opts.config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (e) => log.error({ code: 'AGI_SERVER_ERROR', err: e.message }, 'AGI server error'));
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : opts.config.port;
  log.info({ host: opts.config.host, port }, 'FastAGI server listening');
  return {
    port,
    active: () => sockets.size,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
