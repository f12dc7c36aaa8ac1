/**
 * Session actions: Login (plain and MD5), Challenge, Logoff, Ping, Events.
 */
import { createHash, randomInt } from 'node:crypto';
import { field } from '../../../src/adapters/ami/message.js';
import type { ActionCtx, ActionHandler } from './context.js';
import { parseEventMask } from './privilege.js';
import { epochMicros, errorResponse, event, response } from './wire.js';
import { EVENT_CLASSES } from './privilege.js';

function md5hex(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** `2026-11-22T04:53:14.183+0000`, the security events' EventTV format. */
export function eventTv(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function credentialsOk(ctx: ActionCtx): boolean {
  const { action, sim, session } = ctx;
  if ((field(action, 'Username') ?? '').toLowerCase() !== sim.username.toLowerCase()) return false;
  if ((field(action, 'AuthType') ?? '').toLowerCase() === 'md5') {
    const key = (field(action, 'Key') ?? '').toLowerCase();
    return session.challenge !== undefined && key === md5hex(session.challenge + sim.secret);
  }
  return field(action, 'Secret') === sim.secret;
}

const login: ActionHandler = (ctx) => {
  const { action, sim, session } = ctx;
  if (session.authenticated) {
    ctx.reply(response(action, 'Success', { message: 'Already authenticated' }));
    return;
  }
  if (!credentialsOk(ctx)) {
    // Asterisk sleeps ~1 s before answering a failed login, then drops the connection.
    session.closeAfter(sim.authFailDelayMs, errorResponse(action, 'Authentication failed'));
    return;
  }
  const events = field(action, 'Events');
  session.eventMask = (events === undefined ? ~0 : parseEventMask(events)) & sim.readMask;
  ctx.reply(response(action, 'Success', { message: 'Authentication accepted' }));
  session.markAuthenticated();
  if (session.eventMask & (EVENT_CLASSES.system ?? 0)) {
    const uptime = String(Math.floor((sim.now() - sim.startedMs) / 1000));
    session.write(event('FullyBooted', 'system,all', [['Uptime', uptime], ['LastReload', uptime], ['Status', 'Fully Booted']]));
  }
  const tv = eventTv(sim.now());
  sim.emit(event('SuccessfulAuth', 'security,all', [
    ['EventTV', tv], ['Severity', 'Informational'], ['Service', 'AMI'], ['EventVersion', '1'],
    ['AccountID', sim.username], ['SessionID', `0x${(0x7f0000000000 + session.id * 0x1000).toString(16)}`],
    ['LocalAddress', `IPV4/TCP/${session.local}`], ['RemoteAddress', `IPV4/TCP/${session.remote}`],
    ['UsingPassword', '0'], ['SessionTV', tv],
  ]));
};

const challenge: ActionHandler = (ctx) => {
  if ((field(ctx.action, 'AuthType') ?? '').toLowerCase() !== 'md5') {
    ctx.reply(errorResponse(ctx.action, 'Must specify AuthType'));
    return;
  }
  // Asterisk keeps the first challenge of a session and repeats it.
  ctx.session.challenge ??= String(randomInt(1, 2 ** 31 - 1));
  ctx.reply(response(ctx.action, 'Success', { extra: [['Challenge', ctx.session.challenge]] }));
};

const logoff: ActionHandler = (ctx) => {
  ctx.session.closeAfter(0, response(ctx.action, 'Goodbye', { message: 'Thanks for all the fish.' }));
};

const ping: ActionHandler = (ctx) => {
  ctx.reply(response(ctx.action, 'Success', { extra: [['Ping', 'Pong'], ['Timestamp', epochMicros(ctx.sim.now())]] }));
};

const events: ActionHandler = (ctx) => {
  const mask = parseEventMask(field(ctx.action, 'EventMask') ?? '') & ctx.sim.readMask;
  ctx.session.eventMask = mask;
  ctx.reply(response(ctx.action, 'Success', { extra: [['Events', mask ? 'On' : 'Off']] }));
};

/** Actions allowed before login. */
export const PRE_LOGIN_ACTIONS = new Set(['login', 'challenge', 'logoff']);

export const SESSION_ACTIONS: Readonly<Record<string, ActionHandler>> = { login, challenge, logoff, ping, events };
