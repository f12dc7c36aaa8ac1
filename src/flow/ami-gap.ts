/**
 * When was the connector NOT listening to AMI? The gap runs from the last moment it was known to be
 * connected — kept in the store every few seconds while connected and at a clean stop, so it
 * survives a crash — or from a disconnect while running, to the next connect. The CDR backfill
 * (cdr-backfill.ts) looks for calls that ended inside it. The first start ever has no gap.
 */
export interface AliveStore {
  getValue<T>(key: string): Promise<T | undefined>;
  setValue(key: string, value: unknown, now: number): Promise<void>;
}

/** kv: the last time the connector was connected to AMI. */
export const AMI_ALIVE_KEY = 'ami.aliveAt';

export interface AmiGap {
  readonly from: number;
  readonly to: number;
}

export class AmiGapWatch {
  private gapFrom: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly store: AliveStore,
    private readonly now: () => number,
    private readonly connected: () => boolean,
    initial: number | undefined,
  ) {
    this.gapFrom = initial;
  }

  /** Reads the last alive time and starts keeping it every `everyMs` while connected. */
  static async start(store: AliveStore, now: () => number, connected: () => boolean, everyMs = 5_000): Promise<AmiGapWatch> {
    const w = new AmiGapWatch(store, now, connected, await store.getValue<number>(AMI_ALIVE_KEY));
    w.timer = setInterval(() => {
      if (w.connected()) void w.mark();
    }, everyMs);
    w.timer.unref();
    return w;
  }

  /** AMI connected: the gap that just ended, if any. */
  connectedNow(): AmiGap | undefined {
    const gap = this.gapFrom === undefined ? undefined : { from: this.gapFrom, to: this.now() };
    this.gapFrom = undefined;
    void this.mark();
    return gap;
  }

  /** AMI lost while running: a gap begins (unless one is already open). */
  disconnectedNow(): void {
    this.gapFrom ??= this.now();
  }

  /** A clean stop: the gap of the next start begins now. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.connected()) await this.mark();
  }

  private mark(): Promise<void> {
    return this.store.setValue(AMI_ALIVE_KEY, this.now(), this.now()).catch(() => undefined);
  }
}
