/**
 * `asterisk-b24 sim b24 --port P [--portal FILE] [--host H] [--token-lifetime S] [--no-app-only]
 * [--limits 50/2] [--operating-budget S] [--id-seed X]`: serves the Bitrix24 emulator until
 * SIGINT/SIGTERM. The FIRST stdout line is JSON `{"url","webhook","app":{…}}` so a parent process
 * (tests, demo mode) can read its credentials. Runnable directly: `node --import tsx tools/b24-emu/cli.ts`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConnectorError } from '../../src/errors.js';
import type { PortalSeed } from './contract.js';
import { startEmulator } from './index.js';
import type { EmulatorOptions } from './index.js';

export interface SimIo {
  write(s: string): void;
  err: { write(s: string): void };
}

const stdio: SimIo = {
  write: (s) => void process.stdout.write(s),
  err: { write: (s) => void process.stderr.write(s) },
};

const USAGE =
  'usage: asterisk-b24 sim b24 --port P [--portal FILE] [--host H] [--token-lifetime S] [--no-app-only]\n' +
  '                            [--limits CAPACITY/DRAIN] [--operating-budget S] [--id-seed X]\n';

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConnectorError('EMU_BAD_ARGS', `--${name} must be a non-negative number, got "${raw}"`);
  return n;
}

function parseLimits(raw: string | undefined): EmulatorOptions['limits'] {
  if (raw === undefined) return undefined;
  const m = raw.match(/^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/);
  if (!m) throw new ConnectorError('EMU_BAD_ARGS', `--limits must look like 50/2, got "${raw}"`);
  return { capacity: Number(m[1]), drainPerSec: Number(m[2]) };
}

async function loadSeed(file: string | undefined): Promise<PortalSeed | undefined> {
  if (file === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('the file must hold a JSON object');
    return v as PortalSeed;
  } catch (e) {
    throw new ConnectorError('EMU_PORTAL_SEED_INVALID', `cannot read portal seed ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Options from argv; throws ConnectorError EMU_BAD_ARGS / EMU_PORTAL_SEED_INVALID. */
export async function simB24Options(argv: string[]): Promise<EmulatorOptions> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        portal: { type: 'string' },
        host: { type: 'string' },
        'token-lifetime': { type: 'string' },
        'no-app-only': { type: 'boolean' },
        limits: { type: 'string' },
        'operating-budget': { type: 'string' },
        'id-seed': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new ConnectorError('EMU_BAD_ARGS', e instanceof Error ? e.message : String(e));
  }
  const port = positiveNumber('port', values.port);
  const tokenLifetimeSec = positiveNumber('token-lifetime', values['token-lifetime']);
  const operatingBudgetSec = positiveNumber('operating-budget', values['operating-budget']);
  const limits = parseLimits(values.limits);
  const portal = await loadSeed(values.portal);
  return {
    ...(port !== undefined ? { port } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(portal !== undefined ? { portal } : {}),
    ...(tokenLifetimeSec !== undefined ? { tokenLifetimeSec } : {}),
    ...(operatingBudgetSec !== undefined ? { operatingBudgetSec } : {}),
    ...(limits !== undefined ? { limits } : {}),
    ...(values['id-seed'] !== undefined ? { idSeed: values['id-seed'] } : {}),
    enforceAppOnly: values['no-app-only'] !== true,
  };
}

/** Runs the emulator until SIGINT/SIGTERM (or `signal`); resolves with the exit code. */
export async function runSimB24(argv: string[], io: SimIo = stdio, signal?: AbortSignal): Promise<number> {
  let options: EmulatorOptions;
  try {
    options = await simB24Options(argv);
  } catch (e) {
    const code = e instanceof ConnectorError ? e.code : 'EMU_BAD_ARGS';
    io.err.write(`sim b24: ${e instanceof Error ? e.message : String(e)} (${code})\n${USAGE}`);
    return 2;
  }
  const emu = await startEmulator(options);
  io.write(`${JSON.stringify({ url: emu.url, webhook: emu.webhook, app: emu.app })}\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
  await emu.close();
  return 0;
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  runSimB24(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`sim b24: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
