/**
 * What the emulator was asked and what it answered, for the inspector: REST calls (params with
 * secrets masked and long values cut), OAuth token requests, uploads, and event deliveries.
 */
import { redact, redactUrl } from '../../../src/log.js';

export interface RequestLogEntry {
  readonly id: number;
  /** Emulator clock, epoch ms. */
  readonly at: number;
  readonly kind: 'rest' | 'batch' | 'oauth' | 'upload';
  readonly httpMethod: string;
  /** Request path with secrets masked. */
  readonly path: string;
  /** REST method as called (original casing); `batch` for a batch, `batch:KEY` for its commands. */
  readonly method: string;
  readonly authType?: 'webhook' | 'oauth';
  readonly userId?: number;
  readonly params: unknown;
  readonly status: number;
  readonly error?: string;
  readonly error_description?: string;
  readonly time?: unknown;
  /** The method's `result` on success (strings over 256 characters cut). */
  readonly result?: unknown;
}

export interface DeliveryLogEntry {
  readonly id: number;
  readonly at: number;
  readonly event: string;
  readonly handler: string;
  readonly bindingId?: unknown;
  /** The form fields sent, secrets masked. */
  readonly body: Record<string, string>;
  /** HTTP status the handler answered, when it answered. */
  status?: number;
  /** Why the delivery failed (network error, timeout, non-2xx); failed deliveries are dropped. */
  error?: string;
  ok?: boolean;
}

const MAX_STRING = 256;

/** Masks secrets and shortens huge values such as Base64 FILE_CONTENT. */
export function maskParams(params: unknown): unknown {
  const cut = (v: unknown, depth: number): unknown => {
    if (depth > 8) return '[deep]';
    if (typeof v === 'string') return v.length > MAX_STRING ? `${v.slice(0, 32)}…(${v.length} chars)` : v;
    if (Array.isArray(v)) return v.map((x) => cut(x, depth + 1));
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = cut(x, depth + 1);
      return o;
    }
    return v;
  };
  return cut(redact(params), 0);
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private deliveryEntries: DeliveryLogEntry[] = [];
  private seq = 0;

  constructor(private readonly max = 2000) {}

  add(e: Omit<RequestLogEntry, 'id' | 'params' | 'path'> & { params: unknown; path: string }): RequestLogEntry {
    const entry: RequestLogEntry = {
      ...e, id: ++this.seq, path: redactUrl(e.path), params: maskParams(e.params),
      ...(e.result !== undefined ? { result: maskParams(e.result) } : {}),
    };
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    return entry;
  }

  addDelivery(e: Omit<DeliveryLogEntry, 'id'>): DeliveryLogEntry {
    const entry: DeliveryLogEntry = { ...e, id: ++this.seq };
    this.deliveryEntries.push(entry);
    if (this.deliveryEntries.length > this.max) this.deliveryEntries.splice(0, this.deliveryEntries.length - this.max);
    return entry;
  }

  /** Entries after id `since`, optionally only one REST method (case-insensitive). */
  list(filter: { since?: number; method?: string } = {}): RequestLogEntry[] {
    const m = filter.method?.toLowerCase();
    return this.entries.filter(
      (e) => (filter.since === undefined || e.id > filter.since) && (m === undefined || e.method.toLowerCase() === m),
    );
  }

  deliveries(): DeliveryLogEntry[] {
    return [...this.deliveryEntries];
  }

  clear(): void {
    this.entries = [];
    this.deliveryEntries = [];
  }
}
