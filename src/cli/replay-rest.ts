/**
 * The REST half of `replay`: every stage change goes through the real call flow (planner → durable
 * outbox in an in-memory SQLite store → sender → REST client) to an in-process Bitrix24 emulator,
 * and every method the emulator executed is printed after the stage that caused it:
 * `{"type":"rest","method":…,"params":…,"result":…}` (batch commands expanded, in execution order;
 * a failed command has `error` instead of `result`).
 *
 * Deterministic: the emulator runs on a manual clock at the stage's time with a fixed id seed, and
 * the sender uses the same clock, so the same transcript always prints the same lines.
 */
import type { StageChange } from '../core/call/model.js';
import { parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createBitrixAdapters } from '../adapters/bitrix/from-config.js';
import { openSqliteStore } from '../adapters/store/sqlite.js';
import { createOutboxSender } from '../outbox/sender.js';
import { UserDirectory } from '../flow/user-directory.js';
import { CallToCrm, parseOffset } from '../flow/call-to-crm.js';
import { compilePhoneRules, normaliseInnerPhone } from '../core/crm/phone.js';
import { silentLogger } from '../log.js';
import { startEmulator, createManualClock } from '../../tools/b24-emu/index.js';
import type { PortalSeed } from '../../tools/b24-emu/contract.js';
import type { RequestLogEntry } from '../../tools/b24-emu/http/request-log.js';
import { connectorOAuthConfig } from '../../tools/b24-emu/connector-config.js';

export interface RestReplayOptions {
  readonly portal: PortalSeed | undefined;
  /** The --config file's JSON (its `bitrix` section is replaced by the emulator's). */
  readonly config: unknown;
  readonly write: (line: string) => void;
}

export function restLine(e: RequestLogEntry): Record<string, unknown> | undefined {
  if (e.kind !== 'rest') return undefined;
  const line: Record<string, unknown> = { type: 'rest', method: e.method, params: e.params };
  if (e.error !== undefined) line.error = e.error;
  else if (e.status >= 400) line.error = `HTTP ${e.status}`;
  else line.result = e.result;
  return line;
}

/** Runs the stage changes (already produced by the tracker) through the flow; prints stage + REST lines. */
export async function replayThroughCrm(changes: readonly StageChange[], opts: RestReplayOptions, stageLineOf: (c: StageChange) => unknown): Promise<void> {
  const start = changes[0]?.at ?? 0;
  const clock = createManualClock(start);
  const emu = await startEmulator({ portal: opts.portal ?? { users: [{ ID: 1, NAME: 'Admin', ACTIVE: true }] }, clock, idSeed: 'replay', processingSec: 0 });
  const store = openSqliteStore({ path: ':memory:' });
  try {
    const raw = (opts.config && typeof opts.config === 'object' ? opts.config : {}) as Record<string, unknown>;
    const config: Config = parseConfig({
      ...raw,
      bitrix: {
        auth: 'oauth',
        oauth: connectorOAuthConfig(emu),
        timezoneOffset: (raw['bitrix'] as { timezoneOffset?: string } | undefined)?.timezoneOffset ?? '+00:00',
      },
    });
    const { client } = createBitrixAdapters(config.bitrix);
    let now = start;
    const sender = createOutboxSender({ store, client, now: () => now, random: () => 0.5, pollIntervalMs: 3_600_000 });
    const rules = compilePhoneRules(config.phone);
    const users = new UserDirectory({ client, logger: silentLogger, now: () => now, normalise: (s) => normaliseInnerPhone(s, rules) });
    const flow = new CallToCrm({
      config, users, calls: store, logger: silentLogger,
      sink: { enqueue: (commands, options) => store.enqueue(commands, now, options) },
      tzOffsetMinutes: parseOffset(config.bitrix.timezoneOffset ?? '+00:00'),
    });
    let printed = 0;
    const flush = (): void => {
      const entries = emu.requests.list();
      for (const e of entries.slice(printed)) {
        const line = restLine(e);
        if (line) opts.write(`${JSON.stringify(line)}\n`);
      }
      printed = entries.length;
    };
    for (const change of changes) {
      if (change.at > now) {
        clock.advance(change.at - now);
        now = change.at;
      }
      opts.write(`${JSON.stringify(stageLineOf(change))}\n`);
      await flow.handle(change);
      await sender.drain();
      flush();
    }
  } finally {
    await store.close();
    await emu.close();
  }
}
