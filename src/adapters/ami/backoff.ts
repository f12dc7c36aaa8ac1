/**
 * Reconnect delay: exponential from `minMs`, capped at `maxMs`, with "equal jitter" (a random point in
 * the upper half) so that many connectors restarted together do not hammer Asterisk in step.
 */
export interface BackoffPolicy {
  readonly minMs: number;
  readonly maxMs: number;
}

/** Delay before attempt `attempt` (1 = first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = policy.minMs * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(policy.maxMs, exp);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
