/**
 * FMC end to end: the real connector (startConnector) with `pbx.fmc.enabled`, the AMI simulator
 * playing our Asterisk 22.10.1 recordings of calls forwarded to Alice's mobile (fresh ids), the
 * Bitrix24 emulator holding her PERSONAL_MOBILE in her profile. Checked through the emulator: who
 * saw the card, whom the call was finished for, with which status.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { LAB_PORTAL, startRig, waitFor, inspect, type Rig } from './helpers.js';

const RECORDED = join(import.meta.dirname, '..', 'fixtures', 'ami-recorded');
const PORTAL = {
  ...LAB_PORTAL,
  users: LAB_PORTAL.users!.map((u) => (u['ID'] === 1 ? { ...u, PERSONAL_MOBILE: '+7 (916) 123-45-67' } : u)),
};

let rig: Rig;
let conn: Connector;

before(async () => {
  rig = await startRig(PORTAL);
  conn = await startConnector(rig.config({ pbx: { fmc: { enabled: true } } }), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
  // The tracker learns the mobiles with the user directory's first load.
  await waitFor('the user directory', () => conn.users.stats().users > 0);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

async function play(name: string) {
  const before = new Set(inspect(rig.emu).calls.map((c) => c.callId));
  const handle = await rig.sim.play(join(RECORDED, `${name}.txt`));
  assert.equal(await handle.done, 'completed');
  await conn.idle();
  await conn.sender.drain();
  const call = await waitFor('the call in Bitrix24', () => inspect(rig.emu).calls.find((c) => !before.has(c.callId) && c.finishedAt !== null));
  const ins = inspect(rig.emu);
  return {
    call,
    finishes: ins.finishes.filter((f) => f.callId === call.callId),
    cards: ins.cardHistory.filter((h) => h.callId === call.callId && h.source !== 'finish').map((h) => `${h.action} ${h.userId}`),
  };
}

test('desk phone and mobile ring, the mobile answers: Alice sees one card, kept while she talks; finished 200 for her', async () => {
  const { call, finishes, cards } = await play('lab22-t_ring_desk_and_mobile_mobile_answers');
  assert.equal(call.userId, 1);
  assert.deepEqual(cards, ['show 1']);
  assert.equal(finishes.length, 1);
  assert.deepEqual([finishes[0]!.params['USER_ID'], finishes[0]!.params['STATUS_CODE']], ['1', '200']);
});

test('FreePBX-style follow-me through a Local channel to the mobile: the same', async () => {
  const { finishes, cards } = await play('lab22-u_followme_local_mobile_answers');
  assert.deepEqual(cards, ['show 1']);
  assert.deepEqual([finishes[0]!.params['USER_ID'], finishes[0]!.params['STATUS_CODE']], ['1', '200']);
});

test('forwarded to the mobile, busy there: Alice\'s card is shown, then hidden; finished 486 for her', async () => {
  const { finishes, cards } = await play('lab22-x_forward_to_mobile_busy');
  assert.deepEqual(cards, ['show 1', 'hide 1']);
  assert.deepEqual([finishes[0]!.params['USER_ID'], finishes[0]!.params['STATUS_CODE']], ['1', '486']);
});

test('the panel\'s timeline says where it rang: on her mobile', async () => {
  const { call } = await play('lab22-v_forward_to_mobile_answered');
  const state = await conn.store.getCall(call.externalCallId!);
  const notes = (state?.state as { timeline?: Array<{ notes: string[] }> } | undefined)?.timeline?.flatMap((e) => e.notes) ?? [];
  assert.ok(notes.includes("card shown to user 1 (extension 101's mobile 79161234567 rings)"), notes.join(' | '));
});

test('the simulator\'s own FMC calls (as the demo plays them): the desk answers → the desk conversation is hers, the card stays', async () => {
  const before = new Set(inspect(rig.emu).calls.map((c) => c.callId));
  const handle = rig.sim.startCall({ type: 'ring-with-mobile', from: '+4930765432', did: '5551014', to: '101', mobile: '79161234567', answeredBy: 'desk', ringMs: 1000, talkMs: 2000 });
  assert.equal(await handle.done, 'completed');
  await conn.idle();
  await conn.sender.drain();
  const call = await waitFor('the call in Bitrix24', () => inspect(rig.emu).calls.find((c) => !before.has(c.callId) && c.finishedAt !== null));
  const ins = inspect(rig.emu);
  assert.deepEqual(ins.cardHistory.filter((h) => h.callId === call.callId && h.source !== 'finish').map((h) => `${h.action} ${h.userId}`), ['show 1']);
  const fin = ins.finishes.filter((f) => f.callId === call.callId);
  assert.deepEqual([fin.length, fin[0]!.params['USER_ID'], fin[0]!.params['STATUS_CODE']], [1, '1', '200']);
});

test('Alice calling the office from her own mobile is an internal call: not registered (calls.internal off), the timeline says why', async () => {
  const handle = rig.sim.startCall({ type: 'inbound', from: '+79161234567', did: '5551000', to: '102', outcome: 'answered', ringMs: 500, talkMs: 1000 });
  assert.equal(await handle.done, 'completed');
  await conn.idle();
  await conn.sender.drain();
  assert.equal(inspect(rig.emu).calls.filter((c) => c.phoneNumber === '+79161234567').length, 0, 'no call registered for her number');
  const row = await waitFor('the call in the history', async () => (await conn.panel.history({ number: '9161234567', limit: 1, offset: 0 })).rows[0]);
  const d = await conn.panel.call(row.summary.callKey);
  assert.equal(d?.explanation.registered.ok, false);
  assert.equal(d?.explanation.registered.reason, "not registered: call from extension 101's mobile (calls.internal is off)");
});

test('/metrics counts the conversations on employees\' mobiles by stage', async () => {
  const text = await conn.metrics.text();
  const n = (stage: string): number => Number(new RegExp(`^asterisk_b24_mobile_conversations_total\\{stage="${stage}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  assert.ok(n('conversation_requested') >= 5, text);
  assert.ok(n('conversation_accepted') >= 3);
});
