import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AmiFields } from '../scenario/types.js';
import { ChannelRegistry } from '../server/channel-registry.js';
import { hangupSequence, redirectSequence } from '../server/teardown.js';

function ch(prefix: string, name: string, uid: string, state: number): AmiFields {
  const desc: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' };
  return [
    [`${prefix}Channel`, name], [`${prefix}ChannelState`, String(state)], [`${prefix}ChannelStateDesc`, desc[state] ?? ''],
    [`${prefix}CallerIDNum`, '+4930123456'], [`${prefix}CallerIDName`, '<unknown>'], [`${prefix}ConnectedLineNum`, '<unknown>'],
    [`${prefix}ConnectedLineName`, '<unknown>'], [`${prefix}Language`, 'en'], [`${prefix}AccountCode`, ''],
    [`${prefix}Context`, 'from-trunk'], [`${prefix}Exten`, '5551000'], [`${prefix}Priority`, '2'],
    [`${prefix}Uniqueid`, uid], [`${prefix}Linkedid`, '1.1'],
  ];
}
const ev = (name: string, body: AmiFields): AmiFields => [['Event', name], ['Privilege', 'call,all'], ...body];
const summary = (evs: AmiFields[]): string[] => evs.map((f) => {
  const get = (k: string): string => f.find(([x]) => x === k)?.[1] ?? '';
  return [get('Event'), get('Channel'), get('DestChannel'), get('DialStatus'), get('Cause')].filter((x) => x).join(' ');
});

describe('synthesised teardown', () => {
  test('Hangup of a caller whose dial is still ringing: SoftHangupRequest, DialEnd CANCEL, both Hangups', () => {
    const reg = new ChannelRegistry();
    reg.observe(ev('Newchannel', ch('', 'PJSIP/trunk-00000001', '1.1', 4)), 7, 0);
    reg.observe(ev('Newchannel', ch('', 'PJSIP/101-00000002', '1.2', 0)), 7, 0);
    reg.observe(ev('DialBegin', [...ch('', 'PJSIP/trunk-00000001', '1.1', 4), ...ch('Dest', 'PJSIP/101-00000002', '1.2', 0), ['DialString', '101']]), 7, 0);
    reg.observe(ev('Newstate', ch('', 'PJSIP/101-00000002', '1.2', 5)), 7, 0);
    const target = reg.byName('PJSIP/trunk-00000001');
    assert.ok(target);
    const out = hangupSequence(reg, target, 127);
    assert.deepEqual(summary(out), [
      'SoftHangupRequest PJSIP/trunk-00000001 127',
      'DialEnd PJSIP/trunk-00000001 PJSIP/101-00000002 CANCEL',
      'Hangup PJSIP/trunk-00000001 127',
      'Hangup PJSIP/101-00000002 127',
    ]);
    const dialEnd = out[1]!;
    assert.equal(dialEnd.find(([k]) => k === 'DestChannelStateDesc')?.[1], 'Ringing');
    for (const f of out) reg.observe(f, 7, 0);
    assert.equal(reg.size, 0);
  });

  test('Redirect of a leg that is dialling: the dial is cancelled and the dialled leg hangs up', () => {
    const reg = new ChannelRegistry();
    reg.observe(ev('Newchannel', ch('', 'PJSIP/trunk-00000001', '1.1', 4)), 3, 0);
    reg.observe(ev('Newchannel', ch('', 'PJSIP/101-00000002', '1.2', 0)), 3, 0);
    reg.observe(ev('DialBegin', [...ch('', 'PJSIP/trunk-00000001', '1.1', 4), ...ch('Dest', 'PJSIP/101-00000002', '1.2', 0), ['DialString', '101']]), 3, 0);
    const { events, moved } = redirectSequence(reg, reg.byName('PJSIP/trunk-00000001')!, 'from-internal', '102', '1');
    assert.deepEqual(summary(events), [
      'DialEnd PJSIP/trunk-00000001 PJSIP/101-00000002 CANCEL',
      'Hangup PJSIP/101-00000002 0',
      'Newexten PJSIP/trunk-00000001',
    ]);
    assert.equal(moved.find(([k]) => k === 'Context')?.[1], 'from-internal');
    assert.equal(events[2]?.find(([k]) => k === 'Exten')?.[1], '102');
  });
});
