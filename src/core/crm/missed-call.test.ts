import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideResponsible, entityMethod, entityOwner, finishOutcome, isMissedCall, lastRungUser, missedCallTaskFields, registerOutcome, taskBinding,
} from './missed-call.js';

test('missed: no conversation accepted, not internal', () => {
  assert.equal(isMissedCall({ direction: 'incoming', conversations: [{}, {}] }), true);
  assert.equal(isMissedCall({ direction: 'incoming', conversations: [] }), true);
  assert.equal(isMissedCall({ direction: 'incoming', conversations: [{ acceptedAt: 5 }] }), false);
  assert.equal(isMissedCall({ direction: 'outgoing', answeredAt: 7, conversations: [{ acceptedAt: 1 }] }), false);
  assert.equal(isMissedCall({ direction: 'click-to-call', conversations: [{}] }), true);
  assert.equal(isMissedCall({ direction: 'internal', conversations: [{}] }), false);
});

test('bindings and entity methods', () => {
  assert.equal(taskBinding({ type: 'LEAD', id: 11 }), 'L_11');
  assert.equal(taskBinding({ type: 'contact', id: 5 }), 'C_5');
  assert.equal(taskBinding({ type: 'COMPANY', id: 3 }), 'CO_3');
  assert.equal(taskBinding({ type: 'DEAL', id: 7 }), 'D_7');
  assert.equal(taskBinding({ type: 'QUOTE', id: 1 }), undefined);
  assert.equal(taskBinding(undefined), undefined);
  assert.equal(entityMethod('CONTACT', 'get'), 'crm.contact.get');
  assert.equal(entityMethod('Lead', 'update'), 'crm.lead.update');
  assert.equal(entityMethod('QUOTE', 'get'), undefined);
});

test('register, finish and crm.*.get results', () => {
  assert.deepEqual(registerOutcome({ CALL_ID: 'externalCall.a.1', CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: 4, CRM_CREATED_LEAD: 4, CRM_CREATED_ENTITIES: [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: 4 }] }),
    { callId: 'externalCall.a.1', entity: { type: 'LEAD', id: 4 }, created: true });
  assert.deepEqual(registerOutcome({ CALL_ID: 'x', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '11', CRM_CREATED_ENTITIES: [] }), { callId: 'x', entity: { type: 'CONTACT', id: 11 }, created: false });
  assert.deepEqual(registerOutcome({ CALL_ID: 'x', CRM_ENTITY_TYPE: '', CRM_ENTITY_ID: null }), { callId: 'x', entity: undefined, created: false });
  assert.deepEqual(registerOutcome(null), { callId: undefined, entity: undefined, created: false });
  assert.deepEqual(finishOutcome({ CRM_ACTIVITY_ID: 7943, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '11' }), { activityId: 7943, entity: { type: 'CONTACT', id: 11 } });
  assert.equal(entityOwner({ ID: '11', ASSIGNED_BY_ID: '2' }), 2);
  assert.equal(entityOwner({ ID: '11', ASSIGNED_BY_ID: '' }), undefined);
  assert.equal(lastRungUser([{ userId: 1 }, { userId: 2 }, {}]), 2);
  assert.equal(lastRungUser([]), undefined);
});

test('responsible per mode', () => {
  const base = { entity: { type: 'CONTACT', id: 11 }, entityCreated: false, finishUserId: 5, lastRungUserId: 6, defaultUserId: 1 };
  assert.deepEqual(decideResponsible({ ...base, mode: 'entity-owner' }), { kind: 'lookup', method: 'crm.contact.get', id: 11, why: 'owner of CONTACT 11' });
  assert.equal(decideResponsible({ ...base, mode: 'entity-owner', entityCreated: true }).kind, 'user');
  assert.deepEqual(decideResponsible({ ...base, mode: 'entity-owner', entity: undefined }), { kind: 'user', userId: 1, why: 'no CRM entity: default user' });
  assert.deepEqual(decideResponsible({ ...base, mode: 'last-rung' }), { kind: 'user', userId: 6, why: 'last user whose phone rang' });
  assert.deepEqual(decideResponsible({ ...base, mode: 'last-rung', lastRungUserId: undefined }), { kind: 'user', userId: 1, why: 'nobody rang: default user' });
  assert.deepEqual(decideResponsible({ ...base, mode: 'default' }), { kind: 'user', userId: 1, why: 'default user' });
});

test('task fields: title, deadline with the portal offset, binding', () => {
  assert.deepEqual(missedCallTaskFields({
    titleTemplate: 'Missed call from {phone} ({phone})', phone: '+4930123456', responsibleId: 2, createdBy: 1,
    endedAt: Date.UTC(2026, 10, 22, 9, 0, 0), deadlineMinutes: 90, tzOffsetMinutes: 180, entity: { type: 'DEAL', id: 7 },
  }), {
    TITLE: 'Missed call from +4930123456 (+4930123456)', RESPONSIBLE_ID: 2, CREATED_BY: 1,
    DEADLINE: '2026-11-22T13:30:00+03:00', UF_CRM_TASK: ['D_7'],
  });
});
