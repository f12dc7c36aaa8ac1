/**
 * The outbox sender: claims ready commands, resolves references, packs them into `batch`
 * requests, sends them through the B24Client and records every outcome in the store. It owns
 * retries, per-call ordering (through the store's claim), priorities and concurrency; rate limits
 * belong to the client. Observers learn about done and dead commands after they are recorded.
 * Outage detection (portal unreachable → probe, first answer → resume retries) is in outage.ts.
 */
import type { B24Client } from '../adapters/bitrix/types.js';
import { Priority } from '../core/crm/commands.js';
import { ConnectorError, isConnectorError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { OutboxCode } from './command.js';
import type { CommandUpdate, NewCommand, OutboxCommand } from './command.js';
import { applyUpdate, decide } from './journal.js';
import type { SendOutcome } from './journal.js';
import { createOutageWatch } from './outage.js';
import { pack } from './packer.js';
import type { PackedItem } from './packer.js';
import { referencedSteps } from './refs.js';
import { sendBatch, sendEach } from './send.js';
import type { EnqueueOptions, EnqueueResult, OutboxStats, OutboxStore, StepLookup } from './store-port.js';

export interface SenderOptions {
  readonly store: OutboxStore;
  readonly client: B24Client;
  readonly logger?: Logger;
  /** Clock, epoch ms. Default Date.now. */
  readonly now?: () => number;
  /** [0, 1) source for the backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /** 'batch' (default) or 'naive': one request per command, no batch (benchmark baseline). */
  readonly mode?: 'batch' | 'naive';
  /** Commands per batch, ≤ 50. Default 50. */
  readonly batchSize?: number;
  /** Batches in flight at once. Default 2. */
  readonly concurrency?: number;
  /** Of those, slots only live-card commands may use (so a card pops during a backlog). Default 1. */
  readonly liveReserved?: number;
  /** Priorities ≤ this count as live. Default Priority.live. */
  readonly livePriorityMax?: number;
  /** Longest run of one call's chained commands in one batch. Default 10. */
  readonly maxChain?: number;
  /** Idle poll interval, ms. Default 1000. */
  readonly pollIntervalMs?: number;
  /** Give up waiting for one request after this, ms (retryable). Default 70 000. */
  readonly sendTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  /** While Bitrix24 is unreachable, retry the backlog at least this often, ms. Default 5000. */
  readonly probeIntervalMs?: number;
  /** Dead after this many retryable failures; 0 = never (default: nothing is dropped). */
  readonly maxAttempts?: number;
  readonly onDone?: (command: OutboxCommand, result: unknown) => void | Promise<void>;
  readonly onDead?: (command: OutboxCommand, error: ConnectorError) => void | Promise<void>;
}

/** Counters (cumulative in `totals`, per call in runOnce/drain reports). */
export interface RunReport {
  batches: number;
  requests: number;
  sent: number;
  done: number;
  retried: number;
  dead: number;
  notSent: number;
}

export interface OutboxSender {
  /** Stale-lock sweep, then the loop. */
  start(): Promise<void>;
  /** No new claims; waits for the batches in flight to be recorded. */
  stop(): Promise<void>;
  /** Send now (after an enqueue) instead of at the next poll. */
  wake(): void;
  /** Without the loop: claim once per free slot, send, record, wait. */
  runOnce(): Promise<RunReport>;
  /** runOnce until nothing is ready (or maxRounds). */
  drain(maxRounds?: number): Promise<RunReport>;
  /** store.enqueue with the sender's clock, then wake(). */
  enqueue(commands: readonly NewCommand[], options?: EnqueueOptions): Promise<EnqueueResult>;
  listDead(limit?: number): Promise<OutboxCommand[]>;
  /** Dead → pending (attempts reset), then wake(). */
  retry(id: number): Promise<boolean>;
  /** Pending or dead → discarded: no longer blocks its call. */
  discard(id: number): Promise<boolean>;
  /** Depth, oldest age, counts by state (for metrics and the admin panel). */
  stats(): Promise<OutboxStats>;
  readonly totals: Readonly<RunReport>;
  readonly inFlight: number;
}

function emptyReport(): RunReport {
  return { batches: 0, requests: 0, sent: 0, done: 0, retried: 0, dead: 0, notSent: 0 };
}

function diff(a: RunReport, b: RunReport): RunReport {
  const out = emptyReport();
  for (const k of Object.keys(out) as Array<keyof RunReport>) out[k] = a[k] - b[k];
  return out;
}

export function createOutboxSender(options: SenderOptions): OutboxSender {
  const { store, client } = options;
  const log = (options.logger ?? silentLogger).child({ component: 'outbox' });
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const naive = options.mode === 'naive';
  const batchSize = Math.max(1, Math.min(50, Math.floor(options.batchSize ?? 50)));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
  const liveReserved = Math.max(0, Math.min(concurrency - 1, Math.floor(options.liveReserved ?? 1)));
  const generalSlots = concurrency - liveReserved;
  const livePriorityMax = options.livePriorityMax ?? Priority.live;
  const maxChain = naive ? 1 : Math.max(1, Math.floor(options.maxChain ?? 10));
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 1_000);
  const sendTimeoutMs = Math.max(1, options.sendTimeoutMs ?? 70_000);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const maxAttempts = options.maxAttempts ?? 0;

  const totals = emptyReport();
  const inflight = new Set<Promise<void>>();
  let general = 0;
  let reserved = 0;
  let started = false;
  let stopping = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outage = createOutageWatch({ store, now, log, wake, probeIntervalMs: options.probeIntervalMs ?? 5_000 });
  let filling: Promise<void> | undefined;
  let again = false;

  /** Claims into every free slot; serialised so two fills never count the same slot. */
  function fill(): Promise<void> {
    if (filling) {
      again = true;
      return filling;
    }
    filling = (async () => {
      do {
        again = false;
        await fillSlots();
      } while (again && !stopping);
    })().finally(() => {
      filling = undefined;
    });
    return filling;
  }

  async function fillSlots(): Promise<void> {
    while (!stopping) {
      let kind: 'general' | 'reserved' | undefined = general < generalSlots ? 'general' : reserved < liveReserved ? 'reserved' : undefined;
      if (kind === 'general') {
        // The backlog never queues inside the rate limiter: it goes only when a request can leave
        // at once, so the next free slot always belongs to a ringing call's card if one comes.
        const wait = client.readyIn?.() ?? 0;
        if (wait > 0) {
          if (started && !stopping) schedule(wait);
          kind = reserved < liveReserved ? 'reserved' : undefined;
        }
      }
      if (!kind) return;
      let claimed: OutboxCommand[];
      try {
        claimed = await store.claim({
          now: now(), limit: batchSize, maxChain,
          ...(kind === 'reserved' ? { maxPriority: livePriorityMax } : {}),
        });
      } catch (e) {
        log.error({ err: e }, 'outbox claim failed');
        return;
      }
      if (!claimed.length) return;
      if (kind === 'general') general++;
      else reserved++;
      const p: Promise<void> = dispatch(claimed)
        .catch((e: unknown) => release(claimed, e))
        .finally(() => {
          if (kind === 'general') general--;
          else reserved--;
          inflight.delete(p);
          if (started && !stopping) schedule(0);
        });
      inflight.add(p);
    }
  }

  async function dispatch(claimed: OutboxCommand[]): Promise<void> {
    const known = await store.steps(lookupsFor(claimed));
    const plan = pack(claimed, known, { maxBatch: batchSize, inBatchRefs: !naive });
    const early: Array<[OutboxCommand, SendOutcome]> = [
      ...plan.fatal.map((f): [OutboxCommand, SendOutcome] => [f.command, { kind: 'fatal', error: f.error }]),
      ...plan.notSent.map((c): [OutboxCommand, SendOutcome] => [c, { kind: 'not-sent' }]),
    ];
    if (early.length) await settle(early);
    for (const items of plan.batches) {
      const outcomes = naive ? await sendEach(client, items, sendTimeoutMs) : await sendBatch(client, items, sendTimeoutMs);
      totals.batches++;
      totals.requests += naive ? items.length : 1;
      totals.sent += items.length;
      await outage.note(outcomes);
      await settle(items.map((it: PackedItem, i): [OutboxCommand, SendOutcome] => [it.command, outcomes[i] ?? { kind: 'not-sent' }]));
    }
  }

  /**
   * dispatch failed on the store (steps or record): give back what is still running instead of
   * leaving it locked until the next start. It may have been sent already, hence uncertain.
   */
  async function release(claimed: readonly OutboxCommand[], e: unknown): Promise<void> {
    log.error({ err: e, commands: claimed.length }, 'outbox dispatch failed');
    const t = now();
    const updates = claimed.map((c) => ({ ...decide(c, { kind: 'not-sent' }, { now: t, rand: 0 }), uncertain: true }));
    try {
      await store.record(updates, t);
    } catch (e2) {
      log.error({ err: e2 }, 'outbox release failed; the rows stay running until the next start');
    }
  }

  /** Records outcomes in one transaction, then tells the observers. */
  async function settle(pairs: ReadonlyArray<readonly [OutboxCommand, SendOutcome]>): Promise<void> {
    const t = now();
    const updates = pairs.map(([cmd, outcome]) => decide(cmd, outcome, { now: t, rand: random(), backoff, maxAttempts }));
    await recordWithRetry(updates, t);
    for (let i = 0; i < updates.length; i++) {
      const u = updates[i] as CommandUpdate;
      const cmd = applyUpdate((pairs[i] as readonly [OutboxCommand, SendOutcome])[0], u, t);
      await observe(cmd, u, (pairs[i] as readonly [OutboxCommand, SendOutcome])[1]);
    }
  }

  /**
   * A lost record leaves rows running until the next start (then they are re-sent, marked
   * uncertain); a busy database is worth a few quick retries first.
   */
  async function recordWithRetry(updates: readonly CommandUpdate[], t: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.record(updates, t);
        return;
      } catch (e) {
        if (attempt >= 3 || !isConnectorError(e) || !e.retryable) throw e;
        log.warn({ err: e, attempt }, 'outbox record failed, retrying');
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  async function observe(cmd: OutboxCommand, u: CommandUpdate, outcome: SendOutcome): Promise<void> {
    try {
      if (u.state === 'done') {
        totals.done++;
        await options.onDone?.(cmd, u.result);
      } else if (u.state === 'dead') {
        totals.dead++;
        const err = new ConnectorError(u.lastError?.code ?? OutboxCode.sendFailed, u.lastError?.message ?? 'dead', {
          details: { commandId: cmd.id, callKey: cmd.callKey, step: cmd.step },
        });
        log.warn({ callKey: cmd.callKey, step: cmd.step, code: err.code, attempts: cmd.attempts }, 'outbox command dead');
        await options.onDead?.(cmd, err);
      } else if (outcome.kind === 'not-sent') {
        totals.notSent++;
      } else {
        totals.retried++;
        log.debug({ callKey: cmd.callKey, step: cmd.step, code: u.lastError?.code, nextAttemptAt: u.nextAttemptAt }, 'outbox retry');
      }
    } catch (e) {
      // An observer's failure must not undo what is already recorded.
      log.error({ err: e, callKey: cmd.callKey, step: cmd.step }, 'outbox observer failed');
    }
  }

  function schedule(delayMs: number): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void pump();
    }, delayMs);
  }

  async function pump(): Promise<void> {
    if (!started || stopping) return;
    await fill();
    if (!started || stopping) return;
    let delay = pollIntervalMs;
    try {
      const due = await store.nextDueAt();
      const t = now();
      // A due time in the past belongs to a command blocked behind its call: poll normally.
      if (due !== null && due > t) delay = Math.min(pollIntervalMs, due - t);
    } catch (e) {
      log.error({ err: e }, 'outbox nextDueAt failed');
    }
    if (!stopping && !timer) schedule(delay);
  }

  function wake(): void {
    if (started && !stopping) schedule(0);
  }

  async function runOnce(): Promise<RunReport> {
    const before = { ...totals };
    await fill();
    while (inflight.size) await Promise.all([...inflight]);
    return diff(totals, before);
  }

  return {
    async start() {
      if (started || stopping) throw new ConnectorError(OutboxCode.senderState, started ? 'sender already started' : 'sender was stopped');
      started = true;
      const released = await store.releaseRunning(now());
      if (released) log.warn({ released }, 'outbox: running commands released after restart');
      void pump();
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      outage.stop();
      if (filling) await filling;
      while (inflight.size) await Promise.all([...inflight]);
    },
    wake,
    runOnce,
    async drain(maxRounds = 1_000) {
      const before = { ...totals };
      for (let i = 0; i < maxRounds; i++) {
        const r = await runOnce();
        if (r.sent === 0 && r.notSent === 0 && r.dead === 0) break;
      }
      return diff(totals, before);
    },
    async enqueue(commands, opts) {
      const r = await store.enqueue(commands, now(), opts);
      if (r.inserted.length) wake();
      return r;
    },
    listDead: (limit = 100) => store.list({ state: 'dead', limit }),
    async retry(id) {
      const ok = await store.retry(id, now());
      if (ok) wake();
      return ok;
    },
    discard: (id) => store.discard(id, now()),
    stats: () => store.stats(now()),
    totals,
    get inFlight() {
      return inflight.size;
    },
  };
}

/** Steps referenced by claimed commands that are not themselves in the claim. */
function lookupsFor(claimed: readonly OutboxCommand[]): StepLookup[] {
  const inClaim = new Set(claimed.map((c) => `${c.callKey}\u0000${c.step}`));
  const seen = new Set<string>();
  const out: StepLookup[] = [];
  for (const c of claimed) {
    for (const step of referencedSteps(c.params)) {
      const k = `${c.callKey}\u0000${step}`;
      if (inClaim.has(k) || seen.has(k)) continue;
      seen.add(k);
      out.push({ callKey: c.callKey, step });
    }
  }
  return out;
}
