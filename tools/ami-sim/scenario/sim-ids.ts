/**
 * A SimIds implementation for the server (and tests): one per simulated Asterisk instance, so
 * concurrent calls never share a Uniqueid or channel suffix. The clock is injected.
 */
import type { SimIds } from './types.js';

export interface SimIdsOptions {
  /** Epoch seconds of the simulated server start: the `<epoch>` part of every Uniqueid. */
  readonly startEpoch: number;
  /** Wall clock in epoch milliseconds (default: startEpoch, frozen). */
  readonly clock?: () => number;
  /** First Uniqueid sequence number (default 1) and first channel suffix (default 1). */
  readonly firstSequence?: number;
  readonly firstSuffix?: number;
}

export function createSimIds(o: SimIdsOptions): SimIds {
  let seq = o.firstSequence ?? 1;
  let suffix = o.firstSuffix ?? 1;
  return {
    uniqueid: () => `${o.startEpoch}.${seq++}`,
    channelSuffix: () => (suffix++ & 0xffffffff).toString(16).padStart(8, '0'),
    nowEpoch: () => (o.clock ? Math.floor(o.clock() / 1000) : o.startEpoch),
  };
}
