/**
 * A tiny raw AMI client for the simulator's tests: a TCP socket, the shared framer to split the
 * server's bytes into messages, and helpers to wait for a message. Not the connector's client.
 */
import { connect, type Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AmiFramer, formatMessage } from '../../../src/adapters/ami/framing.js';
import type { AmiMessage } from '../../../src/adapters/ami/message.js';
import { field } from '../../../src/adapters/ami/message.js';

export interface RawClient {
  readonly messages: AmiMessage[];
  readonly banner: Promise<string>;
  readonly closed: Promise<void>;
  send(fields: Array<[string, string]>): void;
  /** Resolves with the first message at index ≥ `from` matching `pred`. */
  waitFor(pred: (m: AmiMessage) => boolean, timeoutMs?: number, from?: number): Promise<AmiMessage>;
  /** Sends an action and resolves with its response (matched by ActionID). */
  action(fields: Array<[string, string]>, timeoutMs?: number): Promise<AmiMessage>;
  close(): void;
  readonly socket: Socket;
}

let seq = 0;

export function rawClient(port: number): RawClient {
  const socket = connect(port, '127.0.0.1');
  const messages: AmiMessage[] = [];
  const waiters = new Set<() => void>();
  let resolveBanner!: (b: string) => void;
  const banner = new Promise<string>((r) => (resolveBanner = r));
  const framer = new AmiFramer({
    onBanner: (b) => resolveBanner(b),
    onMessage: (m) => {
      messages.push(m);
      for (const w of [...waiters]) w();
    },
  });
  socket.on('data', (d: Buffer) => framer.push(d));
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  socket.on('error', () => {});

  const waitFor = (pred: (m: AmiMessage) => boolean, timeoutMs = 3000, from = 0): Promise<AmiMessage> =>
    new Promise((resolveWait, reject) => {
      let i = from;
      const check = (): boolean => {
        for (; i < messages.length; i++) {
          const m = messages[i];
          if (m && pred(m)) {
            cleanup();
            resolveWait(m);
            return true;
          }
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timeout waiting for a message (have ${messages.length})`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      if (!check()) waiters.add(waiter);
    });

  return {
    messages, banner, closed, socket, waitFor,
    send: (fields) => socket.write(formatMessage(fields)),
    action: (fields, timeoutMs) => {
      const id = fields.find(([k]) => k === 'ActionID')?.[1] ?? `t-${++seq}`;
      const all: Array<[string, string]> = fields.some(([k]) => k === 'ActionID') ? fields : [...fields, ['ActionID', id]];
      const from = messages.length;
      socket.write(formatMessage(all));
      return waitFor((m) => field(m, 'Response') !== undefined && field(m, 'ActionID') === id, timeoutMs, from);
    },
    close: () => socket.destroy(),
  };
}

/** Logs in with the simulator's credentials and waits for the response. */
export async function login(c: RawClient, username: string, secret: string, events?: string): Promise<AmiMessage> {
  const f: Array<[string, string]> = [['Action', 'Login'], ['Username', username], ['Secret', secret]];
  if (events !== undefined) f.push(['Events', events]);
  return c.action(f);
}

/** Fixtures folder: the repo's test/fixtures/ami when present, else the shared reference set. */
export function fixturesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const repo = resolve(here, '../../..');
  const candidates = [join(repo, 'test/fixtures/ami'), resolve(repo, '../shared/fixtures/ami')];
  return candidates.find((p) => existsSync(p)) ?? candidates[1]!;
}

export function pairs(m: AmiMessage): Array<[string, string]> {
  return m.fields.map(([k, v]) => [k, v]);
}
