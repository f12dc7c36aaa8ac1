/**
 * Doctor checks against Asterisk's Manager Interface: TCP reachable (banner), login, read classes
 * (events that arrive, or `manager show user` when `command` is allowed), write classes (harmless
 * probes, see doctor-ami-probes.ts). One short AMI session; it is always closed.
 */
import { connect as netConnect } from 'node:net';
import { AmiClient } from '../adapters/ami/client.js';
import { field, fieldAll } from '../adapters/ami/message.js';
import { errorCode } from '../errors.js';
import type { Config } from '../config/schema.js';
import {
  fail, pass, runCheck, skip, skipped, warn, type CheckOutcome, type CheckResult, type ResolvedDoctorOptions,
} from './doctor-check.js';
import {
  configuredEventClasses, parseManagerShowUser, privilegeClasses, RECOMMENDED_READ, RECOMMENDED_WRITE, REQUIRED_READ,
  verdictOf, writeProbes, type ManagerUserPerms, type ProbeOutcome,
} from './doctor-ami-probes.js';

const T = {
  tcp: ['ami.tcp', 'AMI reachable'],
  login: ['ami.login', 'AMI login'],
  read: ['ami.read', 'AMI read permissions'],
  write: ['ami.write', 'AMI write permissions'],
} as const;

/**
 * TCP connect and the first line: `Asterisk Call Manager/x.y.z`. With TLS (`tls`), only the TCP
 * connection is checked here: the banner comes after the handshake, which the login check makes
 * with the real client (so trust problems get their AMI_TLS_* codes there).
 */
export function probeBanner(host: string, port: number, timeoutMs: number, tls = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    if (tls) socket.once('connect', () => done(undefined, 'TCP connected; AMI over TLS'));
    let buf = '';
    const done = (err: Error | undefined, banner?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(banner ?? '');
    };
    const timer = setTimeout(() => done(Object.assign(new Error(`no banner within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(undefined, buf.slice(0, nl).replace(/\r$/, ''));
    });
    socket.on('error', (e) => done(e));
    socket.on('close', () => done(new Error('connection closed before the banner')));
  });
}

async function checkTcp(c: Config['ami'], timeoutMs: number): Promise<CheckOutcome> {
  const where = `${c.host}:${c.port}`;
  try {
    const banner = await probeBanner(c.host, c.port, timeoutMs, c.tls !== undefined);
    if (c.tls) return pass(`${where}: ${banner}`);
    if (!banner.startsWith('Asterisk Call Manager/')) {
      return warn(`${where} answers "${banner.slice(0, 60)}", not an AMI banner`, 'ami.port must be the manager.conf [general] port (5038 by default), not SIP or HTTP', 'DOCTOR_AMI_BANNER');
    }
    return pass(`${where}: ${banner}`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'ERROR';
    const hint = code === 'ECONNREFUSED'
      ? 'nothing listens there: set enabled = yes, port and bindaddr in manager.conf [general], then `asterisk -rx "manager reload"`'
      : code === 'ETIMEDOUT'
        ? 'no answer: a firewall drops the port, or ami.host is wrong'
        : 'check ami.host / ami.port (DNS name, address) and the network';
    return fail(`cannot connect to ${where} (${code})`, hint, 'DOCTOR_AMI_UNREACHABLE');
  }
}

interface Session {
  readonly client: AmiClient;
  readonly classes: Set<string>;
  fullyBooted: boolean;
  varsetSeen: boolean;
  loggedInAt: number;
}

function openClient(config: Config, o: ResolvedDoctorOptions): Session {
  const c = config.ami;
  const client = new AmiClient({
    ...c, reconnect: false, pingIntervalMs: 0, connectTimeoutMs: o.timeoutMs,
    actionTimeoutMs: Math.min(c.actionTimeoutMs, o.timeoutMs), closeTimeoutMs: 1_000,
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const s: Session = { client, classes: new Set(), fullyBooted: false, varsetSeen: false, loggedInAt: 0 };
  client.on('fullyBooted', () => { s.fullyBooted = true; s.classes.add('system'); });
  client.on('event', (msg) => {
    for (const cl of privilegeClasses(field(msg, 'Privilege'))) s.classes.add(cl);
    if (field(msg, 'Event') === 'VarSet' && field(msg, 'Variable') === 'ASTERISK_B24_DOCTOR') s.varsetSeen = true;
  });
  return s;
}

const TLS_HINTS: Readonly<Record<string, string>> = {
  AMI_TLS_FAILED: 'trust the PBX certificate: ami.tls.caFile = the tlscertfile of manager.conf (or its CA), or pin it with ami.tls.fingerprint256; ami.port must be the tlsbindaddr port (5039), and ami.host (or ami.tls.servername) a name the certificate carries',
  AMI_TLS_FINGERPRINT: 'the PBX certificate changed, or ami.host reaches another server: compare `openssl x509 -in <tlscertfile> -noout -fingerprint -sha256` with ami.tls.fingerprint256',
  AMI_TLS_CA_UNREADABLE: 'ami.tls.caFile must be a PEM file the service user can read',
};

async function checkLogin(s: Session, c: Config['ami']): Promise<CheckOutcome> {
  try {
    await s.client.connect();
    s.loggedInAt = Date.now();
    return pass(`logged in as "${c.username}"${c.md5 ? ' (MD5)' : ''}${s.client.banner ? ` — ${s.client.banner}` : ''}`);
  } catch (e) {
    const code = errorCode(e);
    if (code === 'AMI_LOGIN_FAILED') {
      return fail(`login as "${c.username}" refused: ${(e as Error).message.replace(/^.*refused: /, '')}`,
        `ami.username / ami.secret must match a [${c.username}] section of manager.conf (secret=), and its permit=/deny= must allow this host; check with \`asterisk -rx "manager show user ${c.username}"\``, code);
    }
    if (code.startsWith('AMI_TLS_')) return fail((e as Error).message, TLS_HINTS[code] ?? TLS_HINTS['AMI_TLS_FAILED']!, code);
    return fail(`no AMI session: ${(e as Error).message}`, 'Asterisk closed the connection during login; look at the Asterisk log (`manager set debug on`)', code);
  }
}

async function runProbes(s: Session): Promise<ProbeOutcome[]> {
  const out: ProbeOutcome[] = [];
  for (const probe of writeProbes(String(Date.now()))) {
    try {
      await s.client.send({ name: probe.action, fields: probe.fields });
      out.push({ probe, verdict: 'allowed', detail: 'ok' });
    } catch (e) {
      const detail = (e as { details?: { message?: unknown } }).details?.message;
      out.push({ probe, verdict: verdictOf(errorCode(e)), detail: typeof detail === 'string' && detail ? detail : (e as Error).message });
    }
  }
  return out;
}

async function managerUser(s: Session, username: string, probes: ProbeOutcome[]): Promise<ManagerUserPerms | undefined> {
  if (probes.find((p) => p.probe.action === 'Command')?.verdict !== 'allowed') return undefined;
  try {
    const r = await s.client.send({ name: 'Command', fields: [['Command', `manager show user ${username}`]] });
    return parseManagerShowUser(fieldAll(r.response, 'Output'));
  } catch {
    return undefined;
  }
}

function checkWrite(probes: ProbeOutcome[], perms: ManagerUserPerms | undefined): CheckOutcome {
  const denied = probes.filter((p) => p.verdict === 'denied');
  const required = denied.filter((p) => !p.probe.optional);
  const describe = (ps: ProbeOutcome[]): string =>
    ps.map((p) => `${p.probe.action} (write=${p.probe.allowedBy.join('|')}: ${p.probe.feature})`).join('; ');
  const fromUser = perms ? ` (manager.conf write = ${perms.write.join(',') || '<none>'})` : '';
  if (required.length > 0) {
    const classes = [...new Set(required.map((p) => p.probe.allowedBy[0]!))].join(',');
    return fail(`Permission denied for ${describe(required)}${fromUser}`,
      `add ${classes} to write= of the user in manager.conf (recommended: write = ${RECOMMENDED_WRITE}), then \`asterisk -rx "manager reload"\``, 'DOCTOR_AMI_WRITE_DENIED');
  }
  const errors = probes.filter((p) => p.verdict === 'error' && !p.probe.optional);
  if (errors.length > 0) {
    return warn(`could not verify ${errors.map((p) => `${p.probe.action} (${p.detail})`).join('; ')}`, 'Asterisk answered slowly or oddly; run doctor again', 'DOCTOR_AMI_PROBE_INCONCLUSIVE');
  }
  const notes = [
    ...denied.map((p) => `${p.probe.action} denied — ${p.probe.feature} unavailable`),
    ...probes.filter((p) => p.verdict === 'no-module').map((p) => `${p.probe.action} unknown to this Asterisk (module not loaded)`),
  ];
  if (notes.length > 0) {
    return warn(`required actions allowed; ${notes.join('; ')}${fromUser}`,
      `optional: add command to write= for diagnostics; PJSIPShowEndpoints needs res_pjsip, QueueStatus app_queue`, 'DOCTOR_AMI_OPTIONAL_MISSING');
  }
  return pass(`Originate, Redirect, Hangup, Getvar, Setvar, CoreShowChannels, PJSIPShowEndpoints, QueueStatus, Command allowed${fromUser}`);
}

function checkRead(s: Session, c: Config['ami'], perms: ManagerUserPerms | undefined, setvarAllowed: boolean): CheckOutcome {
  const configured = configuredEventClasses(c.events);
  if (c.events.trim().toLowerCase() === 'off' || (configured && REQUIRED_READ.some((k) => !configured.includes(k)))) {
    const missing = REQUIRED_READ.filter((k) => !configured?.includes(k));
    return fail(`ami.events = "${c.events}" leaves out ${missing.join(',')}`, `set ami.events to "${REQUIRED_READ.join(',')}" (or "on")`, 'DOCTOR_AMI_EVENTS_CONFIG');
  }
  const hint = `set read = ${RECOMMENDED_READ} for the user in manager.conf, then \`asterisk -rx "manager reload"\``;
  if (perms) {
    const missing = REQUIRED_READ.filter((k) => !perms.read.includes(k));
    if (missing.length > 0) return fail(`manager.conf read = ${perms.read.join(',') || '<none>'} lacks ${missing.join(',')}`, hint, 'DOCTOR_AMI_READ_MISSING');
    if (!s.varsetSeen && setvarAllowed) {
      return fail('read= is complete but no VarSet event arrived', 'an eventfilter= in manager.conf (or disabledevents) drops VarSet; the connector needs VarSet and Newexten (MIXMONITOR_FILENAME, B24_CALL_ID)', 'DOCTOR_AMI_EVENTS_FILTERED');
    }
    return pass(`manager.conf read = ${perms.read.join(',')}`);
  }
  // Without `command`, learn from what arrived: FullyBooted (system), our VarSet (dialplan), traffic.
  const missing: string[] = [];
  if (!s.classes.has('system')) missing.push('system (no FullyBooted after login)');
  if (setvarAllowed && !s.classes.has('dialplan')) missing.push('dialplan (our Setvar raised no VarSet; check read= and eventfilter=)');
  if (missing.length > 0) return fail(`events missing: ${missing.join('; ')}`, hint, 'DOCTOR_AMI_READ_MISSING');
  const unseen = REQUIRED_READ.filter((k) => !s.classes.has(k));
  if (unseen.length > 0) {
    return warn(`seen ${[...s.classes].sort().join(',') || 'nothing'}; ${unseen.join(',')} not observed (no traffic during the check)`,
      `make sure read= includes ${RECOMMENDED_READ}; allow write=command so doctor can read the user's permissions`, 'DOCTOR_AMI_READ_UNVERIFIED');
  }
  return pass(`events of ${[...s.classes].sort().join(',')} arrive`);
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The AMI group: results in display order. */
export async function amiChecks(config: Config, o: ResolvedDoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const tcp = await runCheck(T.tcp[0], T.tcp[1], o.timeoutMs, () => checkTcp(config.ami, o.timeoutMs));
  results.push(tcp);
  if (tcp.status === 'fail') {
    for (const k of ['login', 'read', 'write'] as const) results.push(skipped(T[k][0], T[k][1], 'AMI not reachable'));
    return results;
  }
  const s = openClient(config, o);
  try {
    const login = await runCheck(T.login[0], T.login[1], o.timeoutMs, () => checkLogin(s, config.ami));
    results.push(login);
    if (login.status === 'fail') {
      results.push(skipped(T.read[0], T.read[1], 'not logged in'), skipped(T.write[0], T.write[1], 'not logged in'));
      return results;
    }
    let probes: ProbeOutcome[] = [];
    let perms: ManagerUserPerms | undefined;
    const write = await runCheck(T.write[0], T.write[1], o.timeoutMs, async () => {
      probes = await runProbes(s);
      perms = await managerUser(s, config.ami.username, probes);
      return checkWrite(probes, perms);
    });
    const setvarAllowed = probes.find((p) => p.probe.action === 'Setvar')?.verdict === 'allowed';
    const read = await runCheck(T.read[0], T.read[1], o.timeoutMs, async () => {
      await wait(Math.min(o.observeMs, o.timeoutMs - 500) - (Date.now() - s.loggedInAt));
      return probes.length === 0 ? skip('write probes did not run') : checkRead(s, config.ami, perms, setvarAllowed);
    });
    results.push(read, write);
    return results;
  } finally {
    await s.client.close();
  }
}
