/**
 * "Take the same event once": a pushed event, its redelivery and the same event polled offline
 * share one key — event name + CALL_ID, or (no CALL_ID, e.g. ONEXTERNALCALLBACKSTART) a hash of
 * the event name and its data — remembered for a window. Time comes in as data.
 */
import { createHash } from 'node:crypto';
import type { B24Event } from './event-types.js';

export function eventDedupeKey(e: Pick<B24Event, 'event' | 'data' | 'raw'>): string {
  if (e.data.CALL_ID) return `${e.event}:${e.data.CALL_ID}`;
  const h = createHash('sha256').update(e.event).update('\0').update(stableJson(e.raw)).digest('hex');
  return `${e.event}#${h.slice(0, 32)}`;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export class EventDeduper {
  readonly windowMs: number;
  private readonly seen = new Map<string, number>();

  constructor(windowMs = 10 * 60_000) {
    this.windowMs = windowMs;
  }

  /** True the first time `key` is offered within the window (and remembers it). */
  firstSeen(key: string, nowMs: number): boolean {
    this.prune(nowMs);
    const at = this.seen.get(key);
    if (at !== undefined && nowMs - at < this.windowMs) return false;
    this.seen.delete(key); // re-insert at the end so the map stays oldest-first
    this.seen.set(key, nowMs);
    return true;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(nowMs: number): void {
    // Map keeps insertion order, and keys are re-inserted only after expiry: oldest first.
    for (const [k, at] of this.seen) {
      if (nowMs - at < this.windowMs) break;
      this.seen.delete(k);
    }
  }
}
