/**
 * `asterisk-b24 doctor --config FILE [--json]`: checks an installation end to end and prints one
 * pass/warn/fail/skip line per check, each failure with a hint. Exit 0 when nothing failed, else 1
 * (2 for usage errors). Every check has its own deadline (5 s), so a dead host cannot hang it.
 * Groups run side by side: AMI, Bitrix24, this host. Only read-only or no-op requests are sent,
 * except one Setvar of the global ASTERISK_B24_DOCTOR (it proves the dialplan event class).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { errorCode } from '../errors.js';
import type { OAuthTokens } from '../adapters/bitrix/auth.js';
import type { AppStore } from '../adapters/store/app-store.js';
import type { CliIo } from './main.js';
import { resolveDoctorOptions, type CheckResult, type CheckStatus, type DoctorOptions } from './doctor-check.js';
import { amiChecks } from './doctor-ami.js';
import { bitrixChecks, type BitrixDoctorDeps } from './doctor-bitrix.js';
import { localChecks } from './doctor-local.js';

export type { CheckResult, CheckStatus, DoctorOptions } from './doctor-check.js';

export interface DoctorReport {
  /** true when no check failed (warnings allowed). */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
  readonly counts: Readonly<Record<CheckStatus, number>>;
}

/** Key under which the connector keeps rotated OAuth tokens (src/main.ts uses the same). */
const TOKENS_KEY = 'bitrix.oauth.tokens';

export function summarise(checks: readonly CheckResult[]): DoctorReport {
  const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status]++;
  return { ok: counts.fail === 0, checks, counts };
}

/**
 * In OAuth mode a check may refresh the token pair, which invalidates the old refresh token: use the
 * pair the connector stored, and store a new one (creating the store if need be, as the connector
 * would at start), or the connector would lose its grant.
 */
async function tokenStore(config: Config): Promise<{ deps: BitrixDoctorDeps; close: () => Promise<void> }> {
  const sqlite = config.store.driver === 'sqlite';
  if (config.bitrix.auth !== 'oauth' || (sqlite && config.store.path === ':memory:')) return { deps: {}, close: async () => {} };
  const { openStore } = await import('../adapters/store/open-store.js');
  let store: Promise<AppStore> | undefined;
  const open = (): Promise<AppStore> => (store ??= openStore(config.store));
  let stored: OAuthTokens | undefined;
  if (!sqlite || existsSync(config.store.path)) {
    try {
      stored = await (await open()).getValue<OAuthTokens>(TOKENS_KEY);
    } catch {
      stored = undefined; // unreadable store: local.store reports it; use the file's tokens
      const opened = store;
      store = undefined;
      await (await opened?.catch(() => undefined))?.close();
    }
  }
  return {
    deps: { ...(stored ? { storedTokens: stored } : {}), persistTokens: async (t) => (await open()).setValue(TOKENS_KEY, t, Date.now()) },
    close: async () => { await (await store?.catch(() => undefined))?.close(); },
  };
}

/** Runs every check against a parsed config; never throws for a failing check. */
export async function runDoctorChecks(config: Config, options: DoctorOptions = {}): Promise<DoctorReport> {
  const o = resolveDoctorOptions(options);
  const groups = new Set(options.groups ?? ['ami', 'bitrix', 'local']);
  const tokens = groups.has('bitrix') ? await tokenStore(config) : { deps: {}, close: async () => {} };
  try {
    const [ami, bitrix, local] = await Promise.all([
      groups.has('ami') ? amiChecks(config, o) : [],
      groups.has('bitrix') ? bitrixChecks(config, o, tokens.deps) : [],
      groups.has('local') ? localChecks(config, o) : [],
    ]);
    return summarise([...ami, ...bitrix, ...local]);
  } finally {
    await tokens.close();
  }
}

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** One line per check: `FAIL ami.login  AMI login: … — hint: …`. */
export function formatCheck(c: CheckResult): string {
  const hint = c.hint && c.status !== 'pass' ? ` — hint: ${c.hint}` : '';
  const code = c.code && (c.status === 'fail' || c.status === 'warn') ? ` [${c.code}]` : '';
  return `${LABEL[c.status]} ${c.id.padEnd(16)} ${c.title}: ${c.message}${code}${hint}`;
}

export function formatReport(r: DoctorReport): string {
  const lines = r.checks.map(formatCheck);
  const { pass, warn, fail, skip } = r.counts;
  lines.push(`doctor: ${pass} passed, ${warn} warning(s), ${fail} failed, ${skip} skipped — ${r.ok ? 'OK' : 'NOT OK'}`);
  return `${lines.join('\n')}\n`;
}

function configFailure(path: string, e: unknown): CheckResult {
  const code = errorCode(e);
  const message = e instanceof Error ? e.message.replace(/\n\s*/g, '; ') : String(e);
  const hint = code === 'CONFIG_UNREADABLE' ? `check the path and that the service user may read ${path}`
    : code === 'CONFIG_NOT_JSON' ? 'the file must be JSON (no comments, no trailing commas)'
      : 'fix the keys named above; docs/configuration.md lists every key with its default';
  return { id: 'config', title: 'Configuration', status: 'fail', message, hint, code, durationMs: 0 };
}

export interface RunDoctorDeps extends DoctorOptions {
  readonly env?: NodeJS.ProcessEnv;
}

/** CLI entry: `doctor --config FILE [--json] [--timeout-ms N]`. */
export async function runDoctor(argv: string[], io: CliIo, deps: RunDoctorDeps = {}): Promise<number> {
  let values: { config?: string; json?: boolean; 'timeout-ms'?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean' }, 'timeout-ms': { type: 'string' } }, strict: true }));
  } catch (e) {
    io.err.write(`asterisk-b24 doctor: ${(e as Error).message} (CLI_USAGE)\nusage: asterisk-b24 doctor --config FILE [--json] [--timeout-ms N]\n`);
    return 2;
  }
  if (!values.config) {
    io.err.write('usage: asterisk-b24 doctor --config FILE [--json] [--timeout-ms N]\n');
    return 2;
  }
  const timeoutMs = values['timeout-ms'] !== undefined ? Number(values['timeout-ms']) : deps.timeoutMs;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 100 && timeoutMs <= 60_000)) {
    io.err.write('asterisk-b24 doctor: --timeout-ms must be an integer from 100 to 60000 (CLI_USAGE)\n');
    return 2;
  }
  let report: DoctorReport;
  try {
    const config = loadConfigFile(values.config, deps.env);
    const head: CheckResult = { id: 'config', title: 'Configuration', status: 'pass', message: `${values.config} is valid`, durationMs: 0 };
    const rest = await runDoctorChecks(config, { ...deps, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    report = summarise([head, ...rest.checks]);
  } catch (e) {
    report = summarise([configFailure(values.config, e)]);
  }
  io.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}
