/**
 * `asterisk-b24` command dispatcher. Each sub-command lives in its own module and is loaded lazily,
 * so `replay` does not pay for the HTTP server and the simulators do not load the connector.
 */
import { ConnectorError } from '../errors.js';
import { VERSION } from '../version.js';

export interface CliIo {
  write(s: string): void;
  err: { write(s: string): void };
}

const stdio: CliIo = {
  write: (s) => void process.stdout.write(s),
  err: { write: (s) => void process.stderr.write(s) },
};

const USAGE = `asterisk-b24 ${VERSION} — Asterisk ↔ Bitrix24 telephony connector

Usage:
  asterisk-b24 replay FILE [--portal PORTAL.json] [--config FILE]
        Replay an AMI transcript through the parser and call tracker; one JSON line per stage.
  asterisk-b24 sim ami --port P [--scenario FILE | --load SPEC] [--time-scale X]
        Run the AMI simulator (first stdout line: {"host","port","username","secret"}).
  asterisk-b24 sim b24 --port P [--portal FILE]
        Run the Bitrix24 REST emulator (first stdout line: {"url","webhook","app"}).
  asterisk-b24 start --config FILE
        Run the connector against a real Asterisk and a real Bitrix24 (until SIGINT/SIGTERM).
  asterisk-b24 doctor --config FILE [--json] [--timeout-ms N]
        Check AMI, Bitrix24, permissions, scopes, event binding, lines, recordings, ffmpeg.
  asterisk-b24 hooks try POINT [--hooks-dir DIR] (--input FILE | --call CALLKEY --config FILE)
  asterisk-b24 hooks list [--hooks-dir DIR] [--config FILE] [--json]
        Run a customization hook on an input (or a real call's recorded input); list installed hooks.
  asterisk-b24 demo [--port P] [--data-dir DIR] [--every MIN-MAX] [--time-scale X]
        Demo: AMI simulator + Bitrix24 emulator + connector with its admin panel, in one process.
  asterisk-b24 hash-password [PASSWORD]
        Print the scrypt hash for admin.passwordHash or admin.users[].passwordHash (read from stdin when not given).
  asterisk-b24 config-check --config FILE
        Validate a configuration file; prints the effective config with secrets masked.
  asterisk-b24 store copy (--from-config A.json | --from-sqlite FILE) --to-config B.json [--force] [--json]
  asterisk-b24 store backup --config FILE --to BACKUP.sqlite [--force] [--json]
        Copy the whole store between SQLite and PostgreSQL (connector stopped); a consistent backup (running).
  asterisk-b24 version
`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  replay: async () => (await import('./replay.js')).runReplay,
  sim: async () => runSim,
  'config-check': async () => (await import('./config-check.js')).runConfigCheck,
  start: async () => (await import('./start.js')).runStart,
  demo: async () => (await import('./demo.js')).runDemo,
  'hash-password': async () => (await import('./hash-password.js')).runHashPassword,
  doctor: async () => (await import('./doctor.js')).runDoctor,
  hooks: async () => (await import('./hooks.js')).runHooks,
  store: async () => (await import('./store.js')).runStore,
  version: async () => async (_argv, io) => {
    io.write(`${VERSION}\n`);
    return 0;
  },
};

async function runSim(argv: string[], io: CliIo): Promise<number> {
  const [which, ...rest] = argv;
  if (which === 'ami') return (await import('../../tools/ami-sim/cli.js')).runSimAmi(rest);
  if (which === 'b24') return (await import('../../tools/b24-emu/cli.js')).runSimB24(rest);
  io.err.write('usage: asterisk-b24 sim ami|b24 …\n');
  return 2;
}

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.write(USAGE);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    io.err.write(`asterisk-b24: unknown command "${name}" (CLI_UNKNOWN_COMMAND)\n\n${USAGE}`);
    return 2;
  }
  try {
    const cmd = await load();
    return await cmd(rest, io);
  } catch (e) {
    const code = e instanceof ConnectorError ? e.code : 'INTERNAL';
    const msg = e instanceof Error ? e.message : String(e);
    io.err.write(`asterisk-b24 ${name}: ${msg} (${code})\n`);
    return 1;
  }
}
