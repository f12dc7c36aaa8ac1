/**
 * Every timeline note the flow writes, collected for real: each golden AMI transcript
 * (../shared/fixtures/ami, the ones test/golden-rest/ replays) goes through the tracker and the whole
 * CRM flow in-process (CallToCrm → SQLite outbox → sender → REST client → Bitrix24 emulator, with
 * the results fed back as in src/main.ts), under several settings so every branch speaks: missed-call
 * tasks in each responsible mode, black/white lists, internal calls off, hooks that change, fail or
 * refuse, FastAGI route decisions (describeRoute), recordings that come late, a CDR-rebuilt call and
 * a click-to-call one, missed-call tasks closed when the client is reached (every call of a
 * transcript made to come from one client number, so a missed call is followed by an answered one)
 * and refused because the task was deleted in the portal meanwhile. The stored states are what the panel reads (calls table → explainCall).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { replayBuffer, trackerConfigFrom } from '../../src/cli/replay.js';
import type { StageChange } from '../../src/core/call/model.js';
import type { RouteDecision } from '../../src/core/crm/routing.js';
import { parseConfig } from '../../src/config/load.js';
import { createBitrixAdapters } from '../../src/adapters/bitrix/from-config.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { createOutboxSender } from '../../src/outbox/sender.js';
import { UserDirectory } from '../../src/flow/user-directory.js';
import { CallToCrm, parseOffset, type StoredCallState } from '../../src/flow/call-to-crm.js';
import { COMPLETE_TASK_METHOD, completeTaskExecutor, MissedTaskCloser } from '../../src/flow/missed-task-close.js';
import { withLocalMethods } from '../../src/outbox/local-methods.js';
import type { Portal } from '../../tools/b24-emu/portal/portal.js';
import type { HookOutcome, HookPort } from '../../src/flow/ports.js';
import { describeRoute } from '../../src/flow/route-notes.js';
import { compilePhoneRules, normaliseInnerPhone } from '../../src/core/crm/phone.js';
import { silentLogger } from '../../src/log.js';
import { startEmulator, createManualClock } from '../../tools/b24-emu/index.js';
import type { PortalSeed } from '../../tools/b24-emu/contract.js';
import { connectorOAuthConfig } from '../../tools/b24-emu/connector-config.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'ami');
const RECORDED = join(ROOT, 'test', 'fixtures', 'ami-recorded');
/** lab22-t…x: forwarded to Alice's mobile (test/fixtures/ami-recorded/SCENARIOS.md). */
const FMC_RECORDINGS = /^lab22-[t-x]_.*\.txt$/;

/** One way of running a transcript (settings, hooks, extras). */
interface Variant {
  readonly name: string;
  readonly config?: Record<string, unknown>;
  readonly hooks?: 'change' | 'fail' | 'refuse';
  readonly routes?: boolean;
  readonly recordings?: boolean;
  readonly rebuilt?: boolean;
  readonly clickToCall?: boolean;
  /** Every incoming call comes from extension 101's employee's own mobile (FMC). */
  readonly fromMobile?: boolean;
  /** Every client number is a contact of the portal already (the task looks its owner up). */
  readonly knownClients?: boolean;
  /** Also keep each call's state after every stage (live calls: "not decided yet", "not finished yet"). */
  readonly snapshots?: boolean;
  /** Every call's client is one number (a missed call, then an answered one, of the same client). */
  readonly oneClient?: boolean;
  /** Users delete every task in the portal as soon as it is created (tasks.task.complete refused). */
  readonly deleteTasks?: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'golden + tasks (entity owner)', config: { tasks: { missedCalls: true } }, routes: true, snapshots: true },
  { name: 'known clients', config: { tasks: { missedCalls: true } }, knownClients: true },
  { name: 'tasks (last rung)', config: { tasks: { missedCalls: true, responsible: 'last-rung' }, calls: { internal: true } } },
  { name: 'tasks (default)', config: { tasks: { missedCalls: true, responsible: 'default' } }, recordings: true },
  { name: 'blacklist', config: { lists: { black: { extensions: ['101', '102', '200', '201'] } } } },
  { name: 'whitelist', config: { lists: { white: { trunks: ['no-such-trunk'] } } } },
  { name: 'hooks that change', config: { tasks: { missedCalls: true } }, hooks: 'change' },
  { name: 'hooks that fail', hooks: 'fail' },
  { name: 'need_registration false', hooks: 'refuse' },
  { name: 'CDR-rebuilt', rebuilt: true },
  { name: 'click-to-call', clickToCall: true },
  { name: 'an employee calling in from their mobile (FMC)', fromMobile: true },
  { name: 'tasks closed on contact', config: { tasks: { missedCalls: true, completeOnContact: true } }, oneClient: true },
  { name: 'tasks closed on contact, deleted first', config: { tasks: { missedCalls: true, completeOnContact: true, responsible: 'default' } }, oneClient: true, deleteTasks: true },
];

/** Every reason describeRoute knows, and an OK route with a user, an entity, a code and the cache. */
const ROUTES: readonly RouteDecision[] = [
  { status: 'OK', exten: '101', userId: 1, name: 'Alice A', reason: 'found', entity: { type: 'CONTACT', id: 11, name: 'Known Client' }, cached: true },
  { status: 'OK', exten: '102', userId: 2, reason: 'hook' },
  ...['unknown-client', 'no-extension', 'hidden-number', 'lookup-failed'].map((reason): RouteDecision => ({ status: 'NOROUTE', reason, code: 'AGI_NO_ROUTE' })),
  { status: 'CLOSED', reason: 'closed' },
  { status: 'NOROUTE', reason: 'deadline', code: 'AGI_DEADLINE' },
  { status: 'ERROR', reason: 'error', code: 'B24_HTTP_500' },
  // Sticky routing (agi.sticky): routed to the last talker, also with a CRM entity and a failed lookup; passed over.
  { status: 'OK', exten: '102', userId: 7, name: 'Konstantin K', reason: 'sticky', sticky: { userId: 7, exten: '102', at: Date.UTC(2026, 11, 1, 9), routed: true } },
  { status: 'OK', exten: '101', userId: 5, reason: 'sticky', entity: { type: 'COMPANY', id: 9, name: 'Acme' }, code: 'B24_NETWORK', sticky: { userId: 5, exten: '101', at: Date.UTC(2026, 10, 3), routed: true } },
  { status: 'NOROUTE', reason: 'unknown-client', sticky: { userId: 9, exten: '109', at: Date.UTC(2026, 11, 2), routed: false } },
  { status: 'OK', exten: '101', userId: 1, reason: 'found', entity: { type: 'CONTACT', id: 11, name: 'Known Client' }, sticky: { userId: 9, exten: '109', at: Date.UTC(2026, 11, 2), routed: false } },
];

/** The notes src/main.ts gives CallToCrm.finishDeferred (recording ready / none / failed). */
const RECORDING_NOTES = ['recording ready: 1700000000.42-101.wav', 'recording failed: REC_UPLOAD_FAILED',
  ...['disabled', 'not-recorded', 'missing', 'timeout', 'empty', 'unsupported-format', 'unreadable'].map((r) => `no recording: ${r}`)];

/** Shared by all runs, so every recording note comes up once the fixtures are through. */
let recordingNote = 0;
/** Likewise for the route decisions (a transcript has fewer calls than ROUTES has entries). */
let routeNote = 0;

function hookPort(kind: Variant['hooks']): HookPort | undefined {
  if (!kind) return undefined;
  return {
    has: () => true,
    async run(point, input): Promise<HookOutcome> {
      const data: Record<string, unknown> = { ...input };
      delete data['call_full'];
      if (kind === 'fail') return { data, source: 'default', ok: false, code: 'HOOK_TIMEOUT', durationMs: 5000 };
      if (kind === 'refuse' && point === 'need_registration') return { data: { result: false }, source: 'hook', ok: true, durationMs: 1 };
      if (kind === 'change') {
        if (point === 'customize_show_call_card') return { data: { ...data, USER_ID: data['USER_ID'] === 1 ? 0 : 3 }, source: 'hook', ok: true, durationMs: 2 };
        if (point === 'customize_entity') return { data: { COMMENTS: 'VIP' }, source: 'hook', ok: true, durationMs: 2 };
        if (point === 'customize_activity') return { data: { DESCRIPTION: 'checked' }, source: 'hook', ok: true, durationMs: 2 };
      }
      return { data, source: 'hook', ok: true, durationMs: 1 };
    },
  };
}

function withClients(portal: PortalSeed | undefined, changes: readonly StageChange[]): PortalSeed {
  const base = portal ?? { users: [{ ID: 1, NAME: 'Admin', ACTIVE: true }] };
  const numbers = [...new Set(changes.map((c) => c.call.clientNumber).filter((n): n is string => n !== undefined && /\d{5,}/.test(n)))];
  const owner = base.users?.[1]?.['ID'] ?? base.users?.[0]?.['ID'] ?? 1;
  return { ...base, contacts: numbers.map((n, i) => ({ ID: 100 + i, NAME: 'Known', LAST_NAME: `Client ${i}`, PHONE: [{ VALUE: n, VALUE_TYPE: 'WORK' }], ASSIGNED_BY_ID: owner })) };
}

function adjust(c: StageChange, v: Variant): StageChange {
  if (v.rebuilt) return { ...c, call: { ...c.call, rebuiltFrom: 'cdr' } };
  if (v.clickToCall) return { ...c, call: { ...c.call, b24CallId: `externalCall.c2c.${c.callKey}` } };
  if (v.fromMobile && c.call.direction === 'incoming') return { ...c, call: { ...c.call, fromMobileOf: '101' } };
  if (v.oneClient && c.call.clientNumber !== undefined) return { ...c, call: { ...c.call, clientNumber: '+74950000001' } };
  return c;
}

/**
 * oneClient: after the transcript, the client calls once more and is answered (a late-registered
 * call_ended), so the transcript's missed calls get their tasks completed.
 */
function withCallback(changes: readonly StageChange[], v: Variant): readonly StageChange[] {
  const last = changes[changes.length - 1];
  if (!v.oneClient || !last) return changes;
  const at = last.at + 60_000;
  const extension = changes.flatMap((c) => c.call.conversations.map((x) => x.extension))[0] ?? '101';
  const callKey = `${last.callKey}-callback`;
  return [...changes, {
    callKey, stage: 'call_ended', at,
    call: {
      callKey, direction: 'incoming', clientNumber: '+74950000001', startedAt: at - 30_000, answeredAt: at - 25_000, endedAt: at,
      recordings: [], statusCode: '200',
      conversations: [{ id: `${callKey}-1`, extension, channel: `PJSIP/${extension}-cb`, uniqueid: `${callKey}.1`, stage: 'conversation_ended', via: 'dial', requestedAt: at - 30_000, acceptedAt: at - 25_000, endedAt: at }],
    },
  }];
}

/** Runs one transcript's stage changes through the flow; returns the stored state of each call. */
async function runThroughFlow(changes: readonly StageChange[], portal: PortalSeed | undefined, raw: Record<string, unknown>, v: Variant): Promise<StoredCallState[]> {
  changes = withCallback(changes, v);
  if (v.knownClients) portal = withClients(portal, changes);
  const start = changes[0]?.at ?? 0;
  const clock = createManualClock(start);
  const emu = await startEmulator({ portal: portal ?? { users: [{ ID: 1, NAME: 'Admin', ACTIVE: true }] }, clock, idSeed: 'notes', processingSec: 0 });
  const store = openSqliteStore({ path: ':memory:' });
  try {
    const config = parseConfig({ ...raw, ...v.config, bitrix: { auth: 'oauth', oauth: connectorOAuthConfig(emu), timezoneOffset: '+00:00' } });
    const { client: rest } = createBitrixAdapters(config.bitrix);
    const client = withLocalMethods(rest, { [COMPLETE_TASK_METHOD]: completeTaskExecutor(rest) });
    let now = start;
    let flow: CallToCrm | undefined;
    const sender = createOutboxSender({ store, client, now: () => now, random: () => 0.5, pollIntervalMs: 3_600_000, onDone: (cmd, r) => flow?.onCommandDone(cmd, r) });
    const rules = compilePhoneRules(config.phone);
    const users = new UserDirectory({ client, logger: silentLogger, now: () => now, normalise: (s) => normaliseInnerPhone(s, rules) });
    const hooks = hookPort(v.hooks);
    const f = new CallToCrm({
      config, users, calls: store, logger: silentLogger, now: () => now, ...(hooks ? { hooks } : {}),
      missedTasks: new MissedTaskCloser({ kv: store, commands: store, now: () => now }),
      sink: { enqueue: (commands, options) => store.enqueue(commands, now, options) },
      tzOffsetMinutes: parseOffset('+00:00'),
      ...(v.routes ? { routes: { take: (_key: string, at: number) => ({ at: at - 1, text: describeRoute(ROUTES[routeNote++ % ROUTES.length]!) }) } } : {}),
      ...(v.recordings ? {
        recordings: {
          expected: (call) => call.answeredAt !== undefined,
          onFinishDeferred: (key) => { void flow?.finishDeferred(key, undefined, RECORDING_NOTES[recordingNote++ % RECORDING_NOTES.length]); },
        },
      } : {}),
    });
    flow = f;
    const states = (): StoredCallState[] => (store.db.prepare('SELECT state FROM calls').all() as Array<{ state: string }>).map((r) => JSON.parse(r.state) as StoredCallState);
    const seen: StoredCallState[] = [];
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 4; i++) {
        await f.idle();
        await sender.drain();
      }
      if (v.deleteTasks) for (const t of (emu.portal as unknown as Portal).inspect().tasks) (emu.portal as unknown as Portal).deleteTask(Number(t['ID']));
    };
    for (const change of changes) {
      if (change.at > now) {
        clock.advance(change.at - now);
        now = change.at;
      }
      await f.handle(adjust(change, v));
      await settle();
      if (v.snapshots) seen.push(...states().filter((st) => !st.crm.finished));
    }
    await settle();
    return [...seen, ...states()];
  } finally {
    await store.close();
    await emu.close();
  }
}

export interface CollectedNote {
  readonly note: string;
  /** Where it came from: fixture, variant, stage. */
  readonly where: string;
}

export interface NotesCorpus {
  readonly notes: readonly CollectedNote[];
  readonly states: ReadonlyArray<{ readonly where: string; readonly state: StoredCallState }>;
}

/** Replays every fixture under every variant. */
export async function collectNotes(): Promise<NotesCorpus> {
  const notes: CollectedNote[] = [];
  const states: Array<{ where: string; state: StoredCallState }> = [];
  const json = (f: string): unknown => JSON.parse(readFileSync(join(ROOT, 'test/golden', f), 'utf8'));
  const files = [
    ...readdirSync(FIXTURES).filter((n) => n.endsWith('.txt')).sort().map((f) => join(FIXTURES, f)),
    // Our recordings of calls forwarded to an employee's mobile, with FMC on.
    ...readdirSync(RECORDED).filter((n) => FMC_RECORDINGS.test(n)).sort().map((f) => join(RECORDED, f)),
  ];
  for (const file of files) {
    const name = basename(file).replace(/\.txt$/, '');
    const portal = name.startsWith('lab22') ? json('lab22.portal.json') as PortalSeed : undefined;
    const raw = name.startsWith('extcf') ? json('extcf.config.json') as Record<string, unknown>
      : FMC_RECORDINGS.test(`${name}.txt`) ? json('fmc.config.json') as Record<string, unknown> : {};
    const changes: StageChange[] = [];
    replayBuffer(readFileSync(file), trackerConfigFrom(portal, raw), { write: () => {}, err: { write: () => {} } }, (c) => changes.push(c));
    if (changes.length === 0) continue;
    for (const v of VARIANTS) {
      for (const state of await runThroughFlow(changes, portal, raw, v)) {
        const where = `${name} [${v.name}] call ${state.crm.callKey}`;
        states.push({ where, state });
        for (const e of state.timeline) for (const note of e.notes) notes.push({ note, where: `${where}, stage "${e.stage}"` });
      }
    }
  }
  return { notes, states };
}
