/**
 * Doctor checks against Bitrix24: portal reachable, auth works, scopes, app-only methods usable,
 * event binding present, external lines registered. Read-only calls only (user.current, app.info,
 * scope, event.get, telephony.externalLine.get, searches).
 */
import type { Config } from '../config/schema.js';
import { errorCode } from '../errors.js';
import type { B24RestClient } from '../adapters/bitrix/client.js';
import { createBitrixAdapters, type BitrixAdapterDeps } from '../adapters/bitrix/from-config.js';
import {
  fail, pass, runCheck, skipped, warn, type CheckOutcome, type CheckResult, type ResolvedDoctorOptions,
} from './doctor-check.js';
import { checkScopes } from './doctor-bitrix-scopes.js';
import { checkFmc, FMC_CHECK } from './doctor-fmc.js';

const T = {
  reach: ['b24.reach', 'Bitrix24 reachable'],
  auth: ['b24.auth', 'Bitrix24 auth'],
  scopes: ['b24.scopes', 'Bitrix24 scopes'],
  appOnly: ['b24.app-only', 'App-only methods'],
  events: ['b24.events', 'Event binding'],
  lines: ['b24.lines', 'External lines'],
  fmc: FMC_CHECK,
} as const;

type Bitrix = Config['bitrix'];

/** The portal's origin, from the webhook URL or the OAuth client endpoint. */
export function portalOrigin(b: Bitrix): string | undefined {
  const raw = b.auth === 'webhook' ? b.webhookUrl : b.oauth?.clientEndpoint;
  try {
    return raw ? new URL(raw).origin : undefined;
  } catch {
    return undefined;
  }
}

async function checkReach(b: Bitrix, o: ResolvedDoctorOptions): Promise<CheckOutcome> {
  const origin = portalOrigin(b);
  if (!origin) return fail('no portal address configured', 'set bitrix.webhookUrl (webhook) or bitrix.oauth.clientEndpoint (oauth)', 'DOCTOR_B24_UNREACHABLE');
  const signal = AbortSignal.timeout(o.timeoutMs);
  let cause = '';
  // Twice at most: a pooled keep-alive socket the server has dropped fails once with UND_ERR_SOCKET.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await o.fetch(`${origin}/`, { method: 'GET', redirect: 'manual', signal });
      await res.body?.cancel();
      return pass(`${origin} answers (HTTP ${res.status})`);
    } catch (e) {
      cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      if (cause !== 'UND_ERR_SOCKET') break;
    }
  }
  return fail(`cannot reach ${origin} (${cause})`,
    'check DNS, the outbound firewall / proxy (HTTPS to the portal must be allowed) and the portal address', 'DOCTOR_B24_UNREACHABLE');
}

const AUTH_HINTS: Record<string, string> = {
  B24_NO_AUTH: 'the webhook code or access token is wrong: copy the webhook URL again (Developer resources), or reinstall the application',
  B24_TOKEN_EXPIRED: 'the access token expired and could not be refreshed: check bitrix.oauth.refreshToken / clientSecret, or reinstall the application',
  B24_TOKEN_INVALID: 'the access token is unknown to the portal: reinstall the application to get a new token pair',
  B24_OAUTH_INVALID_GRANT: 'the refresh token is expired or was used by another copy: reinstall the application (tokens are stored after install)',
  B24_OAUTH_INVALID_CLIENT: 'bitrix.oauth.clientId / clientSecret do not match the local application (Developer resources → the app)',
  B24_INVALID_CREDENTIALS: 'the webhook user or application user lacks rights; use an administrator',
  B24_ACCESS_DENIED: 'REST is not available on this plan, or the user is not an administrator',
  B24_USER_ACCESS_DENIED: 'the application is restricted to some users; allow the user whose token is used',
  B24_PAYMENT_REQUIRED: 'the application subscription has expired',
  B24_QUERY_LIMIT: 'not an auth problem: the portal\'s request limit is used up right now (the connector or another application is busy); run doctor again in a minute',
};

interface AuthInfo { userId: string; name: string }

async function checkAuth(b: Bitrix, client: B24RestClient, o: ResolvedDoctorOptions, who: { info?: AuthInfo }): Promise<CheckOutcome> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  try {
    const me = await client.call<Record<string, unknown>>('user.current', {}, { signal });
    who.info = { userId: String(me['ID'] ?? '?'), name: [me['NAME'], me['LAST_NAME']].filter((x) => typeof x === 'string' && x).join(' ') };
  } catch (e) {
    const code = errorCode(e);
    if (code !== 'B24_INSUFFICIENT_SCOPE') {
      return fail(`${b.auth} auth refused: ${(e as Error).message}`, AUTH_HINTS[code] ?? 'see the error code in docs/troubleshooting.md', code);
    }
  }
  const as = who.info ? ` as user ${who.info.userId}${who.info.name ? ` (${who.info.name})` : ''}` : '';
  if (b.auth === 'webhook') return pass(`incoming webhook works${as}`);
  try {
    const app = await client.call<Record<string, unknown>>('app.info', {}, { signal });
    if (app['INSTALLED'] === false) {
      return fail(`application ${String(app['CODE'] ?? app['ID'] ?? '')} is not fully installed${as}`,
        'open the application in Bitrix24 once so the install finishes; events are not delivered before that', 'DOCTOR_B24_APP_NOT_INSTALLED');
    }
    return pass(`OAuth application ${String(app['CODE'] ?? app['ID'] ?? '')} (status ${String(app['STATUS'] ?? '?')}) works${as}`);
  } catch (e) {
    return warn(`OAuth works${as}; app.info failed: ${(e as Error).message}`, 'app.info should answer for any application token', errorCode(e));
  }
}

async function checkAppOnly(b: Bitrix, client: B24RestClient, o: ResolvedDoctorOptions): Promise<CheckOutcome> {
  if (b.auth === 'oauth') return pass('OAuth application: register, finish, externalLine.* and event.* are available');
  try {
    // Harmless app-only method: if a webhook may read lines, it may register and finish (reference §11.1).
    await client.call('telephony.externalLine.get', {}, { signal: AbortSignal.timeout(o.timeoutMs) });
    return warn('this portal lets the webhook call app-only methods (register/finish work)',
      'click-to-call (ONEXTERNALCALLSTART) still needs a local application: webhooks never receive it', 'DOCTOR_B24_WEBHOOK_MODE');
  } catch (e) {
    const code = errorCode(e);
    if (code === 'B24_WRONG_AUTH_TYPE') {
      return fail('WRONG_AUTH_TYPE: the portal refuses app-only methods (telephony.externalCall.register/finish) for webhooks',
        'create a local application (docs/operations.md, "Bitrix24 local application") and set bitrix.auth = "oauth"', code);
    }
    return fail(`probe telephony.externalLine.get failed: ${(e as Error).message}`, 'see the error code in docs/troubleshooting.md', code);
  }
}

function handlerUrl(config: Config): string | undefined {
  const base = config.http.publicUrl;
  return base ? `${base.replace(/\/+$/, '')}${config.bitrix.events.path}` : undefined;
}

const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

interface Binding { event: string; handler: string; offline: boolean }

async function checkEvents(config: Config, client: B24RestClient, o: ResolvedDoctorOptions): Promise<CheckOutcome> {
  const ev = config.bitrix.events;
  if (!ev.push && !ev.poll) return warn('bitrix.events.push and .poll are both off', 'click-to-call is disabled; turn one on to use it', 'DOCTOR_B24_EVENTS_OFF');
  if (config.bitrix.auth === 'webhook') {
    return warn('webhook mode: ONEXTERNALCALLSTART cannot be bound (app-only event)', 'click-to-call needs the OAuth local application', 'DOCTOR_B24_EVENTS_WEBHOOK');
  }
  const raw = await client.call<Array<Record<string, unknown>>>('event.get', {}, { signal: AbortSignal.timeout(o.timeoutMs) });
  const bindings: Binding[] = (Array.isArray(raw) ? raw : []).map((r) => ({
    event: String(r['event'] ?? '').toUpperCase(), handler: String(r['handler'] ?? ''), offline: Number(r['offline'] ?? 0) === 1,
  }));
  const start = bindings.filter((x) => x.event === 'ONEXTERNALCALLSTART');
  const url = handlerUrl(config);
  const found: string[] = [];
  if (ev.push) {
    if (!url) return fail('bitrix.events.push is on but http.publicUrl is not set', 'set http.publicUrl to the https address at which Bitrix24 reaches this server', 'DOCTOR_B24_NO_PUBLIC_URL');
    if (start.some((x) => !x.offline && sameUrl(x.handler, url))) found.push(`ONEXTERNALCALLSTART → ${url}`);
  }
  if (ev.poll && start.some((x) => x.offline)) found.push('ONEXTERNALCALLSTART offline (polled)');
  if (found.length === 0) {
    const other = start.filter((x) => !x.offline).map((x) => x.handler);
    const expected = ev.push ? `online to ${url}` : 'offline (event_type=offline)';
    return fail(`ONEXTERNALCALLSTART is not bound ${expected}${other.length ? `; bound to ${other.join(', ')}` : ''}`,
      ev.push
        ? `bind it with the application's token: event.bind event=ONEXTERNALCALLSTART handler=${url} (docs/operations.md, "Binding the click-to-call event"); unbind the old handler`
        : 'the connector binds offline events when polling starts: run `asterisk-b24 start` once (needs an administrator token)',
      'DOCTOR_B24_EVENT_NOT_BOUND');
  }
  return pass(found.join('; '));
}

async function checkLines(config: Config, client: B24RestClient, o: ResolvedDoctorOptions): Promise<CheckOutcome> {
  const wanted = config.pbx.trunks.filter((t) => t.line).map((t) => ({ endpoint: t.endpoint, line: t.line! }));
  const raw = await client.call<Array<Record<string, unknown>>>('telephony.externalLine.get', {}, { signal: AbortSignal.timeout(o.timeoutMs) });
  const numbers = new Set((Array.isArray(raw) ? raw : []).map((l) => String(l['NUMBER'] ?? '')));
  if (wanted.length === 0) return pass(`no pbx.trunks[].line configured; portal has ${numbers.size} line(s)`);
  const missing = wanted.filter((w) => !numbers.has(w.line));
  if (missing.length > 0) {
    return warn(`line(s) not registered: ${missing.map((m) => `${m.line} (trunk ${m.endpoint})`).join(', ')}`,
      'add them with telephony.externalLine.add NUMBER=<line> NAME=<name> (register creates a bare line silently, without a name or CRM_AUTO_CREATE)', 'DOCTOR_B24_LINE_MISSING');
  }
  return pass(`line(s) ${wanted.map((w) => w.line).join(', ')} registered`);
}

export interface BitrixDoctorDeps {
  readonly storedTokens?: BitrixAdapterDeps['storedTokens'];
  readonly persistTokens?: BitrixAdapterDeps['persistTokens'];
}

/** The Bitrix24 group: results in display order. */
export async function bitrixChecks(config: Config, o: ResolvedDoctorOptions, deps: BitrixDoctorDeps = {}): Promise<CheckResult[]> {
  const b = config.bitrix;
  const results: CheckResult[] = [];
  const reach = await runCheck(T.reach[0], T.reach[1], o.timeoutMs, () => checkReach(b, o));
  results.push(reach);
  const rest = [T.auth, T.scopes, T.appOnly, T.events, T.lines, T.fmc];
  if (reach.status === 'fail') return [...results, ...rest.map(([id, title]) => skipped(id, title, 'Bitrix24 not reachable'))];
  const { client } = createBitrixAdapters({ ...b, requestTimeoutMs: o.timeoutMs }, {
    fetch: o.fetch, ...(o.logger ? { logger: o.logger } : {}), ...deps,
  });
  const who: { info?: AuthInfo } = {};
  const auth = await runCheck(T.auth[0], T.auth[1], o.timeoutMs, () => checkAuth(b, client, o, who));
  results.push(auth);
  if (auth.status === 'fail') return [...results, ...rest.slice(1).map(([id, title]) => skipped(id, title, 'Bitrix24 auth failed'))];
  results.push(await runCheck(T.scopes[0], T.scopes[1], o.timeoutMs, () => checkScopes(config, client, o)));
  const appOnly = await runCheck(T.appOnly[0], T.appOnly[1], o.timeoutMs, () => checkAppOnly(b, client, o));
  results.push(appOnly);
  const appOnlyRefused = appOnly.code === 'B24_WRONG_AUTH_TYPE';
  results.push(await runCheck(T.events[0], T.events[1], o.timeoutMs, () => checkEvents(config, client, o)));
  results.push(appOnlyRefused
    ? skipped(T.lines[0], T.lines[1], 'app-only methods refused (WRONG_AUTH_TYPE)')
    : await runCheck(T.lines[0], T.lines[1], o.timeoutMs, () => checkLines(config, client, o)));
  results.push(await runCheck(T.fmc[0], T.fmc[1], o.timeoutMs, () => checkFmc(config, client, o)));
  return results;
}
