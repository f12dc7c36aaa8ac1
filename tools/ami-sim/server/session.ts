/**
 * One AMI connection: banner, framing of the client's actions, dispatch, event delivery filtered by
 * the session's event mask. Everything but Login/Logoff/Challenge before login is refused with
 * `Permission denied`, as Asterisk does; the socket stays open.
 */
import type { Socket } from 'node:net';
import { AmiFramer, formatMessage } from '../../../src/adapters/ami/framing.js';
import type { AmiMessage } from '../../../src/adapters/ami/message.js';
import { field } from '../../../src/adapters/ami/message.js';
import type { Logger } from '../../../src/log.js';
import type { AmiFields } from '../scenario/types.js';
import type { ActionHandler, SessionApi, SimContext } from './context.js';
import { PRE_LOGIN_ACTIONS } from './actions-session.js';
import { errorResponse, event } from './wire.js';
import { eventTv } from './actions-session.js';

/** Bytes queued for a client that does not read before its session is dropped. */
const MAX_UNREAD_BYTES = 32 * 1024 * 1024;

export class AmiSession implements SessionApi {
  authenticated = false;
  challenge: string | undefined;
  eventMask = 0;
  private closing = false;
  private readonly framer: AmiFramer;
  readonly remote: string;
  readonly local: string;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly sim: SimContext,
    private readonly actions: Readonly<Record<string, ActionHandler>>,
    private readonly log: Logger,
    private readonly onClose: (s: AmiSession) => void,
  ) {
    this.remote = `${socket.remoteAddress ?? '127.0.0.1'}/${socket.remotePort ?? 0}`;
    this.local = `${socket.localAddress ?? '127.0.0.1'}/${socket.localPort ?? 0}`;
    // Asterisk accepts at most 1024-byte lines and 128 lines in an action.
    this.framer = new AmiFramer(
      { onMessage: (m) => this.handle(m), onError: (e) => this.badFrame(e.code) },
      { expectBanner: false, limits: { maxLineLength: 1024, maxLinesPerMessage: 128 } },
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (!this.closing) this.framer.push(chunk);
    });
    socket.on('error', (err) => this.log.debug({ err: err.message, session: id }, 'ami-sim socket error'));
    socket.on('close', () => {
      this.closing = true;
      this.onClose(this);
    });
    socket.write(`Asterisk Call Manager/${sim.config.amiVersion}\r\n`);
  }

  markAuthenticated(): void {
    this.authenticated = true;
  }

  write(fields: AmiFields): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(formatMessage(fields));
  }

  /** Delivers a broadcast event if this session is logged in and wants its class. */
  deliver(text: string, classMask: number): boolean {
    if (!this.authenticated || this.closing || (classMask & this.eventMask) === 0) return false;
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    if (this.socket.writableLength > MAX_UNREAD_BYTES) {
      // Asterisk drops a session whose writes time out (writetimeout); we drop one that stopped reading.
      this.log.warn({ session: this.id, buffered: this.socket.writableLength }, 'ami-sim: client is not reading, closing its session');
      this.destroy();
      return false;
    }
    this.socket.write(text);
    return true;
  }

  closeAfter(delayMs: number, last?: AmiFields): void {
    this.closing = true;
    this.socket.pause();
    const finish = (): void => {
      if (last) this.write(last);
      this.socket.end();
    };
    if (delayMs > 0) {
      const t = setTimeout(finish, delayMs);
      this.socket.once('close', () => clearTimeout(t));
    } else finish();
  }

  /** Closes at once (server shutdown). */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private badFrame(code: string): void {
    const message = code === 'AMI_FRAME_TOO_MANY_LINES'
      ? 'Too many lines in message or allocation failure'
      : 'Failed to parse message: line too long';
    this.write([['Response', 'Error'], ['Message', message]]);
  }

  private handle(action: AmiMessage): void {
    if (this.closing) return;
    const name = field(action, 'Action');
    const reply = (f: AmiFields): void => this.write(f);
    if (name === undefined || name.length === 0) {
      reply(errorResponse(action, 'Missing action in request'));
      return;
    }
    const key = name.toLowerCase();
    if (!this.authenticated && !PRE_LOGIN_ACTIONS.has(key)) {
      reply(errorResponse(action, 'Permission denied'));
      return;
    }
    this.sim.countAction(key);
    const handler = this.actions[key];
    if (!handler) {
      reply(errorResponse(action, `Invalid/unknown command: ${name}. Use Action: ListCommands to show available commands.`));
      this.sim.emit(event('RequestBadFormat', 'security,all', [
        ['EventTV', eventTv(this.sim.now())], ['Severity', 'Error'], ['Service', 'AMI'], ['EventVersion', '1'],
        ['SessionID', `0x${(0x7f0000000000 + this.id * 0x1000).toString(16)}`],
        ['LocalAddress', `IPV4/TCP/${this.local}`], ['RemoteAddress', `IPV4/TCP/${this.remote}`],
        ['RequestType', `Action: ${name}`], ['AccountID', this.sim.username],
      ]));
      return;
    }
    try {
      handler({ sim: this.sim, session: this, action, reply });
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err), action: name }, 'ami-sim action failed');
      reply(errorResponse(action, 'Internal error'));
    }
  }
}
