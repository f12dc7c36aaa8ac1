/**
 * AMI over TLS vs plain TCP, end to end on loopback: a server logs the real AmiClient in, then sends
 * n synthetic call events (~600 B each, bench/ami-parse.ts) as fast as the socket takes them; the
 * time is from login to the client's n-th `event` signal. Returns events/s and MB/s for both.
 * `npm run bench -- ami-tls`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AmiClient } from '../src/adapters/ami/client.js';
import { syntheticEventChunks } from './ami-parse.js';

const TLS = join(import.meta.dirname, '..', 'test', 'fixtures', 'tls');

export interface AmiTransportBench { readonly mode: 'plain' | 'tls'; readonly eventsPerSec: number; readonly mbPerSec: number }

async function once(mode: 'plain' | 'tls', payload: Buffer, n: number): Promise<AmiTransportBench> {
  const onSocket = (socket: Socket): void => {
    socket.write('Asterisk Call Manager/9.0.0\r\n');
    let buf = '';
    socket.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      const m = /ActionID: ([^\r\n]+)\r\n/.exec(buf);
      if (!m || !buf.includes('\r\n\r\n')) return;
      buf = '';
      socket.write(`Response: Success\r\nActionID: ${m[1]}\r\nMessage: Authentication accepted\r\n\r\n`);
      socket.write(payload);
    });
    socket.on('error', () => undefined);
  };
  const server: Server = mode === 'tls'
    ? createTlsServer({ cert: readFileSync(join(TLS, 'ami-server.crt')), key: readFileSync(join(TLS, 'ami-server.key')) }, onSocket)
    : createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = new AmiClient({
    host: '127.0.0.1', port, username: 'bench', secret: 'x', pingIntervalMs: 0, reconnect: false,
    ...(mode === 'tls' ? { tls: { caFile: join(TLS, 'ami-server.crt') } } : {}),
  });
  let seen = 0;
  let started = 0;
  const done = new Promise<number>((resolve) => {
    client.on('event', () => {
      if (++seen === n) resolve(performance.now() - started);
    });
  });
  client.on('connected', () => { started = performance.now(); });
  await client.connect();
  const ms = await done;
  await client.close();
  await new Promise<void>((r) => server.close(() => r()));
  return { mode, eventsPerSec: Math.round(n / (ms / 1000)), mbPerSec: Math.round((payload.length / 1e6) / (ms / 1000) * 10) / 10 };
}

export async function benchAmiTransport(n: number): Promise<AmiTransportBench[]> {
  const payload = Buffer.concat(syntheticEventChunks(n));
  const out: AmiTransportBench[] = [];
  for (const mode of ['plain', 'tls', 'plain', 'tls'] as const) out.push(await once(mode, payload, n));
  // The better of two runs each (the first run of each warms the JIT and the TLS session).
  const best = (m: 'plain' | 'tls'): AmiTransportBench => out.filter((r) => r.mode === m).sort((a, b) => b.eventsPerSec - a.eventsPerSec)[0]!;
  return [best('plain'), best('tls')];
}
