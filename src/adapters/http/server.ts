/** Serves a Hono app on node:http; close() also ends open SSE streams so the process can exit. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { ConnectorError } from '../../errors.js';

export interface RunningHttpServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export function startHttpServer(app: Hono, opts: { host: string; port: number }): Promise<RunningHttpServer> {
  const server = createServer(getRequestListener(app.fetch));
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new ConnectorError('HTTP_LISTEN', `cannot listen on ${opts.host}:${opts.port}`, { cause: e, details: { host: opts.host, port: opts.port } })));
    server.listen(opts.port, opts.host, () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}`,
        server,
        close: () => new Promise<void>((res) => {
          server.close(() => res());
          server.closeAllConnections();
        }),
      });
    });
  });
}
