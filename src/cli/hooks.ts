/**
 * `asterisk-b24 hooks …`: try one customization hook before enabling it, and see what is installed.
 *
 *   hooks try POINT [--hooks-dir DIR] --input FILE            input from a JSON file ('-' = stdin)
 *   hooks try POINT [--hooks-dir DIR] --call KEY --config FILE   the input a real call gave the point
 *   hooks list [--hooks-dir DIR] [--config FILE] [--json]       hooks found, problems, recent runs
 *
 * `try` runs the hook as a dry run (enabled or not) through the real runner, so the reply is validated
 * and falls back exactly as in the call flow; it prints the effective data and how it was obtained.
 * Exit: 0 the hook answered usable data, 1 it failed (defaults shown) or the input is missing, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createHookRunner, type HookRunner } from '../adapters/hooks/runner.js';
import { HOOK_POINTS, isHookPointName, type HookPointName } from '../core/hooks/points.js';
import type { AppStore } from '../adapters/store/app-store.js';
import { openStore, storeLocation } from '../adapters/store/open-store.js';
import type { StoredCallState } from '../flow/call-to-crm.js';
import { callFullOf, type HookRunNote } from '../flow/call-hooks.js';
import { activityInput } from '../flow/missed-call-task.js';
import { silentLogger } from '../log.js';
import { ConnectorError } from '../errors.js';
import type { CliIo } from './main.js';

const USAGE = `usage:
  asterisk-b24 hooks try POINT [--hooks-dir DIR] (--input FILE | --call CALLKEY --config FILE)
  asterisk-b24 hooks list [--hooks-dir DIR] [--config FILE] [--json]
`;

const OPTIONS = {
  'hooks-dir': { type: 'string' },
  input: { type: 'string' },
  call: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  limit: { type: 'string' },
} as const;

/** Reads stdin for `--input -` (injectable for tests). */
export interface HooksCliIo extends CliIo {
  readStdin?: () => string;
}

export async function runHooks(argv: string[], io: HooksCliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (!(e instanceof ConnectorError)) throw e;
    io.err.write(`asterisk-b24 hooks: ${e.message} (${e.code})\n`);
    return 1;
  }
}

async function dispatch(argv: string[], io: HooksCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.err.write(`asterisk-b24 hooks: ${(e as Error).message} (CLI_HOOKS_BAD_ARGS)\n${USAGE}`);
    return 2;
  }
  const [sub, point, ...extra] = parsed.positionals;
  const v = parsed.values;
  const config = v.config ? loadConfigFile(v.config) : undefined;
  const dir = v['hooks-dir'] ?? config?.hooks.dir;
  if (sub === 'try' && point && extra.length === 0) {
    if (!isHookPointName(point)) return usage(io, `unknown point "${point}"; points: ${HOOK_POINTS.join(', ')}`, 'CLI_HOOKS_UNKNOWN_POINT');
    if (!dir && !config) return usage(io, '--hooks-dir (or --config with hooks.dir) is required', 'CLI_HOOKS_NO_DIR');
    if (!!v.input === !!v.call) return usage(io, 'give either --input FILE or --call CALLKEY', 'CLI_HOOKS_BAD_ARGS');
    if (v.call && !config) return usage(io, '--call needs --config (to find the store)', 'CLI_HOOKS_BAD_ARGS');
    return tryHook(io, point, dir, config, v.input, v.call);
  }
  if (sub === 'list' && !point) {
    if (!dir && !config) return usage(io, '--hooks-dir (or --config with hooks.dir) is required', 'CLI_HOOKS_NO_DIR');
    return listHooks(io, dir, config, v.json ?? false, Number(v.limit ?? 50));
  }
  return usage(io, sub ? `bad arguments for "${sub}"` : 'missing sub-command', 'CLI_HOOKS_BAD_ARGS');
}

function usage(io: CliIo, message: string, code: string): number {
  io.err.write(`asterisk-b24 hooks: ${message} (${code})\n${USAGE}`);
  return 2;
}

function runnerFor(dir: string | undefined, config: Config | undefined): HookRunner {
  return createHookRunner({
    dir,
    urls: config?.hooks.urls ?? {},
    timeouts: { defaultMs: config?.hooks.timeoutMs, perPoint: config?.hooks.timeouts ?? {} },
    disabled: config?.hooks.disabled ?? [],
    logger: silentLogger,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
}

async function tryHook(io: HooksCliIo, point: HookPointName, dir: string | undefined, config: Config | undefined, inputFile: string | undefined, callKey: string | undefined): Promise<number> {
  let input: Record<string, unknown>;
  let from: string;
  if (inputFile) {
    input = readInput(inputFile, io);
    from = inputFile === '-' ? 'stdin' : inputFile;
  } else {
    input = await recordedInput(config as Config, callKey as string, point);
    from = `call ${callKey as string}`;
  }
  const runner = runnerFor(dir, config);
  try {
    const r = await runner.dryRun(point, input as never);
    const found = runner.list().find((h) => h.point === point);
    const out = {
      point, input: from, hook: found ? `${found.kind} ${found.location}` : null,
      data: r.data, source: r.source, ok: r.ok && found !== undefined,
      ...(r.code ? { code: r.code, reason: r.reason } : found ? {} : { code: 'CLI_HOOKS_NOT_INSTALLED', reason: 'no hook for this point: the defaults apply' }),
      durationMs: r.durationMs, changed: r.changed, warnings: r.warnings.map((w) => `${w.code}: ${w.fields.join(', ')}`),
      ...(r.reply ? { reply: r.reply } : {}), ...(r.log ? { log: r.log } : {}),
    };
    io.write(`${JSON.stringify(out, null, 2)}\n`);
    return out.ok ? 0 : 1;
  } finally {
    await runner.close();
  }
}

function readInput(file: string, io: HooksCliIo): Record<string, unknown> {
  let text: string;
  try {
    text = file === '-' ? (io.readStdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConnectorError('CLI_HOOKS_INPUT_UNREADABLE', `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ConnectorError('CLI_HOOKS_INPUT_UNREADABLE', `${file} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConnectorError('CLI_HOOKS_INPUT_UNREADABLE', `${file} is not a JSON object`);
  return v as Record<string, unknown>;
}

async function withStore<T>(config: Config, fn: (s: AppStore) => Promise<T>): Promise<T> {
  const store = await openStore(config.store, silentLogger);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The input the flow gave `point` for that call (stored without call_full), with call_full rebuilt
 * from the stored call. Points the flow only calls with a hook installed get an input built the same way.
 */
export async function recordedInput(config: Config, callKey: string, point: HookPointName): Promise<Record<string, unknown>> {
  const st = await withStore(config, async (s) => (await s.getCall(callKey))?.state as StoredCallState | undefined);
  if (!st?.summary) throw new ConnectorError('CLI_HOOKS_CALL_NOT_FOUND', `no call ${callKey} in ${storeLocation(config.store)}`);
  const call_full = callFullOf(st.summary, st.b24 ?? {}, st.users ?? {});
  const recorded = st.hookInputs?.[point];
  if (recorded) return { ...recorded, call_full };
  if (point === 'customize_entity') return { call_full };
  if (point === 'customize_activity' && st.b24?.activityId !== undefined) return { activity: activityInput(undefined, st.b24.activityId), call_full };
  const known = Object.keys(st.hookInputs ?? {}).sort().join(', ') || 'none';
  throw new ConnectorError('CLI_HOOKS_NO_INPUT', `call ${callKey} never reached ${point} (recorded points: ${known})`);
}

interface RecentRun extends HookRunNote {
  readonly callKey: string;
  readonly at: number;
  readonly stage: string;
}

/** Hook runs recorded in the timelines of the most recently updated calls, newest first. */
export async function recentRuns(config: Config, limit: number): Promise<RecentRun[]> {
  return withStore(config, async (s) => {
    const runs: RecentRun[] = [];
    for (const r of await s.queries.recentCalls(limit)) {
      const st = (r.state ?? {}) as Partial<StoredCallState>;
      for (const e of st.timeline ?? []) for (const h of e.hooks ?? []) runs.push({ ...h, callKey: r.callKey, at: e.at, stage: e.stage });
    }
    return runs.sort((a, b) => b.at - a.at);
  });
}

async function listHooks(io: CliIo, dir: string | undefined, config: Config | undefined, json: boolean, limit: number): Promise<number> {
  const runner = runnerFor(dir, config);
  try {
    const installed = runner.list().map((h) => ({ point: h.point, kind: h.kind, location: h.location, enabled: h.enabled, timeoutMs: h.timeoutMs }));
    const problems = runner.problems().map((p) => ({ code: p.code, subject: p.subject, message: p.message }));
    const runs = config ? await recentRuns(config, limit) : undefined;
    if (json) {
      io.write(`${JSON.stringify({ dir: dir ?? null, installed, problems, ...(runs ? { recentRuns: runs } : {}) }, null, 2)}\n`);
      return 0;
    }
    io.write(`hooks folder: ${dir ?? '(none)'}\n`);
    io.write(installed.length ? 'installed:\n' : 'installed: none\n');
    for (const h of installed) io.write(`  ${h.point.padEnd(30)} ${h.kind.padEnd(10)} ${h.enabled ? 'enabled ' : 'disabled'} ${h.timeoutMs} ms  ${h.location}\n`);
    io.write(problems.length ? 'problems:\n' : 'problems: none\n');
    for (const p of problems) io.write(`  ${p.code} ${p.subject}: ${p.message}\n`);
    if (runs) {
      io.write(runs.length ? 'recent runs:\n' : 'recent runs: none\n');
      for (const r of runs) {
        const what = r.ok ? (r.changed.length ? `changed ${r.changed.join(', ')}` : 'no change') : `FAILED ${r.code ?? ''}`;
        io.write(`  ${new Date(r.at).toISOString()} ${r.callKey} ${r.stage}: ${r.point} ${what} (${r.ms} ms)\n`);
      }
    }
    return 0;
  } finally {
    await runner.close();
  }
}
