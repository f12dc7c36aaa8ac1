/**
 * CRM commands: the effects the planner decides, as data. The flow writes them to the durable
 * outbox (in one transaction per stage change) before anything is sent.
 */

/** Lower number = sent first. Live cards jump ahead of finishes, which jump ahead of the rest. */
export const Priority = {
  live: 0,
  finish: 10,
  late: 20,
  recording: 30,
  update: 40,
  task: 50,
} as const;
export type PriorityClass = keyof typeof Priority;

/** Reference to the result of an earlier command of the same call, resolved by the outbox. */
export interface ResultRef {
  readonly $ref: string;
  readonly path: readonly string[];
}

export interface CrmCommand {
  readonly callKey: string;
  /** Unique within the call: 'register', 'show:5:1', 'hide:5:2', 'finish', 'task' … */
  readonly step: string;
  /** Unique across the store: `${callKey}:${step}`. */
  readonly idempotencyKey: string;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly priority: number;
  /**
   * A card command that is pointless once stale (show/hide of a ringing call): the outbox drops it,
   * unsent, after this time (epoch ms). Registrations and finishes never expire.
   */
  readonly expiresAt?: number;
}

export function command(
  callKey: string,
  step: string,
  method: string,
  params: Record<string, unknown>,
  priority: PriorityClass,
  expiresAt?: number,
): CrmCommand {
  const base = { callKey, step, idempotencyKey: `${callKey}:${step}`, method, params, priority: Priority[priority] };
  return expiresAt === undefined ? base : { ...base, expiresAt };
}

export function ref(step: string, ...path: string[]): ResultRef {
  return { $ref: step, path };
}
