/**
 * A small scripted AMI server for client tests (the real simulator lives in tools/ami-sim).
 * Speaks the wire protocol as Asterisk 22 does (see fixtures lab22-p_*): banner, Login plain/MD5,
 * Challenge, Ping, Events, Logoff, `Permission denied` before login, unknown actions. Any action can be
 * scripted with `handle(name, fn)`; tests push raw bytes or events with `broadcast`/`conn.write`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { AmiFramer, formatMessage } from '../../src/adapters/ami/framing.js';
import { field, type AmiMessage } from '../../src/adapters/ami/message.js';

export type Fields = ReadonlyArray<readonly [string, string]>;

export interface FakeAmiOptions {
  /** username → secret. Default `{ crm: 'crmsecret' }`. */
  users?: Record<string, string>;
  banner?: string;
  /** Challenge handed out for MD5 logins. Default the one of lab22-p_login_md5.txt. */
  challenge?: string;
  /** Delay before `Authentication failed` (Asterisk waits ~1 s). Default 0. */
  loginFailDelayMs?: number;
  /** Raw blocks written in the same write as a successful Login response. Default a FullyBooted event. */
  afterLogin?: string;
}

export type ActionHandler = (msg: AmiMessage, conn: FakeConnection) => void;

export const FULLY_BOOTED = block([
  ['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', '4268'], ['LastReload', '4268'], ['Status', 'Fully Booted'],
]);

export function block(fields: Fields): string {
  return formatMessage(fields);
}

export class FakeConnection {
  loggedIn = false;
  username: string | undefined;
  readonly received: AmiMessage[] = [];

  constructor(readonly socket: Socket) {}

  write(raw: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(raw);
  }

  /** Writes a response to `action`: `Response`, its ActionID, then `fields`. */
  respond(action: AmiMessage, response: string, fields: Fields = [], trailer = ''): void {
    const id = field(action, 'ActionID');
    const head: Array<readonly [string, string]> = [['Response', response]];
    if (id !== undefined) head.push(['ActionID', id]);
    this.write(block([...head, ...fields]) + trailer);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class FakeAmiServer {
  readonly connections: FakeConnection[] = [];
  /** Every action of every connection, in arrival order. */
  readonly actions: AmiMessage[] = [];
  private readonly handlers = new Map<string, ActionHandler>();
  private readonly waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private readonly users: Record<string, string>;

  private constructor(private readonly server: Server, private readonly opts: FakeAmiOptions) {
    this.users = opts.users ?? { crm: 'crmsecret' };
  }

  static async start(opts: FakeAmiOptions = {}): Promise<FakeAmiServer> {
    const server = createServer();
    const fake = new FakeAmiServer(server, opts);
    server.on('connection', (s) => fake.accept(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('not listening');
    return a.port;
  }

  /** Connections still open. */
  get open(): FakeConnection[] {
    return this.connections.filter((c) => !c.socket.destroyed);
  }

  /** Scripts `action` (case-insensitive name); replaces the built-in behaviour. */
  handle(action: string, fn: ActionHandler): void {
    this.handlers.set(action.toLowerCase(), fn);
  }

  actionsNamed(name: string): AmiMessage[] {
    return this.actions.filter((a) => field(a, 'Action')?.toLowerCase() === name.toLowerCase());
  }

  /** Resolves once `count` actions named `name` have arrived (counting those already received). */
  waitForAction(name: string, count = 1): Promise<AmiMessage> {
    return this.until(() => this.actionsNamed(name).length >= count).then(() => this.actionsNamed(name)[count - 1]!);
  }

  /** Resolves once `count` connections have been accepted in total. */
  waitForConnections(count: number): Promise<void> {
    return this.until(() => this.connections.length >= count);
  }

  /** Writes raw bytes to every logged-in connection. */
  broadcast(raw: string): void {
    for (const c of this.open) if (c.loggedIn) c.write(raw);
  }

  /** Drops every connection (like an Asterisk restart). */
  dropAll(): void {
    for (const c of this.open) c.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  private accept(socket: Socket): void {
    const conn = new FakeConnection(socket);
    this.connections.push(conn);
    const framer = new AmiFramer({ onMessage: (m) => this.onAction(conn, m) }, { expectBanner: false });
    socket.on('data', (b: Buffer) => framer.push(b));
    socket.on('error', () => {});
    socket.write(`${this.opts.banner ?? 'Asterisk Call Manager/11.0.0'}\r\n`);
    this.wake();
  }

  private onAction(conn: FakeConnection, msg: AmiMessage): void {
    conn.received.push(msg);
    this.actions.push(msg);
    const name = (field(msg, 'Action') ?? '').toLowerCase();
    const custom = this.handlers.get(name);
    if (custom) custom(msg, conn);
    else this.builtIn(name, msg, conn);
    this.wake();
  }

  private builtIn(name: string, msg: AmiMessage, conn: FakeConnection): void {
    if (name === 'login') return this.login(msg, conn);
    if (name === 'challenge') return conn.respond(msg, 'Success', [['Challenge', this.opts.challenge ?? '293023717']]);
    if (name === 'logoff') {
      conn.respond(msg, 'Goodbye', [['Message', 'Thanks for all the fish.']]);
      conn.socket.end();
      return;
    }
    if (!conn.loggedIn) return conn.respond(msg, 'Error', [['Message', 'Permission denied']]);
    if (name === 'ping') return conn.respond(msg, 'Success', [['Ping', 'Pong'], ['Timestamp', '1795323141.090120']]);
    if (name === 'events') {
      const on = (field(msg, 'EventMask') ?? '').toLowerCase() !== 'off';
      return conn.respond(msg, 'Success', [['Events', on ? 'On' : 'Off']]);
    }
    const shown = field(msg, 'Action') ?? '';
    conn.respond(msg, 'Error', [['Message', `Invalid/unknown command: ${shown}. Use Action: ListCommands to show available commands.`]]);
  }

  private login(msg: AmiMessage, conn: FakeConnection): void {
    const user = field(msg, 'Username') ?? '';
    const secret = this.users[user];
    const md5 = (field(msg, 'AuthType') ?? '').toLowerCase() === 'md5';
    const expectedKey = secret === undefined ? undefined
      : createHash('md5').update((this.opts.challenge ?? '293023717') + secret).digest('hex');
    const ok = secret !== undefined && (md5 ? field(msg, 'Key') === expectedKey : field(msg, 'Secret') === secret);
    if (!ok) {
      // Asterisk answers after a pause and closes the socket.
      setTimeout(() => {
        conn.respond(msg, 'Error', [['Message', 'Authentication failed']]);
        conn.socket.end();
      }, this.opts.loginFailDelayMs ?? 0);
      return;
    }
    conn.loggedIn = true;
    conn.username = user;
    const eventsOff = (field(msg, 'Events') ?? 'on').toLowerCase() === 'off';
    conn.respond(msg, 'Success', [['Message', 'Authentication accepted']], eventsOff ? '' : (this.opts.afterLogin ?? FULLY_BOOTED));
  }
}
