/**
 * The emulator's TCP listener, with the socket-level faults: `refuse` closes the listening socket
 * and destroys open ones (ECONNREFUSED), coming back up re-listens on the same port.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../../../src/log.js';

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

export class Listener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port: number;
  private closed = false;

  constructor(
    private readonly host: string,
    port: number,
    onRequest: (req: IncomingMessage, res: ServerResponse) => void,
    private readonly logger: Logger,
  ) {
    this.port = port;
    this.server = createServer(onRequest);
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Listens; resolves with the real port (port 0 → a free one). */
  async start(): Promise<number> {
    this.port = await listenOn(this.server, this.port, this.host);
    return this.port;
  }

  /** `down: refuse` on; destroys every open connection. */
  refuse(): void {
    this.server.close();
    this.destroySockets();
  }

  /** Back up after `refuse`, on the same port. */
  resume(): void {
    if (this.closed || this.server.listening) return;
    listenOn(this.server, this.port, this.host).catch((e: unknown) =>
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not listen again after down'),
    );
  }

  private destroySockets(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.closed = true;
    await new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.destroySockets();
    });
  }
}
