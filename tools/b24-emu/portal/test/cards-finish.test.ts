import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectB24, harness, rec, T0, type Harness } from './helpers.js';

function register(h: Harness, extra: Record<string, unknown> = {}): string {
  return String(rec(h.app('telephony.externalcall.register', {
    USER_ID: 1269, PHONE_NUMBER: '499062195047', TYPE: 2, LINE_NUMBER: 'line-1', EXTERNAL_CALL_ID: 'asterisk-1773130778.18441', ...extra,
  }))['CALL_ID']);
}

describe('show / hide: card state per user', () => {
  test('tutorial step 3: simultaneous queue, 1270 answers, the others lose the card', () => {
    const h = harness();
    const callId = register(h, { SHOW: 0 });
    assert.deepEqual(h.portal.inspect().visibleCards, []);
    h.clock.advance(1000);
    assert.equal(h.hook('telephony.externalcall.show', { CALL_ID: callId, USER_ID: [1269, 1270, 1271] }).result, true);
    h.clock.advance(4000);
    assert.equal(h.app('telephony.externalcall.hide', { CALL_ID: callId, USER_ID: [1269, 1271] }).result, true);
    const view = h.portal.inspect();
    assert.deepEqual(view.visibleCards, [{ callId, userId: 1270, since: T0 + 1000 }]);
    assert.deepEqual(view.calls[0]?.cards, [
      { userId: 1269, visible: false, shownAt: T0 + 1000, hiddenAt: T0 + 5000 },
      { userId: 1270, visible: true, shownAt: T0 + 1000, hiddenAt: null },
      { userId: 1271, visible: false, shownAt: T0 + 1000, hiddenAt: T0 + 5000 },
    ]);
    assert.deepEqual(view.cardHistory.map((c) => `${c.action}:${c.userId}:${c.source}`),
      ['show:1269:show', 'show:1270:show', 'show:1271:show', 'hide:1269:hide', 'hide:1271:hide']);
  });

  test('bracket-encoded USER_ID array ({"0":…,"1":…}) and single ids are accepted', () => {
    const h = harness();
    const callId = register(h, { SHOW: 0 });
    h.app('telephony.externalcall.show', { CALL_ID: callId, USER_ID: { 0: '1270', 1: '1271' } });
    h.app('telephony.externalcall.hide', { CALL_ID: callId, USER_ID: '1271' });
    assert.deepEqual(h.portal.inspect().visibleCards.map((c) => c.userId), [1270]);
  });

  test('SHOW omitted shows to USER_ID; show/hide without USER_ID act on the registering user', () => {
    const h = harness();
    const callId = register(h);
    assert.deepEqual(h.portal.inspect().visibleCards.map((c) => c.userId), [1269]);
    h.app('telephony.externalcall.hide', { CALL_ID: callId });
    assert.deepEqual(h.portal.inspect().visibleCards, []);
    h.app('telephony.externalcall.show', { CALL_ID: callId });
    assert.deepEqual(h.portal.inspect().visibleCards.map((c) => c.userId), [1269]);
  });

  test('unknown CALL_ID → result false, no error', () => {
    const h = harness();
    assert.equal(h.app('telephony.externalcall.show', { CALL_ID: 'externalCall.nope', USER_ID: 1 }).result, false);
    assert.equal(h.app('telephony.externalcall.hide', { CALL_ID: 'externalCall.nope', USER_ID: 1 }).result, false);
  });
});

describe('telephony.externalCall.finish', () => {
  test('doc example 1.3 / tutorial step 6: statistics record, activity, card hidden', () => {
    const h = harness();
    const callId = register(h);
    h.app('telephony.externalcall.show', { CALL_ID: callId, USER_ID: [1270] });
    h.clock.advance(100_000);
    const r = rec(h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1270, DURATION: 95, STATUS_CODE: '200', VOTE: 5, ADD_TO_CHAT: 0 }));
    assert.deepEqual(r, {
      CALL_ID: callId, EXTERNAL_CALL_ID: 'asterisk-1773130778.18441', PORTAL_USER_ID: 1270, PHONE_NUMBER: '499062195047',
      PORTAL_NUMBER: 'line-1', INCOMING: '2', CALL_DURATION: 95, CALL_START_DATE: {}, CALL_STATUS: 1, CALL_VOTE: 5,
      COST: 0, COST_CURRENCY: '', CALL_FAILED_CODE: '200', CALL_FAILED_REASON: '', REST_APP_ID: '3',
      REST_APP_NAME: 'REST API Documentation', CRM_ACTIVITY_ID: 7943, COMMENT: null, CRM_ENTITY_TYPE: 'CONTACT',
      CRM_ENTITY_ID: 797, ID: 7,
    });
    const view = h.portal.inspect();
    assert.deepEqual(view.visibleCards, []);
    assert.deepEqual(view.cardHistory.filter((c) => c.source === 'finish').map((c) => c.userId), [1269, 1270]);
    assert.equal(view.finishes[0]?.params['ADD_TO_CHAT'], 0);
    const act = rec(h.app('crm.activity.get', { id: 7943 }));
    assert.equal(act['ID'], '7943');
    assert.equal(act['OWNER_ID'], '797');
    assert.equal(act['OWNER_TYPE_ID'], '3');
    assert.equal(act['TYPE_ID'], '2');
    assert.equal(act['PROVIDER_ID'], 'VOXIMPLANT_CALL');
    assert.equal(act['PROVIDER_TYPE_ID'], 'CALL');
    assert.equal(act['DIRECTION'], '1');
    assert.equal(act['COMPLETED'], 'Y');
    assert.equal(act['RESPONSIBLE_ID'], '1270');
    assert.equal(act['START_TIME'], '2026-03-10T11:19:38+03:00');
    assert.equal(act['END_TIME'], '2026-03-10T11:21:13+03:00');
    assert.deepEqual(act['SETTINGS'], []);
  });

  test('defaults: STATUS_CODE 304 and CALL_STATUS 0 when DURATION is 0; PORTAL_NUMBER REST_APP:<id> without a line', () => {
    const h = harness();
    const callId = String(rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '+15550001111', TYPE: 2 }))['CALL_ID']);
    const r = rec(h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269 }));
    assert.equal(r['CALL_FAILED_CODE'], '304');
    assert.equal(r['CALL_STATUS'], 0);
    assert.equal(r['PORTAL_NUMBER'], 'REST_APP:3');
    assert.equal(r['EXTERNAL_CALL_ID'], null);
    assert.equal(r['CRM_ACTIVITY_ID'], null);
    assert.equal('CRM_ENTITY_TYPE' in r, false);
  });

  test('CALL_STATUS follows DURATION, not STATUS_CODE', () => {
    const h = harness();
    const callId = register(h);
    const r = rec(h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 0, STATUS_CODE: '200' }));
    assert.equal(r['CALL_STATUS'], 0);
    assert.equal(r['CALL_FAILED_CODE'], '200');
  });

  test('missed incoming call: open activity to call back', () => {
    const h = harness();
    const callId = register(h);
    const r = rec(h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 0, STATUS_CODE: '304' }));
    const act = rec(h.app('crm.activity.get', { id: r['CRM_ACTIVITY_ID'] }));
    assert.equal(act['COMPLETED'], 'N');
    assert.equal(act['STATUS'], '1');
  });

  test('auto-created lead is handed to the user who finished', () => {
    const h = harness();
    const reg = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '+15550002222', TYPE: 2, CRM_CREATE: 1 }));
    h.app('telephony.externalcall.finish', { CALL_ID: reg['CALL_ID'], USER_PHONE_INNER: '103', DURATION: 12 });
    assert.equal(rec(h.app('crm.lead.get', { ID: reg['CRM_CREATED_LEAD'] }))['ASSIGNED_BY_ID'], '1271');
    // Existing objects keep their responsible.
    const reg2 = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '19062195047', TYPE: 2 }));
    h.app('telephony.externalcall.finish', { CALL_ID: reg2['CALL_ID'], USER_ID: 1270, DURATION: 5 });
    assert.equal(rec(h.app('crm.contact.get', { id: 651 }))['ASSIGNED_BY_ID'], '99');
  });

  test('acceptance 3: finish twice; show/hide after finish → false', () => {
    const h = harness();
    const callId = register(h);
    h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 3 });
    expectB24(() => h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269 }), 'ERROR_CORE',
      'Call is not found (call should be registered prior to finishing');
    assert.equal(h.app('telephony.externalcall.show', { CALL_ID: callId, USER_ID: 1269 }).result, false);
    assert.equal(h.app('telephony.externalcall.hide', { CALL_ID: callId, USER_ID: 1269 }).result, false);
  });

  test('errors: CALL_ID type, user, unknown call, inactive user', () => {
    const h = harness();
    const callId = register(h);
    expectB24(() => h.app('telephony.externalcall.finish', { CALL_ID: 12, USER_ID: 1269 }), 'INVALID_ARGUMENT', 'CALL_ID must be a string');
    expectB24(() => h.app('telephony.externalcall.finish', { CALL_ID: [callId], USER_ID: 1269 }), 'INVALID_ARGUMENT', 'CALL_ID must be a string');
    expectB24(() => h.app('telephony.externalcall.finish', { CALL_ID: callId }), 'ERROR_CORE', 'USER_ID or USER_PHONE_INNER should be set');
    expectB24(() => h.app('telephony.externalcall.finish', { CALL_ID: 'externalCall.x.1', USER_ID: 1269 }), 'ERROR_CORE',
      'Call is not found (call should be registered prior to finishing');
    expectB24(() => h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1272 }), 'ERROR_CORE', 'User is not found or is not active');
    assert.equal(h.portal.inspect().finishes.length, 0);
  });

  test('outage backlog: register SHOW=0 with CALL_START_DATE, then finish; no card ever shown', () => {
    const h = harness();
    const callId = register(h, { SHOW: 0, EXTERNAL_CALL_ID: 'asterisk-1773130778.18441-offline', CALL_START_DATE: '2026-03-10T09:00:00+03:00' });
    h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 0, STATUS_CODE: '304' });
    const view = h.portal.inspect();
    assert.deepEqual(view.cardHistory, []);
    assert.equal(view.statistics[0]?.['CALL_START_DATE'], '2026-03-10T09:00:00+03:00');
  });
});

describe('form-encoded params (all values strings)', () => {
  test('register / show / finish with string values behave like JSON numbers', () => {
    const h = harness();
    const r = rec(h.app('telephony.externalcall.register', {
      USER_ID: '1269', PHONE_NUMBER: '499062195047', TYPE: '2', SHOW: '0', CRM_CREATE: '0', CALL_LIST_ID: '0', LINE_NUMBER: 'line-1',
    }));
    assert.equal(r['CRM_ENTITY_ID'], 797);
    assert.deepEqual(h.portal.inspect().visibleCards, []);
    h.app('telephony.externalcall.show', { CALL_ID: r['CALL_ID'], USER_ID: { 0: '1270' } });
    const f = rec(h.app('telephony.externalcall.finish', {
      CALL_ID: r['CALL_ID'], USER_ID: '1270', DURATION: '95', STATUS_CODE: '200', VOTE: '5', COST: '1.5', ADD_TO_CHAT: '1',
      RECORD_URL: 'https://pbx.example/rec/call-7.mp3',
    }));
    assert.deepEqual([f['CALL_DURATION'], f['CALL_VOTE'], f['COST'], f['CALL_STATUS']], [95, 5, 1.5, 1]);
    assert.deepEqual(h.portal.inspect().records.map((x) => [x.name, x.via]), [['call-7.mp3', 'url']]);
  });
});
