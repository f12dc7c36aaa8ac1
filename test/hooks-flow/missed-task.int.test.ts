/**
 * Missed-call tasks (config.tasks): one tasks.task.add per missed incoming / unanswered outgoing
 * call, after the register result is known, bound to the call's CRM entity, responsible per mode;
 * none for answered calls.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Connector } from '../../src/main.js';
import { startRig, inspect, waitFor, type Rig } from '../e2e/helpers.js';
import { runCall, settle, startWith } from './helpers.js';

let rig: Rig;
before(async () => {
  rig = await startRig();
});
after(async () => {
  await rig?.close();
});

type Row = Record<string, unknown>;

function tasksFor(entityBinding: string): Row[] {
  return inspect(rig.emu).tasks.filter((t) => (t['UF_CRM_TASK'] as string[]).includes(entityBinding));
}

async function withConnector(name: string, tasks: Record<string, unknown>, fn: (conn: Connector) => Promise<void>, extra: Record<string, unknown> = {}): Promise<void> {
  const conn = await startWith(rig, { store: { path: join(rig.dir, `${name}.sqlite`) }, tasks: { missedCalls: true, ...tasks }, ...extra });
  try {
    await fn(conn);
  } finally {
    await conn.close();
  }
}

/** The task created for a call (waits for it), and checks it is the only one. */
async function onlyTaskOf(conn: Connector, callKey: string): Promise<Row> {
  const rec = await waitFor('task sent', async () => {
    await conn.idle();
    const c = await conn.store.getByKey(`${callKey}:task`);
    return c?.state === 'done' ? c : undefined;
  });
  const id = (rec.result as { task: { id: unknown } }).task.id;
  await settle(conn);
  const t = inspect(rig.emu).tasks.find((x) => String(x['ID']) === String(id));
  assert.ok(t, 'the task exists in Bitrix24');
  return t;
}

describe('responsible: entity-owner', () => {
  test('a missed call from a known contact: its owner, bound C_11, deadline from config', async () => {
    await withConnector('owner', { responsible: 'entity-owner', deadlineMinutes: 30, createdBy: 3 }, async (conn) => {
      const before = tasksFor('C_11').length;
      const r = await runCall(rig, conn, { type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'noanswer' });
      const t = await onlyTaskOf(conn, r.externalCallId);
      assert.equal(t['TITLE'], 'Missed call from +4930123456');
      assert.equal(t['RESPONSIBLE_ID'], '2', 'ASSIGNED_BY_ID of contact 11');
      assert.equal(String(t['CREATED_BY']), '3');
      assert.deepEqual(t['UF_CRM_TASK'], ['C_11']);
      const sent = (await conn.store.getByKey(`${r.externalCallId}:task`))!.params['fields'] as Row;
      const ended = r.state.summary.endedAt!;
      const expected = new Date(ended + 30 * 60_000 + 180 * 60_000).toISOString().slice(0, 19) + '+03:00';
      assert.equal(sent['DEADLINE'], expected);
      assert.equal((await conn.store.getByKey(`${r.externalCallId}:task-owner`))?.method, 'crm.contact.get');
      assert.equal(tasksFor('C_11').length, before + 1, 'exactly one task');
      // Answered calls get none.
      const answered = await runCall(rig, conn, { type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'answered', ringMs: 500, talkMs: 500 });
      await settle(conn);
      assert.equal(await conn.store.getByKey(`${answered.externalCallId}:task`), undefined);
      assert.equal(tasksFor('C_11').length, before + 1);
    });
  });

  test('an unknown number: the lead the register created, owned by the finishing user', async () => {
    await withConnector('created', { responsible: 'entity-owner' }, async (conn) => {
      const r = await runCall(rig, conn, { type: 'inbound', from: '+4930888001', did: '5551000', to: '102', outcome: 'busy' });
      const t = await onlyTaskOf(conn, r.externalCallId);
      const lead = inspect(rig.emu).calls.find((c) => c.callId === r.callId)!;
      assert.equal(lead.crmEntityType, 'LEAD');
      assert.deepEqual(t['UF_CRM_TASK'], [`L_${lead.crmEntityId}`]);
      assert.equal(t['RESPONSIBLE_ID'], '2', 'the lead went to the finishing user (102 → user 2)');
      assert.equal(await conn.store.getByKey(`${r.externalCallId}:task-owner`), undefined, 'no lookup needed');
    });
  });

  test('IVR abandon, registered late: the task waits for the late register result', async () => {
    await withConnector('ivr', { responsible: 'entity-owner' }, async (conn) => {
      const r = await runCall(rig, conn, { type: 'ivr-abandon', from: '+4930888002', did: '5551003' });
      const t = await onlyTaskOf(conn, r.externalCallId);
      assert.equal(t['RESPONSIBLE_ID'], '9', 'the missed-calls user finished it and owns the new lead');
      assert.match(String((t['UF_CRM_TASK'] as string[])[0]), /^L_\d+$/);
    });
  });
});

describe('responsible: last-rung and default', () => {
  test('last-rung: the last extension that rang; an unanswered outgoing call gets a task too', async () => {
    await withConnector('last', { responsible: 'last-rung', title: 'Call {phone} back' }, async (conn) => {
      const r = await runCall(rig, conn, { type: 'queue', from: '+4930123456', did: '5551002', strategy: 'linear', members: ['101', '102'], outcome: 'abandon' });
      const t = await onlyTaskOf(conn, r.externalCallId);
      const lastExt = r.state.summary.conversations.at(-1)!.extension;
      assert.equal(t['RESPONSIBLE_ID'], lastExt === '101' ? '1' : '2');
      assert.equal(t['TITLE'], 'Call +4930123456 back');
      const out = await runCall(rig, conn, { type: 'outbound', from: '103', to: '0049301234', outcome: 'noanswer' });
      const t2 = await onlyTaskOf(conn, out.externalCallId);
      assert.equal(t2['RESPONSIBLE_ID'], '3', 'the calling extension 103');
    });
  });

  test('default: calls.defaultUserId', async () => {
    await withConnector('default', { responsible: 'default' }, async (conn) => {
      const r = await runCall(rig, conn, { type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'cancel' });
      const t = await onlyTaskOf(conn, r.externalCallId);
      assert.equal(t['RESPONSIBLE_ID'], '3');
      assert.deepEqual(t['UF_CRM_TASK'], ['C_11']);
    }, { calls: { missedUserId: 9, defaultUserId: 3 } });
  });
});
