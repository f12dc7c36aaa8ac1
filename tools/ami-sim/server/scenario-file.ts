/**
 * `--scenario FILE`: a JSON list of calls with start offsets, each a transcript to play, a
 * generator CallSpec, or a preset name (README "Scenario file"). Transcript paths are relative to
 * the scenario file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConnectorError } from '../../../src/errors.js';
import { PRESETS } from './presets.js';

export type ScenarioCall =
  | { readonly at: number; readonly kind: 'transcript'; readonly path: string }
  | {
      readonly at: number; readonly kind: 'spec'; readonly spec: Readonly<Record<string, unknown>>;
      /** `"agi": "host:port"`: the dialplan asks this FastAGI server for the route before Dial. */
      readonly agi?: { readonly host: string; readonly port: number };
    }
  | { readonly at: number; readonly kind: 'preset'; readonly preset: string };

export interface Scenario {
  readonly calls: readonly ScenarioCall[];
  readonly timeScale?: number;
}

function bad(message: string, details: Record<string, unknown> = {}): never {
  throw new ConnectorError('SIM_SCENARIO_INVALID', message, { details });
}

function num(v: unknown, what: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(`${what} must be a number ≥ 0`, { value: v });
  return v;
}

function parseEntry(raw: unknown, i: number, baseDir: string): ScenarioCall[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad(`calls[${i}] must be an object`);
  const o = raw as Record<string, unknown>;
  const at = num(o.at, `calls[${i}].at`, 0);
  const repeat = num(o.repeat, `calls[${i}].repeat`, 1);
  const every = num(o.every, `calls[${i}].every`, 1000);
  let agi: { host: string; port: number } | undefined;
  if (o.agi !== undefined) {
    const m = typeof o.agi === 'string' ? /^([^:\s]+):(\d{1,5})$/.exec(o.agi) : null;
    if (!m || Number(m[2]) > 65535) bad(`calls[${i}].agi must be "host:port" (the connector's FastAGI server)`, { value: o.agi });
    agi = { host: m[1]!, port: Number(m[2]) };
  }
  let call: (at: number) => ScenarioCall;
  if (typeof o.transcript === 'string') {
    const path = isAbsolute(o.transcript) ? o.transcript : resolve(baseDir, o.transcript);
    call = (t) => ({ at: t, kind: 'transcript', path });
  } else if (typeof o.preset === 'string') {
    if (!PRESETS[o.preset]) bad(`calls[${i}].preset: unknown preset ${o.preset}`, { known: Object.keys(PRESETS) });
    const preset = o.preset;
    call = (t) => ({ at: t, kind: 'preset', preset });
  } else if (o.spec && typeof o.spec === 'object') {
    const spec = o.spec as Record<string, unknown>;
    call = (t) => ({ at: t, kind: 'spec', spec, ...(agi ? { agi } : {}) });
  } else if (typeof o.type === 'string') {
    const { at: _a, repeat: _r, every: _e, agi: _g, ...spec } = o;
    call = (t) => ({ at: t, kind: 'spec', spec, ...(agi ? { agi } : {}) });
  } else {
    bad(`calls[${i}] needs "transcript", "preset", "spec" or a CallSpec "type"`);
  }
  const out: ScenarioCall[] = [];
  for (let k = 0; k < Math.max(1, Math.floor(repeat)); k++) out.push(call(at + k * every));
  return out;
}

/** Parses scenario JSON (an array of calls, or `{ "timeScale"?, "calls": [...] }`). */
export function parseScenario(json: unknown, baseDir: string): Scenario {
  const obj = Array.isArray(json) ? { calls: json } : json;
  if (!obj || typeof obj !== 'object') bad('scenario must be an array of calls or an object with "calls"');
  const o = obj as Record<string, unknown>;
  if (!Array.isArray(o.calls)) bad('"calls" must be an array');
  const calls = o.calls.flatMap((c, i) => parseEntry(c, i, baseDir)).sort((a, b) => a.at - b.at);
  return o.timeScale === undefined ? { calls } : { calls, timeScale: num(o.timeScale, 'timeScale', 1) };
}

export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConnectorError('SIM_SCENARIO_UNREADABLE', `cannot read scenario ${path}`, { cause, details: { path } });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConnectorError('SIM_SCENARIO_INVALID', `scenario ${path} is not JSON`, { cause, details: { path } });
  }
  return parseScenario(json, dirname(path));
}
