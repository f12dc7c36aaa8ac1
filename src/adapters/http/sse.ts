/**
 * GET /events: the panel's live channel (Server-Sent Events). Each PanelEvent is sent as an SSE
 * event named by its type (`call`, `outbox`, `health`) with the event as JSON data. A comment
 * line every `heartbeatMs` keeps proxies from closing an idle stream. The port subscription is
 * released when the client goes away.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Logger } from '../../log.js';
import type { PanelEvent, PanelPort } from './panel-port.js';

export interface SseOptions {
  readonly heartbeatMs?: number;
  readonly logger: Logger;
}

export function sseHandler(panel: PanelPort, opts: SseOptions): (c: Context) => Response {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  return (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let chain = Promise.resolve();
      // Writes are chained so events keep their order even when the socket is slow.
      const send = (e: PanelEvent): void => {
        chain = chain.then(() => stream.writeSSE({ event: e.type, data: JSON.stringify(e) })).catch(() => stream.abort());
      };
      const unsubscribe = panel.subscribe(send);
      const beat = setInterval(() => {
        chain = chain.then(() => stream.write(': ping\n\n')).then(() => undefined).catch(() => stream.abort());
      }, heartbeatMs);
      try {
        await stream.writeSSE({ event: 'hello', data: '{}', retry: 3000 });
        await new Promise<void>((resolve) => {
          if (stream.aborted || stream.closed) resolve();
          else stream.onAbort(resolve);
        });
      } finally {
        clearInterval(beat);
        unsubscribe();
        opts.logger.debug({}, 'sse client left');
      }
    }, async (err) => {
      opts.logger.warn({ code: 'HTTP_SSE_FAILED', err: String(err) }, 'sse stream failed');
    });
  };
}
