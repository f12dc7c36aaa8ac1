/**
 * One request to Bitrix24 for a packed batch, and what it means for each command in it.
 * Batch mode: one `batch` request; naive mode: one request per command (benchmark baseline).
 */
import type { B24BatchOutcome, B24Client } from '../adapters/bitrix/types.js';
import { ConnectorError } from '../errors.js';
import { OutboxCode } from './command.js';
import { classifyError } from './journal.js';
import type { ClassifiedError, SendOutcome } from './journal.js';
import { toBatchCommands } from './packer.js';
import type { PackedItem } from './packer.js';

/** Runs `fn` with an abort signal that fires after `ms`; rejects with OUTBOX_SEND_TIMEOUT then. */
export async function withTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(new ConnectorError(OutboxCode.sendTimeout, `no answer from Bitrix24 within ${ms} ms`, { retryable: true }));
    }, ms);
  });
  try {
    return await Promise.race([fn(ctl.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One `batch` request; returns an outcome per item, in item order. */
export async function sendBatch(client: B24Client, items: readonly PackedItem[], timeoutMs: number): Promise<SendOutcome[]> {
  let answer: B24BatchOutcome;
  try {
    answer = await withTimeout(timeoutMs, (signal) => client.batch(toBatchCommands(items), { signal }));
  } catch (e) {
    return wholeBatchFailed(items.length, classifyError(e));
  }
  return mapBatchOutcome(items, answer);
}

/**
 * The request itself failed. Retryable (network, rate or operating limit, 5xx): everyone retries
 * with backoff. Not retryable: a lone command is dead; a group is split, each resent alone, so a
 * single poison command (e.g. a method not allowed in batch) does not kill its neighbours.
 */
export function wholeBatchFailed(n: number, error: ClassifiedError): SendOutcome[] {
  const outcome: SendOutcome = error.retryable || n === 1 ? { kind: 'failure', error } : { kind: 'batch-rejected', error };
  return Array.from({ length: n }, () => outcome);
}

/**
 * Per-command results of a batch answer. Once a command of a call failed, its followers in the
 * same batch are `not-sent`: they ran with an unresolved batch reference (Bitrix24 keeps going
 * with halt=0), so their answer means nothing; they go again after their predecessor succeeds.
 */
export function mapBatchOutcome(items: readonly PackedItem[], answer: B24BatchOutcome): SendOutcome[] {
  const failedCalls = new Set<string>();
  return items.map((item): SendOutcome => {
    const callKey = item.command.callKey;
    if (failedCalls.has(callKey)) return { kind: 'not-sent' };
    if (Object.hasOwn(answer.results, item.key)) return { kind: 'success', result: answer.results[item.key] };
    failedCalls.add(callKey);
    const err = Object.hasOwn(answer.errors, item.key) ? answer.errors[item.key] : undefined;
    if (err !== undefined) return { kind: 'failure', error: classifyError(err) };
    return { kind: 'failure', error: { code: OutboxCode.noResult, message: `batch answer has no result for ${item.key}`, retryable: true } };
  });
}

/** Naive mode: one `call` per command, in order; a failure makes the call's later items not-sent. */
export async function sendEach(client: B24Client, items: readonly PackedItem[], timeoutMs: number): Promise<SendOutcome[]> {
  const out: SendOutcome[] = [];
  const failedCalls = new Set<string>();
  for (const item of items) {
    if (failedCalls.has(item.command.callKey)) {
      out.push({ kind: 'not-sent' });
      continue;
    }
    try {
      const result = await withTimeout(timeoutMs, (signal) => client.call(item.method, item.params, { signal }));
      out.push({ kind: 'success', result });
    } catch (e) {
      failedCalls.add(item.command.callKey);
      out.push({ kind: 'failure', error: classifyError(e) });
    }
  }
  return out;
}
