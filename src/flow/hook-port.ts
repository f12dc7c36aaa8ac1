/** The hook runner (src/adapters/hooks) seen through the flows' HookPort. */
import type { HookRunner } from '../adapters/hooks/runner.js';
import { isHookPointName } from '../core/hooks/points.js';
import type { HookOutcome, HookPort } from './ports.js';

export function hookPortOf(runner: HookRunner): HookPort {
  return {
    async run(point, input): Promise<HookOutcome> {
      if (!isHookPointName(point)) return { data: { ...input }, source: 'default', ok: false, code: 'HOOK_UNKNOWN_NAME', durationMs: 0 };
      const r = await runner.run(point, input as never);
      return {
        data: r.data as Record<string, unknown>,
        source: r.source,
        ok: r.ok,
        ...(r.code !== undefined ? { code: r.code } : {}),
        durationMs: r.durationMs,
      };
    },
    has: (point) => isHookPointName(point) && runner.has(point),
  };
}
