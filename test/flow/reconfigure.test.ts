/**
 * CallToCrm.reconfigure (settings saved in the admin panel, applied while running): new values
 * apply from a call's next step, but a call keeps the transfer mode it started with — switching to
 * per-leg half-way must not split a call into legs it was never registered as.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallToCrm } from '../../src/flow/call-to-crm.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { CallSummary, ConversationSummary, StageChange } from '../../src/core/call/model.js';
import type { NewCommand } from '../../src/outbox/command.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const raw = { bitrix: { auth: 'webhook', webhookUrl: 'http://127.0.0.1:1/rest/1/x/' } };

function rig() {
  const sent: NewCommand[] = [];
  const states = new Map<string, unknown>();
  const flow = new CallToCrm({
    config: parseConfig(raw), logger: silentLogger, tzOffsetMinutes: 180,
    users: { find: async (p) => (p === '101' ? { id: 5 } : p === '102' ? { id: 6 } : undefined) },
    sink: { enqueue: async (c, o) => { sent.push(...c); if (o?.call) states.set(o.call.callKey, o.call.state); return { inserted: [], ignored: [] }; } },
    calls: { getCall: async (k) => (states.has(k) ? { state: states.get(k) } : undefined) },
  });
  return { flow, sent };
}

/** A call answered by 101, transferred to 102 who answers too. */
function transferred(key: string): StageChange[] {
  const a: ConversationSummary = { id: 'c1', extension: '101', channel: 'PJSIP/101-1', uniqueid: `${key}-2`, stage: 'conversation_accepted', via: 'dial', requestedAt: T0 + 100, acceptedAt: T0 + 1000 };
  const aEnded: ConversationSummary = { ...a, stage: 'conversation_ended', endedAt: T0 + 5000, endReason: 'transfer' };
  const b: ConversationSummary = { id: 'c2', extension: '102', channel: 'PJSIP/102-1', uniqueid: `${key}-3`, stage: 'conversation_accepted', via: 'transfer', requestedAt: T0 + 5000, acceptedAt: T0 + 6000 };
  const bEnded: ConversationSummary = { ...b, stage: 'conversation_ended', endedAt: T0 + 9000 };
  const call = (convs: ConversationSummary[], extra: Partial<CallSummary> = {}): CallSummary => ({
    callKey: key, direction: 'incoming', clientNumber: '+4930123456', did: '5551000', trunk: 'trunk', startedAt: T0, answeredAt: T0 + 1000, recordings: [], conversations: convs, ...extra,
  });
  return [
    { callKey: key, stage: 'conversation_accepted', at: T0 + 1000, conversation: a, call: call([a]) },
    { callKey: key, stage: 'conversation_ended', at: T0 + 5000, conversation: aEnded, call: call([aEnded]) },
    { callKey: key, stage: 'conversation_accepted', at: T0 + 6000, conversation: b, call: call([aEnded, b]) },
    { callKey: key, stage: 'conversation_ended', at: T0 + 9000, conversation: bEnded, call: call([aEnded, bEnded]) },
    { callKey: key, stage: 'call_ended', at: T0 + 9000, call: call([aEnded, bEnded], { endedAt: T0 + 9000, statusCode: '200' }) },
  ];
}

const registers = (sent: readonly NewCommand[]) => sent.filter((c) => c.step === 'register').map((c) => c.params['EXTERNAL_CALL_ID'] ?? c.callKey);

test('a call keeps the transfer mode it started with; the next call takes the new one', async () => {
  const r = rig();
  const [first, ...rest] = transferred('k1');
  await r.flow.handle(first!);
  r.flow.reconfigure(parseConfig({ ...raw, calls: { transferMode: 'per-leg' } }));
  for (const c of rest) await r.flow.handle(c);
  assert.deepEqual(registers(r.sent), ['k1'], 'one registration: the call started in longest-talker mode');

  for (const c of transferred('k2')) await r.flow.handle(c);
  assert.deepEqual(registers(r.sent), ['k1', 'k2', 'k2#2'], 'the next call is registered per leg');
});

test('lists and trunk settings apply to the next undecided step', async () => {
  const r = rig();
  r.flow.reconfigure(parseConfig({ ...raw, lists: { black: { numbers: ['+4930123456'] } } }));
  for (const c of transferred('k3')) await r.flow.handle(c);
  assert.equal(r.sent.length, 0, 'black-listed: nothing sent');
  r.flow.reconfigure(parseConfig({ ...raw, pbx: { trunks: [{ endpoint: 'trunk', line: '5557000', crmSource: 'WEB' }] } }));
  for (const c of transferred('k4')) await r.flow.handle(c);
  const reg = r.sent.find((c) => c.step === 'register')!;
  assert.equal(reg.params['LINE_NUMBER'], '5557000');
  assert.equal(reg.params['CRM_SOURCE'], 'WEB');
});
