/**
 * The AMI simulator: a TCP server speaking AMI as Asterisk 16–22 does, playing calls (transcripts,
 * generated calls, hand-made TimedEvent lists) on timers, broadcasting their events in one order to
 * every logged-in session and answering actions from the state those events built.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { callAgi } from './agi-client.js';
import { formatMessage } from '../../../src/adapters/ami/framing.js';
import { ConnectorError } from '../../../src/errors.js';
import { silentLogger, type Logger } from '../../../src/log.js';
import type { AmiFields, SimIds, TimedEvent } from '../scenario/types.js';
import { cdrCsvWriter, type SimCdrCsvOptions } from './cdr-csv.js';
import { loadTranscript, type Transcript } from '../player/transcript.js';
import { Renumberer } from '../player/renumber.js';
import { CHANNEL_ACTIONS } from './actions-channels.js';
import { INFO_ACTIONS } from './actions-info.js';
import { ORIGINATE_ACTIONS } from './actions-originate.js';
import { SESSION_ACTIONS } from './actions-session.js';
import { ChannelRegistry, blockValue, channelName, type LiveChannel } from './channel-registry.js';
import type { ActionHandler, SimContext } from './context.js';
import { createSimIds, type SimIdAllocator } from './ids.js';
import {
  DEFAULT_FLOW_TIMING, builtinOriginate, dialAndTalk, noChannelOutcome, originateResponse, outcomeOf, type DialFlowTiming,
} from './originate-flow.js';
import type { OriginateOutcome, OriginateRequest } from './originate-request.js';
import { LAB_PBX_CONFIG, type PbxConfig } from './pbx-config.js';
import { ALL_CLASSES, parseEventMask, privilegeMask } from './privilege.js';
import { realTimers, scheduleRun, type CallHandle, type SimTimers } from './run.js';
import { AmiSession } from './session.js';
import { hangupSequence, redirectSequence } from './teardown.js';
import { callSources } from './call-sources.js';
import { startLoad, type LoadHandle, type LoadOptions, type LoadStats } from './load.js';
import type { Scenario } from './scenario-file.js';
import { runScenario, type ScenarioHandle } from './scenario-run.js';

/** The call generator (tools/ami-sim/scenario), plugged in by the caller. */
export interface CallGenerator {
  generateCall(spec: unknown, ids: SimIds): TimedEvent[];
  generateOriginate?(req: OriginateRequest, ids: SimIds): TimedEvent[];
}

export interface AmiSimOptions {
  host?: string;
  port?: number;
  username?: string;
  /** Random when absent (read it back from `AmiSim.secret`). */
  secret?: string;
  amiVersion?: string;
  asteriskVersion?: string;
  /** Multiplies every event time (0 = as fast as possible). */
  timeScale?: number;
  /** Delay before `Authentication failed` (Asterisk: ~1 s). */
  authFailDelayMs?: number;
  /** Gap between transcript events that carry no time (ms, before the time scale). */
  gapMs?: number;
  /** The user's `read=` classes (manager.conf syntax, default `all`). */
  read?: string;
  /** PBX layout (endpoints, queues, dialplan); defaults to the lab of SCENARIOS.md. */
  pbx?: Partial<PbxConfig>;
  generator?: CallGenerator;
  /** Timing of the built-in flows (Originate without generator, Redirect continuation). */
  flowTiming?: DialFlowTiming;
  ids?: SimIdAllocator;
  /** Wall clock in ms (Ping, Uptime, Duration). */
  now?: () => number;
  timers?: SimTimers;
  logger?: Logger;
  /** Also write every Cdr event to a Master.csv, like Asterisk's cdr_csv (server/cdr-csv.ts). */
  cdrCsv?: SimCdrCsvOptions;
  /** Speak AMI over TLS, like manager.conf `tlsenable=yes` (port 5039): PEM key and certificate. */
  tls?: { key: string; cert: string };
}

/** Where the dialplan's `AGI(agi://host:port/route)` goes. */
export interface RoutedCallAgi {
  readonly host?: string;
  readonly port: number;
  /** Give up (AGISTATUS=FAILURE) after this long; default 10 000 ms (Asterisk waits as long as the server takes). */
  readonly maxMs?: number;
}

export interface RoutedCall {
  readonly handle: CallHandle;
  /** The variables the AGI server set (B24_ROUTE_STATUS, B24_ROUTE_EXTEN …); empty on failure. */
  readonly route: Readonly<Record<string, string>>;
  /** The caller channel's uniqueid: the call's Linkedid. */
  readonly uniqueid: string;
}

export interface PlayOptions {
  timeScale?: number;
}

export interface SimStats {
  connections: number;
  loggedIn: number;
  actions: number;
  eventsEmitted: number;
  eventsDelivered: number;
  callsStarted: number;
  callsCompleted: number;
  callsCancelled: number;
  callsActive: number;
  channelsAlive: number;
  /** Counts of the load run, when one was started. */
  load?: LoadStats;
}

export interface AmiSim {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly secret: string;
  readonly ids: SimIdAllocator;
  /** Whether a call generator is plugged in (startCall works). */
  readonly hasGenerator: boolean;
  /** Plays a transcript file with fresh ids (see player/). */
  play(path: string, options?: PlayOptions): Promise<CallHandle>;
  playTranscript(transcript: Transcript, options?: PlayOptions): CallHandle;
  /** Starts a generated call (needs a generator). */
  startCall(spec: unknown, options?: PlayOptions): CallHandle;
  /** An incoming call that asks a FastAGI server where to ring first, as the dialplan's AGI() does. */
  startRoutedCall(spec: Readonly<Record<string, unknown>>, agi: RoutedCallAgi, options?: PlayOptions): Promise<RoutedCall>;
  /** Plays hand-made events (or events built from the shared ids). */
  startEvents(events: readonly TimedEvent[] | ((ids: SimIds) => readonly TimedEvent[]), options?: PlayOptions): CallHandle;
  /** Broadcasts one event now. */
  emit(fields: AmiFields): void;
  /** Starts calls at a rate from a mix of presets/transcripts (`--load`). */
  startLoad(options: LoadOptions, fixturesDir: string): LoadHandle;
  /** Plays a scenario file's calls at their offsets (`--scenario`). */
  runScenario(scenario: Scenario, fixturesDir: string): ScenarioHandle;
  liveChannels(): Array<{ name: string; uniqueid: string; linkedid: string }>;
  stats(): SimStats;
  close(): Promise<void>;
}

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ...SESSION_ACTIONS, ...CHANNEL_ACTIONS, ...INFO_ACTIONS, ...ORIGINATE_ACTIONS,
};

type Transform = (fields: AmiFields) => AmiFields | undefined;

class Simulator implements SimContext {
  readonly registry = new ChannelRegistry();
  readonly config: PbxConfig;
  readonly username: string;
  readonly secret: string;
  readonly readMask: number;
  readonly authFailDelayMs: number;
  readonly startedMs: number;
  readonly ids: SimIdAllocator;
  readonly now: () => number;
  private readonly timers: SimTimers;
  private readonly timeScale: number;
  private readonly gapMs: number | undefined;
  private readonly flowTiming: DialFlowTiming;
  private readonly generator: CallGenerator | undefined;
  readonly log: Logger;
  private readonly sessions = new Set<AmiSession>();
  private readonly runs = new Map<number, CallHandle>();
  private readonly transcripts = new Map<string, Promise<Transcript>>();
  private nextRunId = 1;
  private nextSessionId = 1;
  private closed = false;
  private readonly cdrSink: ((fields: AmiFields) => void) | undefined;
  private readonly counters = {
    actions: 0, eventsEmitted: 0, eventsDelivered: 0, callsStarted: 0, callsCompleted: 0, callsCancelled: 0,
  };

  constructor(opts: AmiSimOptions) {
    this.now = opts.now ?? Date.now;
    this.startedMs = this.now();
    this.config = {
      ...LAB_PBX_CONFIG, ...opts.pbx,
      ...(opts.amiVersion ? { amiVersion: opts.amiVersion } : {}),
      ...(opts.asteriskVersion ? { asteriskVersion: opts.asteriskVersion } : {}),
    };
    this.username = opts.username ?? 'crm';
    this.secret = opts.secret ?? randomBytes(12).toString('hex');
    this.readMask = opts.read === undefined ? ALL_CLASSES : parseEventMask(opts.read);
    this.authFailDelayMs = opts.authFailDelayMs ?? 1000;
    this.ids = opts.ids ?? createSimIds({ now: this.now, ...(this.config.systemName ? { systemName: this.config.systemName } : {}) });
    this.timers = opts.timers ?? realTimers;
    this.timeScale = opts.timeScale ?? 1;
    this.gapMs = opts.gapMs;
    this.flowTiming = opts.flowTiming ?? DEFAULT_FLOW_TIMING;
    this.generator = opts.generator;
    this.log = (opts.logger ?? silentLogger).child({ component: 'ami-sim' });
    this.cdrSink = opts.cdrCsv ? cdrCsvWriter(opts.cdrCsv) : undefined;
  }

  accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const s = new AmiSession(this.nextSessionId++, socket, this, ACTIONS, this.log, (x) => this.sessions.delete(x));
    this.sessions.add(s);
  }

  countAction(): void {
    this.counters.actions++;
  }

  callsProcessed(): number {
    return this.counters.callsStarted;
  }

  emit(fields: AmiFields): void {
    this.emitFrom(fields, undefined);
  }

  private emitFrom(fields: AmiFields, runId: number | undefined): void {
    let text: string;
    try {
      text = formatMessage(fields);
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ami-sim dropped an unserialisable event');
      return;
    }
    this.registry.observe(fields, runId, this.now());
    if (this.cdrSink) {
      try {
        this.cdrSink(fields);
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ami-sim could not write the CDR file');
      }
    }
    const privilege = fields.find(([k]) => k.toLowerCase() === 'privilege')?.[1];
    const mask = privilegeMask(privilege);
    this.counters.eventsEmitted++;
    for (const s of this.sessions) if (s.deliver(text, mask)) this.counters.eventsDelivered++;
  }

  /** Schedules a call; `runId` reuses an existing call's id (continuations after Redirect). */
  run(events: readonly TimedEvent[], options: PlayOptions, transform?: Transform, runId?: number): CallHandle {
    if (this.closed) throw new ConnectorError('SIM_CLOSED', 'the AMI simulator is closed');
    const id = runId ?? this.nextRunId++;
    if (runId === undefined) this.counters.callsStarted++;
    const handle = scheduleRun(id, events, {
      timeScale: options.timeScale ?? this.timeScale,
      timers: this.timers,
      emit: (f) => {
        const out = transform ? transform(f) : f;
        if (out) this.emitFrom(out, id);
      },
    });
    this.runs.set(id, handle);
    void handle.done.then((outcome) => {
      if (this.runs.get(id) !== handle) return; // replaced by a continuation
      this.runs.delete(id);
      if (outcome === 'completed') this.counters.callsCompleted++;
      else this.counters.callsCancelled++;
    });
    return handle;
  }

  loadTranscriptCached(path: string): Promise<Transcript> {
    let p = this.transcripts.get(path);
    if (!p) {
      p = loadTranscript(path, this.gapMs === undefined ? {} : { gapMs: this.gapMs });
      this.transcripts.set(path, p);
      p.catch(() => this.transcripts.delete(path));
    }
    return p;
  }

  playTranscript(t: Transcript, options: PlayOptions): CallHandle {
    const r = new Renumberer(this.ids);
    return this.run(t.events, options, (f) => r.apply(f));
  }

  startCall(spec: unknown, options: PlayOptions, ids: SimIds = this.ids): CallHandle {
    if (!this.generator) throw new ConnectorError('SIM_NO_GENERATOR', 'no call generator is plugged into the AMI simulator');
    let events: TimedEvent[];
    try {
      events = this.generator.generateCall(spec, ids);
    } catch (cause) {
      if (cause instanceof ConnectorError) throw cause;
      throw new ConnectorError('SIM_SPEC_INVALID', `the generator rejected the call spec: ${String((cause as Error)?.message ?? cause)}`, { cause });
    }
    return this.run(events, options);
  }

  /**
   * An incoming call whose dialplan asks a FastAGI server for its route before Dial
   * (`AGI(agi://host:port/route?did=…)`, the connector's docs/routing.md): the request goes out on
   * the caller's channel, whose uniqueid becomes the call's; then the call rings B24_ROUTE_EXTEN when
   * the answer is OK, else the spec's own `to` — the dialplan's fallback, also when nobody answers
   * the AGI (AGISTATUS=FAILURE).
   */
  async startRoutedCall(spec: Readonly<Record<string, unknown>>, agi: RoutedCallAgi, options: PlayOptions): Promise<RoutedCall> {
    const first = this.ids.uniqueid();
    const did = String(spec['did'] ?? '');
    let route: Record<string, string> = {};
    try {
      route = (await callAgi({
        ...(agi.host !== undefined ? { host: agi.host } : {}), port: agi.port, script: `route?did=${did}`,
        callerId: String(spec['from'] ?? ''), uniqueId: first, dnid: did, maxMs: agi.maxMs ?? 10_000,
      })).vars;
    } catch (e) {
      this.log.debug({ err: String(e) }, 'AGI route request failed (AGISTATUS=FAILURE)');
    }
    const routed = route['B24_ROUTE_STATUS'] === 'OK' && route['B24_ROUTE_EXTEN'] ? route['B24_ROUTE_EXTEN'] : undefined;
    let taken = false;
    const ids: SimIds = {
      uniqueid: () => (taken ? this.ids.uniqueid() : ((taken = true), first)),
      channelSuffix: () => this.ids.channelSuffix(),
      nowEpoch: () => this.ids.nowEpoch(),
    };
    const handle = this.startCall(routed ? { ...spec, to: routed } : spec, options, ids);
    return { handle, route, uniqueid: first };
  }

  hangupChannel(ch: LiveChannel, cause: number): void {
    if (ch.runId !== undefined) this.runs.get(ch.runId)?.cancel();
    for (const f of hangupSequence(this.registry, ch, cause)) this.emitFrom(f, ch.runId);
  }

  redirectChannel(ch: LiveChannel, context: string, exten: string, priority: string): void {
    if (ch.runId !== undefined) this.runs.get(ch.runId)?.cancel();
    const { events, moved } = redirectSequence(this.registry, ch, context, exten, priority);
    for (const f of events) this.emitFrom(f, ch.runId);
    const endpoint = this.config.endpoints.find((e) => e.name === exten && e.contacts);
    if (!endpoint || ch.runId === undefined) return; // stays in the dialplan until hung up
    const leg = {
      name: channelName(ch), state: 6, cidNum: blockValue(moved, 'CallerIDNum').replace('<unknown>', ''),
      cidName: blockValue(moved, 'CallerIDName').replace('<unknown>', ''), connNum: '', connName: '', context, exten,
      priority: Number(priority) || 1, uniqueid: ch.uniqueid, linkedid: blockValue(moved, 'Linkedid'),
    };
    this.run(dialAndTalk(this.ids, leg, `PJSIP/${exten}`, exten, 1, this.flowTiming), {}, undefined, ch.runId);
  }

  originate(req: OriginateRequest, onOutcome: (o: OriginateOutcome) => void): void {
    const tech = req.tech.toLowerCase();
    const endpoint = (req.resource.split('@')[1] ?? req.resource).split('/')[0] ?? '';
    const known = tech !== 'pjsip' || this.config.endpoints.some((e) => e.name === endpoint && e.contacts);
    let events: TimedEvent[];
    if (!known) events = [{ atMs: 0, fields: originateResponse(req, noChannelOutcome(req)) }];
    else events = this.generatedOriginate(req) ?? builtinOriginate(req, this.ids, 'from-internal', this.flowTiming);
    let reported = false;
    const handle = this.run(events, {}, (f) => {
      if (f[0]?.[1] !== 'OriginateResponse') return f;
      if (reported) return undefined;
      reported = true;
      onOutcome(outcomeOf(f));
      if (!req.async) return undefined; // only Async originates raise OriginateResponse
      const rest = f.filter(([k]) => k !== 'ActionID' && k !== 'Event' && k !== 'Privilege');
      return [['Event', 'OriginateResponse'], ['Privilege', 'call,all'], ...(req.actionId ? [['ActionID', req.actionId] as const] : []), ...rest];
    });
    // A flow that ended (or was hung up) before any outcome: the first leg hung up, Reason 1.
    void handle.done.then(() => {
      if (reported || this.closed) return;
      reported = true;
      const outcome: OriginateOutcome = { ...noChannelOutcome(req), reason: 1 };
      onOutcome(outcome);
      if (req.async) this.emit(originateResponse(req, outcome));
    });
  }

  private generatedOriginate(req: OriginateRequest): TimedEvent[] | undefined {
    if (!this.generator?.generateOriginate) return undefined;
    try {
      return this.generator.generateOriginate(req, this.ids);
    } catch (err) {
      this.log.info({ err: err instanceof Error ? err.message : String(err) }, 'ami-sim: generator declined the originate, using the built-in flow');
      return undefined;
    }
  }

  stats(): SimStats {
    let loggedIn = 0;
    for (const s of this.sessions) if (s.authenticated) loggedIn++;
    return {
      connections: this.sessions.size, loggedIn, ...this.counters, callsActive: this.runs.size, channelsAlive: this.registry.size,
    };
  }

  shutdown(): void {
    this.closed = true;
    for (const h of [...this.runs.values()]) h.cancel();
    this.runs.clear();
    for (const s of this.sessions) s.destroy();
    this.sessions.clear();
  }
}

export async function startAmiSim(options: AmiSimOptions = {}): Promise<AmiSim> {
  const sim = new Simulator(options);
  const server: Server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, (socket) => sim.accept(socket))
      // A client that refuses the certificate ends the handshake: nothing to do on this side.
      .on('tlsClientError', () => undefined)
    : createServer((socket) => sim.accept(socket));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(new ConnectorError('SIM_LISTEN_FAILED', `AMI simulator cannot listen on ${host}:${options.port ?? 0}`, { cause })));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  let load: LoadHandle | undefined;
  const scenarios: ScenarioHandle[] = [];
  const api: AmiSim = {
    host, port, username: sim.username, secret: sim.secret, ids: sim.ids, hasGenerator: options.generator !== undefined,
    play: async (path, o = {}) => sim.playTranscript(await sim.loadTranscriptCached(path), o),
    playTranscript: (t, o = {}) => sim.playTranscript(t, o),
    startCall: (spec, o = {}) => sim.startCall(spec, o),
    startRoutedCall: (spec, agi, o = {}) => sim.startRoutedCall(spec, agi, o),
    startEvents: (events, o = {}) => sim.run(typeof events === 'function' ? events(sim.ids) : events, o),
    emit: (f) => sim.emit(f),
    liveChannels: () => sim.registry.list().map((c) => ({ name: channelName(c), uniqueid: c.uniqueid, linkedid: blockValue(c.block, 'Linkedid') })),
    startLoad: (o, dir) => {
      load?.stop();
      load = startLoad(callSources(api, dir), o, sim.log);
      return load;
    },
    runScenario: (sc, dir) => {
      const h = runScenario(callSources(api, dir), sc, sc.timeScale ?? options.timeScale ?? 1, sim.log);
      scenarios.push(h);
      return h;
    },
    stats: () => (load ? { ...sim.stats(), load: load.stats() } : sim.stats()),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        load?.stop();
        for (const h of scenarios) h.stop();
        sim.shutdown();
        server.close(() => resolve());
      });
      return closing;
    },
  };
  return api;
}
