import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expectB24, harness, rec } from './helpers.js';

type Rows = Array<Record<string, unknown>>;
const rows = (r: { result: unknown }): Rows => r.result as Rows;

describe('user.get / user.search', () => {
  test('example (a): filter keys at the top level, SORT/ORDER, start', () => {
    const h = harness();
    const r = h.hook('user.get', { UF_DEPARTMENT: 1, SORT: 'ID', ORDER: 'asc', start: 0 });
    assert.equal(r.total, 8);
    assert.deepEqual(rows(r).map((u) => u['ID']), ['1', '3', '99', '505', '1269', '1270', '1271', '1272']);
    const first = rows(r)[0] ?? {};
    assert.equal(first['ACTIVE'], true);
    assert.deepEqual(first['UF_DEPARTMENT'], [1]);
    assert.equal('IS_ADMIN' in first, false);
  });

  test('UF_PHONE_INNER and ACTIVE filters', () => {
    const h = harness();
    assert.deepEqual(rows(h.hook('user.get', { FILTER: { UF_PHONE_INNER: '102' } })).map((u) => u['ID']), ['1270']);
    assert.deepEqual(rows(h.hook('user.get', { filter: { UF_PHONE_INNER: '104', ACTIVE: true } })), []);
    assert.equal(h.hook('user.get', { filter: { ACTIVE: 'Y' } }).total, 7);
    assert.deepEqual(rows(h.hook('user.get', { filter: { '@UF_PHONE_INNER': ['101', '103'] } })).map((u) => u['ID']), ['1269', '1271']);
  });

  test('examples (b)-(c): LIKE and negated LIKE', () => {
    const h = harness();
    assert.deepEqual(rows(h.hook('user.get', { filter: { NAME: 'Jo%' } })).map((u) => u['ID']), ['3']);
    assert.deepEqual(rows(h.hook('user.get', { filter: { '%NAME': 'Jo' } })).map((u) => u['ID']), ['3']);
    assert.deepEqual(rows(h.hook('user.get', { filter: { '=%NAME': 'Jo%' } })).map((u) => u['ID']), ['3']);
    assert.deepEqual(rows(h.hook('user.get', { filter: { '%LAST_NAME': 'an' } })).map((u) => u['ID']), ['99']);
    assert.equal(h.hook('user.get', { filter: { '!%LAST_NAME': 'an' } }).total, 7);
  });

  test('paging: 50 per page, next, total; start=-1 gives no total', () => {
    const users = Array.from({ length: 120 }, (_, i) => ({ ID: i + 1, NAME: `U${i + 1}`, ACTIVE: true }));
    const h = harness({ users });
    const p1 = h.hook('user.get', {});
    assert.deepEqual([rows(p1).length, p1.total, p1.next], [50, 120, 50]);
    const p3 = h.hook('user.get', { start: 100 });
    assert.deepEqual([rows(p3).length, p3.total, p3.next, rows(p3)[0]?.['ID']], [20, 120, undefined, '101']);
    const fast = h.hook('user.get', { start: -1, filter: { '>ID': 110 }, order: { ID: 'ASC' } });
    assert.deepEqual([rows(fast).length, fast.total, fast.next], [10, undefined, undefined]);
    const desc = h.hook('user.get', { sort: 'ID', order: 'DESC' });
    assert.equal(rows(desc)[0]?.['ID'], '120');
  });

  test('select keeps only named fields', () => {
    const h = harness();
    assert.deepEqual(rows(h.hook('user.get', { filter: { ID: 1269 }, select: ['ID', 'UF_PHONE_INNER'] })), [{ ID: '1269', UF_PHONE_INNER: '101' }]);
  });

  test('user.search: FIND and quick-search keys', () => {
    const h = harness();
    assert.deepEqual(rows(h.hook('user.search', { FIND: 'operator' })).map((u) => u['ID']), ['1269', '1270']);
    assert.deepEqual(rows(h.hook('user.search', { FILTER: { LAST_NAME: 'sec' } })).map((u) => u['ID']), ['1270']);
    assert.equal(h.hook('user.search', { UF_DEPARTMENT: 1, SORT: 'ID', ORDER: 'asc' }).total, 8);
  });

  test('user.current and department.get', () => {
    const h = harness();
    assert.equal(rec(h.hook('user.current', {}, 1270))['ID'], '1270');
    assert.deepEqual(h.hook('department.get', { ID: 1 }).result, [{ ID: '1', NAME: 'DEMO', SORT: 500, UF_HEAD: '1' }]);
  });
});

describe('CRM', () => {
  test('crm.duplicate.findbycomm: doc example, all types, no match = []', () => {
    const h = harness();
    assert.deepEqual(h.hook('crm.duplicate.findbycomm', { entity_type: 'CONTACT', type: 'PHONE', values: ['8976543', '11223355'] }).result,
      { CONTACT: [275, 2297] });
    assert.deepEqual(h.hook('crm.duplicate.findbycomm', { type: 'PHONE', values: ['19062195047'] }).result, { CONTACT: [651], COMPANY: [643] });
    assert.deepEqual(Object.keys(rec(h.hook('crm.duplicate.findbycomm', { type: 'PHONE', values: ['+15454777777', '19062195047'] }))), ['LEAD', 'CONTACT', 'COMPANY']);
    assert.equal(JSON.stringify(h.hook('crm.duplicate.findbycomm', { type: 'PHONE', values: ['000'] }).result), '[]');
    assert.deepEqual(h.hook('crm.duplicate.findbycomm', { type: 'EMAIL', values: ['DUP@example.com'] }).result, { CONTACT: [2297] });
  });

  test('crm.duplicate.findbycomm errors put the message in `error`', () => {
    const h = harness();
    expectB24(() => h.hook('crm.duplicate.findbycomm', { values: ['1'] }), 'Communication type is not defined', "Parameter 'type' is required.");
    expectB24(() => h.hook('crm.duplicate.findbycomm', { type: 'FAX', values: ['1'] }), "Communication type 'FAX' is not supported in current context",
      "Communication type 'FAX' is not supported in current context");
    expectB24(() => h.hook('crm.duplicate.findbycomm', { type: 'PHONE' }), 'Communication values is not defined', "Parameter 'values' is required.");
  });

  test('crm.*.get: string values, multifields with ids, HAS_PHONE; errors with error ""', () => {
    const h = harness();
    const c = rec(h.hook('crm.contact.get', { ID: 651 }));
    assert.equal(c['ID'], '651');
    assert.equal(c['ASSIGNED_BY_ID'], '99');
    assert.equal(c['COMPANY_ID'], '643');
    assert.equal(c['HAS_PHONE'], 'Y');
    const phones = c['PHONE'] as Rows;
    assert.equal(phones.length, 1);
    assert.match(String(phones[0]?.['ID']), /^\d+$/);
    assert.deepEqual({ ...phones[0], ID: 'x' }, { ID: 'x', VALUE_TYPE: 'MOBILE', VALUE: '19062195047', TYPE_ID: 'PHONE' });
    assert.equal(rec(h.hook('crm.company.get', { id: 643 }))['TITLE'], 'Daisy LLC');
    assert.equal(rec(h.hook('crm.lead.get', { id: '123' }))['STATUS_ID'], 'IN_PROCESS');
    expectB24(() => h.hook('crm.contact.get', {}), '', 'ID is not defined or invalid.');
    expectB24(() => h.hook('crm.company.get', { ID: 12 }), '', 'Not found');
  });

  test('crm.*.update: fields and multifield add/change/delete', () => {
    const h = harness();
    const phoneId = (rec(h.app('crm.contact.get', { id: 797 }))['PHONE'] as Rows)[0]?.['ID'];
    assert.equal(h.app('crm.contact.update', { id: 797, fields: { ASSIGNED_BY_ID: 1270, PHONE: [{ ID: phoneId, VALUE: '+499062195000' }, { VALUE: '+15550009999', VALUE_TYPE: 'MOBILE' }] } }).result, true);
    const c = rec(h.app('crm.contact.get', { id: 797 }));
    assert.equal(c['ASSIGNED_BY_ID'], '1270');
    assert.deepEqual((c['PHONE'] as Rows).map((p) => p['VALUE']), ['+499062195000', '+15550009999']);
    h.app('crm.contact.update', { ID: 797, FIELDS: { PHONE: [{ ID: phoneId, DELETE: 'Y' }] } });
    assert.deepEqual((rec(h.app('crm.contact.get', { id: 797 }))['PHONE'] as Rows).map((p) => p['VALUE']), ['+15550009999']);
    expectB24(() => h.app('crm.lead.update', { id: 123 }), '', "Parameter 'fields' must be array.");
  });

  test('crm.contact.add: new object is found by phone afterwards', () => {
    const h = harness();
    const id = h.app('crm.contact.add', { fields: { NAME: 'New', PHONE: [{ VALUE: '+15557770000', VALUE_TYPE: 'WORK' }] } }, 1270).result;
    assert.equal(id, 2298);
    assert.equal(rec(h.app('crm.contact.get', { id }))['ASSIGNED_BY_ID'], '1270');
    const r = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '+15557770000', TYPE: 2 }));
    assert.deepEqual([r['CRM_ENTITY_TYPE'], r['CRM_ENTITY_ID']], ['CONTACT', 2298]);
  });

  test('crm.deal.list: a client\'s open deals, select, filter errors', () => {
    const h = harness();
    const r = h.hook('crm.deal.list', { filter: { COMPANY_ID: 643, CLOSED: 'N' }, select: ['ID', 'ASSIGNED_BY_ID'] });
    assert.deepEqual(r.result, [{ ID: '37', ASSIGNED_BY_ID: '99' }]);
    assert.equal(r.total, 1);
    assert.equal(r.next, undefined);
    const up = h.hook('crm.deal.list', { SELECT: ['ID', 'OPPORTUNITY'], FILTER: { '>OPPORTUNITY': 10000, '<=OPPORTUNITY': 20000, '@ASSIGNED_BY_ID': [1, 99] }, ORDER: { OPPORTUNITY: 'ASC' } });
    assert.deepEqual(up.result, [{ ID: '37', OPPORTUNITY: '19999.99' }]);
    expectB24(() => h.hook('crm.deal.list', { filter: 'x' }), '', "Parameter 'filter' must be array.");
    expectB24(() => h.hook('crm.deal.list', { order: 'x' }), '', "Parameter 'order' must be array.");
    const contacts = h.hook('crm.contact.list', { filter: { PHONE: '19062195047' } });
    assert.deepEqual(rows(contacts).map((c) => [c['ID'], 'PHONE' in c]), [['651', false]]);
  });

  test('crm.activity.update: doc example and errors', () => {
    const h = harness();
    const callId = rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '19062195047', TYPE: 1 }))['CALL_ID'];
    const actId = rec(h.app('telephony.externalcall.finish', { CALL_ID: callId, USER_ID: 1269, DURATION: 30 }))['CRM_ACTIVITY_ID'];
    assert.equal(h.app('crm.activity.update', { id: actId, fields: { RESPONSIBLE_ID: 1, DESCRIPTION: 'New description of the activity' } }).result, true);
    const act = rec(h.app('crm.activity.get', { id: actId }));
    assert.deepEqual([act['RESPONSIBLE_ID'], act['DESCRIPTION'], act['DIRECTION'], act['OWNER_TYPE_ID']], ['1', 'New description of the activity', '2', '3']);
    expectB24(() => h.app('crm.activity.get', { id: 999 }), '', 'Activity is not found');
    expectB24(() => h.app('crm.activity.update', { id: actId, fields: { SUBJECT: '' } }), '', 'The field SUBJECT is not defined or empty');
    expectB24(() => h.app('crm.activity.update', { id: actId, fields: { RESPONSIBLE_ID: 4242 } }), '', 'The field RESPONSIBLE_ID is not defined or invalid');
  });

  test('crm.timeline.comment.add', () => {
    const h = harness();
    assert.equal(h.app('crm.timeline.comment.add', { fields: { ENTITY_ID: 37, ENTITY_TYPE: 'deal', COMMENT: 'New comment was added' } }).result, 1);
    expectB24(() => h.app('crm.timeline.comment.add', { fields: { ENTITY_ID: 1, ENTITY_TYPE: 'deal', COMMENT: 'x' } }), 'OWNER_NOT_FOUND', 'Owner not found.');
  });
});

describe('searchCrmEntities', () => {
  test('doc example 1.6: contact before company, ASSIGNED_BY block', () => {
    const h = harness();
    const r = h.hook('telephony.externalCall.searchCrmEntities', { PHONE_NUMBER: '19062195047' });
    const assigned = { ID: '99', TIMEMAN_STATUS: 'CLOSED', USER_PHONE_INNER: '199', WORK_PHONE: null, PERSONAL_PHONE: null, PERSONAL_MOBILE: '19062195047' };
    assert.deepEqual(r.result, [
      { CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 651, ASSIGNED_BY_ID: 99, NAME: 'John Doe', ASSIGNED_BY: assigned },
      { CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: 643, ASSIGNED_BY_ID: 99, NAME: 'Daisy LLC', ASSIGNED_BY: assigned },
    ]);
    assert.deepEqual(h.hook('telephony.externalCall.searchCrmEntities', { PHONE_NUMBER: '+70000000000' }).result, []);
    expectB24(() => h.hook('telephony.externalCall.searchCrmEntities', {}), 'ERROR_CORE', 'PHONE_NUMBER is empty');
  });
});

describe('tasks.task.add', () => {
  test('doc example: camelCase task, CRM bindings stored', () => {
    const h = harness();
    const r = rec(h.app('tasks.task.add', { fields: { TITLE: 'Call back', DEADLINE: '2025-12-31T23:59:59', CREATED_BY: 1, RESPONSIBLE_ID: 1269, UF_CRM_TASK: ['L_123', 'C_797', 'CO_643', 'D_37'] } }));
    const task = r['task'] as Record<string, unknown>;
    assert.deepEqual([task['id'], task['title'], task['responsibleId'], task['createdBy'], task['status'], task['priority'], task['deadline']],
      ['1', 'Call back', '1269', '1', '2', '1', '2025-12-31T23:59:59+03:00']);
    assert.deepEqual(h.portal.inspect().tasks[0]?.['UF_CRM_TASK'], ['L_123', 'C_797', 'CO_643', 'D_37']);
  });

  test('errors', () => {
    const h = harness();
    expectB24(() => h.app('tasks.task.add', {}), '100', 'Could not find value for parameter {fields}');
    expectB24(() => h.app('tasks.task.add', { fields: { RESPONSIBLE_ID: 1 } }), 'ERROR_CORE', 'Task title is not specified<br>');
    expectB24(() => h.app('tasks.task.add', { fields: { TITLE: 'x' } }), 'ERROR_CORE', 'Responsible person not specified<br>');
    expectB24(() => h.app('tasks.task.add', { fields: { TITLE: 'x', RESPONSIBLE_ID: 4242 } }), 'ERROR_CORE', 'User specified in the "Responsible" field not found<br>');
  });
});
