/**
 * AMI client: one TCP session to Asterisk at a time — login (plain or MD5), action correlation
 * (ActionID = per-connection random prefix + counter), Ping keep-alive, reconnect with jittered
 * exponential backoff and re-login. Owns no call logic: events go to listeners in wire order.
 *
 * Guarantees: pending actions fail with AMI_DISCONNECTED when the socket drops; a login failure waits at
 * least `loginRetryMs` before the next try; a throwing listener is logged and skipped; `close()` leaves
 * no timers or sockets behind.
 */
import { createHash } from 'node:crypto';
import { Socket } from 'node:net';
import { ConnectorError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { AmiFramer, formatMessage } from './framing.js';
import { eventName, field, type AmiField, type AmiMessage } from './message.js';
import { challenge, login, logoff, ping, type AmiAction, type AmiActionResult, type AmiRequest } from './actions.js';
import { PendingActions } from './pending-actions.js';
import { backoffDelay } from './backoff.js';
import { SignalHub } from './signal-hub.js';
import { openTransport, type AmiTransport } from './transport.js';
import {
  resolveOptions, type AmiClientOptions, type AmiClientSignals, type AmiClientStats, type AmiSignal,
  type ResolvedAmiClientOptions,
} from './client-options.js';

export type { AmiClientOptions, AmiClientSignals, AmiClientStats, AmiSignal } from './client-options.js';

export type AmiClientState = 'idle' | 'connecting' | 'ready' | 'waiting' | 'closing' | 'closed';

interface Session {
  readonly socket: Socket;
  readonly framer: AmiFramer;
  readonly pending: PendingActions;
  readonly prefix: string;
  counter: number;
  banner: string | undefined;
  ready: boolean;
  loginFailed: boolean;
  lastError: Error | undefined;
  connectTimer: ReturnType<typeof setTimeout> | undefined;
  pingTimer: ReturnType<typeof setTimeout> | undefined;
  /** The TCP connection is up (for TLS: the handshake may still fail). */
  tcpUp: boolean;
}

export class AmiClient {
  private readonly opts: ResolvedAmiClientOptions;
  private readonly log: Logger;
  private readonly signals: SignalHub<AmiClientSignals>;
  private session: Session | undefined;
  private status: AmiClientState = 'idle';
  private attempt = 0;
  private everConnected = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly connectWaiters: Array<{ resolve: () => void; reject: (e: ConnectorError) => void }> = [];
  private readonly closeWaiters: Array<() => void> = [];
  private readonly counters: Omit<AmiClientStats, 'pending'> = {
    connectAttempts: 0, reconnects: 0, disconnects: 0, loginFailures: 0, events: 0, actions: 0,
    actionErrors: 0, timeouts: 0, pingFailures: 0, frameErrors: 0, listenerErrors: 0,
  };

  constructor(options: AmiClientOptions) {
    this.opts = resolveOptions(options);
    this.log = (options.logger ?? silentLogger).child({ component: 'ami' });
    this.signals = new SignalHub<AmiClientSignals>((signal, err) => {
      this.counters.listenerErrors++;
      this.log.error({ signal, err: err instanceof Error ? err.message : String(err) }, 'AMI listener threw; skipped');
    });
  }

  // ---- public API --------------------------------------------------------------------------------

  get state(): AmiClientState {
    return this.status;
  }

  /** True while logged in: actions can be sent. */
  get ready(): boolean {
    return this.status === 'ready';
  }

  /** The banner of the current connection (`Asterisk Call Manager/11.0.0`). */
  get banner(): string | undefined {
    return this.session?.banner;
  }

  get stats(): AmiClientStats {
    return { ...this.counters, pending: this.session?.pending.size ?? 0 };
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends AmiSignal>(signal: K, listener: (...args: AmiClientSignals[K]) => void): () => void {
    return this.signals.on(signal, listener);
  }

  off<K extends AmiSignal>(signal: K, listener: (...args: AmiClientSignals[K]) => void): void {
    this.signals.off(signal, listener);
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    if (this.status === 'closing' || this.status === 'closed') {
      throw new ConnectorError('AMI_CLOSED', 'AMI client was closed');
    }
    if (this.status !== 'idle') return;
    this.openSession();
  }

  /**
   * Starts if needed and resolves at the next successful login. Rejects with AMI_LOGIN_FAILED (the
   * client keeps retrying slowly), AMI_CLOSED, or — with `reconnect: false` — the connection error.
   */
  connect(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      try {
        this.start();
      } catch (e) {
        reject(e);
        return;
      }
      this.connectWaiters.push({ resolve, reject });
    });
  }

  /** Sends an action; resolves with its response (and list / completion event). */
  send(action: AmiAction): Promise<AmiActionResult> {
    if (this.status === 'closing' || this.status === 'closed') {
      return Promise.reject(new ConnectorError('AMI_CLOSED', `${action.name}: AMI client was closed`, { details: { action: action.name } }));
    }
    const s = this.session;
    if (!s || !s.ready) {
      return Promise.reject(new ConnectorError('AMI_NOT_CONNECTED', `${action.name}: not logged in to AMI`, {
        retryable: true, details: { action: action.name, state: this.status },
      }));
    }
    return new Promise((resolve, reject) => {
      this.dispatch(s, action, (err, result) => (err ? reject(err) : resolve(result!)));
    });
  }

  /** Sends a typed request (see actions.ts) and parses its answer. */
  async request<T>(req: AmiRequest<T>): Promise<T> {
    return req.parse(await this.send(req));
  }

  /** Logoff, then end the socket; stops reconnecting; leaves no timers. Idempotent. */
  close(): Promise<void> {
    if (this.status === 'closed') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.status === 'closing') return done;
    this.status = 'closing';
    this.clearReconnectTimer();
    this.rejectConnectWaiters(new ConnectorError('AMI_CLOSED', 'AMI client was closed'));
    const s = this.session;
    if (!s) {
      this.finishClose();
      return done;
    }
    this.stopPing(s);
    const hardStop = setTimeout(() => s.socket.destroy(), this.opts.closeTimeoutMs);
    s.socket.once('close', () => clearTimeout(hardStop));
    if (s.ready && !s.socket.destroyed) {
      this.dispatch(s, { ...logoff(), timeoutMs: this.opts.closeTimeoutMs }, () => s.socket.end());
    } else {
      s.socket.destroy();
    }
    return done;
  }

  // ---- connection lifecycle ----------------------------------------------------------------------

  private openSession(): void {
    this.status = 'connecting';
    this.counters.connectAttempts++;
    let transport: AmiTransport;
    try {
      transport = openTransport(this.opts.host, this.opts.port, this.opts.tls);
    } catch (e) {
      // A CA file that cannot be read: logged, and tried again at the next attempt (it may appear).
      const err = e as ConnectorError;
      this.log.error({ code: err.code, reason: err.message }, 'AMI TLS settings unusable');
      transport = { socket: new Socket(), readyEvent: 'connect', check: () => err };
      queueMicrotask(() => transport.socket.destroy(err));
    }
    const { socket } = transport;
    socket.setNoDelay(true);
    const framer = new AmiFramer({
      onBanner: (b) => { session.banner = b; },
      onMessage: (m) => this.onMessage(session, m),
      onError: (e) => {
        this.counters.frameErrors++;
        this.log.warn({ code: e.code, details: e.details }, 'AMI frame dropped');
      },
    }, this.opts.framerLimits ? { limits: this.opts.framerLimits } : {});
    const pending = new PendingActions((action) => {
      this.counters.timeouts++;
      this.log.warn({ action: action.name }, 'AMI action timed out');
    });
    const session: Session = {
      socket, framer, pending, prefix: this.opts.actionIdPrefix(), counter: 0, banner: undefined, ready: false,
      loginFailed: false, lastError: undefined, connectTimer: undefined, pingTimer: undefined, tcpUp: false,
    };
    this.session = session;
    session.connectTimer = setTimeout(() => {
      socket.destroy(new ConnectorError('AMI_CONNECT_TIMEOUT', `no TCP connection within ${this.opts.connectTimeoutMs} ms`, { retryable: true }));
    }, this.opts.connectTimeoutMs);
    socket.once('connect', () => { session.tcpUp = true; });
    socket.on(transport.readyEvent, () => {
      clearTimeout(session.connectTimer);
      session.connectTimer = undefined;
      const wrongPeer = transport.check();
      if (wrongPeer) {
        this.log.error({ code: wrongPeer.code, reason: wrongPeer.message }, 'AMI peer refused');
        socket.destroy(wrongPeer);
        return;
      }
      this.login(session);
    });
    socket.on('data', (chunk: Buffer) => session.framer.push(chunk));
    socket.on('error', (err) => {
      session.lastError = err;
      const code = (err as NodeJS.ErrnoException).code;
      if (this.opts.tls && session.tcpUp && session.connectTimer !== undefined && !(err instanceof ConnectorError)) {
        // The handshake failed (untrusted or expired certificate, wrong name, a port without TLS).
        this.log.warn({ code: 'AMI_TLS_FAILED', reason: err.message, cause: code }, 'AMI TLS handshake failed');
      } else {
        this.log.debug({ err: err.message, code }, 'AMI socket error');
      }
    });
    socket.on('close', () => this.onClose(session));
  }

  private login(s: Session): void {
    const fail = (err: ConnectorError): void => {
      if (err.code === 'AMI_DISCONNECTED' || err.code === 'AMI_CLOSED') return;
      if (err.code === 'AMI_ACTION_TIMEOUT' || err.code === 'AMI_BAD_RESPONSE') {
        this.log.warn({ code: err.code }, 'AMI login got no usable answer; reconnecting');
        s.socket.destroy();
        return;
      }
      this.onLoginFailed(s, err);
    };
    const send = (key: string | undefined): void => {
      const params = key !== undefined
        ? { username: this.opts.username, key }
        : { username: this.opts.username, secret: this.opts.secret };
      const req = login(this.opts.events !== undefined ? { ...params, events: this.opts.events } : params);
      this.dispatch(s, req, (err) => (err ? fail(err) : this.onLoggedIn(s)));
    };
    if (!this.opts.md5) {
      send(undefined);
      return;
    }
    const req = challenge();
    this.dispatch(s, req, (err, result) => {
      if (err) return fail(err);
      let ch: string;
      try {
        ch = req.parse(result!);
      } catch (e) {
        return fail(e as ConnectorError);
      }
      send(createHash('md5').update(ch + this.opts.secret).digest('hex'));
    });
  }

  private onLoggedIn(s: Session): void {
    if (this.session !== s || this.status === 'closing') return;
    s.ready = true;
    this.status = 'ready';
    this.attempt = 0;
    const reconnect = this.everConnected;
    if (reconnect) this.counters.reconnects++;
    this.everConnected = true;
    this.log.info({ banner: s.banner, reconnect }, 'AMI logged in');
    this.schedulePing(s);
    const waiters = this.connectWaiters.splice(0);
    for (const w of waiters) w.resolve();
    this.emit('connected', { banner: s.banner, reconnect });
  }

  private onLoginFailed(s: Session, cause: ConnectorError): void {
    const message = typeof cause.details?.['message'] === 'string' ? cause.details['message'] : cause.message;
    const err = new ConnectorError('AMI_LOGIN_FAILED', `AMI login as ${this.opts.username} refused: ${message}`, {
      cause, details: { username: this.opts.username, message, md5: this.opts.md5 },
    });
    s.loginFailed = true;
    this.counters.loginFailures++;
    this.log.error({ code: err.code, message }, 'AMI login failed');
    this.rejectConnectWaiters(err);
    this.emit('loginFailed', err);
    s.socket.destroy();
  }

  private onClose(s: Session): void {
    if (this.session !== s) return;
    this.session = undefined;
    clearTimeout(s.connectTimer);
    this.stopPing(s);
    const closing = this.status === 'closing';
    const error = closing
      ? new ConnectorError('AMI_CLOSED', 'AMI client was closed')
      : new ConnectorError('AMI_DISCONNECTED', 'AMI connection lost', {
        retryable: true, ...(s.lastError ? { cause: s.lastError } : {}),
      });
    s.pending.rejectAll(error);
    if (s.ready) {
      this.counters.disconnects++;
      this.log.warn({ reason: s.lastError?.message }, 'AMI disconnected');
      this.emit('disconnected', { error });
    }
    if (closing) {
      this.finishClose();
      return;
    }
    if (!this.opts.reconnect) {
      this.status = 'closed';
      const err = s.loginFailed ? error : this.connectError(s);
      this.rejectConnectWaiters(err);
      return;
    }
    this.attempt++;
    let delay = backoffDelay(this.attempt, { minMs: this.opts.reconnectMinMs, maxMs: this.opts.reconnectMaxMs }, this.opts.random);
    if (s.loginFailed) delay = Math.max(delay, this.opts.loginRetryMs);
    this.status = 'waiting';
    this.log.debug({ attempt: this.attempt, delayMs: delay }, 'AMI reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.openSession();
    }, delay);
  }

  /** Why a connection never reached login: the TLS settings or handshake, or the network. */
  private connectError(s: Session): ConnectorError {
    const cause = s.lastError;
    if (cause instanceof ConnectorError) return cause;
    const where = `${this.opts.host}:${this.opts.port}`;
    if (this.opts.tls && cause && s.tcpUp) {
      return new ConnectorError('AMI_TLS_FAILED', `TLS handshake with AMI at ${where} failed: ${cause.message}`, { retryable: true, cause });
    }
    return new ConnectorError('AMI_CONNECT_FAILED', `cannot reach AMI at ${where}`, { retryable: true, ...(cause ? { cause } : {}) });
  }

  private finishClose(): void {
    this.status = 'closed';
    for (const w of this.closeWaiters.splice(0)) w();
  }

  // ---- actions, events, keep-alive ---------------------------------------------------------------

  private dispatch(s: Session, action: AmiAction, settle: (err: ConnectorError | undefined, r: AmiActionResult | undefined) => void): void {
    const id = `${s.prefix}-${++s.counter}`;
    const fields: AmiField[] = [['Action', action.name], ['ActionID', id], ...action.fields];
    let wire: string;
    try {
      wire = formatMessage(fields);
    } catch (e) {
      settle(e as ConnectorError, undefined);
      return;
    }
    this.counters.actions++;
    s.pending.add(id, action, action.timeoutMs ?? this.opts.actionTimeoutMs, (err, result) => {
      if (err && err.code !== 'AMI_DISCONNECTED' && err.code !== 'AMI_CLOSED' && err.code !== 'AMI_ACTION_TIMEOUT') {
        this.counters.actionErrors++;
      }
      settle(err, result);
    });
    s.socket.write(wire);
  }

  private onMessage(s: Session, msg: AmiMessage): void {
    if (this.session !== s) return;
    const routing = s.pending.handle(msg);
    if (routing === 'consumed') return;
    const name = eventName(msg);
    if (name === undefined) {
      this.log.debug({ actionId: field(msg, 'ActionID') }, 'AMI response matches no pending action');
      return;
    }
    // A late list item of one of our own actions (after its timeout) is not a PBX event. OriginateResponse
    // is: Asterisk sends it to every session, so it is always delivered.
    const id = field(msg, 'ActionID');
    if (routing === 'not-mine' && name !== 'OriginateResponse' && id?.startsWith(`${s.prefix}-`)) {
      this.log.debug({ event: name, actionId: id }, 'late reply to a finished action dropped');
      return;
    }
    this.counters.events++;
    this.emit('event', msg);
    if (name === 'FullyBooted') this.emit('fullyBooted', msg);
  }

  private schedulePing(s: Session): void {
    if (this.opts.pingIntervalMs <= 0) return;
    s.pingTimer = setTimeout(() => {
      s.pingTimer = undefined;
      if (this.session !== s || !s.ready) return;
      this.dispatch(s, { ...ping(), timeoutMs: this.opts.pingTimeoutMs }, (err) => {
        if (err?.code === 'AMI_ACTION_TIMEOUT') {
          this.counters.pingFailures++;
          this.log.warn({ timeoutMs: this.opts.pingTimeoutMs }, 'AMI ping unanswered; reconnecting');
          s.lastError = err;
          s.socket.destroy();
          return;
        }
        // Any answer (even an error) proves the session is alive.
        if (!err || (err.code !== 'AMI_DISCONNECTED' && err.code !== 'AMI_CLOSED')) this.schedulePing(s);
      });
    }, this.opts.pingIntervalMs);
  }

  private stopPing(s: Session): void {
    if (s.pingTimer) clearTimeout(s.pingTimer);
    s.pingTimer = undefined;
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private rejectConnectWaiters(err: ConnectorError): void {
    for (const w of this.connectWaiters.splice(0)) w.reject(err);
  }

  private emit<K extends AmiSignal>(signal: K, ...args: AmiClientSignals[K]): void {
    this.signals.emit(signal, ...args);
  }
}
