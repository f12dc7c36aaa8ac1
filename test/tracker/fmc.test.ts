/**
 * FMC: an incoming call the PBX forwards through a trunk to an employee's mobile is that employee's
 * conversation (synthetic events shaped like Asterisk 22's: DialBegin caller → PJSIP/trunk-… with
 * DialString `<number>@trunk`, or from a Local `;2` half born in from-internal with the dialled number).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mobileKey, mobileOwner, trackerConfig } from '../../src/core/call/classify.js';
import { trackerConfigFrom } from '../../src/cli/replay.js';
import { serializeCallFull } from '../../src/core/call/model.js';
import { Harness, ev, newchannel, hangup, dialBegin, dialEnd, bridgeEnter, bridgeLeave, type Chan } from './helpers.js';

const trunk: Chan = { name: 'PJSIP/trunk-00000001', uid: '1700000000.1', linked: '1700000000.1', context: 'from-trunk', exten: '5551014', cid: '+4930123456', state: 'Ring' };
const desk: Chan = { name: 'PJSIP/101-00000002', uid: '1700000000.2', linked: trunk.linked, state: 'Down' };
const mobile: Chan = { name: 'PJSIP/trunk-00000003', uid: '1700000000.3', linked: trunk.linked, context: 'from-internal', state: 'Down' };
const FMC = { mobiles: [['+7 (916) 123-45-67', '101']] as Array<[string, string]> };

describe('FMC: mobile numbers', () => {
  test('matched on the last digits, whatever the prefix or format', () => {
    assert.equal(mobileKey('+7 (916) 123-45-67', 10), '9161234567');
    assert.equal(mobileKey('089161234567', 10), '9161234567');
    assert.equal(mobileKey('101', 10), undefined);
    const cfg = trackerConfig(FMC);
    for (const n of ['79161234567', '89161234567', '079161234567', '+79161234567']) assert.equal(mobileOwner(cfg, n), '101', n);
    assert.equal(mobileOwner(cfg, '79161234568'), undefined);
    assert.equal(mobileOwner(trackerConfig({}), '79161234567'), undefined);
  });

  test('the config: numbers win over the user fields; off unless enabled; fields chosen', () => {
    const portal = { users: [
      { ID: 1, UF_PHONE_INNER: '101', ACTIVE: true, PERSONAL_MOBILE: '+79161234567', WORK_PHONE: '+74950000001' },
      { ID: 2, UF_PHONE_INNER: '102', ACTIVE: true, PERSONAL_MOBILE: '+79169999999' },
      { ID: 3, UF_PHONE_INNER: '103', ACTIVE: false, PERSONAL_MOBILE: '+79160000003' },
    ] };
    assert.equal(trackerConfigFrom(portal, { pbx: {} }).mobiles.size, 0);
    const on = trackerConfigFrom(portal, { pbx: { fmc: { enabled: true, numbers: { '89169999999': '103' } } } });
    assert.deepEqual([...on.mobiles], [['9169999999', '103'], ['9161234567', '101']]);
    const work = trackerConfigFrom(portal, { pbx: { fmc: { enabled: true, fields: ['WORK_PHONE'], matchDigits: 7 } } });
    assert.deepEqual([...work.mobiles], [['0000001', '101']]);
  });
});

describe('FMC: the tracker', () => {
  test('desk phone and mobile ring together, the mobile answers: the employee answered (200), on the mobile', () => {
    const h = new Harness(FMC).feed(
      newchannel(trunk), newchannel(desk), dialBegin(trunk, desk, 'PJSIP/101'),
      newchannel(mobile), dialBegin(trunk, mobile, '79161234567@trunk'),
      dialEnd(trunk, mobile, 'ANSWER'), dialEnd(trunk, desk, 'CANCEL'), hangup(desk, '26'),
      bridgeEnter(trunk, 'br1'), bridgeEnter(mobile, 'br1'), bridgeLeave(trunk, 'br1'), hangup(trunk, '16'), bridgeLeave(mobile, 'br1'), hangup(mobile, '16'),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_accepted 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 call_ended',
    ]);
    const mob = h.changes[1]?.conversation;
    assert.equal(mob?.mobile, '79161234567');
    assert.equal(mob?.channel, mobile.name);
    assert.equal(h.changes[0]?.conversation?.mobile, undefined);
    const end = h.last().call;
    assert.deepEqual(end.outcome, { reason: 'answered', statusCode: '200' });
    assert.deepEqual(end.conversations.map((c) => [c.extension, c.mobile ?? null, c.acceptedAt !== undefined, c.endReason]), [
      ['101', null, false, 'CANCEL'], ['101', '79161234567', true, 'hangup'],
    ]);
    const full = serializeCallFull(end, { linkedid: trunk.linked, uniqueids: [] }) as { conversations: Array<{ mobile: string | null }> };
    assert.deepEqual(full.conversations.map((c) => c.mobile), [null, '79161234567']);
    assert.equal(h.state.counters.anomalies, 0);
  });

  test('the desk phone answers: the mobile leg ends with the dial status, the desk conversation is the answered one', () => {
    const h = new Harness(FMC).feed(
      newchannel(trunk), newchannel(desk), dialBegin(trunk, desk, 'PJSIP/101'),
      newchannel(mobile), dialBegin(trunk, mobile, '79161234567@trunk'),
      dialEnd(trunk, desk, 'ANSWER'), dialEnd(trunk, mobile, 'CANCEL'), hangup(mobile, '26'),
      bridgeEnter(trunk, 'br1'), bridgeEnter(desk, 'br1'), bridgeLeave(trunk, 'br1'), hangup(trunk, '16'), bridgeLeave(desk, 'br1'), hangup(desk, '16'),
    );
    const end = h.last().call;
    assert.deepEqual(end.conversations.map((c) => [c.mobile ?? null, c.acceptedAt !== undefined, c.endReason]), [
      [null, true, 'hangup'], ['79161234567', false, 'CANCEL'],
    ]);
    assert.equal(end.statusCode, '200');
  });

  test('forwarded to the mobile through a Local channel (FreePBX follow-me), busy there: missed (486), the employee rang', () => {
    const l1: Chan = { name: 'Local/079161234567@from-internal-00000001;1', uid: '1700000000.4', linked: trunk.linked, state: 'Down', context: 'from-internal', exten: '079161234567' };
    const l2: Chan = { name: 'Local/079161234567@from-internal-00000001;2', uid: '1700000000.5', linked: trunk.linked, state: 'Ring', context: 'from-internal', exten: '079161234567' };
    const h = new Harness(FMC).feed(
      newchannel(trunk), newchannel(l1), newchannel(l2), dialBegin(trunk, l1, 'Local/079161234567@from-internal'),
      newchannel(mobile), dialBegin(l2, mobile, '79161234567@trunk'),
      dialEnd(l2, mobile, 'BUSY'), hangup(mobile, '17'), hangup(l2, '17'), dialEnd(trunk, l1, 'BUSY'), hangup(l1, '17'), hangup(trunk, '17'),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 call_ended',
    ]);
    const end = h.last().call;
    assert.equal(end.conversations[0]?.mobile, '79161234567');
    assert.equal(end.conversations[0]?.endReason, 'BUSY');
    assert.equal(end.statusCode, '486');
  });

  test('a number that is nobody\'s mobile stays "answered outside", without a conversation', () => {
    const other: Chan = { ...mobile };
    const h = new Harness(FMC).feed(newchannel(trunk), newchannel(other), dialBegin(trunk, other, '74951112233@trunk'), dialEnd(trunk, other, 'ANSWER'), hangup(other), hangup(trunk));
    assert.deepEqual(h.lines(), ['1700000000.1 call_ended']);
    assert.equal(h.last().call.statusCode, '200');
  });

  test('an employee calling a client who is also someone\'s mobile is an outgoing call, not FMC', () => {
    const caller: Chan = { name: 'PJSIP/102-00000007', uid: '1700000001.7', linked: '1700000001.7', context: 'from-internal', exten: '079161234567', cid: '102', state: 'Ring' };
    const out: Chan = { name: 'PJSIP/trunk-00000008', uid: '1700000001.8', linked: caller.linked, state: 'Down' };
    const h = new Harness(FMC).feed(newchannel(caller), newchannel(out), dialBegin(caller, out, '79161234567@trunk'), dialEnd(caller, out, 'ANSWER'), hangup(out), hangup(caller));
    assert.equal(h.last().call.direction, 'outgoing');
    assert.deepEqual(h.last().call.conversations.map((c) => [c.extension, c.mobile ?? null]), [['102', null]]);
  });

  test('blind-transferred by the desk to a colleague\'s mobile: the colleague\'s conversation, via transfer', () => {
    const bobsMobile: Chan = { name: 'PJSIP/trunk-00000009', uid: '1700000000.9', linked: trunk.linked, context: 'from-internal', state: 'Down' };
    const h = new Harness({ mobiles: [['+79161234567', '101'], ['+79169990102', '102']] }).feed(
      newchannel(trunk), newchannel(desk), dialBegin(trunk, desk, 'PJSIP/101'), dialEnd(trunk, desk, 'ANSWER'), bridgeEnter(desk, 'br1'), bridgeEnter(trunk, 'br1'),
      ev('BlindTransfer', { blocks: { Transferer: desk, Transferee: trunk }, extra: { Result: 'Success', IsExternal: 'Yes', Extension: '089169990102', Context: 'from-internal' } }),
      bridgeLeave(desk, 'br1'), bridgeLeave(trunk, 'br1'), hangup(desk),
      newchannel(bobsMobile), dialBegin(trunk, bobsMobile, '79169990102@trunk'), dialEnd(trunk, bobsMobile, 'ANSWER'),
      bridgeEnter(bobsMobile, 'br2'), bridgeEnter(trunk, 'br2'), bridgeLeave(trunk, 'br2'), hangup(trunk), bridgeLeave(bobsMobile, 'br2'), hangup(bobsMobile),
    );
    assert.deepEqual(h.last().call.conversations.map((c) => [c.extension, c.via, c.mobile ?? null, c.acceptedAt !== undefined, c.endReason]), [
      ['101', 'dial', null, true, 'transfer'], ['102', 'transfer', '79169990102', true, 'hangup'],
    ]);
    assert.equal(h.last().call.statusCode, '200');
  });

  test('an employee calling in from their own mobile: the call says whose mobile it is (the flow treats it as internal)', () => {
    const fromAlice: Chan = { ...trunk, cid: '+79161234567' };
    const h = new Harness(FMC).feed(newchannel(fromAlice), newchannel(desk), dialBegin(fromAlice, { ...desk, name: 'PJSIP/102-00000002' }, 'PJSIP/102'));
    assert.equal(h.changes[0]?.call.fromMobileOf, '101');
    const client = new Harness(FMC).feed(newchannel(trunk), newchannel(desk), dialBegin(trunk, desk, 'PJSIP/101'));
    assert.equal(client.changes[0]?.call.fromMobileOf, undefined);
  });
});
