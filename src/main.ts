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
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createEventIntake } from './adapters/bitrix/event-intake.js';
import { MemoryEventQueue } from './adapters/bitrix/event-queue.js';
import { EventDeduper } from './adapters/bitrix/event-dedupe.js';
import { OfflineEventPoller } from './adapters/bitrix/offline-poller.js';
import { hookRunnerFromSettings, runnerSettingsOf } from './adapters/hooks/from-config.js';
import type { HookRunner } from './adapters/hooks/runner.js';
import { createRecordingPipeline, type PreparedRecording } from './adapters/recordings/index.js';
import { Transcriber } from './adapters/recordings/transcriber.js';
import { startAgiServer, type AgiServer } from './adapters/agi/server.js';
import { RoutingService } from './flow/routing.js';
import { RouteNotes } from './flow/route-notes.js';
import { ClickToCall, clickToCallSettings } from './flow/click-to-call.js';
import { hookPortOf } from './flow/hook-port.js';
import { withLocalMethods } from './outbox/local-methods.js';
import { recordAttachExecutor } from './flow/record-attach.js';
import { transcriptAttachExecutor } from './flow/transcript-attach.js';
import { COMPLETE_TASK_METHOD, completeTaskExecutor, MissedTaskCloser } from './flow/missed-task-close.js';
import { createInstallRoute } from './adapters/bitrix/install-route.js';
import { ensureEventBindings, ensureLines } from './flow/portal-setup.js';
import type { B24Limiter } from './adapters/bitrix/limiter.js';
import { createMetrics, type MetricsRegistry } from './adapters/http/metrics.js';
import { validateSettings } from './adapters/http/settings-schema.js';
import { SETTINGS_KEY } from './adapters/http/connector-panel-port.js';
import { mountPanel } from './adapters/http/mount.js';
import type { ConnectorPanelPort } from './adapters/http/connector-panel-port.js';
import type { Config } from './config/schema.js';
import { LiveConfig, changedSections } from './config/live-config.js';
import { isHookPointName } from './core/hooks/points.js';
import { hookEnvironment } from './config/load.js';
import type { Logger } from './log.js';
import { errorCode } from './errors.js';
import { AmiClient } from './adapters/ami/client.js';
import { coreShowChannels } from './adapters/ami/actions.js';
import { createBitrixAdapters } from './adapters/bitrix/from-config.js';
import type { OAuthTokens } from './adapters/bitrix/auth.js';
import { openStore } from './adapters/store/open-store.js';
import type { AppStore } from './adapters/store/app-store.js';
import { createOutboxSender, type OutboxSender } from './outbox/sender.js';
import { UserDirectory } from './flow/user-directory.js';
import { CallToCrm, parseOffset, type StoredCallState } from './flow/call-to-crm.js';
import { compilePhoneRules, normaliseInnerPhone } from './core/crm/phone.js';
import { createTrackerState, applyAmiEvent, withTrackerConfig, type TrackerState } from './core/call/tracker.js';
import { reconcileLiveChannels, sweepIdleCalls } from './core/call/maintenance.js';
import { seedEvents } from './core/call/seed.js';
import { backfillFromCdr, CdrGapQueue } from './flow/cdr-backfill.js';
import { AmiGapWatch, type AmiGap } from './flow/ami-gap.js';
import { cdrSource } from './adapters/cdr/source.js';
import { trackerConfigFrom } from './cli/replay.js';
import type { StageChange } from './core/call/model.js';

export interface Connector {
  /** The config the connector started with (file + saved panel settings). */
  readonly config: Config;
  /** The running config: `live.get()` after settings were changed from the panel. */
  readonly live: LiveConfig;
  readonly httpUrl: string;
  readonly agiPort: number | undefined;
  readonly users: UserDirectory;
  readonly limiter: B24Limiter;
  readonly hooks: HookRunner;
  readonly clickToCall: ClickToCall;
  readonly metrics: MetricsRegistry;
  /** The HTTP app (health, metrics, Bitrix24 events, admin panel). */
  readonly app: Hono;
  readonly ami: AmiClient;
  readonly store: AppStore;
  readonly sender: OutboxSender;
  readonly flow: CallToCrm;
  readonly tracker: () => TrackerState;
  /** The admin panel's port (health, live calls, settings overlay …). */
  readonly panel: ConnectorPanelPort;
  /** Resolves when every stage change seen so far is durably stored. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const TOKENS_KEY = 'bitrix.oauth.tokens';
export { AMI_ALIVE_KEY } from './flow/ami-gap.js';

/**
 * New hook settings while running: a change of `disabled` only switches points on or off (no
 * worker restarts); anything else (folder, URLs, timeouts) rediscovers the hooks.
 */
function applyHookSettings(runner: HookRunner, prev: Config['hooks'], next: Config['hooks'], log: Logger): void {
  const same = JSON.stringify({ ...prev, disabled: [] }) === JSON.stringify({ ...next, disabled: [] });
  if (same && runner.setEnabled) {
    const was = new Set(prev.disabled);
    const now = new Set(next.disabled);
    for (const p of new Set([...was, ...now])) if (isHookPointName(p) && was.has(p) !== now.has(p)) runner.setEnabled(p, !now.has(p));
    return;
  }
  void runner.reconfigure?.(runnerSettingsOf(next)).catch((e: unknown) => log.warn({ code: errorCode(e) }, 'hooks not reloaded'));
}

/**
 * Settings saved from the admin panel (an overlay of the editable sections, validated by the same
 * schema) apply over the config file at every start, and at once when saved (LiveConfig).
 */
async function withSavedSettings(config: Config, store: AppStore, logger: Logger): Promise<Config> {
  const saved = await store.getValue(SETTINGS_KEY);
  if (!saved) return config;
  const r = validateSettings(config as unknown as Record<string, unknown>, saved);
  if (r.config) {
    const overridden = [...changedSections(config, r.config)];
    if (overridden.length) logger.info({ sections: overridden }, 'settings saved from the admin panel override the config file for these sections (Settings → Reset to the config file to drop them)');
    return r.config;
  }
  logger.warn({ code: 'HTTP_SETTINGS_OVERLAY_INVALID', issues: r.issues.slice(0, 5) }, 'saved panel settings are not valid with this config file; ignored');
  return config;
}

export async function startConnector(fileConfig: Config, logger: Logger, now: () => number = Date.now): Promise<Connector> {
  const store = await openStore(fileConfig.store, logger);
  const config = await withSavedSettings(fileConfig, store, logger);
  const metrics = createMetrics();
  const stored = await store.getValue<OAuthTokens>(TOKENS_KEY);
  const bitrix = createBitrixAdapters(config.bitrix, {
    logger: logger.child({ component: 'bitrix' }),
    ...(stored ? { storedTokens: stored } : {}),
    persistTokens: (t) => store.setValue(TOKENS_KEY, t, now()),
    onRequest: (method, ok, seconds, code) => metrics.restRequest(method, ok, seconds, code),
  });
  const log = logger.child({ component: 'connector' });
  const rules = compilePhoneRules(config.phone);
  const users = new UserDirectory({ client: bitrix.client, logger: logger.child({ component: 'users' }), now, normalise: (s) => normaliseInnerPhone(s, rules) });
  await Promise.race([users.refresh(), new Promise((r) => setTimeout(r, 5_000).unref())]);

  // The running config: the admin panel's settings editor replaces it (applySettings below).
  const live = new LiveConfig(config);
  const hooksRunner = hookRunnerFromSettings(config.hooks, { logger: logger.child({ component: 'hooks' }), env: hookEnvironment() }, { reconfigurable: true });
  const hooks = hookPortOf(hooksRunner);
  const recordings = createRecordingPipeline(config, {
    client: bitrix.client, hooks, logger: logger.child({ component: 'recordings' }),
    ...(config.recordings.mode === 'link' ? { publishDir: config.recordings.publishDir } : {}),
  });
  const transcriber = new Transcriber({
    settings: () => live.get().recordings.transcriber, kv: store, now, logger: logger.child({ component: 'transcriber' }),
  });
  const client = withLocalMethods(bitrix.client, {
    'local.attachRecord': recordAttachExecutor({
      config: () => live.get(), client: bitrix.client, recordings, hooks,
      stepResult: async (callKey, step) => (await store.getByKey(`${callKey}:${step}`))?.result,
    }),
    'local.attachTranscription': transcriptAttachExecutor({ client: bitrix.client, transcriber }),
    [COMPLETE_TASK_METHOD]: completeTaskExecutor(bitrix.client),
  });
  const sender = createOutboxSender({
    store, client, now, logger: logger.child({ component: 'outbox' }),
    onDone: async (cmd, result) => {
      flow.onCommandDone(cmd, result);
      // The converted copy is no longer needed once Bitrix24 has the recording.
      if (cmd.step === 'attach-record') await recordings.cleanup(cmd.params['prepared'] as PreparedRecording).catch(() => undefined);
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
  const routes = new RouteNotes();
  const flow = new CallToCrm({
    config, users, calls: store, hooks, now, logger: logger.child({ component: 'flow' }), routes,
    missedTasks: new MissedTaskCloser({ kv: store, commands: store, now }),
    onPlanned: (change) => {
      metrics.callStage(change.stage, change.call.direction, change.stage === 'call_ended' ? change.call.statusCode : undefined);
      if (change.conversation?.mobile !== undefined) metrics.mobileConversation(change.stage);
      if (change.stage === 'call_ended' && change.call.vote !== undefined) metrics.callVote(change.call.vote);
    },
    sink: { enqueue: (commands, options) => sender.enqueue(commands, options) },
    tzOffsetMinutes: config.bitrix.timezoneOffset ? parseOffset(config.bitrix.timezoneOffset) : -new Date().getTimezoneOffset(),
    recordings: {
      // A call rebuilt from the CDR has no MixMonitor name: its file is looked for by the call's ids.
      expected: (call) => live.get().recordings.enabled && (call.recordings.length > 0 || call.rebuiltFrom === 'cdr') && call.answeredAt !== undefined,
      onFinishDeferred: (callKey, call) => {
        void recordings.prepare(call).then(
          (r) => flow.finishDeferred(callKey, r.kind === 'prepared' ? { prepared: r as never } : undefined,
            r.kind === 'prepared' ? `recording ready: ${r.fileName}` : `no recording: ${r.reason}`),
          (e: unknown) => flow.finishDeferred(callKey, undefined, `recording failed: ${errorCode(e)}`),
        );
      },
    },
  });

  const ami = new AmiClient({ ...config.ami, logger: logger.child({ component: 'ami' }) });

  // Click-to-call and callback: Bitrix24 events (pushed to the HTTP intake and/or polled) → Originate.
  const events = new MemoryEventQueue({ logger });
  const dedupe = new EventDeduper(config.bitrix.events.dedupeWindowMs);
  const clickToCall = new ClickToCall({
    settings: clickToCallSettings(config, config.clickToCall.dial), ami, users,
    sink: { enqueue: (commands, options) => sender.enqueue(commands, options) },
    hooks, logger: logger.child({ component: 'click-to-call' }), now, seen: store,
  });
  const poller = config.bitrix.events.poll
    ? new OfflineEventPoller({ client: bitrix.client, queue: events, dedupe, logger, intervalMs: config.bitrix.events.pollIntervalMs })
    : undefined;

  // Known inner phones are always extensions for the tracker (even outside pbx.extensionPattern);
  // the list follows the user directory (a portal unreachable at start, a new employee).
  const trackerConfigNow = () => trackerConfigFrom({ users: users.portalRows() }, live.get());
  let tracker = createTrackerState(trackerConfigNow());
  users.onPhonesChanged((phones) => {
    tracker = withTrackerConfig(tracker, trackerConfigNow());
    log.info({ extensions: phones.length }, 'tracker extensions follow the user directory');
  });
  const handle = (changes: readonly StageChange[]): void => {
    for (const c of changes) void flow.handle(c);
  };


  ami.on('event', (msg) => {
    try {
      handle(applyAmiEvent(tracker, msg, now()).changes);
    } catch (e) {
      log.error({ code: errorCode(e), err: String(e) }, 'tracker failed on an event; state rebuilt');
      tracker = createTrackerState(trackerConfigNow());
    }
  });
  // The AMI gap: from the last moment the connector was known to hear AMI (kept in the store every
  // few seconds while connected, so it survives a crash) to the next connect. Calls that ended inside
  // it are rebuilt from the CDR — Master.csv when `cdr.csvPath` is set, FreePBX's MySQL table with
  // `cdr.source: mysql`, cdr_pgsql's table with `pgsql` — and tried again while it cannot be read
  // (flow/cdr-backfill.ts).
  const gaps = await AmiGapWatch.start(store, now, () => ami.ready);
  const backfilled = new Set<string>();
  ami.on('connected', () => {
    metrics.amiConnected(true);
    const gap = gaps.connectedNow();
    void recover(gap);
  });
  ami.on('disconnected', () => {
    metrics.amiConnected(false);
    metrics.amiReconnect();
    gaps.disconnectedNow();
  });

  async function backfill(from: number, to: number): Promise<boolean> {
    const cdr = live.get().cdr;
    const source = cdrSource(cdr);
    if (!source) return true;
    const report = await backfillFromCdr(Math.max(from, to - cdr.maxGapMs), to, {
      ...source,
      trackerConfig: () => tracker.config,
      // A call stored as open is not known: its CDR gives its real end, talk time and status.
      known: async (key) => tracker.calls.has(key) || backfilled.has(key) || ((await store.getCall(key))?.endedAt ?? null) !== null,
      handle: (changes) => {
        for (const c of changes) backfilled.add(c.callKey);
        handle(changes);
      },
      logger: log,
    });
    metrics.cdrBackfill(report.calls, report.skipped);
    return !report.failed;
  }
  const cdrGaps = new CdrGapQueue({ store, run: backfill, logger: log });
  const sweep = setInterval(() => handle(sweepIdleCalls(tracker, now())), 60_000);
  sweep.unref();

  async function recover(gap: AmiGap | undefined): Promise<void> {
    try {
      // The snapshot can only judge channels the tracker knew when it was asked for: events of
      // channels born meanwhile may be applied before this continuation runs.
      const knownBefore = new Set(tracker.channels.keys());
      const channels = await ami.request(coreShowChannels());
      const alive = new Set(channels.map((c) => c.uniqueid).filter((u): u is string => !!u));
      for (const uid of tracker.channels.keys()) if (!knownBefore.has(uid)) alive.add(uid);
      handle(reconcileLiveChannels(tracker, alive, now()));
      // Calls that began while we were away: rebuilt from the channels alive now.
      for (const ev of seedEvents(channels, (u) => tracker.channels.has(u))) handle(applyAmiEvent(tracker, ev, now()).changes);
      // Calls that ended while we were away: from the CDR when it is configured (their real end),
      // else open calls are finished from their stored summary below.
      await cdrGaps.connected(gap);
      for (const rec of await store.listOpenCalls()) {
        if (tracker.calls.has(rec.callKey) || backfilled.has(rec.callKey)) continue;
        const st = rec.state as StoredCallState | undefined;
        if (!st?.summary) continue;
        const ids = [rec.callKey, ...st.summary.conversations.map((c) => c.uniqueid)];
        if (ids.some((u) => alive.has(u))) continue;
        const at = now();
        log.info({ callKey: rec.callKey }, 'call ended while the connector was away: finishing it');
        handle([{ callKey: rec.callKey, stage: 'call_ended', at, call: { ...st.summary, endedAt: st.summary.endedAt ?? at } }]);
      }
    } catch (e) {
      log.warn({ code: errorCode(e) }, 'recovery after connect failed; will retry at the next connect');
    }
  }

  live.onChange((next, changed, prev) => {
    flow.reconfigure(next);
    if (changed.has('pbx')) {
      tracker = withTrackerConfig(tracker, trackerConfigNow());
      void ensureLines(bitrix.client, next, log);
    }
    if (changed.has('recordings') || changed.has('calls')) recordings.reconfigure(next);
    if (changed.has('hooks')) applyHookSettings(hooksRunner, prev.hooks, next.hooks, log);
    log.info({ sections: [...changed] }, 'settings applied while running');
  });

  const app = new Hono();
  if (bitrix.oauth) {
    app.route('/', createInstallRoute({
      oauth: bitrix.oauth, path: '/bitrix/install', logger: log, now,
      onInstalled: () => void ensureEventBindings(bitrix.client, config, log),
    }));
  }
  // Link mode: Bitrix24 users' browsers fetch the published recordings from here (the mode can be
  // switched from the panel, so the route is always there and answers only in link mode).
  app.get('/records/:name', async (c) => {
    const name = c.req.param('name');
    const rec = live.get().recordings;
    if (rec.mode !== 'link' || !/^[\w.+-]+\.(mp3|wav)$/.test(name)) return c.text('not found', 404);
    try {
      const bytes = await readFile(join(rec.publishDir, name));
      return c.body(bytes, 200, { 'content-type': name.endsWith('.mp3') ? 'audio/mpeg' : 'audio/wav' });
    } catch {
      return c.text('not found', 404);
    }
  });
  if (config.bitrix.events.push) {
    const intake = createEventIntake({ applicationTokens: () => bitrix.applicationTokens(), queue: events, dedupe, logger, path: config.bitrix.events.path });
    app.route('/', intake);
  }
  // PANEL: the admin panel, /healthz, /readyz and /metrics are mounted here (src/adapters/http).
  const applySettings = (next: Config): ReadonlySet<string> => {
    const r = live.set(next);
    for (const e of r.errors) log.error({ code: errorCode(e), err: String(e) }, 'a part of the connector did not take the new settings');
    return r.changed;
  };
  const panel = await mountPanel(app, { config: fileConfig, store, sender, applySettings, ami, users, limiter: bitrix.limiter, hooks: hooksRunner, tracker: () => tracker }, { logger, metrics, now });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.http.host, port: config.http.port }, () => resolve(s));
  });
  const addr = server.address();
  const httpUrl = typeof addr === 'object' && addr ? `http://${config.http.host}:${addr.port}` : '';

  await sender.start();
  ami.start();
  clickToCall.start(events);
  void ensureLines(bitrix.client, config, log);
  void ensureEventBindings(bitrix.client, config, log);
  poller?.start();
  let agi: AgiServer | undefined;
  if (config.agi.enabled) {
    const routing = new RoutingService({ client: bitrix.client, users, hooks, phone: config.phone, agi: config.agi, history: store.queries, now, logger: logger.child({ component: 'routing' }) });
    agi = await startAgiServer({
      config: config.agi, routing, logger: logger.child({ component: 'agi' }),
      onSession: (r) => {
        routes.note(r.env['agi_uniqueid'], r.decision, now());
        if (r.decision) metrics.agiRoute(r.decision.status, r.decision.reason);
      },
    });
  }
  log.info({ http: httpUrl }, 'connector started');

  return {
    config, live, httpUrl, agiPort: agi?.port, users, limiter: bitrix.limiter, hooks: hooksRunner, clickToCall, metrics, app,
    ami, store, sender, flow, panel,
    tracker: () => tracker,
    idle: () => flow.idle(),
    async close() {
      clearInterval(sweep);
      await gaps.close();
      cdrGaps.close();
      panel.close();
      poller?.stop();
      clickToCall.stop();
      await agi?.close();
      await ami.close();
      await clickToCall.idle();
      await flow.idle();
      transcriber.close();
      await sender.stop();
      // Open panel SSE streams would keep close() waiting forever.
      const closing = new Promise<void>((r) => server.close(() => r()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closing;
      await store.close();
      await hooksRunner.close();
    },
  };
}
