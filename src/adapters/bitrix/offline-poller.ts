/**
 * Offline events (reference §7.5): for a connector without a public URL. At start it binds the
 * telephony events with `event_type=offline` (idempotent: `event.get` first), then polls
 * `event.offline.get` with `clear=0` (records are reserved under a `process_id`), pushes each
 * event through the same dedupe into the same queue as the HTTP intake, and only then removes
 * them with `event.offline.clear` (`process_id` + the records' `id`s).
 *
 * An event whose push failed is not cleared (it stays reserved; reference: 30 days) and is logged.
 */
import { ConnectorError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import type { EventDeduper } from './event-dedupe.js';
import { offerEvent } from './event-queue.js';
import type { EventQueue } from './event-queue.js';
import { B24_EVENT_NAMES, isB24EventName, toB24Event } from './event-types.js';
import type { B24EventName } from './event-types.js';
import { systemClock } from './limiter.js';
import type { LimiterClock } from './limiter.js';
import type { B24Client } from './types.js';

export interface OfflineEventPollerOptions {
  readonly client: B24Client;
  readonly queue: EventQueue;
  readonly dedupe: EventDeduper;
  readonly logger?: Logger;
  /** Pause between polls when the last one was not full. Default 3000 ms. */
  readonly intervalMs?: number;
  /** `limit` of event.offline.get. Default 50. */
  readonly limit?: number;
  readonly events?: readonly B24EventName[];
  /** `auth_connector` key, when several consumers share the portal's offline queue. */
  readonly authConnector?: string;
  readonly clock?: LimiterClock;
}

export interface PollOutcome {
  readonly received: number;
  readonly queued: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly cleared: number;
}

interface OfflineRecord {
  readonly ID?: unknown;
  readonly EVENT_NAME?: unknown;
  readonly EVENT_DATA?: unknown;
  readonly TIMESTAMP_X?: unknown;
  readonly MESSAGE_ID?: unknown;
}

export class OfflineEventPoller {
  private readonly o: OfflineEventPollerOptions;
  private readonly log: Logger;
  private readonly clock: LimiterClock;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private bound = false;

  constructor(options: OfflineEventPollerOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger).child({ component: 'b24-offline-poller' });
    this.clock = options.clock ?? systemClock;
  }

  /** Binds the missing offline handlers; returns the events it bound now. */
  async ensureBound(signal?: AbortSignal): Promise<string[]> {
    const opts = signal ? { signal } : {};
    const existing = await this.o.client.call<unknown>('event.get', {}, opts);
    const have = new Set<string>();
    for (const h of Array.isArray(existing) ? existing : []) {
      const r = h as Record<string, unknown>;
      if (Number(r.offline) === 1 && typeof r.event === 'string') have.add(r.event.toUpperCase());
    }
    const added: string[] = [];
    for (const event of this.o.events ?? B24_EVENT_NAMES) {
      if (have.has(event)) continue;
      try {
        await this.o.client.call('event.bind', {
          event, event_type: 'offline', ...(this.o.authConnector ? { auth_connector: this.o.authConnector } : {}),
        }, opts);
        added.push(event);
      } catch (e) {
        if (!(e instanceof ConnectorError && e.code === 'B24_HANDLER_ALREADY_EXISTS')) throw e;
      }
    }
    this.bound = true;
    if (added.length) this.log.info({ events: added }, 'bitrix24 offline events bound');
    return added;
  }

  /** One `event.offline.get` round: queue what came, then clear what was safely queued. */
  async pollOnce(signal?: AbortSignal): Promise<PollOutcome> {
    const opts = signal ? { signal } : {};
    const res = await this.o.client.call<unknown>('event.offline.get', {
      clear: 0, limit: this.o.limit ?? 50, ...(this.o.authConnector ? { auth_connector: this.o.authConnector } : {}),
    }, opts);
    const r = (res && typeof res === 'object' ? res : {}) as Record<string, unknown>;
    const records = (Array.isArray(r.events) ? r.events : []) as OfflineRecord[];
    const processId = typeof r.process_id === 'string' && r.process_id ? r.process_id : undefined;
    let queued = 0;
    let duplicates = 0;
    let skipped = 0;
    const done: unknown[] = [];
    for (const rec of records) {
      const outcome = await this.handle(rec);
      if (outcome === 'failed') continue;
      if (outcome === 'queued') queued++;
      else if (outcome === 'duplicate') duplicates++;
      else skipped++;
      if (rec.ID !== undefined) done.push(rec.ID);
    }
    if (processId && done.length > 0) {
      await this.o.client.call('event.offline.clear', { process_id: processId, id: done }, opts);
    }
    const out = { received: records.length, queued, duplicates, skipped, cleared: processId ? done.length : 0 };
    if (records.length) this.log.debug({ ...out }, 'bitrix24 offline events polled');
    return out;
  }

  private async handle(rec: OfflineRecord): Promise<'queued' | 'duplicate' | 'skipped' | 'failed'> {
    const name = typeof rec.EVENT_NAME === 'string' ? rec.EVENT_NAME.toUpperCase() : '';
    const raw = rec.EVENT_DATA && typeof rec.EVENT_DATA === 'object' ? (rec.EVENT_DATA as Record<string, unknown>) : undefined;
    // EVENT_DATA is the event's `data`; tolerate a wrapped `{data: …}` form as well.
    const data = raw && raw.data && typeof raw.data === 'object' ? (raw.data as Record<string, unknown>) : raw;
    if (!isB24EventName(name) || !data) {
      this.log.warn({ event: name.slice(0, 40), id: rec.ID }, 'bitrix24 offline event skipped (unknown or empty)');
      return 'skipped';
    }
    const ts = typeof rec.TIMESTAMP_X === 'string' ? Date.parse(rec.TIMESTAMP_X) : NaN;
    try {
      const event = toB24Event({ event: name, data, ...(Number.isFinite(ts) ? { ts } : {}) }, 'poll', this.clock.now());
      return await offerEvent(this.o.queue, this.o.dedupe, event);
    } catch (e) {
      const code = e instanceof ConnectorError ? e.code : 'B24_UNKNOWN';
      if (code === 'B24_EVENT_BAD_PAYLOAD') {
        this.log.warn({ code, event: name, id: rec.ID }, 'bitrix24 offline event skipped (bad data)');
        return 'skipped';
      }
      this.log.error({ code, event: name, id: rec.ID, err: (e as Error)?.message }, 'bitrix24 offline event not queued');
      return 'failed';
    }
  }

  /** Starts the loop in the background (bind, then poll every intervalMs until stop()). */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Stops the loop and waits until it has ended. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    this.abort = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const interval = this.o.intervalMs ?? 3000;
    while (!signal.aborted) {
      let full = false;
      try {
        if (!this.bound) await this.ensureBound(signal);
        const out = await this.pollOnce(signal);
        full = out.received >= (this.o.limit ?? 50);
      } catch (e) {
        if (signal.aborted) break;
        const err = e instanceof ConnectorError ? e : undefined;
        this.log.warn({ code: err?.code ?? 'B24_UNKNOWN', retryable: err?.retryable }, 'bitrix24 offline poll failed');
      }
      if (full || signal.aborted) continue;
      try {
        await this.clock.sleep(interval, signal);
      } catch {
        break; // aborted
      }
    }
  }
}
