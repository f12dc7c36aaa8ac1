import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeMessage, type AmiField } from '../../src/adapters/ami/message.js';
import {
  AmiEventView, asEvent, BlindTransferEvent, BridgeEnterEvent, ChannelView, DialEndEvent, HangupEvent, LocalEvent,
  OriginateResponseEvent, QueueEvent, readChannel, VarSetEvent, viewEvent,
} from '../../src/adapters/ami/events.js';

const block = (prefix: string, name: string, uid: string, linked: string): AmiField[] => [
  [`${prefix}Channel`, name], [`${prefix}ChannelState`, '5'], [`${prefix}ChannelStateDesc`, 'Ringing'],
  [`${prefix}CallerIDNum`, '101'], [`${prefix}CallerIDName`, 'Алиса'], [`${prefix}ConnectedLineNum`, '<unknown>'],
  [`${prefix}ConnectedLineName`, '<unknown>'], [`${prefix}Language`, 'en'], [`${prefix}AccountCode`, ''],
  [`${prefix}Context`, 'from-internal'], [`${prefix}Exten`, ''], [`${prefix}Priority`, '1'],
  [`${prefix}Uniqueid`, uid], [`${prefix}Linkedid`, linked],
];
const ev = (name: string, ...rest: AmiField[][]) => makeMessage([['Event', name], ['Privilege', 'call,all'], ...rest.flat()]);

describe('ChannelView', () => {
  test('reads the 14-line block with camelCase names; <unknown> and empty read as undefined', () => {
    const m = ev('Newchannel', block('', 'PJSIP/101-00000032', '1741614725.98', '1741614725.97'), [['ChanVariable', 'B24_CALL_ID=abc']]);
    const c = new ChannelView(m);
    assert.deepEqual(readChannel(c), {
      channel: 'PJSIP/101-00000032', state: 5, stateDesc: 'Ringing', callerIdNum: '101', callerIdName: 'Алиса',
      connectedLineNum: undefined, connectedLineName: undefined, accountCode: undefined, context: 'from-internal',
      exten: '', priority: 1, uniqueid: '1741614725.98', linkedid: '1741614725.97',
    });
    assert.equal(c.present, true);
    assert.equal(c.language, 'en');
    assert.deepEqual([...c.variables], [['B24_CALL_ID', 'abc']]);
  });

  test('prefixed blocks and their own ChanVariable lines', () => {
    const m = ev('DialBegin', block('Dest', 'PJSIP/102-1', 'u2', 'u1'), [['DestChanVariable', 'X=1'], ['ChanVariable', 'Y=2']]);
    const d = new ChannelView(m, 'Dest');
    assert.equal(d.channel, 'PJSIP/102-1');
    assert.deepEqual([...d.variables], [['X', '1']]);
    assert.equal(new ChannelView(m).present, false);
  });
});

describe('event views', () => {
  test('viewEvent picks the class by name; unknown names get AmiEventView', () => {
    assert.ok(viewEvent(ev('Hangup')) instanceof HangupEvent);
    assert.ok(viewEvent(ev('DialEnd')) instanceof DialEndEvent);
    const unknown = viewEvent(ev('RTCPSent'));
    assert.equal(unknown.constructor, AmiEventView);
    assert.equal(unknown.name, 'RTCPSent');
    assert.equal(unknown.privilege, 'call,all');
  });

  test('asEvent narrows or returns undefined', () => {
    const h = asEvent(ev('Hangup', block('', 'PJSIP/101-1', 'u', 'l'), [['Cause', '17'], ['Cause-txt', 'User busy']]), 'Hangup');
    assert.deepEqual([h?.cause, h?.causeText, h?.uniqueid, h?.linkedid, h?.techCause], [17, 'User busy', 'u', 'l', undefined]);
    assert.equal(asEvent(ev('Newchannel'), 'Hangup'), undefined);
  });

  test('DialEnd: caller absent for an originated first leg; status and forward', () => {
    const d = viewEvent(ev('DialEnd', block('Dest', 'PJSIP/101-1', 'u1', 'u1'), [['DialStatus', 'ANSWER'], ['Forward', '']])) as DialEndEvent;
    assert.equal(d.caller, undefined);
    assert.equal(d.dest.uniqueid, 'u1');
    assert.equal(d.dialStatus, 'ANSWER');
    assert.equal(d.forward, undefined);
  });

  test('BridgeEnter: bridge block and SwapUniqueid', () => {
    const b = viewEvent(ev('BridgeEnter', [['BridgeUniqueid', 'br-1'], ['BridgeType', 'basic'], ['BridgeTechnology', 'simple_bridge'],
      ['BridgeCreator', '<unknown>'], ['BridgeName', '<unknown>'], ['BridgeNumChannels', '2'], ['BridgeVideoSourceMode', 'none']],
    block('', 'PJSIP/101-1', 'u1', 'u0'), [['SwapUniqueid', 'u7']])) as BridgeEnterEvent;
    assert.deepEqual([b.bridge.uniqueid, b.bridge.type, b.bridge.technology, b.bridge.numChannels, b.swapUniqueid, b.channel.channel],
      ['br-1', 'basic', 'simple_bridge', 2, 'u7', 'PJSIP/101-1']);
  });

  test('VarSet, OriginateResponse, queue and transfer events', () => {
    const v = viewEvent(ev('VarSet', [['Variable', 'MIXMONITOR_FILENAME'], ['Value', '/var/spool/asterisk/monitor/a.wav']])) as VarSetEvent;
    assert.deepEqual([v.variable, v.value], ['MIXMONITOR_FILENAME', '/var/spool/asterisk/monitor/a.wav']);

    const o = viewEvent(ev('OriginateResponse', [['ActionID', 'ab-3'], ['Response', 'Failure'], ['Channel', 'PJSIP/101'],
      ['Reason', '3'], ['Uniqueid', '<unknown>'], ['CallerIDNum', '<unknown>']])) as OriginateResponseEvent;
    assert.deepEqual([o.actionId, o.success, o.reason, o.channelName, o.uniqueid, o.callerIdNum], ['ab-3', false, 3, 'PJSIP/101', '', undefined]);

    const q = viewEvent(ev('AgentConnect', block('', 'PJSIP/trunk-1', 'u1', 'u1'), block('Dest', 'PJSIP/102-2', 'u2', 'u1'),
      [['Queue', 'support'], ['Interface', 'PJSIP/102'], ['MemberName', 'Bob'], ['HoldTime', '7'], ['RingTime', '3']])) as QueueEvent;
    assert.deepEqual([q.queue, q.member.channel, q.interface, q.memberName, q.holdTime, q.ringTime], ['support', 'PJSIP/102-2', 'PJSIP/102', 'Bob', 7, 3]);

    const t = viewEvent(ev('BlindTransfer', [['Result', 'Success']], block('Transferer', 'PJSIP/101-1', 'u1', 'u0'),
      block('Transferee', 'PJSIP/trunk-1', 'u0', 'u0'), [['IsExternal', 'Yes'], ['Context', 'from-internal'], ['Extension', '102']])) as BlindTransferEvent;
    assert.deepEqual([t.result, t.transferer.channel, t.transferee.uniqueid, t.isExternal, t.extension], ['Success', 'PJSIP/101-1', 'u0', true, '102']);
  });

  test('LocalOptimizationBegin: DestUniqueId spelling, optional Source block', () => {
    const l = viewEvent(ev('LocalOptimizationBegin', block('LocalOne', 'Local/101@x-1;1', 'a', 'a'), block('LocalTwo', 'Local/101@x-1;2', 'b', 'a'),
      [['DestUniqueId', 'u5'], ['Id', '0']])) as LocalEvent;
    assert.deepEqual([l.localOne.channel, l.localTwo.uniqueid, l.destUniqueid, l.id, l.source, l.success], ['Local/101@x-1;1', 'b', 'u5', '0', undefined, undefined]);
  });
});
