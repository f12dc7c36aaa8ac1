/**
 * The real pieces wired for click-to-call tests: the Bitrix24 emulator with the REST client (OAuth)
 * and the event intake behind a loopback HTTP server, the AMI simulator with the call generator and
 * the AMI client, the user directory, and the ClickToCall flow. The CommandSink sends straight
 * through the REST client (directSink) where the real connector uses the outbox.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { AmiClient } from '../../src/adapters/ami/client.js';
import type { AmiMessage } from '../../src/adapters/ami/message.js';
import { OAuthAuth } from '../../src/adapters/bitrix/auth.js';
import { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { EventDeduper } from '../../src/adapters/bitrix/event-dedupe.js';
import { createEventIntake } from '../../src/adapters/bitrix/event-intake.js';
import { MemoryEventQueue } from '../../src/adapters/bitrix/event-queue.js';
import { B24Limiter } from '../../src/adapters/bitrix/limiter.js';
import { clickToCallSchema, phoneSchema } from '../../src/config/schema.js';
import { originateSettings } from '../../src/core/crm/originate.js';
import type { NewCommand } from '../../src/outbox/command.js';
import type { CommandSink } from '../../src/flow/call-to-crm.js';
import { ClickToCall, type ClickToCallOptions } from '../../src/flow/click-to-call.js';
import { noHooks, type HookPort } from '../../src/flow/ports.js';
import { UserDirectory } from '../../src/flow/user-directory.js';
import { silentLogger } from '../../src/log.js';
import { startAmiSim, loadGenerator, type AmiSim } from '../../tools/ami-sim/index.js';
import type { PhoneBehaviour } from '../../tools/ami-sim/scenario/types.js';
import { startEmulator, type Emulator } from '../../tools/b24-emu/index.js';
import type { Portal } from '../../tools/b24-emu/portal/portal.js';
import { captureLogger } from '../bitrix/capture-logger.js';

/** Users: 5 → 101 (answers), 6 → 102 (busy), 7 → 103 (never answers), 8 no inner phone, 9 → 109 (no such endpoint). */
export const SEED = {
  users: [
    { ID: 1, NAME: 'Ann', LAST_NAME: 'Admin', ACTIVE: true, UF_PHONE_INNER: '100', IS_ADMIN: true },
    { ID: 5, NAME: 'Bob', ACTIVE: true, UF_PHONE_INNER: '101' },
    { ID: 6, NAME: 'Cid', ACTIVE: true, UF_PHONE_INNER: '102' },
    { ID: 7, NAME: 'Dan', ACTIVE: true, UF_PHONE_INNER: '103' },
    { ID: 8, NAME: 'Eve', ACTIVE: true },
    { ID: 9, NAME: 'Fay', ACTIVE: true, UF_PHONE_INNER: '109' },
  ],
};

export const PHONES: Readonly<Record<string, PhoneBehaviour>> = {
  '101': { kind: 'answer', afterMs: 300, talkMs: 400 },
  '102': { kind: 'busy' },
  '103': { kind: 'noanswer' },
};

/** Sends each command at once through the REST client (the outbox does this in the connector). */
export function directSink(client: B24RestClient, sent: NewCommand[] = []): CommandSink & { sent: NewCommand[] } {
  return {
    sent,
    async enqueue(commands) {
      for (const c of commands) {
        sent.push(c);
        await client.call(c.method, c.params as Record<string, unknown>);
      }
      return { inserted: commands.map((_, i) => i + 1), ignored: [] };
    },
  };
}

export interface Harness {
  readonly emu: Emulator;
  readonly sim: AmiSim;
  readonly ami: AmiClient;
  readonly client: B24RestClient;
  readonly directory: UserDirectory;
  readonly queue: MemoryEventQueue;
  readonly dedupe: EventDeduper;
  readonly flow: ClickToCall;
  readonly sink: ReturnType<typeof directSink>;
  /** Where the intake listens (bound with event.bind). */
  readonly handlerUrl: string;
  readonly amiEvents: AmiMessage[];
  readonly logLines: string[];
  /** Waits for event deliveries, then for the flow (Originate outcomes and finishes). */
  settle(): Promise<void>;
  /** First AMI event (already seen or coming) matching `pred`. */
  waitForEvent(pred: (m: AmiMessage) => boolean, timeoutMs?: number): Promise<AmiMessage>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly flow?: Partial<Pick<ClickToCallOptions, 'finishFailures' | 'seen' | 'hooks' | 'users'>>;
  readonly hooks?: HookPort;
  /** `clickToCall` config section overrides (preset, callbackTarget …). */
  readonly clickToCall?: Record<string, unknown>;
  /** Bind ONEXTERNALCALLSTART online to the intake. Default true. */
  readonly bindOnline?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ port: 0, portal: SEED, limits: { capacity: 50, drainPerSec: 50 } });
  const sim = await startAmiSim({ secret: 'c2c', timeScale: 0.05, authFailDelayMs: 10, generator: await loadGenerator(silentLogger, { phones: PHONES, farEnd: { kind: 'answer', afterMs: 200, talkMs: 400 } }) });
  const logLines: string[] = [];
  const logger = captureLogger(logLines);
  const oauth = new OAuthAuth({
    tokens: { accessToken: emu.app.access_token, refreshToken: emu.app.refresh_token, clientEndpoint: emu.app.client_endpoint,
      memberId: emu.app.member_id, applicationToken: emu.app.application_token },
    clientId: emu.app.client_id, clientSecret: emu.app.client_secret, tokenUrl: emu.app.token_url,
  });
  const client = new B24RestClient({ auth: oauth, limiter: new B24Limiter({ capacity: 50, drainPerSec: 50 }) });
  const directory = new UserDirectory({ client, logger, now: Date.now, normalise: (s) => s.replace(/\D/g, '') });
  await directory.refresh();

  const queue = new MemoryEventQueue();
  const dedupe = new EventDeduper();
  const intake = createEventIntake({ applicationTokens: () => [emu.app.application_token], queue, dedupe, logger });
  const server: Server = createServer(getRequestListener(intake.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handlerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  if (options.bindOnline ?? true) {
    await client.call('event.bind', { event: 'ONEXTERNALCALLSTART', handler: handlerUrl });
    await client.call('event.bind', { event: 'ONEXTERNALCALLBACKSTART', handler: handlerUrl });
  }

  const ami = new AmiClient({ host: sim.host, port: sim.port, username: sim.username, secret: sim.secret, events: 'call,dialplan', pingIntervalMs: 0, logger });
  const amiEvents: AmiMessage[] = [];
  ami.on('event', (m) => amiEvents.push(m));
  await ami.connect();

  const sink = directSink(client);
  const settings = originateSettings(clickToCallSchema.parse({ timeoutMs: 4000, ...options.clickToCall }), {
    callIdVariable: 'B24_CALL_ID', phone: phoneSchema.parse({ defaultCountry: 'DE' }), dial: { format: 'prefixed' },
  });
  const flow = new ClickToCall({
    settings, ami, users: directory, sink, hooks: options.hooks ?? noHooks, logger, now: Date.now, ...options.flow,
  });
  flow.start(queue);

  return {
    emu, sim, ami, client, directory, queue, dedupe, flow, sink, handlerUrl, amiEvents, logLines,
    async settle() {
      await emu.idle();
      // The queue hands events to the flow on a promise chain: let it run before waiting.
      await new Promise((resolve) => setImmediate(resolve));
      await flow.idle();
    },
    waitForEvent(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const hit = amiEvents.find(pred);
        if (hit) return resolve(hit);
        const timer = setTimeout(() => { off(); reject(new Error('AMI event not seen in time')); }, timeoutMs);
        const off = ami.on('event', (m) => {
          if (!pred(m)) return;
          clearTimeout(timer);
          off();
          resolve(m);
        });
      });
    },
    async close() {
      flow.stop();
      await flow.idle();
      await ami.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.close();
      await emu.close();
    },
  };
}

/** Form body of an ONEXTERNALCALLSTART as Bitrix24 posts it. */
export function eventForm(data: Record<string, string>, applicationToken: string, event = 'ONEXTERNALCALLSTART'): URLSearchParams {
  const form = new URLSearchParams({ event, event_handler_id: '1', ts: String(Math.floor(Date.now() / 1000)) });
  for (const [k, v] of Object.entries(data)) form.append(`data[${k}]`, v);
  form.append('auth[application_token]', applicationToken);
  form.append('auth[domain]', 'emulator.test');
  return form;
}

/** The emulator's portal with its own types (the HTTP layer sees it as PortalLike). */
export function portalOf(emu: Emulator): Portal {
  return emu.portal as unknown as Portal;
}

export { logCodes } from './log-codes.js';
