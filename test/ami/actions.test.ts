import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  command, coreShowChannels, events, getvar, hangup, login, originate, parseOriginateResponse, pjsipShowEndpoints,
  queueStatus, redirect, setvar, type AmiActionResult,
} from '../../src/adapters/ami/actions.js';
import { makeMessage, type AmiField } from '../../src/adapters/ami/message.js';
import { PendingActions, actionError } from '../../src/adapters/ami/pending-actions.js';
import { backoffDelay } from '../../src/adapters/ami/backoff.js';
import type { ConnectorError } from '../../src/errors.js';

const msg = (...fields: AmiField[]) => makeMessage(fields);
const result = (response: AmiField[], events: AmiField[][] = []): AmiActionResult => ({
  response: makeMessage(response), events: events.map((e) => makeMessage(e)),
});

describe('action builders', () => {
  test('Originate: exten form, repeated Variable lines, Async, timeout covers ring time', () => {
    const a = originate({
      channel: 'PJSIP/101', context: 'from-internal', exten: '0049301234', callerId: '"CRM: Acme Ltd" <0049301234>',
      timeoutMs: 20000, variables: { CRM_CALL_ID: 'abc123', B24_USER_ID: '7' }, channelId: 'c2c-1',
    });
    assert.equal(a.name, 'Originate');
    assert.deepEqual(a.fields, [
      ['Channel', 'PJSIP/101'], ['Exten', '0049301234'], ['Context', 'from-internal'], ['Priority', '1'],
      ['Timeout', '20000'], ['CallerID', '"CRM: Acme Ltd" <0049301234>'], ['Variable', 'CRM_CALL_ID=abc123'],
      ['Variable', 'B24_USER_ID=7'], ['ChannelId', 'c2c-1'], ['Async', 'true'],
    ]);
    assert.equal(a.completionEvent, 'OriginateResponse');
    assert.equal(a.timeoutMs, 35000);
  });

  test('Originate: application form has no Priority; default timeout 30 s + margin', () => {
    const a = originate({ channel: 'Local/101@from-internal', application: 'Playback', data: 'hello-world' });
    assert.deepEqual(a.fields, [['Channel', 'Local/101@from-internal'], ['Application', 'Playback'], ['Data', 'hello-world'], ['Async', 'true']]);
    assert.equal(a.timeoutMs, 45000);
  });

  test('parseOriginateResponse: success, busy (Reason 0), no answer (Reason 3)', () => {
    const ok = parseOriginateResponse(msg(['Event', 'OriginateResponse'], ['Response', 'Success'], ['Channel', 'PJSIP/101-0000003a'], ['Reason', '4'], ['Uniqueid', '1795323023.70']));
    assert.deepEqual([ok.success, ok.reason, ok.reasonText, ok.channel, ok.uniqueid], [true, 4, 'answered', 'PJSIP/101-0000003a', '1795323023.70']);
    const busy = parseOriginateResponse(msg(['Response', 'Failure'], ['Channel', 'PJSIP/101'], ['Reason', '0'], ['Uniqueid', '<unknown>']));
    assert.deepEqual([busy.success, busy.reason, busy.reasonText, busy.uniqueid], [false, 0, 'failed', undefined]);
    assert.equal(parseOriginateResponse(msg(['Response', 'Failure'], ['Reason', '3'])).reasonText, 'no-answer');
  });

  test('Redirect, Hangup, Getvar, Setvar, Command, QueueStatus, Events, Login fields', () => {
    assert.deepEqual(redirect({ channel: 'PJSIP/trunk-00000047', context: 'from-internal', exten: '102' }).fields,
      [['Channel', 'PJSIP/trunk-00000047'], ['Exten', '102'], ['Context', 'from-internal'], ['Priority', '1']]);
    assert.deepEqual(redirect({ channel: 'A', context: 'c', exten: '1', extraChannel: 'B', extraContext: 'c', extraExten: '2' }).fields.slice(4),
      [['ExtraChannel', 'B'], ['ExtraExten', '2'], ['ExtraContext', 'c'], ['ExtraPriority', '1']]);
    assert.deepEqual(hangup({ channel: 'PJSIP/101-00000048', cause: 16 }).fields, [['Channel', 'PJSIP/101-00000048'], ['Cause', '16']]);
    assert.deepEqual(getvar({ channel: 'PJSIP/x', variable: 'CHANNEL(linkedid)' }).fields, [['Channel', 'PJSIP/x'], ['Variable', 'CHANNEL(linkedid)']]);
    assert.deepEqual(getvar({ variable: 'GLOBAL_X' }).fields, [['Variable', 'GLOBAL_X']]);
    assert.deepEqual(setvar({ channel: 'PJSIP/x', variable: 'CRM_TICKET', value: 'T-4711' }).fields,
      [['Channel', 'PJSIP/x'], ['Variable', 'CRM_TICKET'], ['Value', 'T-4711']]);
    assert.deepEqual(command('core show version').fields, [['Command', 'core show version']]);
    assert.deepEqual(queueStatus({ queue: 'support' }).fields, [['Queue', 'support']]);
    assert.deepEqual(events('call,agent').fields, [['EventMask', 'call,agent']]);
    assert.deepEqual(login({ username: 'crm', secret: 's', events: 'off' }).fields, [['Username', 'crm'], ['Secret', 's'], ['Events', 'off']]);
    assert.deepEqual(login({ username: 'crm', key: 'abc' }).fields, [['AuthType', 'MD5'], ['Username', 'crm'], ['Key', 'abc']]);
  });
});

describe('action parsers', () => {
  test('Getvar: value, and (null) / missing mean unset', () => {
    const g = getvar({ variable: 'X' });
    assert.equal(g.parse(result([['Response', 'Success'], ['Variable', 'X'], ['Value', 'T-4711']])), 'T-4711');
    assert.equal(g.parse(result([['Response', 'Success'], ['Variable', 'X'], ['Value', '(null)']])), undefined);
    assert.equal(g.parse(result([['Response', 'Success'], ['Variable', 'X'], ['Value', '']])), '');
  });

  test('Events: On / Off', () => {
    assert.equal(events('on').parse(result([['Response', 'Success'], ['Events', 'On']])), true);
    assert.equal(events('off').parse(result([['Response', 'Success'], ['Events', 'Off']])), false);
  });

  test('CoreShowChannels ignores foreign events and reads Duration', () => {
    const r = result([['Response', 'Success']], [
      [['Event', 'CoreShowChannel'], ['Channel', 'PJSIP/101-00000048'], ['CallerIDNum', '<unknown>'], ['Duration', '01:02:03'], ['Uniqueid', 'u1']],
      [['Event', 'Other']],
    ]);
    const [c, ...rest] = coreShowChannels().parse(r);
    assert.equal(rest.length, 0);
    assert.deepEqual([c!.channel, c!.callerIdNum, c!.durationSeconds, c!.uniqueid, c!.bridgeId], ['PJSIP/101-00000048', undefined, 3723, 'u1', '']);
  });

  test('QueueStatus: QueueEntry rows', () => {
    const r = result([['Response', 'Success']], [[
      ['Event', 'QueueEntry'], ['Queue', 'sales'], ['Position', '1'], ['Channel', 'PJSIP/trunk-1'], ['Uniqueid', 'u9'],
      ['CallerIDNum', '+4930123456'], ['CallerIDName', 'External Caller'], ['Wait', '12'],
    ]]);
    assert.deepEqual(queueStatus().parse(r).entries, [{
      queue: 'sales', position: 1, channel: 'PJSIP/trunk-1', uniqueid: 'u9', callerIdNum: '+4930123456',
      callerIdName: 'External Caller', wait: 12,
    }]);
  });

  test('PJSIPShowEndpoints accepts only "No endpoints found" as an empty answer', () => {
    const p = pjsipShowEndpoints();
    assert.equal(p.acceptError?.('No endpoints found'), true);
    assert.equal(p.acceptError?.('Permission denied'), false);
  });

  test('actionError codes', () => {
    const codes = ['Permission denied', 'No such channel', 'Invalid/unknown command: X. Use Action: ListCommands to show available commands.',
      'Asterisk is shutting down', 'Redirect failed', ''].map((m) => actionError('A', msg(['Response', 'Error'], ['Message', m])));
    assert.deepEqual(codes.map((e) => e.code), ['AMI_PERMISSION_DENIED', 'AMI_NO_SUCH_CHANNEL', 'AMI_UNKNOWN_ACTION', 'AMI_SHUTTING_DOWN', 'AMI_ACTION_FAILED', 'AMI_ACTION_FAILED']);
    assert.deepEqual(codes.map((e) => e.retryable), [false, false, false, true, false, false]);
  });
});

describe('PendingActions', () => {
  function track() {
    const done: Array<{ id: string; err?: string; r?: AmiActionResult }> = [];
    const pa = new PendingActions();
    const add = (id: string, action: Parameters<PendingActions['add']>[1], timeoutMs = 1000) =>
      pa.add(id, action, timeoutMs, (err: ConnectorError | undefined, r) => done.push(err ? { id, err: err.code } : { id, r: r! }));
    return { pa, done, add };
  }

  test('a completion event that arrives before the response is kept until the response', () => {
    const { pa, done, add } = track();
    add('x-1', originate({ channel: 'PJSIP/1', exten: '2' }));
    assert.equal(pa.handle(msg(['Event', 'OriginateResponse'], ['ActionID', 'x-1'], ['Response', 'Success'], ['Reason', '4'])), 'completion');
    assert.equal(done.length, 0);
    assert.equal(pa.handle(msg(['Response', 'Success'], ['ActionID', 'x-1'])), 'consumed');
    assert.equal(done.length, 1);
    assert.equal(originate({ channel: 'c' }).parse(done[0]!.r!).reason, 4);
  });

  test('a response without ActionID goes to the oldest action still awaiting its response', () => {
    const { pa, done, add } = track();
    add('a', { name: 'A', fields: [] });
    add('b', { name: 'B', fields: [] });
    assert.equal(pa.handle(msg(['Response', 'Error'], ['Message', 'Failed to parse message: line too long'])), 'consumed');
    assert.deepEqual(done.map((d) => [d.id, d.err]), [['a', 'AMI_ACTION_FAILED']]);
    assert.equal(pa.handle(msg(['Response', 'Success'], ['ActionID', 'zzz'])), 'unmatched-response');
    pa.rejectAll(actionError('x', msg()));
    assert.equal(pa.size, 0);
  });

  test('list items with another ActionID or before EventList: start are not consumed', () => {
    const { pa, done, add } = track();
    add('l', coreShowChannels());
    assert.equal(pa.handle(msg(['Event', 'CoreShowChannel'], ['ActionID', 'l'])), 'not-mine');
    pa.handle(msg(['Response', 'Success'], ['ActionID', 'l'], ['EventList', 'start']));
    assert.equal(pa.handle(msg(['Event', 'CoreShowChannel'], ['ActionID', 'other'])), 'not-mine');
    assert.equal(pa.handle(msg(['Event', 'CoreShowChannel'], ['ActionID', 'l'])), 'consumed');
    assert.equal(pa.handle(msg(['Event', 'CoreShowChannelsComplete'], ['ActionID', 'l'], ['EventList', 'Complete'], ['ListItems', '1'])), 'consumed');
    assert.equal(done[0]!.r!.events.length, 1);
  });

  test('timeout rejects with AMI_ACTION_TIMEOUT and reports through onTimeout', async () => {
    const timedOut: string[] = [];
    const pa = new PendingActions((a, id) => timedOut.push(`${a.name}/${id}`));
    const err = await new Promise<ConnectorError | undefined>((resolve) => pa.add('t', { name: 'Ping', fields: [] }, 10, (e) => resolve(e)));
    assert.equal(err?.code, 'AMI_ACTION_TIMEOUT');
    assert.equal(err?.details?.['phase'], 'response');
    assert.deepEqual(timedOut, ['Ping/t']);
    assert.equal(pa.size, 0);
  });
});

describe('backoffDelay', () => {
  const policy = { minMs: 100, maxMs: 30_000 };
  test('doubles from minMs, caps at maxMs, jitter in the upper half', () => {
    assert.deepEqual([1, 2, 3, 4, 9, 10, 50].map((n) => backoffDelay(n, policy, () => 0.999999)), [100, 200, 400, 800, 25600, 30000, 30000]);
    assert.deepEqual([1, 2, 3, 10].map((n) => backoffDelay(n, policy, () => 0)), [50, 100, 200, 15000]);
  });
});
