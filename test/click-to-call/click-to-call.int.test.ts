/**
 * Click-to-call end to end with the real pieces: a click in the Bitrix24 emulator → pushed (or
 * polled) ONEXTERNALCALLSTART → intake → queue → ClickToCall → AMI Originate on the simulator →
 * outcome; failures come back to the emulator as telephony.externalcall.finish.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../../src/adapters/ami/message.js';
import { OfflineEventPoller } from '../../src/adapters/bitrix/offline-poller.js';
import { EventDeduper } from '../../src/adapters/bitrix/event-dedupe.js';
import { eventForm, logCodes, portalOf, startHarness, type Harness } from './harness.js';

const PHONE = '+4930123456';
/**
 * A distinct client number per click: the emulator hands out the same CALL_ID again for a click
 * to the same number by the same user while the first call is unfinished (its register reuse rule).
 */
const phone = (n: number): string => `+49301234${String(n).padStart(2, '0')}`;

function varSets(h: Harness, callId: string) {
  return h.amiEvents.filter((m) => field(m, 'Event') === 'VarSet' && field(m, 'Variable') === 'B24_CALL_ID' && field(m, 'Value') === callId);
}

function finishesOf(h: Harness, callId: string) {
  return portalOf(h.emu).inspect().finishes.filter((f) => f.callId === callId);
}

describe('click-to-call against the AMI simulator and the Bitrix24 emulator', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ flow: { finishFailures: 'all' } });
  });
  after(async () => {
    await h.close();
  });

  test('a click rings PJSIP/101 with B24_CALL_ID, the employee answers, nothing is finished by the flow', async () => {
    const { callId } = portalOf(h.emu).clickToCall({ userId: 5, phone: phone(1), callListId: 12 });
    await h.settle();
    const sets = varSets(h, callId);
    assert.equal(sets.length, 1);
    assert.match(field(sets[0]!, 'Channel') ?? '', /^PJSIP\/101-[0-9a-f]{8}$/);
    const listVar = h.amiEvents.find((m) => field(m, 'Event') === 'VarSet' && field(m, 'Variable') === 'B24_CALL_LIST_ID');
    assert.equal(field(listVar!, 'Value'), '12');
    const linkedid = field(sets[0]!, 'Linkedid');
    const trunkDial = await h.waitForEvent((m) => field(m, 'Event') === 'DialBegin' && field(m, 'Linkedid') === linkedid && !!field(m, 'DialString')?.endsWith('@trunk'));
    assert.equal(field(trunkDial, 'DialString'), '04930123401@trunk', 'the dialplan strips the leading 0 of Exten 004930123401');
    const s = h.flow.stats();
    assert.equal(s.originates, 1);
    assert.equal(s.answered, 1);
    assert.equal(s.failed, 0);
    assert.deepEqual(finishesOf(h, callId), []);
    assert.deepEqual(h.sink.sent, []);
    const delivery = h.emu.requests.deliveries().at(-1)!;
    assert.equal(delivery.status, 200);
  });

  test('the same event twice → one Originate (intake dedupe, then the flow\'s own CALL_ID guard)', async () => {
    const before = h.flow.stats();
    const { callId, event } = portalOf(h.emu).clickToCall({ userId: 5, phone: phone(2) });
    await h.settle();
    const data = Object.fromEntries(Object.entries(event.data as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const res = await fetch(h.handlerUrl, { method: 'POST', body: eventForm(data, h.emu.app.application_token) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'duplicate' });
    // A redelivery that slipped past the intake (another deduper, e.g. after its window) reaches the flow.
    const typed = (await import('../../src/adapters/bitrix/event-types.js')).toB24Event({ event: 'ONEXTERNALCALLSTART', data }, 'poll', Date.now());
    await h.queue.push(typed);
    await h.settle();
    const after = h.flow.stats();
    assert.equal(after.originates - before.originates, 1);
    assert.equal(after.duplicates - before.duplicates, 1);
    assert.equal(varSets(h, callId).length, 1);
    assert.ok(logCodes(h.logLines).includes('C2C_DUPLICATE'));
  });

  test('a forged event (wrong application_token) → 401 and no Originate', async () => {
    const before = h.flow.stats();
    const res = await fetch(h.handlerUrl, {
      method: 'POST',
      body: eventForm({ CALL_ID: 'externalCall.forged.1', USER_ID: '5', PHONE_NUMBER: PHONE }, 'not-the-token'),
    });
    assert.equal(res.status, 401);
    await h.settle();
    assert.equal(h.flow.stats().received, before.received);
    assert.equal(h.flow.stats().originates, before.originates);
    assert.equal(varSets(h, 'externalCall.forged.1').length, 0);
  });

  test('busy phone → finished with 486', async () => {
    const { callId } = portalOf(h.emu).clickToCall({ userId: 6, phone: phone(3) });
    await h.settle();
    const fin = finishesOf(h, callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '486');
    assert.equal(String(fin[0]!.params.USER_ID), '6');
    assert.equal(String(fin[0]!.params.DURATION), '0');
    assert.equal(fin[0]!.params.FAILED_REASON, 'phone 102 is busy');
  });

  test('phone never answers → finished with 304', async () => {
    const { callId } = portalOf(h.emu).clickToCall({ userId: 7, phone: phone(4) });
    await h.settle();
    const fin = finishesOf(h, callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '304');
    assert.equal(fin[0]!.params.FAILED_REASON, 'phone 103 did not answer');
  });

  test('extension unknown to the PBX → no channel, finished with 480', async () => {
    const { callId } = portalOf(h.emu).clickToCall({ userId: 9, phone: phone(5) });
    await h.settle();
    assert.equal(varSets(h, callId).length, 0);
    const fin = finishesOf(h, callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '480');
    assert.match(String(fin[0]!.params.FAILED_REASON), /^phone 109 is unavailable/);
  });

  test('user without an inner phone → no Originate, finished with 480 and the reason', async () => {
    const before = h.flow.stats();
    const { callId } = portalOf(h.emu).clickToCall({ userId: 8, phone: phone(6) });
    await h.settle();
    assert.equal(h.flow.stats().originates, before.originates);
    const fin = finishesOf(h, callId);
    assert.equal(fin.length, 1);
    assert.equal(fin[0]!.params.STATUS_CODE, '480');
    assert.equal(fin[0]!.params.FAILED_REASON, 'Bitrix24 user 8 has no inner phone number (UF_PHONE_INNER)');
    assert.ok(logCodes(h.logLines).includes('C2C_NO_EXTENSION'));
  });

  test('polled delivery (offline binding) → one Originate', async () => {
    await h.client.call('event.unbind', { event: 'ONEXTERNALCALLSTART', handler: h.handlerUrl });
    const poller = new OfflineEventPoller({ client: h.client, queue: h.queue, dedupe: new EventDeduper() });
    await poller.ensureBound();
    const before = h.flow.stats();
    const { callId } = portalOf(h.emu).clickToCall({ userId: 5, phone: phone(7) });
    const out = await poller.pollOnce();
    assert.equal(out.queued, 1);
    await h.settle();
    assert.equal(h.flow.stats().originates - before.originates, 1);
    assert.equal(h.flow.stats().answered - before.answered, 1);
    assert.equal(varSets(h, callId).length, 1);
    assert.equal((await poller.pollOnce()).received, 0);
  });
});

describe('finishFailures "untracked" (default): a failure with a channel is left to the call flow', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('busy: the tracker has the call (B24_CALL_ID seen), so no finish here', async () => {
    const { callId } = portalOf(h.emu).clickToCall({ userId: 6, phone: phone(8) });
    await h.settle();
    assert.equal(varSets(h, callId).length, 1);
    assert.deepEqual(finishesOf(h, callId), []);
    assert.equal(h.flow.stats().failedTracked, 1);
    assert.deepEqual(h.flow.stats().failures, { busy: 1 });
    assert.ok(logCodes(h.logLines).includes('C2C_FAILED_TRACKED'));
  });

  test('unknown endpoint: no channel ever existed, so the flow finishes it', async () => {
    const { callId } = portalOf(h.emu).clickToCall({ userId: 9, phone: phone(9) });
    await h.settle();
    assert.equal(finishesOf(h, callId)[0]?.params.STATUS_CODE, '480');
  });
});

describe('FreePBX preset and callback', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ clickToCall: { preset: 'freepbx', callbackTarget: '101', callbackContext: 'from-internal' } });
  });
  after(async () => {
    await h.close();
  });

  test('FreePBX: the first leg is Local/101@from-internal and carries B24_CALL_ID', async () => {
    const { callId } = portalOf(h.emu).clickToCall({ userId: 5, phone: phone(21) });
    await h.settle();
    const sets = varSets(h, callId);
    assert.ok(sets.length >= 1);
    assert.match(field(sets[0]!, 'Channel') ?? '', /^Local\/101@from-internal-[0-9a-f]{8};1$/);
    assert.equal(h.flow.stats().answered, 1);
  });

  test('callback form: ONEXTERNALCALLBACKSTART rings Local/101@from-internal, then the client', async () => {
    const before = h.flow.stats();
    portalOf(h.emu).callback({ phone: phone(22), text: 'Please call me' });
    await h.settle();
    const after = h.flow.stats();
    assert.equal(after.callbacks - before.callbacks, 1);
    assert.equal(after.answered - before.answered, 1);
    const text = h.amiEvents.find((m) => field(m, 'Event') === 'VarSet' && field(m, 'Variable') === 'B24_CALLBACK_TEXT');
    assert.equal(field(text!, 'Value'), 'Please call me');
    assert.match(field(text!, 'Channel') ?? '', /^Local\/101@from-internal-/);
    assert.ok(logCodes(h.logLines).includes('C2C_CALLBACK_ANSWERED'));
  });
});
