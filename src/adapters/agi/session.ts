/**
 * One FastAGI connection: read the environment, pick the script, ask for a route within the
 * deadline, write the variables one command at a time, close.
 *
 * Invariants:
 * - The socket is closed by `deadlineMs + graceMs` at the latest, whatever Asterisk or Bitrix24 do.
 * - A route not decided by `deadlineMs` becomes NOROUTE (the lookup is aborted through the signal).
 * - `HANGUP` (or the peer closing) at any time aborts the lookup and ends the session without
 *   further commands.
 * - A 510/520 reply to one command is logged and the next command still runs; 511 (dead channel)
 *   ends the session.
 */
import type { Socket } from 'node:net';
import type { RouteDecision, RoutePort, RouteRequest } from '../../flow/routing.js';
import { routeVariables } from '../../core/crm/routing.js';
import { ConnectorError, errorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { AgiEnvironmentReader, AgiLineReader, AgiReplyParser, parseAgiScript, setVariableCommand } from './framing.js';
import type { AgiReply, AgiScript } from './framing.js';

export interface AgiSessionOptions {
  readonly routing: RoutePort;
  readonly logger: Logger;
  readonly deadlineMs: number;
  /** Extra time after the deadline to write the NOROUTE status and close (default 500 ms). */
  readonly graceMs?: number;
}

/** How a session ended, for logs, metrics and tests. */
export interface AgiSessionResult {
  readonly script?: AgiScript;
  readonly env: Readonly<Record<string, string>>;
  readonly decision?: RouteDecision;
  /** `done`, `hangup`, `unknown-script`, `dead-channel`, `timeout`, `protocol-error`, `closed`. */
  readonly outcome: string;
  readonly commands: number;
}

type Waiter = { resolve: (r: AgiReply) => void; reject: (e: ConnectorError) => void };

export class AgiSession {
  private readonly lines = new AgiLineReader();
  private readonly envReader = new AgiEnvironmentReader();
  private readonly replies = new AgiReplyParser();
  private readonly abort = new AbortController();
  private envDone = false;
  private envResolve: (() => void) | undefined;
  private waiter: Waiter | undefined;
  private ended: string | undefined;
  private commands = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly log: Logger;

  constructor(private readonly socket: Socket, private readonly opts: AgiSessionOptions) {
    this.log = opts.logger.child({ component: 'agi', peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}` });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.end('closed', new ConnectorError('AGI_SOCKET_ERROR', e.message, { cause: e })));
    socket.on('close', () => this.end('closed'));
  }

  /** Runs the session to its end; never rejects. */
  async run(): Promise<AgiSessionResult> {
    const grace = this.opts.graceMs ?? 500;
    const deadline = new Promise<void>((resolve) => this.timers.push(setTimeout(resolve, this.opts.deadlineMs)));
    this.timers.push(setTimeout(() => this.end('timeout'), this.opts.deadlineMs + grace));
    let script: AgiScript | undefined;
    let decision: RouteDecision | undefined;
    try {
      const first = await Promise.race([this.environment().then(() => 'env' as const), deadline.then(() => 'deadline' as const)]);
      if (first === 'deadline') {
        this.log.warn({ code: 'AGI_DEADLINE' }, 'no complete AGI environment before the deadline');
        this.end('timeout');
      }
      if (this.ended) throw new ConnectorError('AGI_HANGUP', `session ended before the environment (${this.ended})`);
      script = parseAgiScript(this.envReader.env);
      if (script.path !== '/route') {
        this.log.warn({ code: 'AGI_UNKNOWN_SCRIPT', path: script.path }, 'unknown AGI script; nothing set');
        this.end('unknown-script');
      } else {
        decision = await this.decide(this.request(script), deadline);
        for (const [name, value] of routeVariables(decision)) {
          if (this.ended) break;
          await this.command(setVariableCommand(name, value));
        }
        this.end('done');
      }
    } catch (e) {
      if (!this.ended) this.log.warn({ code: errorCode(e) }, 'AGI session failed');
      this.end(this.ended ?? 'protocol-error');
    } finally {
      for (const t of this.timers) clearTimeout(t);
    }
    return {
      env: this.envReader.env, outcome: this.ended ?? 'done', commands: this.commands,
      ...(script ? { script } : {}), ...(decision ? { decision } : {}),
    };
  }

  /** The route, or NOROUTE once the deadline passes (the lookup is aborted then). */
  private async decide(request: RouteRequest, deadline: Promise<void>): Promise<RouteDecision> {
    let decided = false;
    const timedOut = deadline.then((): RouteDecision => {
      if (!decided) this.abort.abort(new ConnectorError('AGI_DEADLINE', 'AGI deadline passed'));
      return { status: 'NOROUTE', reason: 'deadline', code: 'AGI_DEADLINE' };
    });
    // A hang-up (or the deadline) ends the wait even if the routing port ignores the signal.
    const aborted = new Promise<RouteDecision>((resolve) => {
      this.abort.signal.addEventListener('abort', () => {
        const code = errorCode(this.abort.signal.reason);
        resolve({ status: 'NOROUTE', reason: code === 'AGI_DEADLINE' ? 'deadline' : 'aborted', code });
      }, { once: true });
    });
    const routed = this.opts.routing.route(request, { signal: this.abort.signal })
      .catch((e: unknown): RouteDecision => ({ status: 'ERROR', reason: 'error', code: errorCode(e) }));
    const decision = await Promise.race([routed, timedOut, aborted]);
    decided = true;
    if (this.ended) throw new ConnectorError('AGI_HANGUP', 'channel gone during the lookup');
    if (decision.reason === 'deadline') this.log.warn({ code: 'AGI_DEADLINE', deadlineMs: this.opts.deadlineMs }, 'no route within the deadline');
    return decision;
  }

  private request(script: AgiScript): RouteRequest {
    const env = this.envReader.env;
    const pick = (...vals: Array<string | undefined>): string | undefined =>
      vals.find((v) => v !== undefined && v !== '' && v !== 'unknown');
    const did = pick(script.query['did'], env['agi_dnid'], env['agi_extension']);
    const name = pick(env['agi_calleridname']);
    return {
      callerId: script.query['callerid'] ?? env['agi_callerid'] ?? '',
      ...(name ? { callerName: name } : {}), ...(did ? { did } : {}),
      ...(env['agi_uniqueid'] ? { uniqueId: env['agi_uniqueid'] } : {}),
      ...(env['agi_channel'] ? { channel: env['agi_channel'] } : {}),
    };
  }

  private environment(): Promise<void> {
    if (this.envDone) return Promise.resolve();
    if (this.ended) return Promise.reject(new ConnectorError('AGI_HANGUP', 'connection closed before the environment'));
    return new Promise<void>((resolve) => { this.envResolve = resolve; });
  }

  /** Sends one command and waits for its reply; 510/520 are logged and returned, 511 ends. */
  private command(line: string): Promise<AgiReply> {
    if (this.ended) return Promise.reject(new ConnectorError('AGI_HANGUP', 'session already ended'));
    this.commands++;
    this.socket.write(`${line}\n`);
    return new Promise<AgiReply>((resolve, reject) => { this.waiter = { resolve, reject }; }).then((reply) => {
      if (reply.kind === 'invalid' || reply.kind === 'usage') {
        this.log.warn({ code: 'AGI_COMMAND_REJECTED', reply: reply.raw, command: line.split(' ').slice(0, 3).join(' ') }, 'AGI command rejected');
      } else if (reply.kind === 'dead') {
        this.end('dead-channel');
      }
      return reply;
    });
  }

  private onData(chunk: Buffer): void {
    try {
      for (const line of this.lines.push(chunk)) {
        if (this.ended) return;
        if (!this.envDone) {
          if (line === 'HANGUP') {
            this.end('hangup');
            return;
          }
          if (this.envReader.push(line)) {
            this.envDone = true;
            this.envResolve?.();
          }
          continue;
        }
        const inbound = this.replies.push(line);
        if (!inbound) continue;
        if (inbound.kind === 'hangup') {
          this.log.info({ code: 'AGI_HANGUP' }, 'channel hung up; request aborted');
          this.end('hangup');
          return;
        }
        const w = this.waiter;
        this.waiter = undefined;
        if (w) w.resolve(inbound.reply);
        else this.log.warn({ code: 'AGI_BAD_REPLY', reply: inbound.reply.raw }, 'AGI reply without a command');
      }
    } catch (e) {
      this.log.warn({ code: errorCode(e) }, 'AGI protocol error');
      this.end('protocol-error');
    }
  }

  /** Ends once: aborts the lookup, fails the pending command, closes the socket. */
  private end(outcome: string, err?: ConnectorError): void {
    if (this.ended) return;
    this.ended = outcome;
    if (err) this.log.debug({ code: err.code }, err.message);
    this.abort.abort(new ConnectorError('AGI_HANGUP', `AGI session ended (${outcome})`));
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(new ConnectorError(outcome === 'timeout' ? 'AGI_DEADLINE' : 'AGI_HANGUP', `AGI session ended (${outcome})`));
    if (this.envResolve && !this.envDone) this.envResolve();
    if (!this.socket.destroyed) this.socket.end();
    // A peer that never reads must not keep the socket open.
    const t = setTimeout(() => this.socket.destroy(), 200);
    t.unref();
  }
}
