/**
 * Fake call generation for the in-memory PanelPort (fake-panel-port.ts): the deterministic past
 * calls seeded into its history and the incoming call `simulateCall()` plays stage by stage. Each
 * stage goes through the port's `runStage` (the real lists and planner).
 */
import type { CallSummary, ConversationSummary } from '../../core/call/model.js';
import type { Stage } from '../../core/call/stages.js';
import type { StoredCallState } from '../../flow/call-to-crm.js';
import type { OutboxCommand } from '../../outbox/command.js';
import { NUMBERS } from './fake-data.js';
import type { HookRunView } from './panel-port.js';

export interface SimulatedCallInput {
  readonly from: string;
  readonly extension: string;
  readonly did?: string;
  readonly trunk?: string;
  readonly answer?: boolean;
  readonly clientName?: string;
  /** Awaited after each stage instead of `stepMs` (tests hold the call at a stage). */
  readonly between?: (stage: Stage) => Promise<void>;
}

/** One call of the fake port. */
export interface FakeCall {
  summary: CallSummary;
  state: StoredCallState;
  live: boolean;
  clientName?: string;
  readonly hookRuns: HookRunView[];
  readonly commandIds: number[];
}

/** A call with no stage run yet (not live). */
export function newFakeCall(summary: CallSummary, clientName?: string): FakeCall {
  return {
    summary, live: false, hookRuns: [], commandIds: [],
    state: { crm: { callKey: summary.callKey, registered: false, shownTo: [], seq: 0, finished: false, finishDeferred: false }, summary, timeline: [] },
    ...(clientName !== undefined ? { clientName } : {}),
  };
}

/** What the generators drive in the fake port. */
export interface FakeCallDriver {
  now(): number;
  /** Adds a `newFakeCall` to the port's calls. */
  newCall(summary: CallSummary, clientName?: string): FakeCall;
  /** One stage through the lists and the real planner; commands are "sent" at once. */
  runStage(c: FakeCall, stage: Stage, at: number, conv: ConversationSummary | undefined): void;
  readonly calls: ReadonlyMap<string, FakeCall>;
  readonly commands: Map<number, OutboxCommand>;
}

/**
 * Plays an incoming call: requested → (accepted) → ended → call_ended, with `pause` after each of
 * the first stages. `seq` numbers the call. Resolves with the call key once the call has ended.
 */
export async function playIncomingCall(d: FakeCallDriver, p: SimulatedCallInput, seq: number, pause: (stage: Stage) => Promise<void>): Promise<string> {
  const started = d.now();
  const callKey = `${Math.floor(started / 1000)}.${900 + seq}`;
  const conv: ConversationSummary = {
    id: `${callKey}/1`, extension: p.extension, channel: `PJSIP/${p.extension}-0000${seq.toString(16).padStart(4, '0')}`,
    uniqueid: `${callKey}1`, stage: 'conversation_requested', via: 'dial', requestedAt: started,
  };
  const c = d.newCall({
    callKey, direction: 'incoming', clientNumber: p.from, did: p.did ?? '74951234567', trunk: p.trunk ?? 'trunk-main',
    startedAt: started, recordings: [], conversations: [conv],
  }, p.clientName);
  c.live = true;
  d.runStage(c, 'conversation_requested', started, conv);
  await pause('conversation_requested');
  let cur = conv;
  if (p.answer ?? true) {
    const at = d.now();
    cur = { ...cur, stage: 'conversation_accepted', acceptedAt: at };
    c.summary = { ...c.summary, answeredAt: at, conversations: [cur] };
    d.runStage(c, 'conversation_accepted', at, cur);
    await pause('conversation_accepted');
  }
  const endAt = d.now();
  const answered = cur.acceptedAt !== undefined;
  cur = { ...cur, stage: 'conversation_ended', endedAt: endAt, dialStatus: answered ? 'ANSWER' : 'NOANSWER', endReason: answered ? 'hangup' : 'NOANSWER' };
  c.summary = { ...c.summary, conversations: [cur] };
  d.runStage(c, 'conversation_ended', endAt, cur);
  c.summary = {
    ...c.summary, endedAt: endAt, statusCode: answered ? '200' : '304',
    outcome: answered ? { reason: 'answered', statusCode: '200' } : { reason: 'no_answer', statusCode: '304' },
  };
  c.live = false;
  d.runStage(c, 'call_ended', endAt, undefined);
  return callKey;
}

/** Deterministic past calls: answered, missed and one whose finish died (HTTP 500 eight times). */
export function seedHistory(d: FakeCallDriver, n: number): void {
  const now = d.now();
  const exts = ['101', '102', '103'];
  for (let i = n; i >= 1; i--) {
    const start = now - i * 53 * 60_000 - (i * 7919 % 600) * 1000;
    const ext = exts[i % 3] as string;
    const answered = i % 4 !== 0;
    const key = `${Math.floor(start / 1000)}.${100 + i}`;
    const talk = 30_000 + (i * 15_485 % 240_000);
    const conv: ConversationSummary = {
      id: `${key}/1`, extension: ext, channel: `PJSIP/${ext}-000000${i.toString(16)}`, uniqueid: `${key}1`, stage: 'conversation_requested',
      via: 'dial', requestedAt: start + 2_000,
    };
    const c = d.newCall({
      callKey: key, direction: 'incoming', clientNumber: NUMBERS[i % NUMBERS.length], did: '74951234567', trunk: 'trunk-main',
      startedAt: start, recordings: [], conversations: [conv],
    }, i % 5 === 0 ? 'OOO Romashka' : undefined);
    d.runStage(c, 'conversation_requested', start + 2_000, conv);
    let cur = conv;
    if (answered) {
      cur = { ...cur, stage: 'conversation_accepted', acceptedAt: start + 9_000 };
      c.summary = { ...c.summary, answeredAt: start + 9_000, conversations: [cur] };
      d.runStage(c, 'conversation_accepted', start + 9_000, cur);
    }
    const end = start + (answered ? 9_000 + talk : 25_000);
    cur = { ...cur, stage: 'conversation_ended', endedAt: end, dialStatus: answered ? 'ANSWER' : 'NOANSWER', endReason: answered ? 'hangup' : 'NOANSWER' };
    c.summary = { ...c.summary, conversations: [cur] };
    d.runStage(c, 'conversation_ended', end, cur);
    c.summary = { ...c.summary, endedAt: end, statusCode: answered ? '200' : '304', outcome: answered ? { reason: 'answered', statusCode: '200' } : { reason: 'no_answer', statusCode: '304' } };
    d.runStage(c, 'call_ended', end, undefined);
    if (i === 2) killFinish(d, c, end);
  }
  if (n > 3) {
    const c = [...d.calls.values()][1];
    if (c) c.hookRuns.push({ at: c.summary.startedAt, point: 'need_registration', ok: false, source: 'default', durationMs: 3_000, code: 'HOOK_TIMEOUT', changed: [] });
  }
}

function killFinish(d: FakeCallDriver, c: FakeCall, at: number): void {
  const id = c.commandIds.map((x) => d.commands.get(x)).find((x) => x?.step === 'finish')?.id;
  const cmd = id === undefined ? undefined : d.commands.get(id);
  if (!cmd) return;
  d.commands.set(cmd.id, {
    ...cmd, state: 'dead', attempts: 8, result: undefined, updatedAt: at + 600_000,
    lastError: { code: 'OUTBOX_ATTEMPTS_EXHAUSTED', message: 'B24_SERVER_ERROR: HTTP 500 Internal Server Error (8 attempts)' },
  });
}
