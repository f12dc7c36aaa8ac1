/** Shared set-up of the AMI client tests: a fake AMI server, a client on it, small helpers. */
import { AmiClient, type AmiClientOptions } from '../../src/adapters/ami/client.js';
import type { AmiMessage } from '../../src/adapters/ami/message.js';
import type { Logger } from '../../src/log.js';
import { block, FakeAmiServer } from './fake-ami-server.js';

/** Everything to close after the file's tests (tests that build their own push here too). */
export const clients: AmiClient[] = [];
export const servers: FakeAmiServer[] = [];

/** Closes every client and server made by setup() (call from the test file's `after`). */
export async function closeAll(): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
}

export async function setup(serverOpts: Parameters<typeof FakeAmiServer.start>[0] = {}, clientOpts: Partial<AmiClientOptions> = {}) {
  const server = await FakeAmiServer.start(serverOpts);
  servers.push(server);
  const client = new AmiClient({
    host: '127.0.0.1', port: server.port, username: 'crm', secret: 'crmsecret',
    pingIntervalMs: 0, actionTimeoutMs: 2000, reconnectMinMs: 10, reconnectMaxMs: 50,
    random: () => 0.5, ...clientOpts,
  });
  clients.push(client);
  return { server, client };
}

/** Collects `event` messages into an array. */
export function collect(client: AmiClient): AmiMessage[] {
  const out: AmiMessage[] = [];
  client.on('event', (m) => out.push(m));
  return out;
}

export function capturingLogger(): Logger & { lines: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> } {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> = [];
  const mk = (level: string) => (obj: Record<string, unknown>, msg?: string) => { lines.push({ level, obj, msg }); };
  const logger = { lines, debug: mk('debug'), info: mk('info'), warn: mk('warn'), error: mk('error'), child: () => logger };
  return logger;
}

export function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 5);
    };
    tick();
  });
}

export const event = (name: string, fields: ReadonlyArray<readonly [string, string]> = []) =>
  block([['Event', name], ['Privilege', 'call,all'], ...fields]);
