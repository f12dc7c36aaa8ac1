/**
 * One realistic input per point: templates for `hooks try`, the admin UI's dry run when no recent
 * call is at hand, the docs, and the tests of the examples. Pure data.
 */
import type { HookActivity, HookInputs } from './types.js';

/** A small call_full (see serializeCallFull in src/core/call/model.ts). */
export const SAMPLE_CALL_FULL = {
  version: 1,
  call_key: '1700000000.42',
  direction: 'incoming',
  client_number: '+79001234567',
  did: '74951234567',
  trunk: 'provider-1',
  caller_extension: null,
  queue: null,
  started_at: '2026-01-15T09:30:00.000Z',
  answered_at: '2026-01-15T09:30:07.000Z',
  ended_at: '2026-01-15T09:31:02.000Z',
  status_code: '200',
  outcome: 'answered',
  vote: null,
  from_mobile_of: null,
  recordings: ['/var/spool/asterisk/monitor/1700000000.42.wav'],
  conversations: [
    {
      id: 1, extension: '101', user_id: 5, stage: 'conversation_ended', via: 'dial', queue: null, channel: 'PJSIP/101-00000001',
      requested_at: '2026-01-15T09:30:01.000Z', accepted_at: '2026-01-15T09:30:07.000Z', ended_at: '2026-01-15T09:31:02.000Z',
      dial_status: 'ANSWER', end_reason: 'hangup', mobile: null,
    },
  ],
  asterisk: { linkedid: '1700000000.42', uniqueids: ['1700000000.42', '1700000000.43'] },
  bitrix24: { call_id: 'externalCall.0c1f4e7b2a.1700000007', entity_type: 'CONTACT', entity_id: 42, activity_id: 1234, responsible_id: 5 },
} as const;

export const SAMPLE_ACTIVITY: HookActivity = {
  id: '1234',
  is_new: false,
  name: 'Incoming call +79001234567',
  phones: [],
  raw: { ID: '1234', SUBJECT: 'Incoming call +79001234567', OWNER_TYPE_ID: '3', OWNER_ID: '42', RESPONSIBLE_ID: '5', DIRECTION: '1' },
  responsible: { ID: '5', NAME: 'Anna', LAST_NAME: 'Petrova' },
  responsible_id: '5',
  type: 'activity',
};

const call_full = SAMPLE_CALL_FULL;

export const SAMPLE_INPUTS: { readonly [P in keyof HookInputs]: HookInputs[P] } = {
  customize_activity: { activity: SAMPLE_ACTIVITY, call_full },
  customize_entity: { call_full },
  need_registration: { call_stage: 'conversation_requested', call_full },
  process_client_phone: { phone: '89001234567', call_stage: 'conversation_requested', call_full },
  process_final_params: { ADD_TO_CHAT: 1, CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', DURATION: 55, STATUS_CODE: '200', USER_ID: 5, call_full },
  process_originate_params: {
    Channel: 'PJSIP/101', Context: 'from-internal', Exten: '89001234567', Priority: 1, CallerID: '"To +79001234567" <101>', Timeout: 30000,
    Variable: { B24_CALL_ID: 'externalCall.0c1f4e7b2a.1700000007' }, Account: '',
    event: { USER_ID: '5', PHONE_NUMBER: '+79001234567', CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '42' },
    call_full,
  },
  process_record_file_path: { path: '/var/spool/asterisk/monitor/1700000000.42.mp3', call_full },
  process_registration_params: {
    CALL_START_DATE: '2026-01-15T09:30:00.000Z', CRM_CREATE: 1, CRM_SOURCE: 'CALL', LINE_NUMBER: '74951234567', PHONE_NUMBER: '+79001234567',
    SHOW: 0, TYPE: 2, USER_ID: 5, call_stage: 'conversation_requested', call_full,
  },
  process_task_creation_params: {
    fields: { CREATED_BY: 1, DEADLINE: '2026-01-15T10:31:02.000Z', RESPONSIBLE_ID: 5, TITLE: 'Missed call from +79001234567', UF_CRM_TASK: ['C_42'] },
    call_full,
  },
  process_user_phone: { phone: '101', call_stage: 'conversation_requested', call_full },
  customize_autodistribution: {
    number: '101', name: 'Anna Petrova', from: '+79001234567',
    user: { id: 5, phones: ['101'], name: 'Anna Petrova', email: 'anna@example.com', position: 'Sales' },
    entity: { type: 'contact', id: 42, name: 'Ivan Ivanov', responsible_id: 5 },
  },
  post_registration: { call_stage: 'conversation_requested', call_full },
  customize_show_call_card: { CALL_ID: 'externalCall.0c1f4e7b2a.1700000007', USER_ID: 5, call_stage: 'conversation_requested', call_full },
  customize_attach_record_url: {
    DESCRIPTION: '<audio controls src="https://pbx.example.com/records/1700000000.42.mp3"></audio><br><a href="https://pbx.example.com/records/1700000000.42.mp3">Recording</a>',
    DESCRIPTION_TYPE: 3,
    activity: SAMPLE_ACTIVITY,
    call_full,
  },
};
