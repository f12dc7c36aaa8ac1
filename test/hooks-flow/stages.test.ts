/**
 * Which point runs at which stage, in which order, with which input (fakes, no sockets): a normal
 * incoming call, a click-to-call (Bitrix24 registered it itself) and an IVR abandon (registered late).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallToCrm } from '../../src/flow/call-to-crm.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { CallSummary, StageChange } from '../../src/core/call/model.js';
import type { HookPort } from '../../src/flow/ports.js';
import type { NewCommand } from '../../src/outbox/command.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

function rig(reply: (point: string, input: Record<string, unknown>) => Record<string, unknown> = () => ({})) {
  const runs: Array<{ point: string; input: Record<string, unknown> }> = [];
  const sent: NewCommand[] = [];
  const hooks: HookPort = {
    has: () => true,
    async run(point, input) {
      runs.push({ point, input });
      return { data: { ...input, ...reply(point, input) }, source: 'hook', ok: true, durationMs: 1 };
    },
  };
  const states = new Map<string, unknown>();
  const flow = new CallToCrm({
    config: parseConfig({ bitrix: { auth: 'webhook', webhookUrl: 'http://127.0.0.1:1/rest/1/x/' } }), logger: silentLogger, tzOffsetMinutes: 180, hooks,
    users: { find: async (p) => (p === '101' ? { id: 5 } : p === '102' ? { id: 6 } : undefined) },
    sink: { enqueue: async (c, o) => { sent.push(...c); if (o?.call) states.set(o.call.callKey, o.call.state); return { inserted: [], ignored: [] }; } },
    calls: { getCall: async (k) => (states.has(k) ? { state: states.get(k) } : undefined) },
  });
  const stagesOf = (point: string) => runs.filter((r) => r.point === point).map((r) => r.input['call_stage']);
  return { flow, runs, sent, stagesOf };
}

const conv = { id: 'c1', extension: '101', channel: 'PJSIP/101-1', uniqueid: 'u2', stage: 'conversation_requested', via: 'dial', requestedAt: T0 + 100 } as const;
const base: CallSummary = { callKey: 'k1', direction: 'incoming', clientNumber: '+4930123456', did: '5551000', trunk: 'trunk', startedAt: T0, recordings: [], conversations: [conv] };
const answered: CallSummary = { ...base, answeredAt: T0 + 2000, conversations: [{ ...conv, stage: 'conversation_accepted', acceptedAt: T0 + 2000 }] };
const ended: CallSummary = { ...answered, endedAt: T0 + 9000, statusCode: '200', conversations: [{ ...conv, stage: 'conversation_ended', acceptedAt: T0 + 2000, endedAt: T0 + 9000 }] };
const stages = (s: CallSummary, a: CallSummary, e: CallSummary): StageChange[] => [
  { callKey: s.callKey, stage: 'conversation_requested', at: T0 + 100, conversation: s.conversations[0]!, call: s },
  { callKey: s.callKey, stage: 'conversation_accepted', at: T0 + 2000, conversation: a.conversations[0]!, call: a },
  { callKey: s.callKey, stage: 'conversation_ended', at: T0 + 9000, conversation: e.conversations[0]!, call: e },
  { callKey: s.callKey, stage: 'call_ended', at: T0 + 9000, call: e },
];

test('an incoming answered call: each point at its stage, in order, with call_full', async () => {
  const r = rig();
  for (const c of stages(base, answered, ended)) await r.flow.handle(c);
  const all = ['conversation_requested', 'conversation_accepted', 'conversation_ended', 'call_ended'];
  assert.deepEqual(r.stagesOf('process_user_phone'), all);
  assert.deepEqual(r.stagesOf('process_client_phone'), all);
  assert.deepEqual(r.stagesOf('need_registration'), ['conversation_requested'], 'asked until the call is decided');
  assert.deepEqual(r.stagesOf('process_registration_params'), ['conversation_requested']);
  assert.deepEqual(r.stagesOf('post_registration'), ['conversation_requested']);
  assert.deepEqual(r.stagesOf('customize_show_call_card'), ['conversation_requested']);
  assert.equal(r.stagesOf('process_final_params').length, 1);
  const first = r.runs.filter((x) => x.input['call_stage'] === 'conversation_requested' || x.point === 'process_registration_params').map((x) => x.point);
  assert.deepEqual(first.slice(0, 6), ['process_user_phone', 'process_client_phone', 'need_registration', 'process_registration_params', 'post_registration', 'customize_show_call_card']);
  for (const x of r.runs) assert.equal((x.input['call_full'] as Record<string, unknown>)['call_key'], 'k1', `${x.point} has call_full`);
  const show = r.runs.find((x) => x.point === 'customize_show_call_card')!.input;
  assert.deepEqual({ CALL_ID: show['CALL_ID'], USER_ID: show['USER_ID'] }, { CALL_ID: '', USER_ID: 5 }, 'no CALL_ID known before the register answered');
  const fin = r.runs.find((x) => x.point === 'process_final_params')!.input;
  assert.deepEqual({ ...fin, call_full: undefined }, { ADD_TO_CHAT: 1, CALL_ID: '', DURATION: 7, STATUS_CODE: '200', USER_ID: 5, call_full: undefined });
  const users = ((r.runs.at(-1)!.input['call_full'] as Record<string, unknown>)['conversations'] as Array<Record<string, unknown>>)[0]!['user_id'];
  assert.equal(users, 5, 'call_full knows the user');
});

test('click-to-call: post_registration first, no register, the known CALL_ID everywhere', async () => {
  const c2c = (s: CallSummary): CallSummary => ({ ...s, direction: 'click-to-call', b24CallId: 'externalCall.c2c.1' });
  const r = rig();
  for (const c of stages(c2c(base), c2c(answered), c2c(ended))) await r.flow.handle(c);
  assert.deepEqual(r.stagesOf('post_registration'), ['conversation_requested']);
  assert.deepEqual(r.stagesOf('process_registration_params'), []);
  assert.equal(r.sent.some((c) => c.step === 'register'), false);
  const fin = r.runs.find((x) => x.point === 'process_final_params')!.input;
  assert.equal(fin['CALL_ID'], 'externalCall.c2c.1');
  assert.equal(((fin['call_full'] as Record<string, unknown>)['bitrix24'] as Record<string, unknown>)['call_id'], 'externalCall.c2c.1');
});

test('IVR abandon: registered late at call_ended, post_registration there; need_registration false skips it', async () => {
  const ivr: CallSummary = { ...base, conversations: [], endedAt: T0 + 7000, statusCode: '304' };
  const change: StageChange = { callKey: 'k1', stage: 'call_ended', at: T0 + 7000, call: ivr };
  const r = rig((p) => (p === 'process_registration_params' ? { CRM_SOURCE: 'IVR' } : {}));
  await r.flow.handle(change);
  assert.deepEqual(r.stagesOf('process_registration_params'), ['call_ended']);
  assert.deepEqual(r.stagesOf('post_registration'), ['call_ended']);
  assert.equal(r.sent.find((c) => c.step === 'register')!.params['CRM_SOURCE'], 'IVR');
  const no = rig((p) => (p === 'need_registration' ? { result: false } : {}));
  await no.flow.handle(change);
  assert.deepEqual(no.sent, []);
  assert.deepEqual(no.stagesOf('post_registration'), []);
});
