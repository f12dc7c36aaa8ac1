import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PortalEvent } from '../../contract.js';
import type { Binding } from '../portal.js';
import { expectB24, harness, rec, T0 } from './helpers.js';

type Rows = Array<Record<string, unknown>>;

describe('event.bind / unbind / get', () => {
  test('doc examples: bind → true, get lists it, unbind → {count: 1}', () => {
    const h = harness();
    assert.equal(h.app('event.bind', { event: 'ONCRMLEADADD', handler: 'https://www.my-domain.com/handler/' }).result, true);
    assert.equal(h.app('event.bind', { event: 'onExternalCallStart', handler: 'https://www.my-domain.com/handler/', auth_type: 1 }).result, true);
    assert.deepEqual(h.app('event.get').result, [
      { event: 'ONCRMLEADADD', handler: 'https://www.my-domain.com/handler/', auth_type: '0', offline: 0 },
      { event: 'ONEXTERNALCALLSTART', handler: 'https://www.my-domain.com/handler/', auth_type: '1', offline: 0 },
    ]);
    assert.deepEqual(h.app('event.unbind', { event: 'ONCRMLEADADD', handler: 'https://www.my-domain.com/handler/' }).result, { count: 1 });
    assert.deepEqual(h.app('event.unbind', { event: 'ONCRMLEADADD', handler: 'https://www.my-domain.com/handler/' }).result, { count: 0 });
    assert.equal((h.app('event.get').result as Rows).length, 1);
  });

  test('errors: unknown event, duplicate, offline binding by a non-admin, webhook refused', () => {
    const h = harness();
    expectB24(() => h.app('event.bind', { event: 'ONNOTHING', handler: 'https://x/' }), 'ERROR_EVENT_NOT_FOUND', 'Event not found');
    h.app('event.bind', { event: 'ONCRMLEADADD', handler: 'https://x/' });
    expectB24(() => h.app('event.bind', { event: 'ONCRMLEADADD', handler: 'https://x/' }), 'ERROR_HANDLER_ALREADY_EXIST', 'Handler already exists!');
    expectB24(() => h.app('event.bind', { event: 'ONCRMLEADADD', event_type: 'offline' }, 1269), 'ACCESS_DENIED',
      'Access denied! Offline events binding requires administrator access rights', 403);
    expectB24(() => h.app('event.bind', { event: 'ONCRMLEADADD', handler: 'https://y/', auth_type: 1 }, 1269), 'ACCESS_DENIED',
      'Access denied! Event binding with AUTH_TYPE requires administrator access rights', 403);
    for (const m of ['event.bind', 'event.unbind', 'event.get', 'event.offline.get', 'event.offline.clear']) {
      expectB24(() => h.hook(m, { event: 'ONCRMLEADADD', handler: 'https://x/' }), 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403);
    }
  });
});

describe('online delivery and click-to-call', () => {
  test('ONEXTERNALCALLSTART: call registered by the portal, documented data fields, listener gets the bindings', () => {
    const h = harness();
    h.app('telephony.externalLine.add', { NUMBER: '7', NAME: 'Trunk', CRM_AUTO_CREATE: 'N' });
    h.app('event.bind', { event: 'ONEXTERNALCALLSTART', handler: 'https://pbx.example/events' });
    const got: Array<[PortalEvent, Binding[]]> = [];
    const off = h.portal.onEvent((ev, b) => got.push([ev, b]));
    const { callId, event } = h.portal.clickToCall({ userId: 1269, phone: '+494951234567', entityType: 'CONTACT', entityId: 797, lineNumber: '7' });
    off();
    assert.match(callId, /^externalCall\.[0-9a-f]{32}\.\d{10}$/);
    assert.deepEqual(event.data, {
      PHONE_NUMBER: '+494951234567', PHONE_NUMBER_INTERNATIONAL: '+494951234567', EXTENSION: '', USER_ID: '1269',
      CALL_LIST_ID: '0', LINE_NUMBER: '7', IS_MOBILE: '0', CALL_ID: callId, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '797',
      CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [],
    });
    const starts = got.filter(([ev]) => ev.event === 'ONEXTERNALCALLSTART');
    assert.equal(starts.length, 1);
    assert.deepEqual(starts[0]?.[1].map((b) => [b.handler, b.appKey]), [['https://pbx.example/events', 'app:app.test']]);
    const call = h.portal.inspect().calls[0];
    assert.deepEqual([call?.origin, call?.type, call?.userId, call?.appKey], ['click-to-call', 1, 1269, 'app:app.test']);
    assert.deepEqual(h.portal.inspect().visibleCards, [{ callId, userId: 1269, since: T0 }]);
    // The app then finishes the call it never registered.
    const fin = rec(h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 95, STATUS_CODE: '200' }));
    assert.equal(fin['PORTAL_NUMBER'], '7');
    assert.equal(fin['INCOMING'], '1');
  });

  test('click-to-call creates a lead only when the line says CRM_AUTO_CREATE=Y; extension split off', () => {
    const h = harness();
    h.app('telephony.externalLine.add', { NUMBER: 'auto', CRM_AUTO_CREATE: 'Y' });
    h.app('telephony.externalLine.add', { NUMBER: 'manual', CRM_AUTO_CREATE: 'N' });
    const a = h.portal.clickToCall({ userId: 1270, phone: '+15550003333 ext 12', lineNumber: 'auto', callListId: 5, isMobile: true });
    assert.deepEqual([a.event.data['EXTENSION'], a.event.data['CALL_LIST_ID'], a.event.data['IS_MOBILE'], a.event.data['CRM_ENTITY_TYPE']], ['12', '5', '1', 'LEAD']);
    assert.equal(typeof a.event.data['CRM_CREATED_LEAD'], 'number');
    const b = h.portal.clickToCall({ userId: 1270, phone: '+15550004444', lineNumber: 'manual' });
    assert.deepEqual([b.event.data['CRM_ENTITY_TYPE'], b.event.data['CRM_ENTITY_ID'], b.event.data['CRM_CREATED_LEAD']], ['', '', null]);
    assert.throws(() => h.portal.clickToCall({ userId: 1272, phone: '1' }), (e: unknown) => (e as { code?: string }).code === 'EMU_PORTAL_USER_NOT_FOUND');
  });

  test('webhook bindings never get ONEXTERNALCALLSTART', () => {
    const h = harness(undefined, { enforceAppOnly: false });
    h.hook('event.bind', { event: 'ONEXTERNALCALLSTART', handler: 'https://hook/' });
    h.hook('event.bind', { event: 'ONEXTERNALCALLBACKSTART', handler: 'https://hook/' });
    const got: string[] = [];
    h.portal.onEvent((ev) => got.push(ev.event));
    h.portal.clickToCall({ userId: 1269, phone: '+15550001111' });
    const cb = h.portal.callback({ phone: '19062195047', text: 'A callback has been ordered', lineNumber: '7' });
    assert.deepEqual(got, ['ONEXTERNALCALLBACKSTART']);
    assert.deepEqual(cb.data, {
      PHONE_NUMBER: '19062195047', TEXT: 'A callback has been ordered', VOICE: 'ruinternalfemale',
      CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '651', LINE_NUMBER: '7',
    });
  });

  test('a throwing listener does not break the method', () => {
    const h = harness();
    h.app('event.bind', { event: 'ONVOXIMPLANTCALLINIT', handler: 'https://x/' });
    h.portal.onEvent(() => { throw new Error('boom'); });
    const r = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '1', TYPE: 2 }));
    assert.equal(typeof r['CALL_ID'], 'string');
    assert.deepEqual(h.portal.inspect().events.map((e) => [e.event, e.online.length]), [['ONVOXIMPLANTCALLINIT', 1]]);
  });
});

describe('offline events', () => {
  function offlineHarness() {
    const h = harness();
    h.app('event.bind', { event: 'ONCRMLEADADD', event_type: 'offline' });
    h.app('event.bind', { event: 'ONCRMACTIVITYADD', event_type: 'offline' });
    return h;
  }

  test('register with CRM_CREATE and finish queue events; get with default clear=1 empties the queue', () => {
    const h = offlineHarness();
    assert.deepEqual(h.app('event.get').result, [
      { event: 'ONCRMLEADADD', handler: '', auth_type: '0', offline: 1 },
      { event: 'ONCRMACTIVITYADD', handler: '', auth_type: '0', offline: 1 },
    ]);
    const reg = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '+15550001111', TYPE: 2, CRM_CREATE: 1 }));
    h.clock.advance(60_000);
    h.app('telephony.externalcall.finish', { CALL_ID: reg['CALL_ID'], USER_ID: 1269, DURATION: 20 });
    const got = rec(h.app('event.offline.get', {}));
    assert.equal(got['process_id'], null);
    assert.deepEqual(got['events'], [
      { ID: '1', TIMESTAMP_X: '2026-03-10T11:19:38+03:00', EVENT_NAME: 'ONCRMLEADADD', EVENT_DATA: { FIELDS: { ID: String(reg['CRM_CREATED_LEAD']) } }, EVENT_ADDITIONAL: false, MESSAGE_ID: `ONCRMLEADADD:${String(reg['CRM_CREATED_LEAD'])}` },
      { ID: '2', TIMESTAMP_X: '2026-03-10T11:20:38+03:00', EVENT_NAME: 'ONCRMACTIVITYADD', EVENT_DATA: { FIELDS: { ID: '7943' } }, EVENT_ADDITIONAL: false, MESSAGE_ID: 'ONCRMACTIVITYADD:7943' },
    ]);
    assert.deepEqual(rec(h.app('event.offline.get', {}))['events'], []);
  });

  test('clear=0 reserves under a process_id; clear by process_id (and by id)', () => {
    const h = offlineHarness();
    for (const id of [1, 2, 3]) h.portal.raise('ONCRMLEADADD', { FIELDS: { ID: String(id) } });
    const first = rec(h.app('event.offline.get', { clear: 0, limit: 2 }));
    const pid = first['process_id'];
    assert.match(String(pid), /^[0-9a-f]{32}$/);
    assert.deepEqual((first['events'] as Rows).map((e) => e['ID']), ['1', '2']);
    // Reserved events are not handed out again.
    const second = rec(h.app('event.offline.get', { clear: 0 }));
    assert.deepEqual((second['events'] as Rows).map((e) => e['ID']), ['3']);
    assert.equal(h.app('event.offline.clear', { process_id: pid, id: [1] }).result, true);
    assert.deepEqual(h.portal.inspect().offlineQueue.map((e) => e.id), [2, 3]);
    h.app('event.offline.clear', { process_id: pid });
    assert.deepEqual(h.portal.inspect().offlineQueue.map((e) => e.id), [3]);
    expectB24(() => h.app('event.offline.clear', {}), 'ERROR_CORE', 'process_id is not defined');
  });

  test('latest state per object: a repeat before pickup replaces the queued event', () => {
    const h = offlineHarness();
    h.portal.raise('ONCRMLEADADD', { FIELDS: { ID: '5' } });
    h.clock.advance(1000);
    h.portal.raise('ONCRMLEADADD', { FIELDS: { ID: '5' } });
    const view = h.portal.inspect().offlineQueue;
    assert.deepEqual(view.map((e) => [e.id, e.timestamp]), [[1, T0 + 1000]]);
  });

  test('filter with operators and limit', () => {
    const h = offlineHarness();
    for (const id of [1, 2, 3, 4]) h.portal.raise('ONCRMLEADADD', { FIELDS: { ID: String(id) } });
    h.portal.raise('ONCRMACTIVITYADD', { FIELDS: { ID: '9' } });
    const r = rec(h.app('event.offline.get', { filter: { '=EVENT_NAME': 'ONCRMLEADADD', '>=ID': 2 }, limit: 2, auth_connector: 'BxTest' }));
    assert.deepEqual((r['events'] as Rows).map((e) => e['ID']), ['2', '3']);
    assert.deepEqual(h.portal.inspect().offlineQueue.map((e) => e.id), [1, 4, 5]);
    expectB24(() => h.app('event.offline.get', {}, 1269), 'ACCESS_DENIED', 'Access denied!', 403);
  });
});
