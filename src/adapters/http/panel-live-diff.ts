/**
 * Live-event change detection for the real PanelPort: while somebody listens, the tracker (right
 * after each burst of AMI events) and, every `pollMs`, the flow's stored per-call state, the outbox
 * and the health are compared with the signatures last seen; differences become PanelEvents.
 */
import type { TrackerState } from '../../core/call/tracker-state.js';
import { errorCode } from '../../errors.js';
import type { StoredCallState } from '../../flow/call-to-crm.js';
import type { Logger } from '../../log.js';
import type { OutboxCommand } from '../../outbox/command.js';
import type { HealthView, PanelEvent } from './panel-port.js';

/** What the comparison reads, and where its events go (the ConnectorPanelPort provides it). */
export interface LiveDiffSources {
  readonly tracker: () => TrackerState;
  /** The flow's stored state of one call, if it is one. */
  readonly storedState: (callKey: string) => Promise<StoredCallState | undefined>;
  readonly health: () => Promise<HealthView>;
  /** The outbox command changed last. */
  readonly lastChanged: () => Pick<OutboxCommand, 'id' | 'state' | 'updatedAt'> | undefined;
  /** Whether anybody listens (nothing is compared otherwise). */
  readonly listening: () => boolean;
  readonly emit: (e: PanelEvent) => void;
  readonly now: () => number;
  readonly log: Logger;
}

export class PanelLiveDiff {
  private poll: ReturnType<typeof setInterval> | undefined;
  private diffQueued = false;
  private closed = false;
  /** Last seen signature per live call (tracker + stored timeline length). */
  private callSigs = new Map<string, string>();
  private outboxSig = '';
  private healthSig = '';

  constructor(private readonly src: LiveDiffSources, private readonly pollMs: number) {}

  /** Starts the poll timer (first listener). */
  start(): void {
    if (!this.poll && !this.closed) {
      this.poll = setInterval(() => void this.pollOnce(), this.pollMs);
      this.poll.unref();
    }
  }

  /** Stops the poll timer (last listener gone). */
  stop(): void {
    if (this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  /** Stops for good. */
  close(): void {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  /** Compares once now (the poll timer calls it). */
  async pollOnce(): Promise<void> {
    if (!this.src.listening()) return;
    try {
      this.diffCalls();
      await this.diffStored();
      const h = await this.src.health();
      const hs = JSON.stringify([h.ami.connected, h.bitrix.ok, h.outbox.depth, h.outbox.dead, h.store.open]);
      if (hs !== this.healthSig) {
        this.healthSig = hs;
        this.src.emit({ type: 'health', at: this.src.now() });
      }
      const last = this.src.lastChanged();
      const os = last ? `${last.id}:${last.state}:${last.updatedAt}` : '';
      if (last && os !== this.outboxSig) {
        this.outboxSig = os;
        this.src.emit({ type: 'outbox', id: last.id, state: last.state, at: this.src.now() });
      }
    } catch (e) {
      this.src.log.debug({ code: errorCode(e) }, 'panel poll failed');
    }
  }

  /** After an AMI event: compares the tracker once the current burst of events is through. */
  queueDiff(): void {
    if (this.diffQueued || !this.src.listening()) return;
    this.diffQueued = true;
    // One comparison per burst of AMI events (a call stage is several events in a row).
    setImmediate(() => {
      this.diffQueued = false;
      if (!this.closed) this.diffCalls();
    });
  }

  /** Tracker side: a conversation changed stage, a call appeared or ended. */
  private diffCalls(): void {
    const seen = new Set<string>();
    for (const rec of this.src.tracker().calls.values()) {
      if (!rec.emitted || rec.endedAt !== undefined) continue;
      seen.add(rec.key);
      const stages = rec.conversations.map((c) => c.stage);
      const sig = stages.join(',');
      const prev = this.callSigs.get(rec.key);
      if (prev?.split('|')[0] !== sig) {
        this.callSigs.set(rec.key, `${sig}|${prev?.split('|')[1] ?? ''}`);
        this.src.emit({ type: 'call', callKey: rec.key, stage: stages[stages.length - 1] ?? 'conversation_requested', at: this.src.now() });
      }
    }
    for (const key of [...this.callSigs.keys()]) {
      if (seen.has(key)) continue;
      this.callSigs.delete(key);
      this.src.emit({ type: 'call', callKey: key, stage: 'call_ended', at: this.src.now() });
    }
  }

  /** Flow side: the stored timeline of a live call grew (card shown, registered …). */
  private async diffStored(): Promise<void> {
    for (const [key, sig] of [...this.callSigs]) {
      const st = await this.src.storedState(key);
      const n = String(st?.timeline.length ?? 0);
      const [tr = '', stored] = sig.split('|');
      if (stored === n || !this.callSigs.has(key)) continue;
      this.callSigs.set(key, `${tr}|${n}`);
      const stage = st?.timeline[st.timeline.length - 1]?.stage.split(' ')[0] ?? 'conversation_requested';
      this.src.emit({ type: 'call', callKey: key, stage, at: this.src.now() });
    }
  }
}
