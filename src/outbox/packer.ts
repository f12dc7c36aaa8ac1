/**
 * Packs claimed commands into `batch` requests (≤ maxBatch commands each), pure.
 *
 * - Commands of one call arrive as a chain (head first, by id); a chain is never split across
 *   batches, so a later command can point at an earlier one with a batch reference
 *   (`$result[key][path]`), and Bitrix24 runs batch commands in order.
 * - A reference to a command that is already done is replaced by the value from its stored result.
 * - A reference that cannot be resolved makes its command `fatal` (dead) and the rest of its chain
 *   `notSent` (back to pending; the dead one now blocks them, as the per-call order demands).
 * - A `solo` command travels alone (it was in a batch the portal refused as a whole).
 */
import type { B24BatchCommand, B24Params, B24ResultRef } from '../adapters/bitrix/types.js';
import { OutboxCode } from './command.js';
import type { CommandError, OutboxCommand, StepRef } from './command.js';
import { rewriteRefs, valueAt } from './refs.js';

/** What the store knows about a referenced step of a call. */
export interface KnownStep {
  readonly state: OutboxCommand['state'];
  readonly result: unknown;
}

export function stepKey(callKey: string, step: string): string {
  return `${callKey}\u0000${step}`;
}

export interface PackedItem {
  readonly command: OutboxCommand;
  /** Key inside the batch: `c<id>`. */
  readonly key: string;
  readonly method: string;
  readonly params: B24Params;
}

export interface PackPlan {
  readonly batches: ReadonlyArray<readonly PackedItem[]>;
  readonly fatal: ReadonlyArray<{ readonly command: OutboxCommand; readonly error: CommandError }>;
  readonly notSent: readonly OutboxCommand[];
}

export interface PackOptions {
  /** ≤ 50 (Bitrix24's batch limit). */
  readonly maxBatch: number;
  /** false: every command is its own request (naive mode); chains beyond the head are not sent. */
  readonly inBatchRefs: boolean;
}

export function batchKey(cmd: OutboxCommand): string {
  return `c${cmd.id}`;
}

export function toBatchCommands(items: readonly PackedItem[]): B24BatchCommand[] {
  return items.map((i) => ({ key: i.key, method: i.method, params: i.params }));
}

/** Group claimed commands into per-call chains, in the order the calls were claimed. */
export function chains(claimed: readonly OutboxCommand[]): OutboxCommand[][] {
  const byCall = new Map<string, OutboxCommand[]>();
  for (const c of claimed) {
    const list = byCall.get(c.callKey);
    if (list) list.push(c);
    else byCall.set(c.callKey, [c]);
  }
  return [...byCall.values()].map((l) => l.sort((a, b) => a.id - b.id));
}

export function pack(claimed: readonly OutboxCommand[], known: ReadonlyMap<string, KnownStep>, opts: PackOptions): PackPlan {
  const maxBatch = Math.max(1, Math.min(50, Math.floor(opts.maxBatch)));
  const batches: PackedItem[][] = [];
  const fatal: Array<{ command: OutboxCommand; error: CommandError }> = [];
  const notSent: OutboxCommand[] = [];
  let current: PackedItem[] = [];
  const flush = (): void => {
    if (current.length) batches.push(current);
    current = [];
  };
  for (const chain of chains(claimed)) {
    const limit = opts.inBatchRefs ? maxBatch : 1;
    const { items, fatal: f, rest } = resolveChain(chain, known, limit, opts.inBatchRefs);
    if (f) fatal.push(f);
    notSent.push(...rest);
    if (!items.length) continue;
    const alone = !opts.inBatchRefs || items.some((i) => i.command.solo);
    if (alone || current.length + items.length > maxBatch) flush();
    current.push(...items);
    if (alone) flush();
  }
  flush();
  return { batches, fatal, notSent };
}

interface ChainResult {
  items: PackedItem[];
  fatal?: { command: OutboxCommand; error: CommandError };
  rest: OutboxCommand[];
}

function resolveChain(chain: readonly OutboxCommand[], known: ReadonlyMap<string, KnownStep>, limit: number, inBatchRefs: boolean): ChainResult {
  const items: PackedItem[] = [];
  const inBatch = new Map<string, string>(); // step → batch key
  for (let i = 0; i < chain.length; i++) {
    const cmd = chain[i] as OutboxCommand;
    // A solo command never shares its batch, not even with its own call's chain.
    if (items.length >= limit || (items.length > 0 && cmd.solo)) return { items, rest: chain.slice(i) };
    const r = rewriteRefs(cmd.params, (ref) => resolveRef(cmd, ref, inBatch, known, inBatchRefs));
    if (!r.ok) {
      return { items, fatal: { command: cmd, error: { code: r.code, message: r.reason } }, rest: chain.slice(i + 1) };
    }
    const key = batchKey(cmd);
    items.push({ command: cmd, key, method: cmd.method, params: r.value as B24Params });
    inBatch.set(cmd.step, key);
    if (cmd.solo) return { items, rest: chain.slice(i + 1) };
  }
  return { items, rest: [] };
}

type RefResolution = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string; readonly code: string };

function resolveRef(
  cmd: OutboxCommand, ref: StepRef, inBatch: ReadonlyMap<string, string>, known: ReadonlyMap<string, KnownStep>, inBatchRefs: boolean,
): RefResolution {
  const path = ref.path.map(String);
  const key = inBatchRefs ? inBatch.get(ref.$ref) : undefined;
  if (key !== undefined) {
    const batchRef: B24ResultRef = { $ref: key, path };
    return { ok: true, value: batchRef };
  }
  const k = known.get(stepKey(cmd.callKey, ref.$ref));
  if (!k || k.state !== 'done') {
    const why = k ? `is ${k.state}` : 'does not exist';
    return { ok: false, code: OutboxCode.refUnresolved, reason: `step '${cmd.step}' refers to step '${ref.$ref}', which ${why}` };
  }
  const value = valueAt(k.result, path);
  if (value === undefined) {
    return { ok: false, code: OutboxCode.refPathMissing, reason: `result of step '${ref.$ref}' has no ${path.join('.') || '(root)'}` };
  }
  return { ok: true, value };
}
