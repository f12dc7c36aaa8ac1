/** Channel classification, stage table, Bitrix24 status codes and the call_full serialiser. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyChannel, extensionNumber, numberFromDialString, parseChannelName, trackerConfig,
} from '../../src/core/call/classify.js';
import { judgeTransition } from '../../src/core/call/stages.js';
import { callOutcome, dialStatusFromCause } from '../../src/core/call/status.js';
import { CALL_FULL_VERSION, serializeCallFull, type CallSummary } from '../../src/core/call/model.js';

describe('classify', () => {
  test('parses channel names of every technology', () => {
    assert.deepEqual(parseChannelName('PJSIP/101-0000003f'), { tech: 'PJSIP', endpoint: '101' });
    assert.deepEqual(parseChannelName('SIP/voipgrid-siproute-docker-00000009'), { tech: 'SIP', endpoint: 'voipgrid-siproute-docker' });
    assert.deepEqual(parseChannelName('SIP/toOurAster-000000bb<ZOMBIE>'), { tech: 'SIP', endpoint: 'toOurAster' });
    assert.deepEqual(parseChannelName('Local/101@from-internal-00000006;2'), {
      tech: 'Local', endpoint: '101@from-internal', localBase: '101@from-internal-00000006', localHalf: 2,
    });
  });

  test('zero config: 2–5 digit endpoints are extensions, the rest trunks; config wins', () => {
    const zero = trackerConfig();
    const kind = (name: string, ctx = 'x', cfg = zero): string => classifyChannel(parseChannelName(name), ctx, cfg);
    assert.equal(kind('PJSIP/101-00000001'), 'extension');
    assert.equal(kind('PJSIP/trunk-00000001'), 'trunk');
    assert.equal(kind('SIP/150010001-00000001'), 'trunk');
    assert.equal(kind('PJSIP/12345-00000001', 'from-trunk'), 'trunk'); // born in a trunk context
    assert.equal(kind('Local/101@x-00000001;1'), 'local');
    const cfg = trackerConfig({ trunks: ['5000'], internalContexts: ['osvpi_account'], extensions: ['alice'], extensionPattern: '^1\\d{8}$' });
    assert.equal(kind('PJSIP/5000-00000001', 'x', cfg), 'trunk');
    assert.equal(kind('PJSIP/alice-00000001', 'x', cfg), 'extension');
    assert.equal(kind('SIP/gw-00000001', 'osvpi_account', cfg), 'extension');
    assert.equal(kind('SIP/150010001-00000001', 'x', cfg), 'extension');
    assert.equal(kind('PJSIP/101-00000001', 'x', cfg), 'trunk');
  });

  test('extension number: the channel name unless it is not one, then a matching caller id', () => {
    const cfg = trackerConfig();
    assert.equal(extensionNumber('101', '555', cfg), '101');
    assert.equal(extensionNumber('150010002', '202', cfg), '202');
    assert.equal(extensionNumber('150010002', '+31150010004', cfg), '150010002');
  });

  test('number dialled out of a DialString', () => {
    assert.equal(numberFromDialString('049301234@trunk'), '049301234');
    assert.equal(numberFromDialString('toOurAster/79001234567'), '79001234567');
    assert.equal(numberFromDialString('+31260010001@voipgrid-siproute-docker'), '+31260010001');
    assert.equal(numberFromDialString('150010001/150010001/172.20.0.13!!0150010001'), undefined);
    assert.equal(numberFromDialString('PJSIP/101'), '101');
    assert.equal(numberFromDialString('trunk'), undefined);
    assert.equal(numberFromDialString(undefined), undefined);
  });
});

describe('stages', () => {
  test('transition table', () => {
    assert.equal(judgeTransition(undefined, 'conversation_requested'), 'ok');
    assert.equal(judgeTransition('conversation_requested', 'conversation_accepted'), 'ok');
    assert.equal(judgeTransition('conversation_requested', 'conversation_ended'), 'ok');
    assert.equal(judgeTransition('conversation_accepted', 'conversation_ended'), 'ok');
    assert.equal(judgeTransition('conversation_ended', 'conversation_ended'), 'duplicate');
    assert.equal(judgeTransition('conversation_ended', 'conversation_accepted'), 'illegal');
    assert.equal(judgeTransition('conversation_accepted', 'conversation_requested'), 'illegal');
    assert.equal(judgeTransition(undefined, 'conversation_accepted'), 'illegal');
  });
});

describe('Bitrix24 status codes', () => {
  const facts = (o: Partial<Parameters<typeof callOutcome>[0]>) => ({
    conversations: [], dialStatus: undefined, hangupCause: undefined, abandoned: false, ...o,
  });
  test('precedence: answered, rejected, busy, unavailable, abandoned, cancelled, no answer', () => {
    assert.deepEqual(callOutcome(facts({ conversations: [{ acceptedAt: 5, dialStatus: undefined }], dialStatus: 'BUSY' })), { reason: 'answered', statusCode: '200' });
    assert.deepEqual(callOutcome(facts({ dialStatus: 'BUSY', hangupCause: 21 })), { reason: 'rejected', statusCode: '603' });
    assert.deepEqual(callOutcome(facts({ dialStatus: 'BUSY', hangupCause: 16 })), { reason: 'busy', statusCode: '486' });
    assert.deepEqual(callOutcome(facts({ hangupCause: 17 })), { reason: 'busy', statusCode: '486' });
    assert.deepEqual(callOutcome(facts({ dialStatus: 'CHANUNAVAIL' })), { reason: 'unavailable', statusCode: '480' });
    assert.deepEqual(callOutcome(facts({ dialStatus: 'CONGESTION' })), { reason: 'unavailable', statusCode: '480' });
    assert.deepEqual(callOutcome(facts({ hangupCause: 34 })), { reason: 'unavailable', statusCode: '480' });
    assert.deepEqual(callOutcome(facts({ hangupCause: 1 })), { reason: 'invalid_number', statusCode: '404' });
    assert.deepEqual(callOutcome(facts({ dialStatus: 'CANCEL', abandoned: true })), { reason: 'abandoned', statusCode: '304' });
    assert.deepEqual(callOutcome(facts({ dialStatus: 'CANCEL', hangupCause: 127 })), { reason: 'cancelled', statusCode: '304' });
    assert.deepEqual(callOutcome(facts({ dialStatus: 'NOANSWER', hangupCause: 16 })), { reason: 'no_answer', statusCode: '304' });
    assert.deepEqual(callOutcome(facts({ hangupCause: 19 })), { reason: 'no_answer', statusCode: '304' });
  });
  test('dial status implied by a hangup cause (originated leg without DialEnd)', () => {
    assert.equal(dialStatusFromCause(19), 'NOANSWER');
    assert.equal(dialStatusFromCause(17), 'BUSY');
    assert.equal(dialStatusFromCause(34), 'CHANUNAVAIL');
    assert.equal(dialStatusFromCause(undefined), 'NOANSWER');
  });
});

describe('call_full', () => {
  test('versioned snapshot with times in ISO and the CRM side filled by the caller', () => {
    const summary: CallSummary = {
      callKey: '1795322993.66', direction: 'incoming', clientNumber: '+4930123456', did: '5551000', trunk: 'trunk',
      startedAt: Date.UTC(2026, 10, 22, 4, 0, 0), answeredAt: Date.UTC(2026, 10, 22, 4, 0, 3), endedAt: Date.UTC(2026, 10, 22, 4, 0, 8),
      recordings: ['/var/spool/asterisk/monitor/a.wav'], statusCode: '200', outcome: { reason: 'answered', statusCode: '200' },
      conversations: [{ id: '1795322993.66#1', extension: '101', channel: 'PJSIP/101-00000037', uniqueid: '1795322993.67', stage: 'conversation_ended', via: 'dial', requestedAt: Date.UTC(2026, 10, 22, 4, 0, 0), acceptedAt: Date.UTC(2026, 10, 22, 4, 0, 3), endedAt: Date.UTC(2026, 10, 22, 4, 0, 8), endReason: 'hangup' }],
    };
    const full = serializeCallFull(summary, { linkedid: '1795322993.66', uniqueids: ['1795322993.66', '1795322993.67'] }, { callId: 'externalCall.1', users: { '101': 1 }, entityType: 'CONTACT', entityId: 7 });
    assert.equal(full.version, CALL_FULL_VERSION);
    assert.equal(full.answered_at, '2026-11-22T04:00:03.000Z');
    assert.equal(full.status_code, '200');
    assert.deepEqual(full.bitrix24, { call_id: 'externalCall.1', entity_type: 'CONTACT', entity_id: 7, activity_id: null, responsible_id: null });
    const convs = full.conversations as Record<string, unknown>[];
    assert.equal(convs[0]?.user_id, 1);
    assert.equal(convs[0]?.end_reason, 'hangup');
    assert.deepEqual(full.recordings, ['/var/spool/asterisk/monitor/a.wav']);
  });
});
