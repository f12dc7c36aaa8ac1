/**
 * The simulator's id allocator, shared by every call it plays (transcripts and generated calls),
 * so that concurrent calls never collide — exactly one Asterisk instance's counters:
 * Uniqueid `<epoch>.<sequence>` (one global sequence), channel suffixes `0000001a` (one counter),
 * and bridge UUIDs.
 */
import { randomUUID } from 'node:crypto';
import type { SimIds } from '../scenario/types.js';

export interface SimIdsOptions {
  /** Wall clock in ms (injected for tests). */
  now?: () => number;
  /** First Uniqueid sequence number (Asterisk starts at 0 after a restart; default 1). */
  firstSequence?: number;
  /** First channel suffix counter value (default 1). */
  firstSuffix?: number;
  /** Optional `systemname` prefix (`asterisk-1750662739.6195`). */
  systemName?: string;
}

/** SimIds plus the extra ids the server needs (bridge UUIDs). */
export interface SimIdAllocator extends SimIds {
  bridgeId(): string;
}

export function createSimIds(options: SimIdsOptions = {}): SimIdAllocator {
  const now = options.now ?? Date.now;
  let seq = options.firstSequence ?? 1;
  let suffix = options.firstSuffix ?? 1;
  const prefix = options.systemName ? `${options.systemName}-` : '';
  return {
    // Asterisk stamps a Uniqueid with the time of the channel's creation and a global counter.
    uniqueid: () => `${prefix}${Math.floor(now() / 1000)}.${seq++}`,
    channelSuffix: () => (suffix++ >>> 0).toString(16).padStart(8, '0'),
    nowEpoch: () => Math.floor(now() / 1000),
    bridgeId: () => randomUUID(),
  };
}
