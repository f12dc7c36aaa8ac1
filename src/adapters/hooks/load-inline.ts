/**
 * An in-process hook: a function called directly. For tests of the call flow and for embedding;
 * NOT for installers' hooks — a busy loop in it cannot be stopped (the runner still answers with
 * the defaults at the timeout, but the loop keeps the thread). Replies go through JSON like any
 * other hook's.
 */
import type { HookPointName } from '../../core/hooks/points.js';
import { abortReason, type HookInvoker, type InvokeOutcome } from './invoker.js';

export type InlineHook = (input: Record<string, unknown>) => unknown;

export function inlineInvoker(point: HookPointName, fn: InlineHook, location = `inline:${point}`): HookInvoker {
  return {
    point,
    kind: 'inline',
    location,
    async invoke(inputJson: string, signal: AbortSignal): Promise<InvokeOutcome> {
      const aborted = new Promise<InvokeOutcome>((resolve) => {
        signal.addEventListener('abort', () => resolve({ ok: false, code: 'HOOK_TIMEOUT', reason: abortReason(signal) }), { once: true });
      });
      const run = (async (): Promise<InvokeOutcome> => {
        let reply: unknown;
        let text: string | undefined;
        try {
          reply = await fn(JSON.parse(inputJson) as Record<string, unknown>);
        } catch (e) {
          return { ok: false, code: 'HOOK_THREW', reason: e instanceof Error ? e.message : String(e) };
        }
        try {
          text = JSON.stringify(reply) as string | undefined;
        } catch (e) {
          return { ok: false, code: 'HOOK_BAD_JSON', reason: `the reply cannot be serialised: ${(e as Error).message}` };
        }
        return text === undefined ? { ok: false, code: 'HOOK_BAD_JSON', reason: `the function returned ${typeof reply}` } : { ok: true, text };
      })();
      return Promise.race([run, aborted]);
    },
    async close() {},
  };
}
