/**
 * Event-sequence semantics by channel role (the same milestones, in the same order) for flows the
 * shared lab22 set does not have: the attended transfer against our 22.10.1 recording
 * (`test/fixtures/ami-recorded/lab22-o`, REFER with Replaces) and the cacofonisk (Asterisk 13) one,
 * follow-me via Local against cacofonisk. Field layout is 22's (checked elsewhere); Local hops of the
 * VoIPGRID dialplan are ignored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCall } from '../generate.js';
import { callEvents, fakeIds, generatedEvents, loadFixture, nameOf, RECORDED_DIR, type Ev } from './fixture-compare.js';

const val = (e: Ev, k: string): string => e.find(([kk]) => kk === k)?.[1] ?? '';
const MILESTONES = new Set(['BridgeEnter', 'BridgeLeave', 'BridgeDestroy', 'AttendedTransfer', 'Hangup']);

/** (event, role) from the transferee's last BridgeLeave before AttendedTransfer up to the second transferer Hangup. */
function transferCore(evs: readonly Ev[], roles: Readonly<Record<string, string>>): string[] {
  const tagged = evs
    .filter((e) => MILESTONES.has(nameOf(e)))
    .map((e) => {
      const n = nameOf(e);
      const role = n === 'AttendedTransfer' || n === 'BridgeDestroy' ? '-' : roles[val(e, 'Channel')];
      return role === undefined ? undefined : `${n}:${role}`;
    })
    .filter((t): t is string => t !== undefined);
  const xfer = tagged.indexOf('AttendedTransfer:-');
  const start = tagged.lastIndexOf('BridgeLeave:transferee', xfer);
  const out: string[] = [];
  let transfererHangups = 0;
  for (const t of tagged.slice(start)) {
    out.push(t);
    if (t.startsWith('Hangup:transferer') && ++transfererHangups === 2) break;
  }
  return out;
}

const attendedSpec = { type: 'attended-transfer', from: '+4930123456', did: '5551006', to: '101', transferTo: '102' } as const;
const genRoles = {
  'PJSIP/trunk-00000001': 'transferee', 'PJSIP/101-00000002': 'transferer1',
  'PJSIP/101-00000003': 'transferer2', 'PJSIP/102-00000004': 'target',
};

test('attended transfer: transfer milestones match Asterisk 22.10.1 (lab22-o, REFER with Replaces)', () => {
  const fx = callEvents(loadFixture('lab22-o_attended_transfer.txt', RECORDED_DIR));
  const roles = {
    'PJSIP/trunk-00000029': 'transferee', 'PJSIP/101-0000002a': 'transferer1',
    'PJSIP/101-0000002b': 'transferer2', 'PJSIP/102-0000002c': 'target',
  };
  const expected = transferCore(fx, roles);
  assert.deepEqual(expected, [
    'BridgeLeave:transferee', 'BridgeLeave:transferer2', 'BridgeEnter:transferee', 'AttendedTransfer:-',
    'BridgeLeave:transferer1', 'BridgeDestroy:-', 'Hangup:transferer1', 'Hangup:transferer2',
  ]);
  const gen = generatedEvents(generateCall(attendedSpec, fakeIds(1795322993, 1, 1)));
  assert.deepEqual(transferCore(gen, genRoles), expected);
  // Hold, the consultation call and the REFER, by role (media and transfer events too).
  const steps = (evs: readonly Ev[], r: Readonly<Record<string, string>>): string[] => {
    const keep = new Set(['Hold', 'Unhold', 'MusicOnHoldStart', 'MusicOnHoldStop', 'BridgeEnter', 'BridgeLeave', 'SoftHangupRequest', 'AttendedTransfer', 'Hangup']);
    const from = evs.findIndex((e) => nameOf(e) === 'Hold');
    const to = evs.findIndex((e) => nameOf(e) === 'Hangup' && r[val(e, 'Channel')] === 'transferer2');
    return evs.slice(from, to + 1).filter((e) => keep.has(nameOf(e))).map((e) => {
      const n = nameOf(e);
      if (n === 'AttendedTransfer') return `${n} IsExternal=${val(e, 'IsExternal')} DestType=${val(e, 'DestType')} target=${val(e, 'TransferTargetLinkedid') === val(e, 'SecondTransfererLinkedid') ? 'consultation' : 'caller'}`;
      const cause = n === 'SoftHangupRequest' ? `(${val(e, 'Cause')})` : '';
      return `${n}:${r[val(e, 'Channel')] ?? '?'}${cause}`;
    });
  };
  assert.deepEqual(steps(gen, genRoles), steps(fx, roles));
  // After the transfer the target carries the caller's Linkedid.
  const lastTarget = gen.filter((e) => val(e, 'Channel') === 'PJSIP/102-00000004').pop()!;
  assert.equal(val(lastTarget, 'Linkedid'), '1795322993.1');
});

test('attended transfer: same core as cacofonisk\'s Asterisk 13 transcript, but for the transferers\' hangup order', () => {
  const fx = callEvents(loadFixture('extcf-attended_transfer.txt'));
  const expected = transferCore(fx, {
    'SIP/150010001-0000002c': 'transferee', 'SIP/150010002-0000002d': 'transferer1',
    'SIP/150010002-0000002e': 'transferer2', 'SIP/150010003-0000002f': 'target',
  });
  assert.deepEqual(expected, [
    'BridgeLeave:transferee', 'BridgeLeave:transferer2', 'BridgeEnter:transferee', 'AttendedTransfer:-',
    'BridgeLeave:transferer1', 'BridgeDestroy:-', 'Hangup:transferer2', 'Hangup:transferer1',
  ]);
  const gen = generatedEvents(generateCall(attendedSpec, fakeIds(1795322993, 1, 1)));
  assert.deepEqual(transferCore(gen, genRoles).slice(0, 6), expected.slice(0, 6));
  const xfer = gen.find((e) => nameOf(e) === 'AttendedTransfer')!;
  assert.equal(val(xfer, 'OrigTransfererChannel'), 'PJSIP/101-00000002');
  assert.equal(val(xfer, 'SecondTransfererChannel'), 'PJSIP/101-00000003');
  assert.equal(val(xfer, 'TransfereeChannel'), 'PJSIP/trunk-00000001');
  assert.equal(val(xfer, 'TransferTargetChannel'), 'PJSIP/102-00000004');
  assert.equal(val(xfer, 'DestType'), 'Bridge');
});

/** Properties of a follow-me-through-Local call, computed the same way for both sources. */
function followmeShape(evs: readonly Ev[], caller: string, phone: string): Record<string, unknown> {
  const idx = (pred: (e: Ev) => boolean): number => evs.findIndex(pred);
  const callerDial = evs.find((e) => nameOf(e) === 'DialBegin' && val(e, 'Channel') === caller)!;
  const phoneDial = evs.find((e) => nameOf(e) === 'DialBegin' && val(e, 'DestChannel') === phone)!;
  const phoneUp = idx((e) => nameOf(e) === 'Newstate' && val(e, 'Channel') === phone && val(e, 'ChannelStateDesc') === 'Up');
  const callerAnswered = idx((e) => nameOf(e) === 'DialEnd' && val(e, 'Channel') === caller && val(e, 'DialStatus') === 'ANSWER');
  const bridgeOf = new Map<string, string>();
  let shared = false;
  for (const e of evs) {
    if (nameOf(e) === 'BridgeEnter') bridgeOf.set(val(e, 'Channel'), val(e, 'BridgeUniqueid'));
    if (nameOf(e) === 'BridgeLeave') bridgeOf.delete(val(e, 'Channel'));
    if (bridgeOf.has(caller) && bridgeOf.get(caller) === bridgeOf.get(phone)) shared = true;
  }
  const locals = new Set(evs.filter((e) => val(e, 'Channel').startsWith('Local/')).map((e) => val(e, 'Channel')));
  const localHangups = evs.filter((e) => nameOf(e) === 'Hangup' && locals.has(val(e, 'Channel'))).length;
  const lastLocalHangup = evs.map((e, i) => (nameOf(e) === 'Hangup' && locals.has(val(e, 'Channel')) ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  const firstRealHangup = idx((e) => nameOf(e) === 'Hangup' && (val(e, 'Channel') === caller || val(e, 'Channel') === phone));
  const linked = new Set(evs.filter((e) => val(e, 'Linkedid')).map((e) => val(e, 'Linkedid')));
  return {
    callerDialsLocal: val(callerDial, 'DestChannel').startsWith('Local/') && val(callerDial, 'DestChannel').endsWith(';1'),
    localDialsPhone: val(phoneDial, 'Channel').startsWith('Local/') && val(phoneDial, 'Channel').endsWith(';2'),
    phoneAnswersBeforeCaller: phoneUp >= 0 && phoneUp < callerAnswered,
    callerAndPhoneShareABridge: shared,
    everyLocalHungUp: localHangups === locals.size && locals.size > 0,
    localsGoneBeforeTheCall: lastLocalHangup < firstRealHangup,
    oneLinkedid: linked.size === 1,
  };
}

test('follow-me via Local: call shape matches extcf-call_forwarding_local', () => {
  const fx = callEvents(loadFixture('extcf-call_forwarding_local.txt'));
  const expected = followmeShape(fx, 'SIP/voipgrid-siproute-docker-00000016', 'SIP/150010002-00000018');
  const gen = generatedEvents(generateCall({ type: 'followme', from: '+4930123456', did: '5551005', viaLocal: true, to: '101', outcome: 'answered' }, fakeIds(1795322993, 1, 1)));
  const actual = followmeShape(gen, 'PJSIP/trunk-00000001', 'PJSIP/101-00000003');
  assert.deepEqual(expected, {
    callerDialsLocal: true, localDialsPhone: true, phoneAnswersBeforeCaller: true, callerAndPhoneShareABridge: true,
    everyLocalHungUp: true, localsGoneBeforeTheCall: true, oneLinkedid: true,
  });
  assert.deepEqual(actual, expected);
});
