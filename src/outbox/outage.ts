/**
 * Outage detection for the outbox sender: a request that failed as a whole for a transport reason
 * marks the portal unreachable; while it is, the backlog is retried every `probeIntervalMs`
 * whatever each command's backoff says, and the first answer after that pulls every backed-off
 * retry forward, so the backlog starts draining at once instead of after each command's own
 * backoff (up to the cap).
 */
import type { Logger } from '../log.js';
import type { SendOutcome } from './journal.js';
import type { OutboxStore } from './store-port.js';

export interface OutageWatchOptions {
  readonly store: Pick<OutboxStore, 'resumeRetries'>;
  readonly now: () => number;
  readonly log: Logger;
  /** Sends now (the sender's wake). */
  readonly wake: () => void;
  /** While Bitrix24 is unreachable, retry the backlog at least this often, ms. */
  readonly probeIntervalMs: number;
}

export interface OutageWatch {
  /** After each request: its outcomes tell whether Bitrix24 answered. */
  note(outcomes: readonly SendOutcome[]): Promise<void>;
  /** Stops the probe timer (the sender stops). */
  stop(): void;
}

export function createOutageWatch(options: OutageWatchOptions): OutageWatch {
  const { store, now, log, wake } = options;
  let portalDown = false;
  let probe: ReturnType<typeof setInterval> | undefined;

  async function note(outcomes: readonly SendOutcome[]): Promise<void> {
    const answered = outcomes.some((o) => o.kind === 'success' || (o.kind === 'failure' && !o.error.retryable));
    if (!answered) {
      // Only the portal's own failures say it is down: a local command waiting for its turn
      // (a transcript still being made, REC_TRANSCRIPT_PENDING) or a full disk is not an outage.
      if (outcomes.length > 0 && outcomes.every((o) => o.kind === 'failure' && o.error.retryable && o.error.code.startsWith('B24_'))) markDown();
      return;
    }
    if (!portalDown) return;
    portalDown = false;
    if (probe) clearInterval(probe);
    probe = undefined;
    try {
      const n = await store.resumeRetries(now());
      if (n > 0) {
        log.info({ commands: n }, 'Bitrix24 answers again: retries resumed');
        wake();
      }
    } catch (e) {
      log.warn({ err: e }, 'could not resume retries');
    }
  }

  /** While down, the backlog is retried every probeIntervalMs whatever each command's backoff says. */
  function markDown(): void {
    if (portalDown) return;
    portalDown = true;
    log.warn({}, 'Bitrix24 unreachable: commands wait in the outbox');
    probe = setInterval(() => {
      void store.resumeRetries(now()).then(() => wake(), () => undefined);
    }, options.probeIntervalMs);
    probe.unref?.();
  }

  return {
    note,
    stop() {
      if (probe) clearInterval(probe);
      probe = undefined;
    },
  };
}
