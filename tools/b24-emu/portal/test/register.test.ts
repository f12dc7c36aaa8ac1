import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectB24, harness, rec, T0, wire } from './helpers.js';

const CALL_ID_RE = /^externalCall\.[0-9a-f]{32}\.\d{10}$/;

const docRegister = {
  USER_ID: 1269, PHONE_NUMBER: '79062195047', TYPE: 2, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 797,
  SHOW: 1, LINE_NUMBER: '3', EXTERNAL_CALL_ID: 'asterisk-1710140185.18441',
};

describe('telephony.externalCall.register', () => {
  test('doc example 1.1: result envelope with explicit CRM binding', () => {
    const h = harness();
    const r = rec(h.app('telephony.externalCall.register', docRegister));
    assert.match(String(r['CALL_ID']), CALL_ID_RE);
    assert.ok(String(r['CALL_ID']).endsWith(`.${Math.floor(T0 / 1000)}`));
    assert.deepEqual({ ...r, CALL_ID: 'x' }, {
      CALL_ID: 'x', CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [], CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 797,
    });
    assert.equal(wire(r['CRM_CREATED_ENTITIES']), '[]');
    assert.equal('CRM_ACTIVITY_ID' in r, false);
  });

  test('method name is case-insensitive and a .json suffix is accepted', () => {
    const h = harness();
    const r = rec(h.app('TELEPHONY.EXTERNALCALL.REGISTER.json', docRegister));
    assert.match(String(r['CALL_ID']), CALL_ID_RE);
  });

  test('tutorial step 2: the contact is found by phone', () => {
    const h = harness();
    const r = rec(h.app('telephony.externalcall.register', {
      USER_ID: 1269, PHONE_NUMBER: '499062195047', TYPE: 2, LINE_NUMBER: 'line-1', EXTERNAL_CALL_ID: 'asterisk-1773130778.18441', SHOW: 1,
    }));
    assert.equal(r['CRM_ENTITY_TYPE'], 'CONTACT');
    assert.equal(r['CRM_ENTITY_ID'], 797);
    assert.equal(r['CRM_CREATED_LEAD'], null);
  });

  test('no match and no CRM_CREATE: CRM_ENTITY_TYPE "" and CRM_ENTITY_ID null', () => {
    const h = harness();
    const r = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '+15550001111', TYPE: 2 }));
    assert.equal(r['CRM_ENTITY_TYPE'], '');
    assert.equal(r['CRM_ENTITY_ID'], null);
    assert.deepEqual(r['CRM_CREATED_ENTITIES'], []);
    assert.equal(h.portal.inspect().calls.length, 1);
  });

  test('CRM_CREATE=1 creates a lead owned by the user', () => {
    const h = harness();
    const r = rec(h.app('telephony.externalcall.register', { USER_ID: 1270, PHONE_NUMBER: '+15550001111', TYPE: 2, CRM_CREATE: 1, CRM_SOURCE: 'WEB' }));
    assert.equal(r['CRM_ENTITY_TYPE'], 'LEAD');
    const leadId = r['CRM_CREATED_LEAD'];
    assert.equal(typeof leadId, 'number');
    assert.equal(r['CRM_ENTITY_ID'], leadId);
    assert.deepEqual(r['CRM_CREATED_ENTITIES'], [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: leadId }]);
    const lead = rec(h.app('crm.lead.get', { id: leadId }));
    assert.equal(lead['ASSIGNED_BY_ID'], '1270');
    assert.equal(lead['SOURCE_ID'], 'WEB');
    assert.equal(lead['HAS_PHONE'], 'Y');
  });

  test('lead creation failure gives LEAD_CREATION_ERROR and no lead', () => {
    const h = harness({ users: [{ ID: 1, ACTIVE: true }], settings: { leadCreationError: 'Lead creation is disabled' } });
    const r = rec(h.app('telephony.externalcall.register', { USER_ID: 1, PHONE_NUMBER: '+15550001111', TYPE: 2, CRM_CREATE: 1 }));
    assert.equal(r['LEAD_CREATION_ERROR'], 'Lead creation is disabled');
    assert.equal(r['CRM_CREATED_LEAD'], null);
  });

  test('lead-less CRM mode creates a contact and a deal', () => {
    const h = harness({ users: [{ ID: 1, ACTIVE: true }], settings: { crmMode: 'simple' } });
    const r = rec(h.app('telephony.externalcall.register', { USER_ID: 1, PHONE_NUMBER: '+15550001111', TYPE: 2, CRM_CREATE: 1 }));
    assert.equal(r['CRM_CREATED_LEAD'], null);
    assert.deepEqual(r['CRM_CREATED_ENTITIES'], [{ ENTITY_TYPE: 'CONTACT', ENTITY_ID: 1 }, { ENTITY_TYPE: 'DEAL', ENTITY_ID: 1 }]);
    assert.equal(r['CRM_ENTITY_TYPE'], 'CONTACT');
  });

  test('a number equal to an inner phone is internal: CRM_CREATE ignored', () => {
    const h = harness();
    const r = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '102', TYPE: 1, CRM_CREATE: 1 }));
    assert.equal(r['CRM_CREATED_LEAD'], null);
    assert.equal(r['CRM_ENTITY_TYPE'], '');
    assert.equal(h.portal.inspect().calls[0]?.internal, true);
  });

  test('USER_PHONE_INNER finds the user', () => {
    const h = harness();
    h.app('telephony.externalcall.register', { USER_PHONE_INNER: '103', PHONE_NUMBER: '+15550001111', TYPE: 2 });
    assert.equal(h.portal.inspect().calls[0]?.userId, 1271);
  });

  test('unknown LINE_NUMBER silently becomes a line', () => {
    const h = harness();
    h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '+15550001111', TYPE: 2, LINE_NUMBER: 'trunk-9' });
    assert.deepEqual(rec(h.app('telephony.externalLine.get')), [{ NUMBER: 'trunk-9', NAME: 'trunk-9', CRM_AUTO_CREATE: 'Y' }]);
  });

  test('errors from the documented table', () => {
    const h = harness();
    const reg = (p: Record<string, unknown>) => () => h.app('telephony.externalcall.register', p);
    expectB24(reg({ PHONE_NUMBER: '1', TYPE: 2 }), 'ERROR_CORE', 'USER_ID or USER_PHONE_INNER should be set');
    expectB24(reg({ USER_PHONE_INNER: '999', PHONE_NUMBER: '1', TYPE: 2 }), 'ERROR_CORE', 'USER_ID or USER_PHONE_INNER should be set');
    expectB24(reg({ USER_ID: 1272, PHONE_NUMBER: '1', TYPE: 2 }), 'ERROR_CORE', 'User is not found or is not active');
    expectB24(reg({ USER_ID: 4242, PHONE_NUMBER: '1', TYPE: 2 }), 'ERROR_CORE', 'User is not found or is not active');
    expectB24(reg({ USER_ID: 1269, PHONE_NUMBER: '1', TYPE: 9 }), 'ERROR_CORE', 'Unknown TYPE');
    expectB24(reg({ USER_ID: 1269, PHONE_NUMBER: 'abc', TYPE: 2 }), 'ERROR_CORE', 'Unsupported phone number format');
    expectB24(reg({ USER_ID: 1269, PHONE_NUMBER: '1', TYPE: 2, CALL_START_DATE: '10.03.2026 11:00' }), 'ERROR_CORE',
      'CALL_START_DATE should be in the ISO-8601 format');
    assert.equal(h.portal.inspect().calls.length, 0);
  });

  test('letters are stripped from the stored number', () => {
    const h = harness();
    h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: 'tel:+1 (555) 000-1111', TYPE: 2 });
    assert.equal(h.portal.inspect().calls[0]?.phoneNumber, '+15550001111');
  });

  test('app-only: webhook gets 403 WRONG_AUTH_TYPE unless enforceAppOnly is false', () => {
    const h = harness();
    expectB24(() => h.hook('telephony.externalcall.register', docRegister), 'WRONG_AUTH_TYPE',
      'Current authorization type is denied for this method', 403);
    expectB24(() => h.hook('telephony.externalcall.finish', { CALL_ID: 'x', USER_ID: 1 }), 'WRONG_AUTH_TYPE',
      'Current authorization type is denied for this method', 403);
    const lenient = harness(undefined, { enforceAppOnly: false });
    assert.match(String(rec(lenient.hook('telephony.externalcall.register', docRegister))['CALL_ID']), CALL_ID_RE);
  });

  test('unknown method → 404 ERROR_METHOD_NOT_FOUND', () => {
    const h = harness();
    expectB24(() => h.app('telephony.externalcall.nope'), 'ERROR_METHOD_NOT_FOUND', 'Method not found!', 404);
  });
});

describe('reuse rule (30 minutes)', () => {
  const base = { USER_ID: 1269, PHONE_NUMBER: '499062195047', TYPE: 2, LINE_NUMBER: 'line-1', EXTERNAL_CALL_ID: 'asterisk-1.1', SHOW: 0 };

  test('same keys within 30 min → same CALL_ID; CRM entity params are not keys', () => {
    const h = harness();
    const first = rec(h.app('telephony.externalcall.register', base))['CALL_ID'];
    h.clock.advance(29 * 60_000);
    const again = rec(h.app('telephony.externalcall.register', { ...base, CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: 643 }));
    assert.equal(again['CALL_ID'], first);
    assert.equal(again['CRM_ENTITY_TYPE'], 'CONTACT');
    const regs = h.portal.inspect().registrations;
    assert.deepEqual(regs.map((r) => r.reused), [false, true]);
    assert.equal(regs[1]?.params['CRM_ENTITY_ID'], 643);
  });

  test('each key changes the answer: EXTERNAL_CALL_ID, user, type, line, phone', () => {
    const h = harness();
    const first = rec(h.app('telephony.externalcall.register', base))['CALL_ID'];
    for (const change of [{ EXTERNAL_CALL_ID: 'asterisk-1.2' }, { USER_ID: 1270 }, { TYPE: 3 }, { LINE_NUMBER: 'line-2' }, { PHONE_NUMBER: '499062195048' }]) {
      const other = rec(h.app('telephony.externalcall.register', { ...base, ...change }))['CALL_ID'];
      assert.notEqual(other, first, JSON.stringify(change));
    }
  });

  test('after 30 minutes (by CALL_START_DATE) → new CALL_ID', () => {
    const h = harness();
    const first = rec(h.app('telephony.externalcall.register', base))['CALL_ID'];
    h.clock.advance(30 * 60_000 + 1000);
    assert.notEqual(rec(h.app('telephony.externalcall.register', base))['CALL_ID'], first);
  });

  test('an old CALL_START_DATE is outside the window even when registered just now', () => {
    const h = harness();
    const old = { ...base, CALL_START_DATE: '2026-03-10T10:00:00+03:00' };
    const first = rec(h.app('telephony.externalcall.register', old))['CALL_ID'];
    assert.notEqual(rec(h.app('telephony.externalcall.register', old))['CALL_ID'], first);
  });

  test('after finish → new CALL_ID', () => {
    const h = harness();
    const first = rec(h.app('telephony.externalcall.register', base))['CALL_ID'];
    h.app('telephony.externalcall.finish', { CALL_ID: first, USER_ID: 1269, DURATION: 10 });
    assert.notEqual(rec(h.app('telephony.externalcall.register', base))['CALL_ID'], first);
  });

  test('another application does not reuse this app\'s call', () => {
    const h = harness();
    const first = rec(h.app('telephony.externalcall.register', base))['CALL_ID'];
    const other = rec(h.portal.invoke('telephony.externalcall.register', base, { authType: 'oauth', userId: 1, clientId: 'other', now: h.clock.now() }));
    assert.notEqual(other['CALL_ID'], first);
  });

  test('a repeat with SHOW=1 re-shows the card', () => {
    const h = harness();
    const callId = rec(h.app('telephony.externalcall.register', base))['CALL_ID'];
    h.app('telephony.externalcall.register', { ...base, SHOW: 1 });
    assert.deepEqual(h.portal.inspect().visibleCards, [{ callId, userId: 1269, since: T0 }]);
  });
});
