import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { clickToCallSchema, configSchema, phoneSchema } from '../../src/config/schema.js';
import { clickToCallSettings } from '../../src/flow/click-to-call.js';
import {
  applyOriginateHookReply, buildCallbackOriginate, buildClickToCallOriginate, dialNumber, failedFinishCommand,
  localFailure, originateFailureStatus, originateHookInput, originateSettings, type OriginateSettings,
} from '../../src/core/crm/originate.js';

function settings(cfg: Record<string, unknown> = {}, extra: { dial?: Record<string, unknown>; country?: string } = {}): OriginateSettings {
  return originateSettings(clickToCallSchema.parse(cfg), {
    callIdVariable: 'B24_CALL_ID',
    phone: phoneSchema.parse({ defaultCountry: extra.country ?? 'DE' }),
    ...(extra.dial ? { dial: extra.dial } : {}),
  });
}

const EVENT = {
  CALL_ID: 'externalCall.abc.1700000000', USER_ID: 5, PHONE_NUMBER: '030 123456',
  PHONE_NUMBER_INTERNATIONAL: '+4930123456', CALL_LIST_ID: 0, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 42,
};

describe('presets', () => {
  test('plain Asterisk (default): PJSIP/{exten}, context from the config, every variable', () => {
    const plan = buildClickToCallOriginate({ ...EVENT, CALL_LIST_ID: 17 }, '101', settings({ context: 'crm-out', timeoutMs: 20_000 }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.fields, {
      Channel: 'PJSIP/101', Context: 'crm-out', Exten: '4930123456', Priority: 1, CallerID: '"4930123456" <4930123456>',
      Timeout: 20_000, Variable: { B24_CALL_ID: 'externalCall.abc.1700000000', B24_CALL_LIST_ID: '17', B24_USER_ID: '5' }, Account: '',
    });
  });

  test('CALL_LIST_ID 0 is not a call list; the CALL_ID variable name follows pbx.callIdVariable', () => {
    const s = { ...settings(), callIdVariable: 'CRM_CALL_ID' };
    const plan = buildClickToCallOriginate(EVENT, '101', s);
    assert.ok(plan.ok);
    assert.deepEqual(plan.fields.Variable, { CRM_CALL_ID: 'externalCall.abc.1700000000', B24_USER_ID: '5' });
  });

  test('FreePBX: Local/{exten}@from-internal, context from-internal', () => {
    const s = settings({ preset: 'freepbx' });
    assert.equal(s.channel, 'Local/{exten}@from-internal');
    const plan = buildClickToCallOriginate(EVENT, '2001', s);
    assert.ok(plan.ok);
    assert.equal(plan.fields.Channel, 'Local/2001@from-internal');
    assert.equal(plan.fields.Context, 'from-internal');
  });

  test('from the whole config: pbx.callIdVariable and phone.defaultCountry are used', () => {
    const config = configSchema.parse({
      bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example/rest/1/x/' },
      pbx: { callIdVariable: 'CRM_CALL_ID' }, phone: { defaultCountry: 'RU' }, clickToCall: { preset: 'freepbx' },
    });
    const s = clickToCallSettings(config, { format: 'national' });
    assert.equal(s.callIdVariable, 'CRM_CALL_ID');
    assert.equal(s.channel, 'Local/{exten}@from-internal');
    assert.deepEqual(dialNumber('+79161234567', s), { ok: true, exten: '89161234567' });
  });

  test('an explicit channel wins over the preset; custom uses it as is', () => {
    assert.equal(settings({ preset: 'freepbx', channel: 'SIP/{exten}' }).channel, 'SIP/{exten}');
    assert.equal(settings({ preset: 'custom', channel: 'PJSIP/{exten}', context: 'x' }).channel, 'PJSIP/{exten}');
  });
});

describe('dialling the client number', () => {
  test('formats: digits (default), plus, prefixed, national, outside prefix', () => {
    assert.deepEqual(dialNumber('+4930123456', settings()), { ok: true, exten: '4930123456' });
    assert.deepEqual(dialNumber('+4930123456', settings({}, { dial: { format: 'plus' } })), { ok: true, exten: '+4930123456' });
    assert.deepEqual(dialNumber('+4930123456', settings({}, { dial: { format: 'prefixed' } })), { ok: true, exten: '004930123456' });
    assert.deepEqual(dialNumber('+4930123456', settings({}, { dial: { format: 'national' } })), { ok: true, exten: '030123456' });
    assert.deepEqual(dialNumber('+79161234567', settings({}, { dial: { format: 'national' } })), { ok: true, exten: '0079161234567' });
    assert.deepEqual(dialNumber('+79161234567', settings({}, { country: 'RU', dial: { format: 'national' } })), { ok: true, exten: '89161234567' });
    assert.deepEqual(dialNumber('+4930123456', settings({}, { dial: { format: 'prefixed', outsidePrefix: '0' } })), { ok: true, exten: '0004930123456' });
  });

  test('national spellings are understood with phone.defaultCountry; short numbers are extensions', () => {
    assert.deepEqual(dialNumber('030 123456', settings()), { ok: true, exten: '4930123456' });
    assert.deepEqual(dialNumber('102', settings({}, { dial: { outsidePrefix: '9' } })), { ok: true, exten: '102' });
  });

  test('PHONE_NUMBER_INTERNATIONAL is preferred, PHONE_NUMBER is the fallback', () => {
    const a = buildClickToCallOriginate({ ...EVENT, PHONE_NUMBER: 'junk 1' }, '101', settings());
    assert.ok(a.ok && a.fields.Exten === '4930123456');
    const b = buildClickToCallOriginate({ ...EVENT, PHONE_NUMBER_INTERNATIONAL: '' }, '101', settings());
    assert.ok(b.ok && b.fields.Exten === '4930123456');
  });

  test('a number without digits is refused with 404', () => {
    const plan = buildClickToCallOriginate({ ...EVENT, PHONE_NUMBER: 'call me', PHONE_NUMBER_INTERNATIONAL: '' }, '101', settings());
    assert.ok(!plan.ok);
    assert.equal(plan.failure.kind, 'bad-number');
    assert.equal(plan.failure.statusCode, '404');
  });
});

describe('callback', () => {
  test('rings the target through Local/{target}@{callbackContext}, then the client', () => {
    const plan = buildCallbackOriginate({ PHONE_NUMBER: '+4930123456', TEXT: 'Call\nme' }, settings({ callbackTarget: 'sales', callbackContext: 'ext-queues' }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.fields, {
      Channel: 'Local/sales@ext-queues', Context: 'from-internal', Exten: '4930123456', Priority: 1,
      CallerID: '"4930123456" <4930123456>', Timeout: 30_000,
      Variable: { B24_CALLBACK: '1', B24_CALLBACK_NUMBER: '4930123456', B24_CALLBACK_TEXT: 'Call me' }, Account: '',
    });
  });

  test('no callbackTarget → not started', () => {
    const plan = buildCallbackOriginate({ PHONE_NUMBER: '+4930123456' }, settings());
    assert.ok(!plan.ok);
    assert.equal(plan.failure.kind, 'no-callback-target');
  });
});

describe('process_originate_params reply', () => {
  const base = (() => {
    const p = buildClickToCallOriginate(EVENT, '101', settings());
    assert.ok(p.ok);
    return p.fields;
  })();

  test('valid fields replace the defaults; unchanged ones are not reported', () => {
    const r = applyOriginateHookReply(base, { Context: 'to-mobile', Exten: '99001234567', Timeout: '15000', Channel: 'PJSIP/101' }, 'B24_CALL_ID');
    assert.equal(r.fields.Context, 'to-mobile');
    assert.equal(r.fields.Exten, '99001234567');
    assert.equal(r.fields.Timeout, 15_000);
    assert.deepEqual(r.changed, ['Context', 'Exten', 'Timeout']);
    assert.deepEqual(r.rejected, []);
  });

  test('invalid values keep the defaults and are reported', () => {
    const r = applyOriginateHookReply(base, { Channel: 'nochannel', Timeout: -1, Exten: 'a\nb', Priority: 0, Variable: ['x'] }, 'B24_CALL_ID');
    assert.deepEqual(r.fields, base);
    assert.deepEqual(r.rejected, ['Channel: invalid value', 'Exten: invalid value', 'Priority: invalid value', 'Timeout: invalid value', 'Variable: invalid value']);
  });

  test('the CALL_ID variable cannot be dropped or changed', () => {
    const r = applyOriginateHookReply(base, { Variable: { B24_CALL_ID: 'other', TRUNK: 'mobile' } }, 'B24_CALL_ID');
    assert.deepEqual(r.fields.Variable, { B24_CALL_ID: 'externalCall.abc.1700000000', TRUNK: 'mobile' });
    assert.deepEqual(r.rejected, ['Variable.B24_CALL_ID: kept (the call tracker needs it)']);
    assert.deepEqual(r.changed, ['Variable']);
  });

  test('hook input: the Originate fields, the raw event and a call_full of the call to be', () => {
    const input = originateHookInput(base, { CALL_ID: EVENT.CALL_ID, USER_ID: '5' }, EVENT, '101');
    assert.equal(input.Channel, 'PJSIP/101');
    assert.deepEqual(input.event, { CALL_ID: EVENT.CALL_ID, USER_ID: '5' });
    const cf = input.call_full as Record<string, unknown>;
    assert.equal(cf.direction, 'click-to-call');
    assert.equal(cf.caller_extension, '101');
    assert.deepEqual(cf.bitrix24, { call_id: EVENT.CALL_ID, entity_type: 'CONTACT', entity_id: 42, activity_id: null, responsible_id: 5 });
  });
});

describe('failure statuses', () => {
  test('by OriginateResponse Reason when nothing else is known', () => {
    const code = (r: number) => originateFailureStatus(r).statusCode;
    assert.deepEqual([code(0), code(1), code(3), code(5), code(8)], ['480', '603', '304', '486', '480']);
    assert.equal(originateFailureStatus(3, {}, 'phone 101').text, 'phone 101 did not answer');
  });

  test('the first leg\'s DialEnd / Hangup cause wins (busy arrives as Reason 0: lab22-d4)', () => {
    assert.deepEqual(originateFailureStatus(0, { dialStatus: 'BUSY', hangupCause: 17 }, 'phone 101'),
      { kind: 'busy', statusCode: '486', text: 'phone 101 is busy' });
    assert.equal(originateFailureStatus(3, { hangupCause: 19 }).statusCode, '304');
    assert.equal(originateFailureStatus(0, { hangupCause: 21 }).statusCode, '603');
    assert.equal(originateFailureStatus(0, { dialStatus: 'CHANUNAVAIL' }).statusCode, '480');
    assert.equal(originateFailureStatus(0, { hangupCause: 1 }).statusCode, '404');
  });

  test('the finish command of a failed click', () => {
    const cmd = failedFinishCommand('externalCall.x.1', 5, localFailure('no-extension', 'no inner phone'));
    assert.deepEqual(cmd, {
      callKey: 'c2c:externalCall.x.1', step: 'finish', idempotencyKey: 'c2c:externalCall.x.1:finish',
      method: 'telephony.externalcall.finish', priority: 10,
      params: { CALL_ID: 'externalCall.x.1', USER_ID: 5, DURATION: 0, STATUS_CODE: '480', FAILED_REASON: 'no inner phone' },
    });
  });
});
