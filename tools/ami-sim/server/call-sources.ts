/**
 * Turns scenario entries and preset names into running calls on a simulator: generator specs when
 * a generator is plugged in, else the preset's lab transcript; transcript paths are played as is.
 */
import { isAbsolute, join } from 'node:path';
import { ConnectorError } from '../../../src/errors.js';
import type { CallHandle } from './run.js';
import type { ScenarioCall } from './scenario-file.js';
import { PRESETS, specForCall } from './presets.js';
import type { AmiSim, PlayOptions } from './sim.js';

export interface CallSources {
  /** Starts call number `n` of kind `name` (a preset name or a transcript path). */
  startNamed(name: string, n: number, options?: PlayOptions): Promise<CallHandle>;
  startScenarioCall(call: ScenarioCall, n: number, options?: PlayOptions): Promise<CallHandle>;
}

export function isTranscriptName(name: string): boolean {
  return name.includes('/') || name.endsWith('.txt');
}

export function callSources(sim: AmiSim, fixturesDir: string): CallSources {
  const transcript = (p: string): string => (isAbsolute(p) || p.includes('/') ? p : join(fixturesDir, p));
  const startNamed = async (name: string, n: number, options: PlayOptions = {}): Promise<CallHandle> => {
    if (isTranscriptName(name)) return sim.play(transcript(name), options);
    const preset = PRESETS[name];
    if (!preset) throw new ConnectorError('SIM_SCENARIO_INVALID', `unknown call kind ${name}`, { details: { known: Object.keys(PRESETS) } });
    if (sim.hasGenerator) return sim.startCall(specForCall(preset, n), options);
    return sim.play(transcript(preset.transcript), options);
  };
  return {
    startNamed,
    startScenarioCall: async (call, n, options = {}) => {
      switch (call.kind) {
        case 'transcript': return sim.play(call.path, options);
        case 'preset': return startNamed(call.preset, n, options);
        case 'spec': return call.agi ? (await sim.startRoutedCall(call.spec, call.agi, options)).handle : sim.startCall(call.spec, options);
      }
    },
  };
}
