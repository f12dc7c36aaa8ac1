/**
 * Missed-call tasks across a restart, with fakes (no sockets): the progress is in the stored call
 * state, the register result is read back from the store when its onDone was lost, and replays
 * (a second call_ended, a repeated result) never plan a second task.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallToCrm, type StoredCallState } from '../../src/flow/call-to-crm.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { CallSummary, StageChange } from '../../src/core/call/model.js';
import type { NewCommand, OutboxCommand } from '../../src/outbox/command.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

function fakeStore() {
  const calls = new Map<string, StoredCallState>();
  const commands = new Map<string, NewCommand & { state: string; result: unknown }>();
  return {
    calls, commands,
    sink: {
      async enqueue(cmds: readonly NewCommand[], o?: { call?: { callKey: string; state: unknown } }) {
        const ignored: string[] = [];
        for (const c of cmds) {
          if (commands.has(c.idempotencyKey)) ignored.push(c.idempotencyKey);
          else commands.set(c.idempotencyKey, { ...c, state: 'pending', result: undefined });
        }
        if (o?.call) calls.set(o.call.callKey, o.call.state as StoredCallState);
        return { inserted: [], ignored };
      },
    },
    source: {
      async getCall(k: string) { const s = calls.get(k); return s ? { state: s } : undefined; },
      async getByKey(k: string) { return commands.get(k); },
    },
    done(key: string, result: unknown): OutboxCommand {
      const c = commands.get(key)!;
      c.state = 'done';
      c.result = result;
      return { ...c, id: 1, attempts: 1, nextAttemptAt: 0, lastError: null, solo: false, uncertain: false, expiresAt: null, createdAt: 0, updatedAt: 0 } as OutboxCommand;
    },
  };
}

function flow(store: ReturnType<typeof fakeStore>): CallToCrm {
  const config = parseConfig({ bitrix: { auth: 'webhook', webhookUrl: 'http://127.0.0.1:1/rest/1/x/' }, tasks: { missedCalls: true } });
  return new CallToCrm({
    config, logger: silentLogger, tzOffsetMinutes: 180, now: () => T0 + 60_000,
    users: { find: async (p) => (p === '101' ? { id: 5 } : undefined) },
    sink: store.sink, calls: store.source,
  });
}

const conv = { id: 'c1', extension: '101', channel: 'PJSIP/101-1', uniqueid: 'u2', stage: 'conversation_requested', via: 'dial', requestedAt: T0 + 100 } as const;
const ringing: CallSummary = { callKey: 'k1', direction: 'incoming', clientNumber: '+4930123456', did: '5551000', trunk: 'trunk', startedAt: T0, recordings: [], conversations: [conv] };
const ended: CallSummary = { ...ringing, endedAt: T0 + 20_000, statusCode: '304', conversations: [{ ...conv, stage: 'conversation_ended', endedAt: T0 + 20_000, dialStatus: 'NOANSWER' }] };
const requested: StageChange = { callKey: 'k1', stage: 'conversation_requested', at: T0 + 100, conversation: conv, call: ringing };
const callEnded: StageChange = { callKey: 'k1', stage: 'call_ended', at: T0 + 20_000, call: ended };
const REGISTERED = { CALL_ID: 'externalCall.x.1', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 11, CRM_CREATED_ENTITIES: [], CRM_CREATED_LEAD: null };

test('the register result was lost in a crash: read back from the store at call end; one task only', async () => {
  const store = fakeStore();
  const before = flow(store);
  await before.handle(requested);
  store.done('k1:register', REGISTERED); // sent, but the process died before onDone reached the flow
  const after = flow(store); // restart: nothing in memory
  await after.handle(callEnded);
  const owner = store.commands.get('k1:task-owner');
  assert.equal(owner?.method, 'crm.contact.get');
  assert.deepEqual(owner?.params, { id: 11 });
  after.onCommandDone(store.done('k1:task-owner', { ID: '11', ASSIGNED_BY_ID: '7' }), { ID: '11', ASSIGNED_BY_ID: '7' });
  await after.idle();
  const task = store.commands.get('k1:task')!;
  assert.equal(task.method, 'tasks.task.add');
  assert.deepEqual(task.params, { fields: { TITLE: 'Missed call from +4930123456', RESPONSIBLE_ID: 7, CREATED_BY: 1, DEADLINE: '2026-11-22T13:00:20+03:00', UF_CRM_TASK: ['C_11'] } });
  assert.equal(store.calls.get('k1')?.task?.status, 'queued');
  // Replays: a repeated finish result, a repeated owner result, a second call_ended.
  after.onCommandDone(store.done('k1:finish', { CRM_ACTIVITY_ID: 3 }), { CRM_ACTIVITY_ID: 3 });
  after.onCommandDone(store.done('k1:task-owner', { ASSIGNED_BY_ID: '8' }), { ASSIGNED_BY_ID: '8' });
  await after.handle(callEnded);
  await after.idle();
  assert.equal([...store.commands.keys()].filter((k) => k.startsWith('k1:task')).length, 2, 'task-owner and task, once each');
  assert.equal((store.commands.get('k1:task')!.params['fields'] as Record<string, unknown>)['RESPONSIBLE_ID'], 7);
});

test('the call ends before its register is sent: the task waits for the register result', async () => {
  const store = fakeStore();
  const f = flow(store);
  await f.handle(requested);
  await f.handle(callEnded);
  assert.equal(store.calls.get('k1')?.task?.status, 'wanted');
  assert.equal(store.commands.has('k1:task-owner'), false);
  f.onCommandDone(store.done('k1:register', { ...REGISTERED, CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: 4, CRM_CREATED_LEAD: 4, CRM_CREATED_ENTITIES: [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: 4 }] }), store.commands.get('k1:register')!.result);
  await f.idle();
  // A lead created by this call belongs to the finishing user (5): no lookup needed.
  const task = store.commands.get('k1:task')!;
  assert.deepEqual((task.params['fields'] as Record<string, unknown>)['UF_CRM_TASK'], ['L_4']);
  assert.equal((task.params['fields'] as Record<string, unknown>)['RESPONSIBLE_ID'], 5);
  assert.equal(store.commands.has('k1:task-owner'), false);
});
