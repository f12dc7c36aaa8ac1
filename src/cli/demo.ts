/**
 * `asterisk-b24 demo [--port P]`: the whole product in ONE process, no PBX and no portal needed —
 * the AMI simulator playing a realistic mix of calls (examples/demo/scenario.json), the Bitrix24
 * emulator seeded with a demo portal (examples/demo/portal.json), and the real connector on an
 * embedded SQLite file with its admin panel. Prints the panel URL and a generated login, then
 * serves until SIGINT/SIGTERM. Click-to-call is triggered through the emulator every few calls.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../adapters/http/auth.js';
import { parseConfig } from '../config/load.js';
import { ConnectorError, errorCode } from '../errors.js';
import { createPinoLogger } from '../log-pino.js';
import { silentLogger, type Logger } from '../log.js';
import type { Connector } from '../main.js';
import type { CliIo } from './main.js';
import type { AmiSim, CallHandle } from '../../tools/ami-sim/index.js';
import type { Emulator } from '../../tools/b24-emu/index.js';
import type { PortalSeed } from '../../tools/b24-emu/contract.js';
import { connectorOAuthConfig } from '../../tools/b24-emu/connector-config.js';

/** One kind of call of the mix; `spec` is a generator CallSpec with placeholders (docs/demo.md). */
export interface DemoCallKind {
  readonly name: string;
  readonly weight: number;
  /** The dialplan asks the connector over FastAGI where to ring first (the responsible manager). */
  readonly route?: boolean;
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface DemoScenario {
  /** Pause between two calls, ms: [min, max]. */
  readonly everyMs: readonly [number, number];
  /** Every Nth call is a click-to-call started from the emulator's portal (0 = never). */
  readonly clickToCallEvery: number;
  readonly extensions: readonly string[];
  readonly clients: { readonly known: readonly string[]; readonly unknownShare: number; readonly unknownPrefix: string };
  readonly calls: readonly DemoCallKind[];
}

export interface DemoOptions {
  readonly host?: string;
  /** Panel port (0 = any free port). Default 8080. */
  readonly port?: number;
  /** Where the SQLite file goes; default a temp folder removed at close. */
  readonly dataDir?: string;
  readonly portal?: PortalSeed;
  readonly scenario?: DemoScenario;
  /** AMI event time scale (0.1 = ten times faster). Default 1. */
  readonly timeScale?: number;
  /** Overrides the scenario's pause between calls. */
  readonly everyMs?: readonly [number, number];
  /** Start calls by themselves (default true; tests start them by hand). */
  readonly autoCalls?: boolean;
  readonly password?: string;
  /** The panel's language (`en`, `ru`). Default en. */
  readonly language?: 'en' | 'ru';
  readonly logger?: Logger;
  readonly random?: () => number;
}

export interface RunningDemo {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly dataDir: string;
  readonly connector: Connector;
  readonly sim: AmiSim;
  readonly emu: Emulator;
  /** Calls started so far (click-to-calls included). */
  readonly started: number;
  /** Starts a call of the mix (by name, or a random one), or a spec of your own; placeholders are filled. */
  startCall(kind?: string | Readonly<Record<string, unknown>>): CallHandle;
  /** An incoming call whose dialplan asks the connector over FastAGI where to ring (default: the mix's routed kind). */
  startRoutedCall(spec?: Readonly<Record<string, unknown>>): Promise<CallHandle>;
  /** Clicks a number in the portal's CRM as that user (ONEXTERNALCALLSTART → Originate). */
  clickToCall(userId?: number, phone?: string): void;
  close(): Promise<void>;
}

/** examples/demo, from src/cli (tsx) or dist/src/cli (built). */
export function demoExamplesDir(): string {
  const here = import.meta.dirname;
  const dirs = [join(here, '../../examples/demo'), join(here, '../../../examples/demo')];
  const found = dirs.find((d) => existsSync(join(d, 'portal.json')));
  if (!found) throw new ConnectorError('CLI_DEMO_FILES_MISSING', `examples/demo/portal.json not found (looked in ${dirs.join(', ')})`);
  return found;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (cause) {
    throw new ConnectorError('CLI_DEMO_FILES_MISSING', `cannot read ${path}`, { cause });
  }
}

export async function startDemo(opts: DemoOptions = {}): Promise<RunningDemo> {
  const random = opts.random ?? Math.random;
  const logger = opts.logger ?? silentLogger;
  const examples = opts.portal && opts.scenario ? '' : demoExamplesDir();
  const portal = opts.portal ?? readJson<PortalSeed>(join(examples, 'portal.json'));
  const scenario = opts.scenario ?? readJson<DemoScenario>(join(examples, 'scenario.json'));
  const password = opts.password ?? randomBytes(9).toString('base64url');
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'asterisk-b24-demo-'));

  const { startAmiSim, loadGenerator } = await import('../../tools/ami-sim/index.js');
  const { startEmulator } = await import('../../tools/b24-emu/index.js');
  const { LAB_PBX_CONFIG } = await import('../../tools/ami-sim/index.js');
  const endpoints = [...scenario.extensions.map((e) => ({ name: e, contacts: `${e}/sip:${e}@127.0.0.1:5061,` })), { name: 'trunk', contacts: 'trunk/sip:127.0.0.2:5090,' }];
  const sim = await startAmiSim({
    timeScale: opts.timeScale ?? 1, authFailDelayMs: 200, logger: logger.child({ component: 'ami-sim' }),
    pbx: { endpoints, dialplan: LAB_PBX_CONFIG.dialplan },
    generator: await loadGenerator(logger, { defaultPhone: { kind: 'answer', afterMs: 2500, talkMs: 9000 }, farEnd: { kind: 'answer', afterMs: 3000, talkMs: 7000 } }),
  });
  let emu: Emulator | undefined;
  let connector: Connector | undefined;
  try {
    emu = await startEmulator({ port: 0, portal, logger: logger.child({ component: 'b24-emu' }) });
    const config = parseConfig({
      ami: { host: sim.host, port: sim.port, username: sim.username, secret: sim.secret, reconnectMaxMs: 2_000 },
      bitrix: {
        auth: 'oauth',
        oauth: connectorOAuthConfig(emu),
        timezoneOffset: '+03:00',
      },
      // Ivan (102) and Anna (105) have their mobiles in their profiles: calls forwarded there are theirs (FMC).
      pbx: { trunks: [{ endpoint: 'trunk', line: '5551000', lineName: 'Main line', crmSource: 'CALL' }], fmc: { enabled: true } },
      calls: { defaultUserId: 1, missedUserId: 1 },
      recordings: { enabled: false },
      store: { path: join(dataDir, 'demo.sqlite') },
      http: { host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 },
      admin: { user: 'admin', passwordHash: await hashPassword(password), language: opts.language ?? 'en' },
      // The lab dialplan reaches the outside through `_0X.`: 0 + the number's digits.
      clickToCall: { dial: { format: 'digits', outsidePrefix: '0' } },
      // Routed calls ask the connector where to ring (the simulator plays the dialplan's AGI()).
      agi: { enabled: true, host: '127.0.0.1', port: 0, deadlineMs: 3_000 },
    });
    const { startConnector } = await import('../main.js');
    connector = await startConnector(config, logger);
    await bindClickToCall(emu, `${connector.httpUrl}${config.bitrix.events.path}`);
  } catch (e) {
    await connector?.close();
    await emu?.close();
    await sim.close();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return runLoop({ sim, emu, connector, scenario, random, password, dataDir, ownDir, logger, opts });
}

/** Binds the connector's event handler in the emulated portal, as the app installer would. */
async function bindClickToCall(emu: Emulator, handler: string): Promise<void> {
  for (const event of ['ONEXTERNALCALLSTART', 'ONEXTERNALCALLBACKSTART']) {
    const res = await fetch(`${emu.app.client_endpoint}event.bind`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event, handler, auth: emu.app.access_token }),
    });
    if (!res.ok) throw new ConnectorError('CLI_DEMO_BIND_FAILED', `event.bind ${event} answered HTTP ${res.status}`);
  }
}

interface LoopInput {
  readonly sim: AmiSim;
  readonly emu: Emulator;
  readonly connector: Connector;
  readonly scenario: DemoScenario;
  readonly random: () => number;
  readonly password: string;
  readonly dataDir: string;
  readonly ownDir: boolean;
  readonly logger: Logger;
  readonly opts: DemoOptions;
}

function runLoop(x: LoopInput): RunningDemo {
  const { sim, emu, connector, scenario, random } = x;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length) % list.length] as T;
  const client = (): string => {
    if (random() < scenario.clients.unknownShare || scenario.clients.known.length === 0) {
      return `${scenario.clients.unknownPrefix}${String(Math.floor(random() * 10_000_000)).padStart(7, '0')}`;
    }
    return pick(scenario.clients.known);
  };
  const fill = (spec: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const ext = pick(scenario.extensions);
    const others = scenario.extensions.filter((e) => e !== ext);
    const number = client();
    const members = Array.isArray(spec['members']) ? (spec['members'] as string[]) : [];
    const values: Record<string, string> = {
      $client: number, $known: scenario.clients.known.length ? pick(scenario.clients.known) : number, $dialled: `0${number.replace(/\D/g, '')}`, $ext: ext, $ext2: others.length ? pick(others) : ext,
      $member: members.length ? pick(members) : ext,
      // A rating IVR's answer: mostly 4–5, sometimes lower, sometimes none.
      $rating: pick(['5', '5', '4', '4', '3', '2', 'none']),
    };
    return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, typeof v === 'string' && v in values ? values[v] : v]));
  };
  const weighted = (): DemoCallKind => {
    const total = scenario.calls.reduce((a, c) => a + c.weight, 0);
    let r = random() * total;
    for (const c of scenario.calls) if ((r -= c.weight) < 0) return c;
    return scenario.calls[scenario.calls.length - 1] as DemoCallKind;
  };
  let started = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const log = x.logger.child({ component: 'demo' });

  const demo: RunningDemo = {
    url: `${connector.httpUrl}/`, user: 'admin', password: x.password, dataDir: x.dataDir, connector, sim, emu,
    get started() {
      return started;
    },
    startCall(kind) {
      const spec = typeof kind === 'object' ? kind : (scenario.calls.find((c) => c.name === kind) ?? weighted()).spec;
      started++;
      return sim.startCall(fill(spec));
    },
    async startRoutedCall(spec) {
      started++;
      const r = await sim.startRoutedCall(fill(spec ?? scenario.calls.find((c) => c.route)?.spec ?? {}), { port: connector.agiPort ?? 0 });
      return r.handle;
    },
    clickToCall(userId, phone) {
      const users = scenario.extensions.map((e) => Number(e) - 100).filter((n) => n > 0);
      started++;
      const portal = emu.portal as unknown as { clickToCall(a: Record<string, unknown>): unknown };
      portal.clickToCall({ userId: userId ?? pick(users), phone: phone ?? pick(scenario.clients.known.length ? scenario.clients.known : [client()]) });
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await connector.close();
      await sim.close();
      await emu.close();
      if (x.ownDir) rmSync(x.dataDir, { recursive: true, force: true });
    },
  };

  const [min, max] = x.opts.everyMs ?? scenario.everyMs;
  const tick = (): void => {
    if (closed) return;
    try {
      const n = started + 1;
      if (scenario.clickToCallEvery > 0 && n % scenario.clickToCallEvery === 0) demo.clickToCall();
      else {
        const kind = weighted();
        if (kind.route) {
          demo.startRoutedCall(kind.spec).catch((e: unknown) => log.warn({ code: errorCode(e), err: String(e) }, 'demo call not started'));
        } else demo.startCall(kind.spec);
      }
    } catch (e) {
      log.warn({ code: errorCode(e), err: String(e) }, 'demo call not started');
    }
    timer = setTimeout(tick, min + Math.floor(random() * Math.max(0, max - min)));
    timer.unref();
  };
  if (x.opts.autoCalls ?? true) tick();
  return demo;
}

/** Fails early with a clear message instead of an unhandled EADDRINUSE inside the connector. */
async function checkPort(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', (cause) => reject(new ConnectorError('CLI_DEMO_PORT_IN_USE', `port ${port} on ${host} is in use; try --port 0 or another port`, { cause })));
    s.listen(port, host, () => s.close(() => resolve()));
  });
}

const USAGE = `usage: asterisk-b24 demo [--port P] [--host H] [--data-dir DIR] [--every MIN-MAX] [--time-scale X] [--log-level L] [--language en|ru]
`;

/**
 * The CLI. `until` (tests) replaces waiting for SIGINT/SIGTERM. Prints the panel URL and the
 * login first, then serves.
 */
export async function runDemo(argv: string[], io: CliIo, until?: Promise<unknown>): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv, strict: true,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, every: { type: 'string' },
        'time-scale': { type: 'string' }, 'log-level': { type: 'string' }, language: { type: 'string' }, help: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    io.err.write(`asterisk-b24 demo: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.write(USAGE);
    return 0;
  }
  const port = Number(values.port ?? 8080);
  const every = /^(\d+)(?:-(\d+))?$/.exec(values.every ?? '');
  const timeScale = values['time-scale'] === undefined ? 1 : Number(values['time-scale']);
  const language = values.language ?? 'en';
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (values.every !== undefined && !every) || !(timeScale >= 0)
    || (language !== 'en' && language !== 'ru')) {
    io.err.write(`asterisk-b24 demo: bad --port, --every, --time-scale or --language (CLI_BAD_ARGS)\n${USAGE}`);
    return 2;
  }
  const host = values.host ?? '127.0.0.1';
  await checkPort(host, port);
  const level = values['log-level'] ?? 'warn';
  const logger = level === 'silent' ? silentLogger : createPinoLogger(level, process.stderr);
  const everyMs: [number, number] | undefined = every ? [Number(every[1]), Number(every[2] ?? every[1])] : undefined;
  const demo = await startDemo({
    host, port, logger, timeScale, language,
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(everyMs ? { everyMs } : {}),
  });
  io.write(`asterisk-b24 demo: admin panel at ${demo.url}\n`);
  io.write(`  login:    ${demo.user} / ${demo.password}\n`);
  io.write(`  data:     ${demo.dataDir}${values['data-dir'] === undefined ? ' (removed at exit)' : ''}\n`);
  io.write(`  AMI simulator ${demo.sim.host}:${demo.sim.port}, Bitrix24 emulator ${demo.emu.url} (state: ${demo.emu.url}/_emu/state)\n`);
  io.write('  calls keep coming (incoming, queues, transfers, outgoing, IVR, click-to-call); Ctrl+C stops.\n');
  await (until ?? new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  }));
  await demo.close();
  io.write('asterisk-b24 demo: stopped\n');
  return 0;
}
