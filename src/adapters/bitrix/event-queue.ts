/**
 * The ONE queue both event sources (HTTP intake and offline poller) feed, and the click-to-call
 * flow consumes. `push` is async so a durable implementation can persist before it resolves; the
 * poller clears offline events only after `push` resolved.
 *
 * MemoryEventQueue: FIFO; `take()` waiters are served first, else one subscriber, else buffered
 * (bounded: a full queue rejects with B24_EVENT_QUEUE_FULL).
 */
import { silentLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import { b24LocalError } from './errors.js';
import type { EventDeduper } from './event-dedupe.js';
import { eventDedupeKey } from './event-dedupe.js';
import type { B24Event } from './event-types.js';

export interface EventQueue {
  push(event: B24Event): Promise<void>;
  /** Next event (waits for one); rejects when `signal` aborts. */
  take(signal?: AbortSignal): Promise<B24Event>;
  /** One consumer callback for every event; returns an unsubscribe function. */
  subscribe(handler: (event: B24Event) => void | Promise<void>): () => void;
  readonly size: number;
}

export interface MemoryEventQueueOptions {
  readonly maxSize?: number;
  readonly logger?: Logger;
}

export class MemoryEventQueue implements EventQueue {
  private readonly items: B24Event[] = [];
  private readonly waiters: Array<(e: B24Event) => void> = [];
  private handler: ((event: B24Event) => void | Promise<void>) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly maxSize: number;
  private readonly log: Logger;

  constructor(options: MemoryEventQueueOptions = {}) {
    this.maxSize = options.maxSize ?? 1000;
    this.log = (options.logger ?? silentLogger).child({ component: 'b24-event-queue' });
  }

  get size(): number {
    return this.items.length;
  }

  async push(event: B24Event): Promise<void> {
    const waiter = this.waiters.shift();
    if (waiter) return waiter(event);
    if (this.handler) return this.deliver(event);
    if (this.items.length >= this.maxSize) {
      throw b24LocalError('eventQueueFull', `event queue full (${this.maxSize})`);
    }
    this.items.push(event);
  }

  take(signal?: AbortSignal): Promise<B24Event> {
    const first = this.items.shift();
    if (first) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const waiter = (e: B24Event): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(e);
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(b24LocalError('aborted', 'event queue take() cancelled'));
      };
      if (signal?.aborted) return onAbort();
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  subscribe(handler: (event: B24Event) => void | Promise<void>): () => void {
    this.handler = handler;
    for (const e of this.items.splice(0)) void this.deliver(e);
    return () => {
      if (this.handler === handler) this.handler = undefined;
    };
  }

  /** Calls the subscriber in order, one event at a time; its failures are logged, not thrown. */
  private deliver(event: B24Event): Promise<void> {
    const h = this.handler;
    if (!h) return Promise.resolve();
    this.chain = this.chain.then(async () => {
      try {
        await h(event);
      } catch (e) {
        this.log.error({ event: event.event, callId: event.data.CALL_ID, err: (e as Error)?.message },
          'event subscriber failed');
      }
    });
    return Promise.resolve();
  }
}

/** What happened to an offered event. */
export type OfferOutcome = 'queued' | 'duplicate';

/** Dedupe then push; a failed push forgets the key so a redelivery is taken. */
export async function offerEvent(queue: EventQueue, dedupe: EventDeduper, event: B24Event): Promise<OfferOutcome> {
  const key = eventDedupeKey(event);
  if (!dedupe.firstSeen(key, event.receivedAt)) return 'duplicate';
  try {
    await queue.push(event);
  } catch (e) {
    dedupe.forget(key);
    throw e;
  }
  return 'queued';
}
