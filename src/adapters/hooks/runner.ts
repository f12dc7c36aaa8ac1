/**
 * The hook runner: finds the hooks, runs one per call with its timeout, validates the reply and
 * ALWAYS returns usable data — on any failure the defaults (the input's own values), with a log
 * line carrying the code and a per-point counter. The timeout is enforced here, whatever a loader
 * does, so a call never stalls on a hook.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { HOOK_POINT_SPECS, effectiveTimeoutMs, isHookPointName, type HookPointName } from '../../core/hooks/points.js';
import { checkInput, defaultData, parseReply, validateReply, type HookWarning } from '../../core/hooks/envelope.js';
import type { HookFailureCode } from '../../core/hooks/codes.js';
import type { HookData, HookInput } from '../../core/hooks/types.js';
import { ConnectorError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { discoverHooks, type HookProblem, type HookSource } from './discover.js';
import type { HookInvoker, HookKind, InvokeOutcome } from './invoker.js';
import { ExecutableInvoker, type Interpreters } from './load-executable.js';
import { ModuleInvoker, resolveTsxApi } from './load-module.js';
import { UrlInvoker } from './load-url.js';
import { RunStatsBook, type HookStats } from './run-stats.js';

export interface HookRunResult<P extends HookPointName = HookPointName> {
  readonly point: P;
  /** Effective data: the hook's changes when it succeeded, else the defaults. */
  readonly data: HookData<P>;
  readonly source: 'hook' | 'default';
  /** false only when a hook ran and failed (then `code` says why). No hook = ok, source default. */
  readonly ok: boolean;
  readonly code?: HookFailureCode;
  readonly reason?: string;
  readonly warnings: readonly HookWarning[];
  /** Fields the hook changed. */
  readonly changed: readonly string[];
  readonly durationMs: number;
  /** The parsed reply, when it was a JSON object (for dry runs and the admin UI). */
  readonly reply?: Record<string, unknown>;
  /** stderr / console output of the hook, bounded. */
  readonly log?: string;
}

export interface HookInfo {
  readonly point: HookPointName;
  readonly kind: HookKind;
  readonly location: string;
  readonly enabled: boolean;
  readonly timeoutMs: number;
}

export interface HookRunner {
  /** Runs the point's hook (when present and enabled). Never rejects. */
  run<P extends HookPointName>(point: P, input: HookInput<P>): Promise<HookRunResult<P>>;
  /** Same as run, ignoring the enabled set (the admin UI's "try it" before enabling). */
  dryRun<P extends HookPointName>(point: P, input: HookInput<P>): Promise<HookRunResult<P>>;
  /** Is there an enabled hook for the point? (Lets callers skip building an expensive input.) */
  has(point: HookPointName): boolean;
  list(): readonly HookInfo[];
  problems(): readonly HookProblem[];
  stats(): Partial<Record<HookPointName, HookStats>>;
  /**
   * The inputs of the last real calls of the point (newest last), kept even when no hook is enabled
   * for it — so an administrator can try a hook on a real call before enabling it.
   */
  recentInputs<P extends HookPointName>(point: P): readonly HookInput<P>[];
  /** Resolves when every enabled module hook's worker has loaded its module (or failed to). */
  ready(): Promise<void>;
  /** Discovers the hooks again (files added or removed); counters are kept. */
  reload(): Promise<void>;
  /** Terminates workers and kills running processes. Later runs return the defaults. */
  close(): Promise<void>;
  /** Enables or disables a point's hook at run time (the admin panel's switch). */
  setEnabled?(point: HookPointName, on: boolean): void;
  /**
   * New folder / URLs / timeouts / disabled points while running (the admin panel's settings):
   * hooks are discovered again, counters and recent inputs are kept.
   */
  reconfigure?(settings: HookRunnerSettings): Promise<void>;
}

/** The part of the options the settings can change while running. */
export interface HookRunnerSettings {
  readonly dir?: string | undefined;
  readonly urls?: Readonly<Record<string, string>>;
  readonly timeouts?: { readonly defaultMs?: number; readonly perPoint?: Readonly<Record<string, number>> };
  readonly disabled?: Iterable<string>;
}

export interface HookRunnerOptions {
  /** The customizations folder; undefined = no file hooks. */
  readonly dir?: string;
  /** Point name → URL (POST JSON, read JSON). */
  readonly urls?: Readonly<Record<string, string>>;
  /** General and per-point timeouts, ms (process_record_file_path stays 10 s whatever is set). */
  readonly timeouts?: { readonly defaultMs?: number; readonly perPoint?: Readonly<Record<string, number>> };
  readonly logger: Logger;
  /** Points whose hooks run; undefined = all found. */
  readonly enabled?: ReadonlySet<HookPointName>;
  /** Points whose hooks never run (the settings' `hooks.disabled`). */
  readonly disabled?: Iterable<string>;
  /** Time source for durations and run timestamps (epoch ms). */
  readonly clock?: { now(): number };
  readonly interpreters?: Partial<Interpreters>;
  /** Environment of hooks (executables; the env of module workers). Default: a bare PATH and LANG, never the connector's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** Cap of a reply (stdout, HTTP body, module result); default 1 MiB. */
  readonly maxOutputBytes?: number;
  readonly resourceLimits?: ResourceLimits;
  /** Invokers that replace discovered ones, per point (tests, embedding; see inlineInvoker). */
  readonly invokers?: Partial<Record<HookPointName, HookInvoker>>;
  /** Size of each point's recent-runs ring buffer; default 20. */
  readonly recentRuns?: number;
  /** How many recent inputs are kept per point for dry runs; default 5. */
  readonly recentInputs?: number;
}

const systemClock = { now: (): number => Date.now() };

export function createHookRunner(initial: HookRunnerOptions): HookRunner {
  let options = initial;
  const logger = options.logger.child({ component: 'hooks' });
  const clock = options.clock ?? systemClock;
  const book = new RunStatsBook(options.recentRuns);
  const disabled = new Set(options.disabled ?? []);
  const tsxApi = resolveTsxApi();
  let invokers = new Map<HookPointName, HookInvoker>();
  let found: HookProblem[] = [];
  let closed = false;
  const inputs = new Map<HookPointName, unknown[]>();
  const keepInput = (p: HookPointName, input: unknown): void => {
    const list = inputs.get(p) ?? [];
    list.push(input);
    if (list.length > (options.recentInputs ?? 5)) list.shift();
    inputs.set(p, list);
  };

  const isEnabled = (p: HookPointName): boolean => !disabled.has(p) && (options.enabled?.has(p) ?? true);
  const timeoutOf = (p: HookPointName): number => effectiveTimeoutMs(p, options.timeouts ?? {});

  function load(): void {
    const d = discoverHooks(options.dir, options.urls ?? {}, { typescript: tsxApi !== undefined });
    found = [...d.problems, ...settingsProblems(options)];
    invokers = new Map(d.hooks.map((s) => [s.point, makeInvoker(s, options, tsxApi, logger)]));
    for (const [p, inv] of Object.entries(options.invokers ?? {}) as [HookPointName, HookInvoker][]) invokers.set(p, inv);
    for (const [p, inv] of invokers) if (isEnabled(p) && inv instanceof ModuleInvoker) inv.warm();
    for (const pr of found) logger.warn({ code: pr.code, subject: pr.subject }, pr.message);
  }

  async function execute<P extends HookPointName>(point: P, input: HookInput<P>, dry: boolean): Promise<HookRunResult<P>> {
    const invoker = invokers.get(point);
    if (closed) return fallback(point, input, { code: 'HOOK_CLOSED', reason: 'the runner is closed' }, 0);
    if (!invoker || (!dry && !isEnabled(point))) return { point, data: defaultData(point, input) as HookData<P>, source: 'default', ok: true, warnings: [], changed: [], durationMs: 0 };
    const log = logger.child({ hook: point, kind: invoker.kind, dryRun: dry || undefined });
    const issues = checkInput(point, input);
    if (issues.length) log.warn({ code: 'HOOK_BAD_INPUT', issues }, 'hook input does not match the contract');
    const started = clock.now();
    const outcome = await guarded(invoker, input, timeoutOf(point));
    const durationMs = Math.max(0, clock.now() - started);
    const result = judge(point, input, outcome, durationMs);
    book.record(point, {
      at: started, ok: result.ok, code: result.code, durationMs, dryRun: dry,
      warnings: result.warnings.map((w) => w.code), changed: result.changed,
    }, result.reason);
    if (!result.ok) log.warn({ code: result.code, reason: result.reason, durationMs, output: result.log }, 'hook failed; defaults used');
    else for (const w of result.warnings) log.warn({ code: w.code, fields: w.fields, durationMs }, 'hook reply partly ignored');
    if (result.ok) log.debug({ durationMs, changed: result.changed }, 'hook ran');
    return result;
  }

  async function reload(): Promise<void> {
    if (closed) return;
    const old = [...invokers.values()];
    load();
    await Promise.all(old.filter((i) => !options.invokers?.[i.point]).map((i) => i.close()));
  }

  load();
  return {
    run: (point, input) => {
      keepInput(point, input);
      return execute(point, input, false).catch((e: unknown) => internalFailure(point, input, e, logger));
    },
    dryRun: (point, input) => execute(point, input, true).catch((e: unknown) => internalFailure(point, input, e, logger)),
    has: (p) => !closed && invokers.has(p) && isEnabled(p),
    setEnabled: (p, on) => {
      if (on) disabled.delete(p);
      else disabled.add(p);
    },
    list: () => [...invokers.values()].map((i) => ({ point: i.point, kind: i.kind, location: i.location, enabled: isEnabled(i.point), timeoutMs: timeoutOf(i.point) })),
    problems: () => [...found],
    stats: () => book.snapshot(),
    recentInputs: <P extends HookPointName>(p: P) => [...(inputs.get(p) ?? [])] as HookInput<P>[],
    async ready() {
      await Promise.all([...invokers].filter(([p, i]) => isEnabled(p) && i instanceof ModuleInvoker).map(([, i]) => (i as ModuleInvoker).ready()));
    },
    reload,
    async reconfigure(settings) {
      if (closed) return;
      const { dir: _dir, ...rest } = options;
      options = { ...rest, ...(settings.dir !== undefined ? { dir: settings.dir } : {}), urls: settings.urls ?? {}, timeouts: settings.timeouts ?? {} };
      disabled.clear();
      for (const p of settings.disabled ?? []) disabled.add(p);
      await reload();
    },
    async close() {
      closed = true;
      await Promise.all([...invokers.values()].map((i) => i.close()));
    },
  };
}

/** Runs the invoker under the runner's own timer: at the timeout the signal aborts and the run ends. */
async function guarded(invoker: HookInvoker, input: unknown, timeoutMs: number): Promise<InvokeOutcome> {
  let inputJson: string;
  try {
    inputJson = JSON.stringify(input);
  } catch (e) {
    return { ok: false, code: 'HOOK_INTERNAL', reason: `the input cannot be serialised: ${(e as Error).message}` };
  }
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<InvokeOutcome>((resolve) => {
    timer = setTimeout(() => {
      ac.abort(new ConnectorError('HOOK_TIMEOUT', `no reply within ${timeoutMs} ms`));
      resolve({ ok: false, code: 'HOOK_TIMEOUT', reason: `no reply within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const run = Promise.resolve()
    .then(() => invoker.invoke(inputJson, ac.signal))
    .catch((e: unknown): InvokeOutcome => ({ ok: false, code: 'HOOK_INTERNAL', reason: `the loader failed: ${e instanceof Error ? e.message : String(e)}` }));
  try {
    return await Promise.race([run, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function judge<P extends HookPointName>(point: P, input: HookInput<P>, outcome: InvokeOutcome, durationMs: number): HookRunResult<P> {
  if (!outcome.ok) return fallback(point, input, outcome, durationMs);
  const parsed = parseReply(outcome.text);
  const reply = parsed.ok ? parsed.reply : undefined;
  const v = validateReply(point, input, parsed.ok ? parsed.reply : outcome.text);
  if (!v.ok) return fallback(point, input, { ...v, log: outcome.log }, durationMs, reply);
  return { point, data: v.data as HookData<P>, source: 'hook', ok: true, warnings: v.warnings, changed: v.changed, durationMs, reply, log: outcome.log };
}

function fallback<P extends HookPointName>(
  point: P,
  input: HookInput<P>,
  f: { code: HookFailureCode; reason: string; log?: string },
  durationMs: number,
  reply?: Record<string, unknown>,
): HookRunResult<P> {
  return { point, data: defaultData(point, input) as HookData<P>, source: 'default', ok: false, code: f.code, reason: f.reason, warnings: [], changed: [], durationMs, reply, log: f.log };
}

/** Last line of defence: a bug in the runner still yields the defaults. */
function internalFailure<P extends HookPointName>(point: P, input: HookInput<P>, e: unknown, logger: Logger): HookRunResult<P> {
  const reason = e instanceof Error ? e.message : String(e);
  logger.error({ hook: point, code: 'HOOK_INTERNAL', reason }, 'hook runner failed; defaults used');
  let data: HookData<P>;
  try {
    data = defaultData(point, input) as HookData<P>;
  } catch {
    data = {} as HookData<P>;
  }
  return { point, data, source: 'default', ok: false, code: 'HOOK_INTERNAL', reason, warnings: [], changed: [], durationMs: 0 };
}

function makeInvoker(s: HookSource, o: HookRunnerOptions, tsxApi: string | undefined, logger: Logger): HookInvoker {
  switch (s.kind) {
    case 'module':
      return new ModuleInvoker(s.point, s.location, {
        logger: logger.child({ hook: s.point }), maxOutputBytes: o.maxOutputBytes, resourceLimits: o.resourceLimits, tsxApi, env: o.env,
      });
    case 'executable':
      return new ExecutableInvoker(s.point, s.location, s.runner, { interpreters: o.interpreters, env: o.env, maxOutputBytes: o.maxOutputBytes });
    case 'url':
      return new UrlInvoker(s.point, s.url, { maxOutputBytes: o.maxOutputBytes });
  }
}

/** Setting keys that name no point (timeouts, disabled) are reported like unknown file names. */
function settingsProblems(o: HookRunnerOptions): HookProblem[] {
  const out: HookProblem[] = [];
  for (const key of Object.keys(o.timeouts?.perPoint ?? {})) {
    if (!isHookPointName(key)) out.push({ code: 'HOOK_UNKNOWN_NAME', subject: `timeouts.${key}`, message: `${key} is not a hook point` });
    else if (!HOOK_POINT_SPECS[key].timeoutOverridable) out.push({ code: 'HOOK_TIMEOUT_FIXED', subject: `timeouts.${key}`, message: `${key} has a fixed timeout; the setting is ignored` });
  }
  for (const key of o.disabled ?? []) {
    if (!isHookPointName(key)) out.push({ code: 'HOOK_UNKNOWN_NAME', subject: `disabled.${key}`, message: `${key} is not a hook point` });
  }
  return out;
}

/** A runner without hooks: every run returns the defaults at once (no hooks folder configured). */
export const noopHookRunner: HookRunner = {
  run: async (point, input) => ({ point, data: defaultData(point, input) as HookData<typeof point>, source: 'default', ok: true, warnings: [], changed: [], durationMs: 0 }),
  dryRun: async (point, input) => ({ point, data: defaultData(point, input) as HookData<typeof point>, source: 'default', ok: true, warnings: [], changed: [], durationMs: 0 }),
  has: () => false,
  list: () => [],
  problems: () => [],
  stats: () => ({}),
  recentInputs: () => [],
  ready: async () => {},
  reload: async () => {},
  close: async () => {},
};
