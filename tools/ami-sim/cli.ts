/**
 * `asterisk-b24 sim ami --port P [--host H] [--username U --secret S]
 *   [--scenario FILE | --load rate=R,concurrency=N,total=T,mix=inbound:5,queue:2]
 *   [--time-scale X] [--fixtures DIR] [--auth-fail-delay MS] [--no-generator] [--cdr-csv FILE]
 *   [--tls-cert PEM --tls-key PEM]`
 * `--cdr-csv` appends every Cdr to FILE as cdr_csv's Master.csv (sample cdr.conf layout).
 * `--tls-cert/--tls-key` speak AMI over TLS, like manager.conf `tlsenable=yes`.
 * First stdout line: `{"host","port","username","secret"}`; then serves until SIGINT/SIGTERM (exit 0).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isConnectorError } from '../../src/errors.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { loadGenerator } from './server/generator-adapter.js';
import { parseLoadSpec, type LoadOptions } from './server/load.js';
import { loadScenario, type Scenario } from './server/scenario-file.js';
import { startAmiSim, type AmiSimOptions } from './server/sim.js';

export const SIM_AMI_USAGE = `usage: asterisk-b24 sim ami --port P [--host H] [--username U --secret S]
         [--scenario FILE | --load rate=R,concurrency=N,total=T,mix=inbound:5,queue:2]
         [--time-scale X] [--fixtures DIR] [--auth-fail-delay MS] [--no-generator] [--cdr-csv FILE]
         [--tls-cert PEM --tls-key PEM]
`;

export interface SimAmiArgs {
  host: string;
  port: number;
  username?: string;
  secret?: string;
  scenario?: string;
  load?: LoadOptions;
  timeScale?: number;
  fixtures?: string;
  authFailDelayMs?: number;
  cdrCsv?: string;
  tlsCert?: string;
  tlsKey?: string;
  generator: boolean;
}

class UsageError extends Error {}

const VALUE_FLAGS = new Set(['--port', '--host', '--username', '--secret', '--scenario', '--load', '--time-scale', '--fixtures', '--auth-fail-delay', '--cdr-csv', '--tls-cert', '--tls-key']);

function nonNegative(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} expects a number ≥ 0, got "${v}"`);
  return n;
}

export function parseSimAmiArgs(argv: readonly string[]): SimAmiArgs {
  const flags = new Map<string, string>();
  let generator = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (name === '--no-generator') {
      generator = false;
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown argument "${a}"`);
    const value = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    flags.set(name, value);
  }
  if (flags.has('--scenario') && flags.has('--load')) throw new UsageError('--scenario and --load are exclusive');
  if (flags.has('--username') !== flags.has('--secret') && flags.has('--username')) throw new UsageError('--username needs --secret');
  if (flags.has('--tls-cert') !== flags.has('--tls-key')) throw new UsageError('--tls-cert and --tls-key go together');
  const port = nonNegative('--port', flags.get('--port') ?? '0');
  if (!Number.isInteger(port) || port > 65535) throw new UsageError('--port expects 0..65535');
  const out: SimAmiArgs = { host: flags.get('--host') ?? '127.0.0.1', port, generator };
  const set = <K extends keyof SimAmiArgs>(k: K, v: SimAmiArgs[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('username', flags.get('--username'));
  set('secret', flags.get('--secret'));
  set('scenario', flags.get('--scenario'));
  set('fixtures', flags.get('--fixtures'));
  set('cdrCsv', flags.get('--cdr-csv'));
  set('tlsCert', flags.get('--tls-cert'));
  set('tlsKey', flags.get('--tls-key'));
  const ts = flags.get('--time-scale');
  if (ts !== undefined) set('timeScale', nonNegative('--time-scale', ts));
  const delay = flags.get('--auth-fail-delay');
  if (delay !== undefined) set('authFailDelayMs', nonNegative('--auth-fail-delay', delay));
  const load = flags.get('--load');
  if (load !== undefined) set('load', parseLoadSpec(load));
  return out;
}

/** Fixture transcripts for presets: --fixtures, else the repo's test/fixtures/ami, else ../shared. */
export function defaultFixturesDir(): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const candidates = [join(repo, 'test/fixtures/ami'), resolve(repo, '../shared/fixtures/ami')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolveSignal) => {
    const on = (sig: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolveSignal(sig);
    };
    const onInt = (): void => on('SIGINT');
    const onTerm = (): void => on('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export async function runSimAmi(argv: string[], log: Logger = silentLogger): Promise<number> {
  let args: SimAmiArgs;
  let scenario: Scenario | undefined;
  try {
    args = parseSimAmiArgs(argv);
    if (args.scenario) scenario = await loadScenario(args.scenario);
  } catch (err) {
    if (err instanceof UsageError || isConnectorError(err)) {
      const code = isConnectorError(err) ? ` (${err.code})` : '';
      process.stderr.write(`asterisk-b24 sim ami: ${err.message}${code}\n${SIM_AMI_USAGE}`);
      return 2;
    }
    throw err;
  }
  let tls: AmiSimOptions['tls'];
  if (args.tlsCert !== undefined && args.tlsKey !== undefined) {
    try {
      tls = { cert: readFileSync(args.tlsCert, 'utf8'), key: readFileSync(args.tlsKey, 'utf8') };
    } catch (err) {
      process.stderr.write(`asterisk-b24 sim ami: cannot read the TLS certificate or key: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
  }
  const generator = args.generator ? await loadGenerator(log) : undefined;
  const options: AmiSimOptions = {
    ...(tls ? { tls } : {}),
    host: args.host, port: args.port, logger: log,
    ...(args.username !== undefined ? { username: args.username } : {}),
    ...(args.secret !== undefined ? { secret: args.secret } : {}),
    ...(args.timeScale !== undefined ? { timeScale: args.timeScale } : {}),
    ...(args.authFailDelayMs !== undefined ? { authFailDelayMs: args.authFailDelayMs } : {}),
    ...(args.cdrCsv !== undefined ? { cdrCsv: { path: resolve(args.cdrCsv) } } : {}),
    ...(generator ? { generator } : {}),
  };
  let sim;
  try {
    sim = await startAmiSim(options);
  } catch (err) {
    process.stderr.write(`asterisk-b24 sim ami: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ host: sim.host, port: sim.port, username: sim.username, secret: sim.secret })}\n`);
  const fixtures = args.fixtures ?? defaultFixturesDir();
  if (scenario) sim.runScenario(scenario, fixtures);
  if (args.load) sim.startLoad(args.load, fixtures);
  await waitForSignal();
  const stats = sim.stats();
  await sim.close();
  process.stderr.write(`${JSON.stringify({ stats })}\n`);
  return 0;
}
