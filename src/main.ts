/**
 * Composition root: the only place that builds real adapters and wires them together.
 *
 *   AMI client ──events──▶ tracker ──stage changes──▶ call → CRM flow ──commands──▶ SQLite outbox
 *                                                                                    │ sender
 *   HTTP: /healthz /readyz /metrics, Bitrix24 event intake                           ▼
 *                                                                  Bitrix24 REST client (limits)
 *
 * Restart recovery: the outbox is durable (a crash between enqueue and send re-sends; registers
 * are idempotent through EXTERNAL_CALL_ID); on every AMI (re)connect, CoreShowChannels tells which
 * channels still live: calls the tracker holds whose channels are gone, and calls stored as open
 * whose channels are all gone (they ended while the connector was down), are ended and finished.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { errorCode } from './errors.js';
import { AmiClient } from './adapters/ami/client.js';
import { coreShowChannels } from './adapters/ami/actions.js';
import { createBitrixAdapters } from './adapters/bitrix/from-config.js';
import type { OAuthTokens } from './adapters/bitrix/auth.js';
import { openSqliteStore, type SqliteStore } from './adapters/store/sqlite.js';
import { createOutboxSender, type OutboxSender } from './outbox/sender.js';
import { UserDirectory } from './flow/user-directory.js';
import { CallToCrm, parseOffset, type StoredCallState } from './flow/call-to-crm.js';
import { compilePhoneRules, normaliseInnerPhone } from './core/crm/phone.js';
import { createTrackerState, applyAmiEvent, type TrackerState } from './core/call/tracker.js';
import { reconcileLiveChannels, sweepIdleCalls } from './core/call/maintenance.js';
import { seedEvents } from './core/call/seed.js';
import { trackerConfigFrom } from './cli/replay.js';
import type { StageChange } from './core/call/model.js';

export interface Connector {
  readonly httpUrl: string;
  readonly ami: AmiClient;
  readonly store: SqliteStore;
  readonly sender: OutboxSender;
  readonly flow: CallToCrm;
  readonly tracker: () => TrackerState;
  /** Resolves when every stage change seen so far is durably stored. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const TOKENS_KEY = 'bitrix.oauth.tokens';

export async function startConnector(config: Config, logger: Logger, now: () => number = Date.now): Promise<Connector> {
  const store = openSqliteStore({ path: config.store.path, logger });
  const stored = await store.getValue<OAuthTokens>(TOKENS_KEY);
  const bitrix = createBitrixAdapters(config.bitrix, {
    logger: logger.child({ component: 'bitrix' }),
    ...(stored ? { storedTokens: stored } : {}),
    persistTokens: (t) => store.setValue(TOKENS_KEY, t, now()),
  });
  const log = logger.child({ component: 'connector' });
  const rules = compilePhoneRules(config.phone);
  const users = new UserDirectory({ client: bitrix.client, logger: logger.child({ component: 'users' }), now, normalise: (s) => normaliseInnerPhone(s, rules) });
  await Promise.race([users.refresh(), new Promise((r) => setTimeout(r, 5_000).unref())]);

  const sender = createOutboxSender({
    store, client: bitrix.client, now, logger: logger.child({ component: 'outbox' }),
    onDone: async (cmd, result) => {
      if (cmd.step === 'register' && result && typeof result === 'object' && 'CALL_ID' in result) {
        await store.setB24CallId(cmd.callKey, String((result as { CALL_ID: unknown }).CALL_ID), now());
      }
    },
    onDead: async (cmd, err) => {
      // A finish re-sent after a crash (uncertain) that Bitrix24 no longer knows was already applied.
      if (cmd.method.endsWith('.finish') && cmd.uncertain && /Call is not found/i.test(err.message)) {
        await store.discard(cmd.id, now(), { code: 'OUTBOX_ALREADY_APPLIED', message: 'finish was applied before the crash' });
        return;
      }
      log.warn({ callKey: cmd.callKey, step: cmd.step, code: err.code }, 'command dead: retry it from the panel');
    },
  });
  const flow = new CallToCrm({
    config, users, calls: store, logger: logger.child({ component: 'flow' }),
    sink: { enqueue: (commands, options) => sender.enqueue(commands, options) },
    tzOffsetMinutes: config.bitrix.timezoneOffset ? parseOffset(config.bitrix.timezoneOffset) : -new Date().getTimezoneOffset(),
  });

  const portalView = { users: users.innerPhones().map((p) => ({ UF_PHONE_INNER: p, ACTIVE: true })) };
  let tracker = createTrackerState(trackerConfigFrom(portalView, config));
  const handle = (changes: readonly StageChange[]): void => {
    for (const c of changes) void flow.handle(c);
  };

  const ami = new AmiClient({ ...config.ami, logger: logger.child({ component: 'ami' }) });
  ami.on('event', (msg) => {
    try {
      handle(applyAmiEvent(tracker, msg, now()).changes);
    } catch (e) {
      log.error({ code: errorCode(e), err: String(e) }, 'tracker failed on an event; state rebuilt');
      tracker = createTrackerState(trackerConfigFrom(portalView, config));
    }
  });
  ami.on('connected', () => void recover());
  const sweep = setInterval(() => handle(sweepIdleCalls(tracker, now())), 60_000);
  sweep.unref();

  async function recover(): Promise<void> {
    try {
      const channels = await ami.request(coreShowChannels());
      const live = new Set(channels.map((c) => c.uniqueid).filter((u): u is string => !!u));
      handle(reconcileLiveChannels(tracker, live, now()));
      // Calls that began while we were away: rebuilt from the channels alive now.
      for (const ev of seedEvents(channels, (u) => tracker.channels.has(u))) handle(applyAmiEvent(tracker, ev, now()).changes);
      for (const rec of await store.listOpenCalls()) {
        if (tracker.calls.has(rec.callKey)) continue;
        const st = rec.state as StoredCallState | undefined;
        if (!st?.summary) continue;
        const ids = [rec.callKey, ...st.summary.conversations.map((c) => c.uniqueid)];
        if (ids.some((u) => live.has(u))) continue;
        const at = now();
        log.info({ callKey: rec.callKey }, 'call ended while the connector was away: finishing it');
        handle([{ callKey: rec.callKey, stage: 'call_ended', at, call: { ...st.summary, endedAt: st.summary.endedAt ?? at } }]);
      }
    } catch (e) {
      log.warn({ code: errorCode(e) }, 'recovery after connect failed; will retry at the next connect');
    }
  }

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', (c) => (ami.ready ? c.json({ ok: true }) : c.json({ ok: false, reasons: ['AMI not connected'] }, 503)));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.http.host, port: config.http.port }, () => resolve(s));
  });
  const addr = server.address();
  const httpUrl = typeof addr === 'object' && addr ? `http://${config.http.host}:${addr.port}` : '';

  await sender.start();
  ami.start();
  log.info({ http: httpUrl }, 'connector started');

  return {
    httpUrl, ami, store, sender, flow,
    tracker: () => tracker,
    idle: () => flow.idle(),
    async close() {
      clearInterval(sweep);
      await ami.close();
      await flow.idle();
      await sender.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}
