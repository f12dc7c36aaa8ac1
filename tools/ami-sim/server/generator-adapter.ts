/**
 * Plugs the scenario generator (tools/ami-sim/scenario/generate.ts, written separately) into the
 * server: loads it lazily so the server works (with its built-in flows and transcripts) even when
 * the generator is absent or broken, and maps the server's parsed Originate onto the generator's
 * request shape (which adds how the phones behave).
 */
import { silentLogger, type Logger } from '../../../src/log.js';
import type { PhoneBehaviour, SimIds, TimedEvent } from '../scenario/types.js';
import type { OriginateRequest } from './originate-request.js';
import type { CallGenerator } from './sim.js';

/** The generator module's entry points, as far as the server relies on them. */
interface GeneratorModule {
  generateCall(spec: unknown, ids: SimIds): TimedEvent[];
  generateOriginate?(req: unknown, ids: SimIds): TimedEvent[];
}

export interface GeneratorAdapterOptions {
  /** How each endpoint's phone reacts when an Originate rings it (default: answers after 2 s). */
  readonly phones?: Readonly<Record<string, PhoneBehaviour>>;
  readonly defaultPhone?: PhoneBehaviour;
  /** The far end dialled once the first leg answered. */
  readonly farEnd?: PhoneBehaviour;
}

const DEFAULT_PHONE: PhoneBehaviour = { kind: 'answer', afterMs: 2000, talkMs: 4000 };

/** The generator's OriginateRequest built from the server's parsed action. */
export function toGeneratorOriginate(req: OriginateRequest, options: GeneratorAdapterOptions = {}): Record<string, unknown> {
  const endpoint = (req.resource.split('@')[0] ?? req.resource).split('/')[0] ?? '';
  return {
    channel: req.channel,
    context: req.context,
    exten: req.exten,
    ...(req.priority !== undefined ? { priority: Number(req.priority) } : {}),
    ...(req.callerId !== undefined ? { callerId: req.callerId } : {}),
    ...(req.variables.length > 0 ? { variables: Object.fromEntries(req.variables) } : {}),
    ...(req.actionId !== undefined ? { actionId: req.actionId } : {}),
    timeoutMs: req.timeoutMs,
    phone: options.phones?.[endpoint] ?? options.defaultPhone ?? DEFAULT_PHONE,
    ...(options.farEnd ? { farEnd: options.farEnd } : {}),
  };
}

export function adaptGenerator(mod: GeneratorModule, options: GeneratorAdapterOptions = {}): CallGenerator {
  const gen = mod.generateOriginate?.bind(mod);
  return {
    generateCall: (spec, ids) => mod.generateCall(spec, ids),
    ...(gen
      ? {
          generateOriginate: (req: OriginateRequest, ids: SimIds) => {
            // The generator models Exten-form originates only; the server's built-in flow covers the rest.
            if (req.application !== undefined) throw new Error('Application originate is not generated');
            return gen(toGeneratorOriginate(req, options), ids);
          },
        }
      : {}),
  };
}

/** Imports the generator; undefined (logged) when it is missing or fails to load. */
export async function loadGenerator(log: Logger = silentLogger, options: GeneratorAdapterOptions = {}): Promise<CallGenerator | undefined> {
  const specifier = '../scenario/generate.js';
  try {
    const mod = (await import(specifier)) as Partial<GeneratorModule>;
    if (typeof mod.generateCall !== 'function') throw new Error('generateCall is not exported');
    return adaptGenerator(mod as GeneratorModule, options);
  } catch (err) {
    log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ami-sim: call generator unavailable, using built-in flows');
    return undefined;
  }
}
