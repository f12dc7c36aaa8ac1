/** Focused rules of the call tracker, on synthetic events shaped like the real transcripts. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { reconcileLiveChannels, sweepIdleCalls } from '../../src/core/call/tracker.js';
import { Harness, ev, newchannel, hangup, dialBegin, dialEnd, bridgeEnter, bridgeLeave, type Chan } from './helpers.js';

const trunk: Chan = { name: 'PJSIP/trunk-00000001', uid: '1700000000.1', linked: '1700000000.1', context: 'from-trunk', exten: '5551000', cid: '+4930123456', state: 'Ring' };
const ext = (n: string, uid: string, linked = trunk.linked): Chan => ({ name: `PJSIP/${n}-0000000${uid.slice(-1)}`, uid, linked, state: 'Down' });

describe('queues', () => {
  test('duplicate DialEnd CANCEL for a losing ringall member ends it once, counted as duplicate', () => {
    const a = ext('101', '1700000000.2');
    const b = ext('102', '1700000000.3');
    const h = new Harness().feed(
      newchannel(trunk),
      ev('QueueCallerJoin', { ch: trunk, extra: { Queue: 'sales', Position: '1', Count: '1' } }),
      newchannel(a), ev('AgentCalled', { ch: trunk, dest: a, extra: { Queue: 'sales' } }), dialBegin(trunk, a, 'PJSIP/101'),
      newchannel(b), ev('AgentCalled', { ch: trunk, dest: b, extra: { Queue: 'sales' } }), dialBegin(trunk, b, 'PJSIP/102'),
      dialEnd(trunk, b, 'ANSWER'), dialEnd(trunk, a, 'CANCEL'), dialEnd(trunk, a, 'CANCEL'),
      ev('QueueCallerLeave', { ch: trunk, extra: { Queue: 'sales' } }), hangup(a, '26'),
      ev('AgentConnect', { ch: trunk, dest: b, extra: { Queue: 'sales' } }),
      bridgeEnter(b, 'br1'), bridgeEnter(trunk, 'br1'), bridgeLeave(trunk, 'br1'), hangup(trunk), bridgeLeave(b, 'br1'), hangup(b),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_requested 102',
      '1700000000.1 conversation_accepted 102',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_ended 102',
      '1700000000.1 call_ended',
    ]);
    assert.equal(h.state.counters.anomalies, 0);
    assert.equal(h.state.counters.duplicates, 2); // second CANCEL + AgentConnect after DialEnd ANSWER
    assert.equal(h.changes[0]?.conversation?.via, 'queue');
    assert.equal(h.changes[0]?.conversation?.queue, 'sales');
    assert.equal(h.last().call.statusCode, '200');
    assert.equal(h.state.calls.size, 0);
    assert.equal(h.state.channels.size, 0);
  });

  test('queue abandon: every member CANCELled twice, QueueCallerAbandon → 304 abandoned', () => {
    const a = ext('101', '1700000000.2');
    const h = new Harness().feed(
      newchannel(trunk), ev('QueueCallerJoin', { ch: trunk, extra: { Queue: 'sales' } }),
      newchannel(a), dialBegin(trunk, a), dialEnd(trunk, a, 'CANCEL'), dialEnd(trunk, a, 'CANCEL'),
      ev('QueueCallerAbandon', { ch: trunk, extra: { Queue: 'sales', HoldTime: '4' } }),
      hangup(a, '0'), hangup(trunk, '0'),
    );
    const end = h.last();
    assert.equal(end.stage, 'call_ended');
    assert.deepEqual(end.call.outcome, { reason: 'abandoned', statusCode: '304' });
  });
});

describe('Local channels', () => {
  const l1: Chan = { name: 'Local/101@followme-00000001;1', uid: '1700000000.2', linked: trunk.linked, state: 'Down' };
  const l2: Chan = { name: 'Local/101@followme-00000001;2', uid: '1700000000.3', linked: trunk.linked, state: 'Ring' };
  const phone = ext('101', '1700000000.4');

  test('a follow-me leg through Local/…;1/;2 is the real extension, with optimisation (SwapUniqueid)', () => {
    const h = new Harness().feed(
      newchannel(trunk), newchannel(l1), newchannel(l2),
      ev('LocalBridge', { blocks: { LocalOne: l1, LocalTwo: l2 }, extra: { LocalOptimization: 'Yes' } }),
      dialBegin(trunk, l1, 'Local/101@followme'), newchannel(phone), dialBegin(l2, phone, 'PJSIP/101'),
      dialEnd(l2, phone, 'ANSWER'), bridgeEnter(phone, 'inner'), bridgeEnter(l2, 'inner'),
      dialEnd(trunk, l1, 'ANSWER'), bridgeEnter(l1, 'outer'), bridgeEnter(trunk, 'outer'),
      ev('LocalOptimizationBegin', { blocks: { LocalOne: l1, LocalTwo: l2 } }),
      bridgeLeave(trunk, 'outer'), bridgeLeave(l2, 'inner'), bridgeEnter(trunk, 'inner', l2.uid),
      ev('LocalOptimizationEnd', { blocks: { LocalOne: l1, LocalTwo: l2 }, extra: { Success: 'Yes' } }),
      hangup(l2), bridgeLeave(l1, 'outer'), hangup(l1),
      bridgeLeave(trunk, 'inner'), bridgeLeave(phone, 'inner'), hangup(trunk), hangup(phone),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_accepted 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 call_ended',
    ]);
    assert.equal(h.changes[0]?.conversation?.channel, 'PJSIP/101-00000004');
    assert.equal(h.state.counters.anomalies, 0);
  });

  test('without optimisation (/n) a caller cancel reaches the phone through the Local half', () => {
    const h = new Harness().feed(
      newchannel(trunk), newchannel(l1), newchannel(l2), dialBegin(trunk, l1), newchannel(phone), dialBegin(l2, phone),
      dialEnd(trunk, l1, 'CANCEL'), hangup(trunk, '16'), hangup(l1), hangup(l2), hangup(phone, '0'),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 call_ended',
    ]);
    assert.equal(h.changes[1]?.conversation?.endReason, 'CANCEL');
    assert.equal(h.last().call.statusCode, '304');
  });
});

describe('transfers and joined calls', () => {
  test('blind transfer: the transferer conversation ends, the target opens a new one in the same call', () => {
    const a = ext('101', '1700000000.2');
    const b = ext('102', '1700000000.3');
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), dialBegin(trunk, a), dialEnd(trunk, a, 'ANSWER'), bridgeEnter(a, 'br1'), bridgeEnter(trunk, 'br1'),
      ev('BlindTransfer', { blocks: { Transferer: a, Transferee: trunk }, extra: { Result: 'Success', Extension: '102', Context: 'from-internal', BridgeUniqueid: 'br1' } }),
      bridgeLeave(a, 'br1'), bridgeLeave(trunk, 'br1'), hangup(a),
      newchannel(b), dialBegin(trunk, b), dialEnd(trunk, b, 'ANSWER'), bridgeEnter(b, 'br2'), bridgeEnter(trunk, 'br2'),
      bridgeLeave(trunk, 'br2'), bridgeLeave(b, 'br2'), hangup(trunk), hangup(b),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_accepted 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_requested 102',
      '1700000000.1 conversation_accepted 102',
      '1700000000.1 conversation_ended 102',
      '1700000000.1 call_ended',
    ]);
    assert.equal(h.changes[2]?.conversation?.endReason, 'transfer');
    assert.equal(h.changes[3]?.conversation?.via, 'transfer');
    assert.equal(h.last().call.conversations.length, 2);
  });

  test('Pickup (22.10, lab22-k): the picker takes the rung leg\'s place; DialEnd ANSWER names the picker', () => {
    const a = ext('101', '1700000000.2');
    const picker: Chan = { name: 'PJSIP/102-00000009', uid: '1700000005.9', linked: '1700000005.9', state: 'Up', exten: '**101' };
    const joined: Chan = { ...picker, linked: trunk.linked };
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), dialBegin(trunk, a, '101'), newchannel(picker),
      ev('Pickup', { ch: picker, blocks: { Target: { ...a, state: 'Ringing' } } }),
      // The masquerade kept the picker's name and Uniqueid: app_dial now speaks of it, with its old Linkedid.
      dialEnd(trunk, picker, 'ANSWER'),
      bridgeEnter(picker, 'br1'), bridgeEnter(trunk, 'br1'), hangup(a, '26'),
      bridgeLeave(joined, 'br1'), bridgeLeave(trunk, 'br1'), hangup(joined), hangup(trunk),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_requested 102',
      '1700000000.1 conversation_accepted 102',
      '1700000000.1 conversation_ended 102',
      '1700000000.1 call_ended',
    ]);
    assert.equal(h.changes[1]?.conversation?.endReason, 'picked_up');
    assert.equal(h.changes[2]?.conversation?.via, 'pickup');
    assert.equal(h.changes[4]?.conversation?.endReason, 'hangup');
    assert.equal(h.last().call.statusCode, '200');
    assert.equal(h.last().call.conversations.length, 2);
    // The picker's own call had nothing in it: dropped without a stage.
    assert.equal(h.changes.filter((c) => c.callKey === picker.linked).length, 0);
    assert.equal(h.state.calls.size, 0);
  });

  test('group pickup (*8, lab22-l): the rung leg hangs up before DialEnd; the picker is still accepted', () => {
    const a = ext('101', '1700000000.2');
    const picker: Chan = { name: 'PJSIP/102-0000000a', uid: '1700000005.10', linked: '1700000005.10', state: 'Up', exten: '*8' };
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), dialBegin(trunk, a, '101'), newchannel(picker),
      ev('Pickup', { ch: picker, blocks: { Target: { ...a, state: 'Ringing' } } }),
      hangup(a, '16'), dialEnd(trunk, picker, 'ANSWER'),
      bridgeEnter(picker, 'br1'), bridgeEnter(trunk, 'br1'),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_requested 102',
      '1700000000.1 conversation_accepted 102',
    ]);
    assert.equal(h.changes[1]?.conversation?.endReason, 'picked_up');
  });

  test('parked call retrieved (lab22-n): the retriever enters the bridge already with the call\'s Linkedid', () => {
    const a = ext('101', '1700000000.2');
    const b: Chan = { name: 'PJSIP/102-00000009', uid: '1700000010.9', linked: '1700000010.9', state: 'Up', exten: '701' };
    const parking = (c: Chan) => ev('BridgeEnter', { ch: c, extra: { BridgeUniqueid: 'lot', BridgeType: 'parking', BridgeTechnology: 'holding_bridge' } });
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), dialBegin(trunk, a, '101'), dialEnd(trunk, a, 'ANSWER'), bridgeEnter(a, 'br1'), bridgeEnter(trunk, 'br1'),
      ev('BlindTransfer', { blocks: { Transferer: a, Transferee: trunk }, extra: { Result: 'Success', IsExternal: 'Yes', Extension: '700', Context: 'from-internal' } }),
      bridgeLeave(trunk, 'br1'), parking(trunk), bridgeLeave(a, 'br1'), hangup(a),
      newchannel(b), bridgeLeave(trunk, 'lot'), bridgeEnter(trunk, 'br2'),
      bridgeEnter({ ...b, linked: trunk.linked }, 'br2'),
      bridgeLeave({ ...b, linked: trunk.linked }, 'br2'), bridgeLeave(trunk, 'br2'), hangup(trunk), hangup({ ...b, linked: trunk.linked }),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_accepted 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_requested 102',
      '1700000000.1 conversation_accepted 102',
      '1700000000.1 conversation_ended 102',
      '1700000000.1 call_ended',
    ]);
    assert.equal(h.changes[2]?.conversation?.endReason, 'transfer');
    assert.equal(h.changes[3]?.conversation?.via, 'pickup');
    assert.equal(h.last().call.conversations.length, 2);
    assert.equal(h.changes.filter((c) => c.callKey === b.linked).length, 0);
  });

  test('blind transfer where a Local pair from the bridge dials the target (a two-party bridge on 22.10 does not: lab22-q)', () => {
    const a = ext('101', '1700000000.2');
    const l1: Chan = { name: 'Local/102@from-internal-0000000a;1', uid: '1700000000.5', linked: trunk.linked };
    const l2: Chan = { name: 'Local/102@from-internal-0000000a;2', uid: '1700000000.6', linked: trunk.linked, state: 'Ring' };
    const b = ext('102', '1700000000.7');
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), dialBegin(trunk, a), dialEnd(trunk, a, 'ANSWER'), bridgeEnter(a, 'br1'), bridgeEnter(trunk, 'br1'),
      ev('BlindTransfer', { blocks: { Transferer: a, Transferee: trunk }, extra: { Result: 'Success', IsExternal: 'Yes', Extension: '102', Context: 'from-internal' } }),
      bridgeLeave(a, 'br1'), hangup(a), newchannel(l1), newchannel(l2), bridgeEnter(l1, 'br1'),
      newchannel(b), dialBegin(l2, b, 'PJSIP/102'), dialEnd(l2, b, 'ANSWER'),
    );
    assert.deepEqual(h.lines().slice(2), [
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_requested 102',
      '1700000000.1 conversation_accepted 102',
    ]);
    assert.equal(h.changes[3]?.conversation?.via, 'transfer');
  });

  test('an incoming call forwarded to an outside number and answered there is answered (200)', () => {
    const mobile: Chan = { name: 'PJSIP/trunk-00000009', uid: '1700000000.9', linked: trunk.linked, context: 'from-trunk', state: 'Down' };
    const h = new Harness().feed(newchannel(trunk), newchannel(mobile), dialBegin(trunk, mobile, '0049170123@trunk'), dialEnd(trunk, mobile, 'ANSWER'), hangup(mobile), hangup(trunk));
    assert.deepEqual(h.lines(), ['1700000000.1 call_ended']);
    assert.deepEqual(h.last().call.outcome, { reason: 'answered', statusCode: '200' });
    assert.equal(h.last().call.answeredAt, 1_004_000);
  });

  test('a phone with its own Linkedid bridged into the call (retrieval) joins it as a new conversation', () => {
    const a = ext('101', '1700000000.2');
    const picker: Chan = { name: 'PJSIP/102-00000009', uid: '1700000005.9', linked: '1700000005.9', state: 'Ring', exten: '*8' };
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), dialBegin(trunk, a),
      newchannel(picker),
      dialEnd(trunk, a, 'ANSWER'), hangup(a, '26'),
      bridgeEnter(trunk, 'br1'), bridgeEnter(picker, 'br1'),
      // From now on events show the picker with the call's Linkedid.
      bridgeLeave({ ...picker, linked: trunk.linked }, 'br1'), bridgeLeave(trunk, 'br1'),
      hangup(trunk), hangup({ ...picker, linked: trunk.linked }),
    );
    assert.deepEqual(h.lines(), [
      '1700000000.1 conversation_requested 101',
      '1700000000.1 conversation_accepted 101',
      '1700000000.1 conversation_ended 101',
      '1700000000.1 conversation_requested 102',
      '1700000000.1 conversation_accepted 102',
      '1700000000.1 conversation_ended 102',
      '1700000000.1 call_ended',
    ]);
    assert.equal(h.changes[3]?.conversation?.via, 'pickup');
    // The picker's own call had nothing to say: dropped without a call_ended.
    assert.equal(h.changes.filter((c) => c.callKey === picker.linked).length, 0);
    assert.equal(h.state.calls.size, 0);
  });

  test('a channel whose Linkedid changes to another live call moves there with its conversation', () => {
    const a: Chan = { name: 'PJSIP/101-00000001', uid: '1700000010.1', linked: '1700000010.1', state: 'Ring' };
    const c = ext('103', '1700000010.2', a.linked);
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), newchannel(c), dialBegin(a, c), dialEnd(a, c, 'ANSWER'),
      ev('Newstate', { ch: { ...c, linked: trunk.linked } }),
    );
    assert.deepEqual(h.lines(), [
      '1700000010.1 conversation_requested 103',
      '1700000010.1 conversation_accepted 103',
      '1700000010.1 conversation_ended 103',
      '1700000000.1 conversation_requested 103',
      '1700000000.1 conversation_accepted 103',
    ]);
    assert.equal(h.changes[2]?.conversation?.endReason, 'joined');
    assert.equal(h.changes[3]?.conversation?.via, 'joined');
  });
});

describe('bridges that are not conversations', () => {
  test('two parked calls in one holding bridge stay two calls', () => {
    const t2: Chan = { ...trunk, name: 'PJSIP/trunk-00000002', uid: '1700000100.1', linked: '1700000100.1' };
    const holding = (c: Chan) => ev('BridgeEnter', { ch: c, extra: { BridgeUniqueid: 'lot', BridgeType: 'holding', BridgeTechnology: 'holding_bridge' } });
    const h = new Harness().feed(newchannel(trunk), newchannel(t2), holding(trunk), holding(t2));
    assert.equal(h.state.calls.size, 2);
    assert.deepEqual(h.lines(), []);
  });
});

describe('connected mid-call (no Newchannel seen)', () => {
  test('the call is keyed and classified from its oldest channel even when a dial names it first', () => {
    const a = ext('101', '1700000000.2');
    const h = new Harness().feed(dialBegin(trunk, a, '101'), dialEnd(trunk, a, 'ANSWER'));
    assert.deepEqual(h.lines(), ['1700000000.1 conversation_requested 101', '1700000000.1 conversation_accepted 101']);
    assert.equal(h.last().call.direction, 'incoming');
    assert.equal(h.last().call.did, '5551000');
  });
});

describe('anomalies and late events', () => {
  test('an illegal transition is counted, never thrown, and changes nothing', () => {
    const a = ext('101', '1700000000.2');
    const h = new Harness().feed(
      newchannel(trunk), newchannel(a), dialBegin(trunk, a), dialEnd(trunk, a, 'NOANSWER'),
      ev('AgentConnect', { ch: trunk, dest: a, extra: { Queue: 'q' } }),
    );
    assert.equal(h.state.counters.anomalies, 1);
    assert.equal(h.state.anomalies[0]?.code, 'CALL_ILLEGAL_TRANSITION');
    assert.match(h.state.anomalies[0]?.detail ?? '', /conversation_ended -> conversation_accepted/);
    assert.deepEqual(h.lines(), ['1700000000.1 conversation_requested 101', '1700000000.1 conversation_ended 101']);
  });

  test('events repeated after call_ended (a doubled log) do not resurrect the call', () => {
    const a = ext('101', '1700000000.2');
    const h = new Harness().feed(newchannel(trunk), newchannel(a), dialBegin(trunk, a), dialEnd(trunk, a, 'BUSY'), hangup(a, '17'), hangup(trunk, '17'));
    const before = h.changes.length;
    h.feed(hangup(trunk, '17'), dialEnd(trunk, a, 'BUSY'), ev('Newstate', { ch: trunk }));
    assert.equal(h.changes.length, before);
    assert.equal(h.state.calls.size, 0);
    assert.equal(h.state.channels.size, 0);
    assert.equal(h.state.counters.late, 4); // DialEnd counts its caller and its dest
    assert.deepEqual(h.changes[before - 1]?.call.outcome, { reason: 'busy', statusCode: '486' });
  });

  test('an IVR abandon (no dial at all) is a missed call with no conversation', () => {
    const h = new Harness().feed(newchannel(trunk), ev('Newstate', { ch: trunk }), hangup(trunk, '0'));
    assert.deepEqual(h.lines(), ['1700000000.1 call_ended']);
    assert.equal(h.last().call.direction, 'incoming');
    assert.equal(h.last().call.did, '5551000');
    assert.equal(h.last().call.clientNumber, '+4930123456');
    assert.deepEqual(h.last().call.outcome, { reason: 'abandoned', statusCode: '304' });
  });

  test('an internal call that reaches nobody (voicemail) is forgotten without a stage', () => {
    const a: Chan = { name: 'PJSIP/101-00000001', uid: '1700000020.1', linked: '1700000020.1', state: 'Ring', exten: '*97' };
    const h = new Harness().feed(newchannel(a), ev('Newstate', { ch: a }), hangup(a));
    assert.deepEqual(h.lines(), []);
    assert.equal(h.state.calls.size, 0);
  });

  test('memory: 2,000 finished calls leave no call or channel behind and a bounded memory of ids', () => {
    const h = new Harness({ rememberEnded: 100 });
    for (let i = 0; i < 2000; i++) {
      const t: Chan = { ...trunk, uid: `1700001000.${2 * i}`, linked: `1700001000.${2 * i}` };
      const p = ext('101', `1700001000.${2 * i + 1}`, t.linked);
      h.feed(newchannel(t), newchannel(p), dialBegin(t, p), dialEnd(t, p, 'NOANSWER'), hangup(p, '0'), hangup(t));
    }
    assert.equal(h.changes.filter((c) => c.stage === 'call_ended').length, 2000);
    assert.equal(h.state.calls.size, 0);
    assert.equal(h.state.channels.size, 0);
    assert.equal(h.state.bridges.size, 0);
    assert.ok(h.state.gone.size <= 100);
  });
});

describe('directions', () => {
  test('outgoing: the caller extension owns the conversation, accepted when the trunk answers', () => {
    const a: Chan = { name: 'PJSIP/101-00000001', uid: '1700000030.1', linked: '1700000030.1', state: 'Ring', exten: '0049301234' };
    const out: Chan = { name: 'PJSIP/trunk-00000002', uid: '1700000030.2', linked: a.linked, context: 'from-trunk', state: 'Down' };
    const h = new Harness().feed(newchannel(a), newchannel(out), dialBegin(a, out, '049301234@trunk'), dialEnd(a, out, 'ANSWER'));
    assert.deepEqual(h.lines(), ['1700000030.1 conversation_requested 101', '1700000030.1 conversation_accepted 101']);
    const call = h.last().call;
    assert.equal(call.direction, 'outgoing');
    assert.equal(call.clientNumber, '049301234');
    assert.equal(call.trunk, 'trunk');
    assert.equal(call.answeredAt, h.last().at);
  });

  test('click-to-call by variable: B24_CALL_ID marks the call and is kept', () => {
    const a: Chan = { name: 'PJSIP/101-00000001', uid: '1700000040.1', linked: '1700000040.1', state: 'Down' };
    const h = new Harness().feed(
      newchannel(a), ev('VarSet', { ch: a, extra: { Variable: 'B24_CALL_ID', Value: 'externalCall.abc' } }),
      dialBegin(undefined, a, '101'),
    );
    assert.equal(h.last().call.direction, 'click-to-call');
    assert.equal(h.last().call.b24CallId, 'externalCall.abc');
    assert.equal(h.last().conversation?.via, 'originate');
  });

  test('click-to-call to an inner number: both conversations are accepted when the callee answers', () => {
    const a: Chan = { name: 'PJSIP/101-00000001', uid: '1700000050.1', linked: '1700000050.1', state: 'Down' };
    const b = ext('102', '1700000050.2', a.linked);
    const h = new Harness().feed(
      newchannel(a), dialBegin(undefined, a, '101'), dialEnd(undefined, a, 'ANSWER'),
      newchannel(b), dialBegin(a, b, '102'), dialEnd(a, b, 'ANSWER'),
    );
    assert.deepEqual(h.lines(), [
      '1700000050.1 conversation_requested 101',
      '1700000050.1 conversation_requested 102',
      '1700000050.1 conversation_accepted 102',
      '1700000050.1 conversation_accepted 101',
    ]);
    assert.equal(h.last().call.direction, 'click-to-call');
  });

  test('recordings: MIXMONITOR_FILENAME values are collected once each', () => {
    const h = new Harness().feed(
      newchannel(trunk),
      ev('VarSet', { ch: trunk, extra: { Variable: 'MIXMONITOR_FILENAME', Value: '/var/spool/asterisk/monitor/x.wav' } }),
      ev('VarSet', { ch: trunk, extra: { Variable: 'MIXMONITOR_FILENAME', Value: '/var/spool/asterisk/monitor/x.wav' } }),
      hangup(trunk),
    );
    assert.deepEqual(h.last().call.recordings, ['/var/spool/asterisk/monitor/x.wav']);
  });
});

describe('maintenance', () => {
  test('reconcile after a reconnect: channels CoreShowChannels no longer lists end their calls', () => {
    const a = ext('101', '1700000000.2');
    const other: Chan = { ...trunk, name: 'PJSIP/trunk-00000007', uid: '1700000200.1', linked: '1700000200.1' };
    const h = new Harness().feed(newchannel(trunk), newchannel(a), dialBegin(trunk, a), dialEnd(trunk, a, 'ANSWER'), newchannel(other));
    const changes = reconcileLiveChannels(h.state, new Set([other.uid]), 5_000_000);
    assert.deepEqual(changes.map((c) => `${c.callKey} ${c.stage} ${c.at}`), [
      '1700000000.1 conversation_ended 5000000',
      '1700000000.1 call_ended 5000000',
    ]);
    assert.equal(changes[1]?.call.statusCode, '200');
    assert.deepEqual([...h.state.calls.keys()], [other.linked]);
  });

  test('sweep: a call with no event for longer than idleMs is ended, a recent one is kept', () => {
    const other: Chan = { ...trunk, name: 'PJSIP/trunk-00000007', uid: '1700000200.1', linked: '1700000200.1' };
    const h = new Harness().feed(newchannel(trunk), newchannel(other)); // events at 1,001,000 and 1,002,000
    assert.deepEqual(sweepIdleCalls(h.state, 1_001_999, 1000), []);
    assert.deepEqual(sweepIdleCalls(h.state, 1_002_500, 1000).map((c) => `${c.callKey} ${c.stage}`), ['1700000000.1 call_ended']);
    assert.deepEqual([...h.state.calls.keys()], [other.linked]);
  });
});

describe('callback', () => {
  test('B24_CALLBACK=1 set by the callback Originate marks the call', () => {
    const a: Chan = { name: 'PJSIP/101-00000001', uid: '1700000060.1', linked: '1700000060.1', state: 'Down' };
    const h = new Harness().feed(
      newchannel(a), ev('VarSet', { ch: a, extra: { Variable: 'B24_CALLBACK', Value: '1' } }),
      dialBegin(undefined, a, '101'),
    );
    assert.equal(h.last().call.callback, true);
  });
});
