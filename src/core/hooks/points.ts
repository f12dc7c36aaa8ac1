/**
 * The 14 customization points as data (shared/reference/customizations.md, seed 000): names, call
 * stages, input fields, what a reply may change, read-only fields, timeouts and special rules.
 * This is the single list: loaders reject other names, the envelope validates replies against it,
 * the docs and the admin UI render it. Pure data, no IO.
 */
import { STAGES, type Stage } from '../call/stages.js';

export const HOOK_POINTS = [
  'customize_activity',
  'customize_entity',
  'need_registration',
  'process_client_phone',
  'process_final_params',
  'process_originate_params',
  'process_record_file_path',
  'process_registration_params',
  'process_task_creation_params',
  'process_user_phone',
  'customize_autodistribution',
  'post_registration',
  'customize_show_call_card',
  'customize_attach_record_url',
] as const;

export type HookPointName = (typeof HOOK_POINTS)[number];

export function isHookPointName(s: string): s is HookPointName {
  return (HOOK_POINTS as readonly string[]).includes(s);
}

/** Values of `call_stage` in hook inputs: the call tracker's stages, same names. */
export const HOOK_STAGES = STAGES;
export type HookStage = Stage;

/**
 * JSON types a field may hold. Lenient where PHP hooks commonly differ (see envelope.ts `coerce`):
 * `integer` also takes a digit string, `flag` takes 0/1/true/false/"0"/"1", `boolean` takes 0/1.
 */
export type FieldType =
  | 'string'
  | 'integer'
  | 'flag'
  | 'boolean'
  | 'string-or-integer'
  | 'string-map'
  | 'string-array'
  | 'object'
  | 'array'
  | 'any';

export interface FieldSpec {
  readonly type: FieldType;
  /** May a reply change it? Read-only fields returned by a hook are dropped (HOOK_READONLY_DROPPED). */
  readonly writable: boolean;
  /** Strings longer than this are a wrong type (HOOK_BAD_TYPES). */
  readonly maxLength?: number;
  /** Strings must match (e.g. task bindings `L_11201`). Applies to each item of a string-array. */
  readonly pattern?: RegExp;
  /** The value is always this, whatever the input or the reply says (SHOW = 0). */
  readonly fixedValue?: unknown;
  /** Value when the input lacks the field (need_registration's `result`). */
  readonly defaultValue?: unknown;
  /** Only present in the input when not empty. */
  readonly optional?: boolean;
  readonly doc: string;
}

/**
 * What `data` of a reply may hold.
 * - fields: a fixed set of named fields; effective data = defaults from the input, overlaid by the
 *   reply's writable fields.
 * - map: any CRM field name → value (activity/entity fields); effective data = `seed` input fields
 *   overlaid by the reply; `protectedKeys` are read-only.
 * - nested-map: like map, under `data.fields`, seeded from `input.fields`; known keys are typed.
 * - state-only: only `state` counts (post_registration); data is always `{}`.
 */
export type ReplyShape =
  | { readonly kind: 'fields'; readonly fields: Readonly<Record<string, FieldSpec>> }
  | { readonly kind: 'map'; readonly seed: readonly string[]; readonly protectedKeys: readonly string[] }
  | { readonly kind: 'nested-map'; readonly key: 'fields'; readonly known: Readonly<Record<string, FieldSpec>> }
  | { readonly kind: 'state-only' };

export interface HookPointSpec {
  readonly name: HookPointName;
  /** Number in the original product's table (1…14). */
  readonly number: number;
  /** `call_stage` values the point is called with; empty when the input has no call_stage. */
  readonly stages: readonly HookStage[];
  readonly when: string;
  /** Input fields besides `call_full` (and besides legacy fields kept for backward compatibility). */
  readonly input: Readonly<Record<string, FieldSpec>>;
  readonly reply: ReplyShape;
  readonly defaultTimeoutMs: number;
  /** false: settings cannot change the timeout (process_record_file_path, 10 s). */
  readonly timeoutOverridable: boolean;
  /** Special rules in words, for docs and the admin UI. */
  readonly rules: readonly string[];
}

export const DEFAULT_HOOK_TIMEOUT_MS = 3_000;
export const RECORD_FILE_PATH_TIMEOUT_MS = 10_000;

const ALL_STAGES = HOOK_STAGES;
const REGISTER_STAGES = ['conversation_requested', 'call_ended'] as const;

/** Task bindings: L_ lead, C_ contact, CO_ company, D_ deal. */
export const TASK_BINDING_PATTERN = /^(L|C|CO|D)_\d+$/;

// ---- field helpers --------------------------------------------------------------------------------

const rw = (type: FieldType, doc: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type, writable: true, doc, ...extra });
const ro = (type: FieldType, doc: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type, writable: false, doc, ...extra });

const callStage = ro('string', 'Call stage: conversation_requested | conversation_accepted | conversation_ended | call_ended');
const phoneStage = { phone: rw('string', 'The number'), call_stage: callStage };

/** The `activity` object passed to customize_activity and customize_attach_record_url. */
const activityInput = ro('object', 'The CRM activity: {id, is_new (false), name, phones ([]), raw (non-empty fields), responsible, responsible_id, type: "activity"}');

const registrationFields: Readonly<Record<string, FieldSpec>> = {
  CALL_START_DATE: rw('string', 'Date-time the call started (ISO 8601)'),
  CRM_CREATE: rw('flag', '0/1: create a lead when the number is not found'),
  CRM_SOURCE: rw('string', 'STATUS_ID of the source'),
  LINE_NUMBER: rw('string', 'External line (trunk) number in Bitrix24'),
  PHONE_NUMBER: rw('string', 'Number used to look up the entity'),
  SHOW: ro('flag', 'Always 0: the card is shown by customize_show_call_card', { fixedValue: 0 }),
  TYPE: rw('integer', 'Direction: 1 outgoing, 2 incoming'),
  USER_ID: rw('integer', 'Bitrix24 user id'),
};

const finalFields: Readonly<Record<string, FieldSpec>> = {
  ADD_TO_CHAT: rw('flag', '0/1: post a message to the business chat (default 1)'),
  CALL_ID: ro('string', 'Bitrix24 call id; not changeable'),
  DURATION: rw('integer', 'Call duration, s'),
  STATUS_CODE: rw('string', 'Call status in Bitrix24 (200, 304, 486, 603 …)'),
  USER_ID: rw('integer', 'Bitrix24 user responsible for the conversation'),
};

const originateFields: Readonly<Record<string, FieldSpec>> = {
  Channel: rw('string', 'Channel to dial first, e.g. PJSIP/101'),
  Context: rw('string', 'Dialplan context of the second leg'),
  Exten: rw('string', 'Extension (the client number) of the second leg'),
  Priority: rw('string-or-integer', 'Dialplan priority'),
  CallerID: rw('string', 'CallerID of the first leg'),
  Timeout: rw('integer', 'Ring time of the first leg, ms'),
  Variable: rw('string-map', 'Channel variables: name → value'),
  Account: rw('string', 'CDR account code'),
};

const taskFields: Readonly<Record<string, FieldSpec>> = {
  CREATED_BY: rw('integer', 'Task creator (user id)'),
  DEADLINE: rw('string', 'Deadline (ISO 8601)'),
  RESPONSIBLE_ID: rw('integer', 'Responsible user id'),
  TITLE: rw('string', 'Task title'),
  UF_CRM_TASK: rw('string-array', 'CRM bindings: L_ lead, C_ contact, CO_ company, D_ deal (e.g. L_11201)', { pattern: TASK_BINDING_PATTERN }),
};

// ---- the 14 points --------------------------------------------------------------------------------

function point(spec: Omit<HookPointSpec, 'defaultTimeoutMs' | 'timeoutOverridable' | 'rules'> & Partial<HookPointSpec>): HookPointSpec {
  return { defaultTimeoutMs: DEFAULT_HOOK_TIMEOUT_MS, timeoutOverridable: true, rules: [], ...spec };
}

export const HOOK_POINT_SPECS: Readonly<Record<HookPointName, HookPointSpec>> = {
  customize_activity: point({
    name: 'customize_activity', number: 1, stages: [],
    when: 'call end, after finish',
    input: { activity: activityInput },
    reply: { kind: 'map', seed: [], protectedKeys: ['ID'] },
    rules: ['reply data: activity field → value, applied with crm.activity.update', 'ID cannot be changed'],
  }),
  customize_entity: point({
    name: 'customize_entity', number: 2, stages: [],
    when: 'call end',
    input: {},
    reply: { kind: 'map', seed: [], protectedKeys: ['ID'] },
    rules: ['reply data: lead/contact field → value, applied to the call\'s entity', 'ID cannot be changed'],
  }),
  need_registration: point({
    name: 'need_registration', number: 3, stages: ALL_STAGES,
    when: 'every stage; after the built-in lists by extension',
    input: { call_stage: callStage },
    reply: { kind: 'fields', fields: { result: rw('boolean', 'true register, false ignore', { defaultValue: true }) } },
    rules: ['result true (default) registers the call, false ignores it'],
  }),
  process_client_phone: point({
    name: 'process_client_phone', number: 4, stages: ALL_STAGES,
    when: 'every stage, before the client number is sent to the CRM',
    input: phoneStage,
    reply: { kind: 'fields', fields: { phone: phoneStage.phone } },
  }),
  process_final_params: point({
    name: 'process_final_params', number: 5, stages: [],
    when: 'call end, before telephony.externalcall.finish',
    input: finalFields,
    reply: { kind: 'fields', fields: finalFields },
    rules: ['CALL_ID cannot be changed (dropped from the reply)'],
  }),
  process_originate_params: point({
    name: 'process_originate_params', number: 6, stages: [],
    when: 'click-to-call, before the AMI Originate',
    input: { ...originateFields, event: ro('object', 'The Bitrix24 OnExternalCallStart event data (read-only)') },
    reply: { kind: 'fields', fields: originateFields },
    rules: ['the Originate fields keep their AMI spelling', 'event is read-only'],
  }),
  process_record_file_path: point({
    name: 'process_record_file_path', number: 7, stages: [],
    when: 'before a recording is sent (after the built-in wav→mp3 conversion)',
    input: { path: rw('string', 'Path of the recording file') },
    reply: { kind: 'fields', fields: { path: rw('string', 'Path of the file to send') } },
    defaultTimeoutMs: RECORD_FILE_PATH_TIMEOUT_MS,
    timeoutOverridable: false,
    rules: ['fixed 10 s timeout whatever the settings; on timeout the original file is used'],
  }),
  process_registration_params: point({
    name: 'process_registration_params', number: 8, stages: REGISTER_STAGES,
    when: 'conversation_requested (or call_ended for calls registered late), before telephony.externalcall.register',
    input: { ...registrationFields, call_stage: callStage },
    reply: { kind: 'fields', fields: registrationFields },
    rules: ['SHOW is always 0: the card is shown by a separate request (customize_show_call_card)'],
  }),
  process_task_creation_params: point({
    name: 'process_task_creation_params', number: 9, stages: [],
    when: 'missed incoming / unanswered outgoing call, when task creation is enabled, after the settings',
    input: { fields: rw('object', 'Task fields: CREATED_BY, DEADLINE, RESPONSIBLE_ID, TITLE, UF_CRM_TASK') },
    reply: { kind: 'nested-map', key: 'fields', known: taskFields },
    rules: ['reply data.fields: task field → value, merged over the input fields', 'UF_CRM_TASK items look like L_11201, C_5, CO_7, D_9'],
  }),
  process_user_phone: point({
    name: 'process_user_phone', number: 10, stages: ALL_STAGES,
    when: 'every stage, before the user lookup; after the built-in automatic replacement',
    input: phoneStage,
    reply: { kind: 'fields', fields: { phone: phoneStage.phone } },
  }),
  customize_autodistribution: point({
    name: 'customize_autodistribution', number: 11, stages: [],
    when: 'an incoming call asks where to go (routing to the responsible manager)',
    input: {
      number: rw('string', 'Extension the call goes to'),
      name: rw('string', 'CallerID name shown on the phone (≤ 20 characters)', { maxLength: 20 }),
      from: ro('string', 'Calling number', { optional: true }),
      user: ro('object', 'The user: {id, phones, name, email, position}', { optional: true }),
      entity: ro('object', 'The CRM entity: {type, id, name, responsible_id}', { optional: true }),
      error: ro('string', 'Why no user was found', { optional: true }),
    },
    reply: {
      kind: 'fields',
      fields: {
        number: rw('string', 'Extension the call goes to'),
        name: rw('string', 'CallerID name (≤ 20 characters, an Asterisk limit)', { maxLength: 20 }),
      },
    },
    rules: ['name must be at most 20 characters', 'from, user, entity, error are read-only'],
  }),
  post_registration: point({
    name: 'post_registration', number: 12, stages: REGISTER_STAGES,
    when: 'click-to-call: start of conversation_requested; IVR-missed: call_ended; others: after register',
    input: { call_stage: callStage },
    reply: { kind: 'state-only' },
    rules: ['only state is read; data is ignored'],
  }),
  customize_show_call_card: point({
    name: 'customize_show_call_card', number: 13, stages: ALL_STAGES,
    when: 'any stage where a card would be shown',
    input: {
      CALL_ID: rw('string', 'Bitrix24 call id'),
      USER_ID: rw('integer', 'User to show the card to'),
      call_stage: callStage,
    },
    reply: {
      kind: 'fields',
      fields: { CALL_ID: rw('string', 'Bitrix24 call id'), USER_ID: rw('integer', 'User to show the card to') },
    },
  }),
  customize_attach_record_url: point({
    name: 'customize_attach_record_url', number: 14, stages: [],
    when: 'call end, when recordings are attached as a link',
    input: {
      DESCRIPTION: rw('string', 'Activity description: HTML audio player with the link'),
      DESCRIPTION_TYPE: rw('integer', 'Content type, 3 = HTML'),
      activity: activityInput,
    },
    reply: { kind: 'map', seed: ['DESCRIPTION', 'DESCRIPTION_TYPE'], protectedKeys: ['ID'] },
    rules: ['reply data: activity field → value; DESCRIPTION and DESCRIPTION_TYPE default to the input', 'ID cannot be changed'],
  }),
};

export function hookPointSpec(name: HookPointName): HookPointSpec {
  return HOOK_POINT_SPECS[name];
}

/**
 * Effective timeout of a point: the fixed one when not overridable, else the per-point setting,
 * else the general setting, else 3 s.
 */
export function effectiveTimeoutMs(
  name: HookPointName,
  settings: { defaultMs?: number; perPoint?: Partial<Record<string, number>> } = {},
): number {
  const spec = HOOK_POINT_SPECS[name];
  if (!spec.timeoutOverridable) return spec.defaultTimeoutMs;
  return settings.perPoint?.[name] ?? settings.defaultMs ?? spec.defaultTimeoutMs;
}
