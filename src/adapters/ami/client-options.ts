/**
 * Options, signals and counters of the AMI client, with the defaults in one place.
 * The option names match the `ami` section of the config schema, so `{ ...config.ami, logger }` works.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectorError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { FramerLimits } from './framing.js';
import type { AmiMessage } from './message.js';
import type { AmiTlsOptions } from './transport.js';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Login with Challenge/MD5 instead of sending the secret. Default false. */
  md5?: boolean;
  /** AMI over TLS (manager.conf `tlsenable`); absent: plain TCP. */
  tls?: AmiTlsOptions | undefined;
  /** `Events:` sent with Login (`on`, `off`, `call,dialplan,agent,system` …). Omitted: Asterisk's default (on). */
  events?: string;
  /** Default timeout of an action, ms. Default 10 000. */
  actionTimeoutMs?: number;
  /** Ping period after login, ms; 0 disables keep-alive. Default 20 000. */
  pingIntervalMs?: number;
  /** A Ping unanswered for this long closes the socket (and reconnects). Default min(actionTimeoutMs, pingIntervalMs). */
  pingTimeoutMs?: number;
  /** Reconnect backoff bounds, ms. Defaults 100 and 30 000. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Least wait after AMI_LOGIN_FAILED before trying again, ms. Default reconnectMaxMs. */
  loginRetryMs?: number;
  /** TCP connect deadline, ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** How long close() waits for the Logoff answer, ms. Default 2 000. */
  closeTimeoutMs?: number;
  /** Reconnect after a drop. Default true. */
  reconnect?: boolean;
  logger?: Logger;
  /** [0, 1) source for backoff jitter (tests). Default Math.random. */
  random?: () => number;
  /** ActionID prefix of a new connection (tests). Default 8 random hex digits. */
  actionIdPrefix?: () => string;
  framerLimits?: Partial<FramerLimits>;
}

export interface AmiClientSignals {
  /** Every event not consumed as an action's list item, in wire order (OriginateResponse included). */
  event: [msg: AmiMessage];
  /** Logged in (first time and after every reconnect). */
  connected: [info: { banner: string | undefined; reconnect: boolean }];
  /** A logged-in session ended. */
  disconnected: [info: { error: ConnectorError }];
  /** Asterisk's FullyBooted event (needs the `system` class). */
  fullyBooted: [msg: AmiMessage];
  /** Login rejected (AMI_LOGIN_FAILED); the client retries after loginRetryMs. */
  loginFailed: [error: ConnectorError];
}

export type AmiSignal = keyof AmiClientSignals;

export interface AmiClientStats {
  connectAttempts: number;
  /** Successful logins after the first one. */
  reconnects: number;
  disconnects: number;
  loginFailures: number;
  events: number;
  actions: number;
  actionErrors: number;
  timeouts: number;
  pingFailures: number;
  frameErrors: number;
  listenerErrors: number;
  pending: number;
}

export type ResolvedAmiClientOptions =
  Required<Omit<AmiClientOptions, 'events' | 'framerLimits' | 'logger' | 'tls'>> & Pick<AmiClientOptions, 'events' | 'framerLimits' | 'tls'>;

export function resolveOptions(options: AmiClientOptions): ResolvedAmiClientOptions {
  const actionTimeoutMs = options.actionTimeoutMs ?? 10_000;
  const pingIntervalMs = options.pingIntervalMs ?? 20_000;
  const reconnectMaxMs = options.reconnectMaxMs ?? 30_000;
  return {
    host: options.host,
    port: options.port,
    username: options.username,
    secret: options.secret,
    md5: options.md5 ?? false,
    tls: options.tls,
    events: options.events,
    actionTimeoutMs,
    pingIntervalMs,
    pingTimeoutMs: options.pingTimeoutMs ?? Math.min(actionTimeoutMs, pingIntervalMs || actionTimeoutMs),
    reconnectMinMs: options.reconnectMinMs ?? 100,
    reconnectMaxMs,
    loginRetryMs: options.loginRetryMs ?? reconnectMaxMs,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 2_000,
    reconnect: options.reconnect ?? true,
    random: options.random ?? Math.random,
    actionIdPrefix: options.actionIdPrefix ?? (() => randomBytes(4).toString('hex')),
    framerLimits: options.framerLimits,
  };
}
