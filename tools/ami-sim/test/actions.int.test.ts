import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { field, fieldAll } from '../../../src/adapters/ami/message.js';
import { parseTranscript } from '../player/transcript.js';
import { startAmiSim, type AmiSim } from '../server/sim.js';
import { fixturesDir, login, pairs, rawClient } from './raw-client.js';

describe('Originate, Redirect, Status and Hangup on played calls', () => {
  let sim: AmiSim;
  before(async () => {
    // No generator: the built-in click-to-call flow; fast flows, time scale 0.
    sim = await startAmiSim({ secret: 'o', timeScale: 0, flowTiming: { ringMs: 50, talkMs: 50 } });
  });
  after(async () => {
    await sim.close();
  });

  test('Originate validation errors use Asterisk\'s messages', async () => {
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 'o', 'off');
      const o = (extra: Array<[string, string]>) => c.action([['Action', 'Originate'], ...extra]);
      assert.equal(field(await o([['Context', 'from-internal']]), 'Message'), 'Channel not specified');
      assert.equal(field(await o([['Channel', 'PJSIP101'], ['Context', 'from-internal'], ['Exten', '101'], ['Priority', '1']]), 'Message'), 'Invalid channel');
      assert.equal(field(await o([['Channel', 'PJSIP/101'], ['Context', 'from-internal'], ['Exten', '101'], ['Priority', 'x']]), 'Message'), 'Invalid priority');
      const r = await o([['ActionID', '15'], ['Channel', 'PJSIP/103'], ['Context', 'from-internal'], ['Exten', '999999'], ['Priority', '1'], ['Async', 'true']]);
      assert.deepEqual(pairs(r), [['Response', 'Error'], ['ActionID', '15'], ['Message', 'Extension does not exist.']]);
    } finally {
      c.close();
    }
  });

  test('Async Originate to an unknown endpoint: queued, then OriginateResponse Failure Reason 0', async () => {
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 'o', 'call');
      const r = await c.action([['Action', 'Originate'], ['ActionID', '16'], ['Channel', 'PJSIP/nosuchendpoint'], ['Context', 'from-internal'],
        ['Exten', '101'], ['Priority', '1'], ['Async', 'true']]);
      assert.deepEqual(pairs(r), [['Response', 'Success'], ['ActionID', '16'], ['Message', 'Originate successfully queued']]);
      const ev = await c.waitFor((m) => field(m, 'Event') === 'OriginateResponse');
      assert.deepEqual(pairs(ev), [['Event', 'OriginateResponse'], ['Privilege', 'call,all'], ['ActionID', '16'], ['Response', 'Failure'],
        ['Channel', 'PJSIP/nosuchendpoint'], ['Context', 'from-internal'], ['Exten', '101'], ['Reason', '0'], ['Uniqueid', '<unknown>'],
        ['CallerIDNum', '<unknown>'], ['CallerIDName', '<unknown>']]);
    } finally {
      c.close();
    }
  });

  test('Async Originate rings the first leg, answers, reports Success with the ActionID, then dials the exten', async () => {
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 'o', 'call');
      const from = c.messages.length;
      await c.action([['Action', 'Originate'], ['ActionID', 'c2c-1'], ['Channel', 'PJSIP/101'], ['Context', 'from-internal'], ['Exten', '0049301234'],
        ['Priority', '1'], ['CallerID', '"CRM" <0049301234>'], ['Variable', 'B24_CALL_ID=abc'], ['Async', 'true']]);
      const resp = await c.waitFor((m) => field(m, 'Event') === 'OriginateResponse', 3000, from);
      assert.equal(field(resp, 'ActionID'), 'c2c-1');
      assert.equal(field(resp, 'Response'), 'Success');
      assert.equal(field(resp, 'Reason'), '4');
      assert.match(field(resp, 'Channel') ?? '', /^PJSIP\/101-[0-9a-f]{8}$/);
      const last = await c.waitFor((m) => field(m, 'Event') === 'Hangup' && field(m, 'Uniqueid') === field(resp, 'Uniqueid'), 3000, from);
      assert.equal(field(last, 'Cause'), '16');
      const evs = c.messages.slice(from).filter((m) => field(m, 'Event'));
      const first = evs.find((m) => field(m, 'Event') === 'DialBegin');
      assert.ok(first);
      assert.equal(field(first, 'Channel'), undefined, 'the originated leg\'s DialBegin has no caller block');
      assert.equal(field(first, 'DialString'), '101');
      const trunkDial = evs.find((m) => field(m, 'Event') === 'DialBegin' && field(m, 'Channel') !== undefined);
      assert.equal(field(trunkDial!, 'DialString'), '049301234@trunk');
      assert.equal(field(trunkDial!, 'DestLinkedid'), field(resp, 'Uniqueid'));
    } finally {
      c.close();
    }
  });

  test('hanging up the originated leg while it rings: OriginateResponse Failure, Reason 1', async () => {
    const ringing = await startAmiSim({ secret: 'h', timeScale: 1, flowTiming: { ringMs: 30_000, talkMs: 50 } });
    const c = rawClient(ringing.port);
    try {
      await login(c, 'crm', 'h', 'call');
      await c.action([['Action', 'Originate'], ['ActionID', 'o-9'], ['Channel', 'PJSIP/103'], ['Context', 'from-internal'], ['Exten', '101'],
        ['Priority', '1'], ['Async', 'yes']]);
      const st = await c.waitFor((m) => field(m, 'Event') === 'DialState' && field(m, 'DialStatus') === 'RINGING');
      const from = c.messages.length;
      const h = await c.action([['Action', 'Hangup'], ['Channel', field(st, 'DestChannel') ?? '']]);
      assert.equal(field(h, 'Message'), 'Channel Hungup');
      const resp = await c.waitFor((m) => field(m, 'Event') === 'OriginateResponse', 2000, from);
      assert.deepEqual([field(resp, 'ActionID'), field(resp, 'Response'), field(resp, 'Reason'), field(resp, 'Channel')], ['o-9', 'Failure', '1', 'PJSIP/103']);
      const seq = c.messages.slice(from).filter((m) => field(m, 'Event')).map((m) => field(m, 'Event'));
      assert.deepEqual(seq, ['SoftHangupRequest', 'Hangup', 'OriginateResponse']);
    } finally {
      c.close();
      await ringing.close();
    }
  });

  test('synchronous Originate answers after the outcome and raises no OriginateResponse', async () => {
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 'o', 'call');
      const from = c.messages.length;
      const r = await c.action([['Action', 'Originate'], ['ActionID', 's1'], ['Channel', 'PJSIP/102'], ['Context', 'from-internal'], ['Exten', '103'], ['Priority', '1']]);
      assert.deepEqual(pairs(r), [['Response', 'Success'], ['ActionID', 's1'], ['Message', 'Originate successfully queued']]);
      const before = c.messages.slice(from, c.messages.indexOf(r)).map((m) => field(m, 'Event'));
      assert.ok(before.includes('Newchannel'), 'the call flow starts before the response');
      await c.waitFor((m) => field(m, 'Event') === 'Hangup' && (field(m, 'Channel') ?? '').startsWith('PJSIP/102-'), 3000, from);
      assert.ok(!c.messages.slice(from).some((m) => field(m, 'Event') === 'OriginateResponse'));
    } finally {
      c.close();
    }
  });

  test('Redirect and Hangup on a played transcript (lab22-a), Status with variables', async () => {
    const slow = await startAmiSim({ secret: 'r', timeScale: 0.1, flowTiming: { ringMs: 30, talkMs: 600_000 } });
    const c = rawClient(slow.port);
    try {
      await login(c, 'crm', 'r');
      // The lab call, with a 10-minute conversation inserted after both parties entered the bridge.
      const t = parseTranscript(readFileSync(join(fixturesDir(), 'lab22-a_inbound_answered.txt'), 'utf8'));
      const bridged = t.events.findLastIndex((e) => e.fields[0]?.[1] === 'BridgeEnter');
      const h = slow.playTranscript({ ...t, events: t.events.map((e, i) => (i > bridged ? { ...e, atMs: e.atMs + 6_000_000 } : e)) });
      const enter = await c.waitFor((m) => field(m, 'Event') === 'BridgeEnter' && (field(m, 'Channel') ?? '').startsWith('PJSIP/trunk-'), 10_000);
      const trunk = field(enter, 'Channel') ?? '';
      const from = c.messages.length;
      const st = await c.action([['Action', 'Status'], ['ActionID', '3'], ['Channel', trunk], ['Variables', 'FROM_DID,CHANNEL(linkedid)']]);
      assert.equal(field(st, 'Message'), 'Channel status will follow');
      const status = await c.waitFor((m) => field(m, 'Event') === 'Status', 2000, from);
      assert.deepEqual(fieldAll(status, 'Variable'), ['FROM_DID=5551000', `CHANNEL(linkedid)=${field(enter, 'Linkedid')}`]);
      assert.equal(status.fields.at(-1)?.[0], 'ActionID');
      const sc = await c.waitFor((m) => field(m, 'Event') === 'StatusComplete', 2000, from);
      assert.deepEqual(pairs(sc), [['Event', 'StatusComplete'], ['ActionID', '3'], ['EventList', 'Complete'], ['ListItems', '1'], ['Items', '1']]);

      const rfrom = c.messages.length;
      const r = await c.action([['Action', 'Redirect'], ['ActionID', '17'], ['Channel', trunk], ['Context', 'from-internal'], ['Exten', '102'], ['Priority', '1']]);
      assert.deepEqual(pairs(r), [['Response', 'Success'], ['ActionID', '17'], ['Message', 'Redirect successful']]);
      assert.equal(await h.done, 'cancelled');
      const again = await c.waitFor((m) => field(m, 'Event') === 'BridgeEnter' && field(m, 'Channel') === trunk, 3000, rfrom);
      assert.equal(field(again, 'BridgeNumChannels'), '2');
      const seq = c.messages.slice(rfrom).filter((m) => field(m, 'Event')).map((m) => `${field(m, 'Event')} ${(field(m, 'Channel') ?? '').replace(/-[0-9a-f]{8}$/, '')}`);
      assert.deepEqual(seq, [
        'BridgeLeave PJSIP/trunk', 'BridgeLeave PJSIP/101', 'BridgeDestroy ', 'Hangup PJSIP/101', 'Newexten PJSIP/trunk',
        'Newchannel PJSIP/102', 'DialBegin PJSIP/trunk', 'Newstate PJSIP/102', 'DialState PJSIP/trunk', 'Newstate PJSIP/102',
        'DialEnd PJSIP/trunk', 'BridgeCreate ', 'BridgeEnter PJSIP/102', 'BridgeEnter PJSIP/trunk',
      ]);
      const names = slow.liveChannels().map((x) => x.name.replace(/-[0-9a-f]{8}$/, '')).sort();
      assert.deepEqual(names, ['PJSIP/102', 'PJSIP/trunk']);

      const hfrom = c.messages.length;
      await c.action([['Action', 'Hangup'], ['Channel', trunk], ['Cause', '16']]);
      await c.waitFor((m) => field(m, 'Event') === 'Hangup' && (field(m, 'Channel') ?? '').startsWith('PJSIP/102-'), 3000, hfrom);
      assert.deepEqual(slow.liveChannels(), []);
      assert.equal(slow.stats().callsActive, 0);
    } finally {
      c.close();
      await slow.close();
    }
  });
});
