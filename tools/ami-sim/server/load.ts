/**
 * Load mode: starts calls at a given rate (calls/s, real time), never more than `concurrency` at
 * once, picking kinds from a weighted mix (smooth weighted round-robin: deterministic, evenly
 * interleaved), until `total` calls were started (0 = forever).
 */
import { ConnectorError } from '../../../src/errors.js';
import type { Logger } from '../../../src/log.js';
import type { CallSources } from './call-sources.js';

export interface LoadOptions {
  readonly rate: number;
  readonly concurrency: number;
  /** Calls to start; 0 = run until stopped. */
  readonly total: number;
  readonly mix: ReadonlyArray<{ readonly name: string; readonly weight: number }>;
}

export interface LoadStats {
  started: number;
  completed: number;
  cancelled: number;
  failed: number;
  active: number;
  total: number;
}

export interface LoadHandle {
  /** Resolves when `total` calls have finished (never for total 0 unless stopped). */
  readonly done: Promise<LoadStats>;
  stop(): void;
  stats(): LoadStats;
}

function bad(message: string): never {
  throw new ConnectorError('SIM_LOAD_INVALID', message);
}

/** `rate=R,concurrency=N,total=T,mix=inbound:5,queue:2` (mix items are the comma-separated tail). */
export function parseLoadSpec(text: string): LoadOptions {
  const values: Record<string, string[]> = {};
  let last: string | undefined;
  for (const token of text.split(',').map((t) => t.trim()).filter((t) => t.length > 0)) {
    const eq = token.indexOf('=');
    if (eq > 0) {
      last = token.slice(0, eq).trim();
      values[last] = [token.slice(eq + 1).trim()];
    } else if (last === 'mix') values.mix?.push(token);
    else bad(`unexpected "${token}" in --load`);
  }
  for (const k of Object.keys(values)) if (!['rate', 'concurrency', 'total', 'mix'].includes(k)) bad(`unknown --load key ${k}`);
  const number = (k: string, dflt: number): number => {
    const v = values[k]?.[0];
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) bad(`--load ${k} must be a number ≥ 0`);
    return n;
  };
  const mix = (values.mix ?? ['inbound']).map((item) => {
    const colon = item.lastIndexOf(':');
    const name = colon > 0 ? item.slice(0, colon) : item;
    const weight = colon > 0 ? Number(item.slice(colon + 1)) : 1;
    if (!Number.isInteger(weight) || weight <= 0) bad(`--load mix weight of ${name} must be a positive integer`);
    return { name, weight };
  });
  const rate = number('rate', 1);
  if (rate <= 0) bad('--load rate must be > 0');
  return { rate, concurrency: Math.max(1, Math.floor(number('concurrency', 10))), total: Math.floor(number('total', 0)), mix };
}

/** Smooth weighted round-robin (nginx style): a, b, a, a, b … for weights 3:2. */
export function weightedPicker(mix: LoadOptions['mix']): () => string {
  const current = mix.map(() => 0);
  const sum = mix.reduce((a, m) => a + m.weight, 0);
  return () => {
    let best = 0;
    for (let i = 0; i < mix.length; i++) {
      current[i] = (current[i] ?? 0) + (mix[i]?.weight ?? 0);
      if ((current[i] ?? 0) > (current[best] ?? 0)) best = i;
    }
    current[best] = (current[best] ?? 0) - sum;
    return mix[best]?.name ?? '';
  };
}

export function startLoad(sources: CallSources, opts: LoadOptions, log: Logger): LoadHandle {
  const s: LoadStats = { started: 0, completed: 0, cancelled: 0, failed: 0, active: 0, total: opts.total };
  const pick = weightedPicker(opts.mix);
  let stopped = false;
  let resolveDone!: (st: LoadStats) => void;
  const done = new Promise<LoadStats>((r) => (resolveDone = r));
  const finishIfDone = (): void => {
    if ((stopped || (opts.total > 0 && s.started >= opts.total)) && s.active === 0) {
      clearInterval(timer);
      resolveDone({ ...s });
    }
  };
  const startOne = (): void => {
    if (stopped || s.active >= opts.concurrency || (opts.total > 0 && s.started >= opts.total)) return;
    const name = pick();
    const n = ++s.started;
    s.active++;
    sources.startNamed(name, n).then(
      (h) => h.done.then((outcome) => {
        if (outcome === 'completed') s.completed++;
        else s.cancelled++;
      }),
      (err: unknown) => {
        s.failed++;
        log.warn({ err: err instanceof Error ? err.message : String(err), kind: name }, 'ami-sim load: call failed to start');
      },
    ).finally(() => {
      s.active--;
      finishIfDone();
    });
  };
  const timer = setInterval(startOne, 1000 / opts.rate);
  startOne();
  return {
    done,
    stop: () => {
      stopped = true;
      finishIfDone();
    },
    stats: () => ({ ...s }),
  };
}
