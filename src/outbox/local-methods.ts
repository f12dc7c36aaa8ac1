/**
 * Commands the outbox carries but that are not Bitrix24 batch commands: methods named `local.*`
 * (e.g. `local.attachRecord`, which uploads a file and so may not go inside a `batch`). They get the
 * outbox's durability, ordering and retries like any other command; this wrapper around the REST
 * client runs them itself, after the batch's remote commands, with `$result[key][field]` references
 * to those commands filled in from the batch's answer.
 */
import type { B24BatchCommand, B24BatchOutcome, B24Client } from '../adapters/bitrix/types.js';
import { ConnectorError, isConnectorError } from '../errors.js';

export type LocalExecutor = (params: Record<string, unknown>) => Promise<unknown>;

const REF = /^\$result\[([^\]]+)\]((?:\[[^\]]+\])+)$/;

function fill(value: unknown, results: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') {
    const m = REF.exec(value);
    if (!m) return value;
    let cur: unknown = results[m[1]!];
    for (const part of m[2]!.slice(1, -1).split('][')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
    if (cur === undefined) throw new ConnectorError('OUTBOX_REF_UNRESOLVED', `${value} has no value in the batch answer`, { retryable: true });
    return cur;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, results));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, results)]));
  }
  return value;
}

export function withLocalMethods(client: B24Client, executors: Readonly<Record<string, LocalExecutor>>): B24Client {
  const isLocal = (m: string): boolean => m.toLowerCase().startsWith('local.');
  return {
    call: (method, params, options) => client.call(method, params, options),
    callRaw: (method, params, options) => client.callRaw(method, params, options),
    ...(client.readyIn ? { readyIn: () => client.readyIn!() } : {}),
    async batch(commands: readonly B24BatchCommand[], options): Promise<B24BatchOutcome> {
      const remote = commands.filter((c) => !isLocal(c.method));
      const local = commands.filter((c) => isLocal(c.method));
      const base: B24BatchOutcome = remote.length > 0 ? await client.batch(remote, options) : { results: {}, errors: {} };
      if (local.length === 0) return base;
      const results: Record<string, unknown> = { ...base.results };
      const errors: Record<string, ConnectorError> = { ...base.errors };
      for (const c of local) {
        const exec = executors[c.method] ?? executors[c.method.toLowerCase()];
        try {
          if (!exec) throw new ConnectorError('OUTBOX_NO_EXECUTOR', `no executor for ${c.method}`);
          results[c.key] = await exec(fill(c.params, results) as Record<string, unknown>);
        } catch (e) {
          errors[c.key] = isConnectorError(e) ? e : new ConnectorError('OUTBOX_LOCAL_FAILED', `${c.method} failed: ${String(e)}`, { retryable: true, cause: e });
        }
      }
      return { ...base, results, errors };
    },
  };
}
