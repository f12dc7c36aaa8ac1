/**
 * ClickToCall with fakes: hook handling, the store guard, unknown users, PBX errors, ownership of
 * the finish, callback, and the first-leg watcher.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AmiRequest, OriginateResult } from '../../src/adapters/ami/actions.js';
import { parseOriginateResponse } from '../../src/adapters/ami/actions.js';
import { field, makeMessage, type AmiField, type AmiMessage } from '../../src/adapters/ami/message.js';
import { toB24Event, type B24Event } from '../../src/adapters/bitrix/event-types.js';
import { clickToCallSchema, phoneSchema } from '../../src/config/schema.js';
import { originateSettings } from '../../src/core/crm/originate.js';
import { ConnectorError } from '../../src/errors.js';
import { ClickToCall, type ClickToCallOptions, type ClickToCallOutcome } from '../../src/flow/click-to-call.js';
import { FirstLegWatcher } from '../../src/flow/click-to-call-legs.js';
import type { NewCommand } from '../../src/outbox/command.js';
import { noHooks, type HookOutcome, type HookPort } from '../../src/flow/ports.js';
import { createHookRunner } from '../../src/adapters/hooks/runner.js';
import { inlineInvoker } from '../../src/adapters/hooks/load-inline.js';
import type { HookPointName } from '../../src/core/hooks/points.js';
import { captureLogger } from '../bitrix/capture-logger.js';
import { logCodes } from './log-codes.js';

const msg = (fields: AmiField[]): AmiMessage => makeMessage(fields);
const response = (ok: boolean, reason: number, channel = 'PJSIP/101'): OriginateResult => parseOriginateResponse(msg([
  ['Event', 'OriginateResponse'], ['Response', ok ? 'Success' : 'Failure'], ['Channel', channel], ['Reason', String(reason)], ['Uniqueid', '<unknown>'],
]));
const varSet = (callId: string, linkedid = '1.1'): AmiMessage => msg([
  ['Event', 'VarSet'], ['Channel', 'PJSIP/101-00000001'], ['Uniqueid', linkedid], ['Linkedid', linkedid], ['Variable', 'B24_CALL_ID'], ['Value', callId],
]);

/** A fake AMI: each Originate runs `script` (which may emit events first), recorded in `sent`. */
class FakeAmi {
  readonly sent: Array<Record<string, string[]>> = [];
  private listeners: Array<(m: AmiMessage) => void> = [];
  constructor(public script: (fields: Record<string, string[]>, emit: (m: AmiMessage) => void) => Promise<OriginateResult>) {}
  on(_signal: 'event', l: (m: AmiMessage) => void): () => void {
    this.listeners.push(l);
    return () => { this.listeners = this.listeners.filter((x) => x !== l); };
  }
  async request<T>(req: AmiRequest<T>): Promise<T> {
    const f: Record<string, string[]> = {};
    for (const [k, v] of req.fields) (f[k] ??= []).push(v);
    this.sent.push(f);
    return (await this.script(f, (m) => this.listeners.forEach((l) => l(m)))) as T;
  }
}

const USERS = new Map([[5, { id: 5, innerPhone: '101', active: true }], [8, { id: 8, innerPhone: '', active: true }]]);

function setup(over: Partial<ClickToCallOptions> & { script?: FakeAmi['script']; cfg?: Record<string, unknown> } = {}) {
  const lines: string[] = [];
  const ami = new FakeAmi(over.script ?? (async () => response(true, 4)));
  const finished: NewCommand[] = [];
  let refreshes = 0;
  const outcomes: ClickToCallOutcome[] = [];
  const flow = new ClickToCall({
    settings: originateSettings(clickToCallSchema.parse(over.cfg ?? {}), { callIdVariable: 'B24_CALL_ID', phone: phoneSchema.parse({ defaultCountry: 'DE' }) }),
    ami,
    users: { byUserId: (id) => USERS.get(id), refresh: async () => { refreshes++; return true; } },
    sink: { async enqueue(c) { finished.push(...c); return { inserted: [1], ignored: [] }; } },
    hooks: noHooks,
    logger: captureLogger(lines),
    now: () => 1_000_000,
    onOutcome: (o) => { outcomes.push(o); throw new Error('observer bug'); },
    ...over,
  });
  return { flow, ami, finished, lines, outcomes, refreshes: () => refreshes };
}

const click = (callId: string, userId = 5): B24Event => toB24Event({
  event: 'ONEXTERNALCALLSTART', data: { CALL_ID: callId, USER_ID: String(userId), PHONE_NUMBER: '+4930123456', CALL_LIST_ID: '0' },
}, 'push', 1_000_000);

describe('ClickToCall flow', () => {
  test('handle() returns at once; the Originate outcome is awaited in the background', async () => {
    let release!: (r: OriginateResult) => void;
    const { flow, ami } = setup({ script: () => new Promise((r) => { release = r; }) });
    flow.handle(click('c1'));
    await new Promise((r) => setImmediate(r));
    assert.equal(flow.stats().pending, 1);
    assert.deepEqual(ami.sent[0]!.Variable, ['B24_CALL_ID=c1', 'B24_USER_ID=5']);
    assert.deepEqual(ami.sent[0]!.Async, ['true']);
    release(response(true, 4));
    await flow.idle();
    assert.equal(flow.stats().pending, 0);
    assert.equal(flow.stats().answered, 1);
  });

  test('process_originate_params changes the Originate; the CALL_ID variable survives', async () => {
    const inputs: Record<string, unknown>[] = [];
    const hooks: HookPort = {
      has: (p) => p === 'process_originate_params',
      async run(_p, input): Promise<HookOutcome> {
        inputs.push(input);
        return { data: { ...input, Context: 'to-mobile', Exten: '99001234567', Variable: { TRUNK: 'mobile' } }, source: 'hook', ok: true, durationMs: 3 };
      },
    };
    const { flow, ami, lines } = setup({ hooks });
    flow.handle(click('c2'));
    await flow.idle();
    assert.deepEqual(ami.sent[0]!.Context, ['to-mobile']);
    assert.deepEqual(ami.sent[0]!.Exten, ['99001234567']);
    assert.deepEqual(ami.sent[0]!.Variable, ['TRUNK=mobile', 'B24_CALL_ID=c2']);
    assert.equal((inputs[0]!.event as Record<string, unknown>).CALL_ID, 'c2');
    assert.equal(flow.stats().hookChanges, 1);
    assert.ok(logCodes(lines).includes('C2C_HOOK_APPLIED'));
  });

  test('with the real hook runner (inline hook): the input meets the contract, the reply is applied', async () => {
    const hookLines: string[] = [];
    const runner = createHookRunner({
      logger: captureLogger(hookLines),
      invokers: { process_originate_params: inlineInvoker('process_originate_params', (input) => ({
        data: { Exten: `9${String(input.Exten)}`, Variable: { ...(input.Variable as Record<string, string>), TRUNK: 'b' } }, state: 'success',
      })) },
    });
    const hooks: HookPort = {
      has: (p) => runner.has(p as HookPointName),
      async run(p, input) {
        const r = await runner.run(p as 'process_originate_params', input as never);
        return { data: r.data as unknown as Record<string, unknown>, source: r.source, ok: r.ok, durationMs: r.durationMs, ...(r.code ? { code: r.code } : {}) };
      },
    };
    try {
      const { flow, ami } = setup({ hooks });
      flow.handle(click('c10'));
      await flow.idle();
      assert.deepEqual(ami.sent[0]!.Exten, ['94930123456']);
      assert.deepEqual(ami.sent[0]!.Variable, ['B24_CALL_ID=c10', 'B24_USER_ID=5', 'TRUNK=b']);
      assert.deepEqual(hookLines.filter((l) => l.includes('HOOK_BAD_INPUT')), []);
    } finally {
      await runner.close();
    }
  });

  test('a failed hook leaves the defaults', async () => {
    const hooks: HookPort = { has: () => true, run: async (_p, input) => ({ data: input, source: 'default', ok: false, code: 'HOOK_TIMEOUT', durationMs: 3000 }) };
    const { flow, ami, lines } = setup({ hooks });
    flow.handle(click('c3'));
    await flow.idle();
    assert.deepEqual(ami.sent[0]!.Context, ['from-internal']);
    assert.ok(logCodes(lines).includes('C2C_HOOK_DEFAULTS'));
  });

  test('the store remembers a CALL_ID across restarts; a store failure does not block the call', async () => {
    const seen = new Set<string>(['c2c:c4']);
    const store = { async markSeen(id: string) { if (id === 'c2c:boom') throw new ConnectorError('STORE_IO', 'disk'); if (seen.has(id)) return false; seen.add(id); return true; } };
    const { flow, ami, lines } = setup({ seen: store });
    flow.handle(click('c4'));
    flow.handle(click('boom'));
    flow.handle(click('c5'));
    flow.handle(click('c5'));
    await flow.idle();
    assert.deepEqual(ami.sent.map((f) => f.Variable![0]), ['B24_CALL_ID=boom', 'B24_CALL_ID=c5']);
    assert.equal(flow.stats().duplicates, 2);
    assert.deepEqual(logCodes(lines).filter((c) => c === 'C2C_DUPLICATE' || c === 'C2C_STORE_FAILED'), ['C2C_DUPLICATE', 'C2C_DUPLICATE', 'C2C_STORE_FAILED']);
  });

  test('unknown user: one directory refresh, then finished 480; no second refresh within a minute', async () => {
    const { flow, ami, finished, refreshes } = setup();
    flow.handle(click('c6', 77));
    flow.handle(click('c7', 78));
    await flow.idle();
    assert.equal(ami.sent.length, 0);
    assert.equal(refreshes(), 1);
    assert.deepEqual(finished.map((c) => [c.idempotencyKey, c.params.STATUS_CODE, c.params.USER_ID]).sort(), [['c2c:c6:finish', '480', 77], ['c2c:c7:finish', '480', 78]]);
    assert.deepEqual(flow.stats().failures, { 'no-user': 2 });
  });

  test('the PBX refuses the Originate → finished 480 with the AMI message', async () => {
    const { flow, finished, lines } = setup({ script: async () => { throw new ConnectorError('AMI_ACTION_FAILED', 'Extension does not exist.'); } });
    flow.handle(click('c8'));
    await flow.idle();
    assert.equal(finished.length, 1);
    assert.equal(finished[0]!.params.STATUS_CODE, '480');
    assert.equal(finished[0]!.params.FAILED_REASON, 'the PBX did not take the Originate (AMI_ACTION_FAILED: Extension does not exist.)');
    assert.ok(logCodes(lines).includes('C2C_PBX_ERROR'));
  });

  test('busy after the channel existed: the tracker owns the finish (untracked), or this flow does (all)', async () => {
    const busy: FakeAmi['script'] = async (_f, emit) => {
      emit(varSet('c9'));
      emit(msg([['Event', 'DialEnd'], ['DestUniqueid', '1.1'], ['DestLinkedid', '1.1'], ['DialStatus', 'BUSY']]));
      emit(msg([['Event', 'Hangup'], ['Uniqueid', '1.1'], ['Linkedid', '1.1'], ['Cause', '17']]));
      return response(false, 0);
    };
    const a = setup({ script: busy });
    a.flow.start({ subscribe: () => () => {} });
    a.flow.handle(click('c9'));
    await a.flow.idle();
    assert.equal(a.finished.length, 0);
    assert.equal(a.flow.stats().failedTracked, 1);
    assert.deepEqual(a.outcomes, [{ event: 'ONEXTERNALCALLSTART', result: 'failed', b24CallId: 'c9', kind: 'busy', statusCode: '486', finishedBy: 'call-flow' }]);
    assert.ok(logCodes(a.lines).includes('C2C_OBSERVER_FAILED'), 'a throwing observer is logged, not thrown');
    const b = setup({ script: busy, finishFailures: 'all' });
    b.flow.start({ subscribe: () => () => {} });
    b.flow.handle(click('c9'));
    await b.flow.idle();
    assert.deepEqual(b.finished.map((c) => [c.params.STATUS_CODE, c.params.FAILED_REASON]), [['486', 'phone 101 is busy']]);
    assert.equal(b.outcomes[0]!.finishedBy, 'click-to-call');
    b.flow.stop();
    a.flow.stop();
  });

  test('callback: Local/{target}@{context} first; a failure is logged (nothing registered to finish)', async () => {
    const { flow, ami, finished, lines } = setup({ cfg: { callbackTarget: '600', callbackContext: 'ext-queues' }, script: async () => response(false, 3, 'Local/600@ext-queues') });
    flow.handle(toB24Event({ event: 'ONEXTERNALCALLBACKSTART', data: { PHONE_NUMBER: '+4930123456', TEXT: 'Call back' } }, 'push', 1));
    await flow.idle();
    assert.deepEqual(ami.sent[0]!.Channel, ['Local/600@ext-queues']);
    assert.deepEqual(ami.sent[0]!.Exten, ['4930123456']);
    assert.deepEqual(ami.sent[0]!.Variable, ['B24_CALLBACK=1', 'B24_CALLBACK_NUMBER=4930123456', 'B24_CALLBACK_TEXT=Call back']);
    assert.equal(finished.length, 0);
    assert.equal(flow.stats().callbacks, 1);
    assert.ok(logCodes(lines).includes('C2C_CALLBACK_FAILED'));
  });

  test('callback without a target is not started', async () => {
    const { flow, ami, lines } = setup();
    flow.handle(toB24Event({ event: 'ONEXTERNALCALLBACKSTART', data: { PHONE_NUMBER: '+4930123456' } }, 'push', 1));
    await flow.idle();
    assert.equal(ami.sent.length, 0);
    assert.ok(logCodes(lines).includes('C2C_CALLBACK_NO_TARGET'));
  });
});

describe('FirstLegWatcher', () => {
  test('records only watched CALL_IDs: VarSet, then DialEnd status and the first Hangup cause of that Linkedid', () => {
    const w = new FirstLegWatcher('B24_CALL_ID');
    w.watch('a');
    w.observe(varSet('zzz', '9.9'));
    w.observe(varSet('a', '1.1'));
    w.observe(msg([['Event', 'DialEnd'], ['DestLinkedid', '1.1'], ['DialStatus', 'BUSY']]));
    w.observe(msg([['Event', 'Hangup'], ['Linkedid', '1.1'], ['Cause', '17']]));
    w.observe(msg([['Event', 'Hangup'], ['Linkedid', '1.1'], ['Cause', '16']]));
    w.observe(msg([['Event', 'Hangup'], ['Linkedid', '9.9'], ['Cause', '1']]));
    assert.deepEqual(w.peek('a'), { seen: true, channel: 'PJSIP/101-00000001', linkedid: '1.1', dialStatus: 'BUSY', hangupCause: 17 });
    assert.deepEqual(w.peek('zzz'), { seen: false });
    w.forget('a');
    assert.equal(w.size, 0);
  });

  test('bounded: the oldest watch is dropped', () => {
    const w = new FirstLegWatcher('B24_CALL_ID', 2);
    w.watch('a');
    w.watch('b');
    w.watch('c');
    assert.equal(w.size, 2);
    w.observe(varSet('a'));
    assert.equal(w.peek('a').seen, false);
    assert.equal(field(varSet('c'), 'Value'), 'c');
  });
});
