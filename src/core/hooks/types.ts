/**
 * TypeScript shapes of each point's input and effective data, for the flow that calls the runner.
 * The wire spelling (CALL_ID, call_stage …) is kept verbatim: these objects ARE the hook JSON.
 * Every input carries `call_full` (the call model, see src/core/call/model.ts serializeCallFull)
 * and may carry legacy fields, hence the index signature.
 */
import type { HookPointName, HookStage } from './points.js';

export type CallFull = Readonly<Record<string, unknown>>;

interface Base {
  readonly call_full: CallFull;
  readonly [legacy: string]: unknown;
}

export interface HookActivity {
  readonly id: string;
  readonly is_new: false;
  readonly name: string;
  readonly phones: readonly string[];
  readonly raw: Readonly<Record<string, unknown>>;
  readonly responsible: Readonly<Record<string, unknown>>;
  readonly responsible_id: string;
  readonly type: 'activity';
}

export interface RegistrationParams {
  CALL_START_DATE: string;
  CRM_CREATE: 0 | 1;
  CRM_SOURCE: string;
  LINE_NUMBER: string;
  PHONE_NUMBER: string;
  SHOW: 0;
  TYPE: number;
  USER_ID: number;
}

export interface FinalParams {
  ADD_TO_CHAT: 0 | 1;
  CALL_ID: string;
  DURATION: number;
  STATUS_CODE: string;
  USER_ID: number;
}

/** AMI Originate fields in AMI spelling (Timeout in ms, Variable as name → value). */
export interface OriginateHookParams {
  Channel: string;
  Context?: string;
  Exten?: string;
  Priority?: string | number;
  CallerID?: string;
  Timeout?: number;
  Variable?: Record<string, string>;
  Account?: string;
}

export interface TaskFields {
  CREATED_BY?: number;
  DEADLINE?: string;
  RESPONSIBLE_ID?: number;
  TITLE?: string;
  UF_CRM_TASK?: string[];
  [field: string]: unknown;
}

export interface HookInputs {
  customize_activity: Base & { readonly activity: HookActivity };
  customize_entity: Base;
  need_registration: Base & { readonly call_stage: HookStage };
  process_client_phone: Base & { readonly phone: string; readonly call_stage: HookStage };
  process_final_params: Base & Readonly<FinalParams>;
  process_originate_params: Base & Readonly<OriginateHookParams> & { readonly event?: Readonly<Record<string, unknown>> };
  process_record_file_path: Base & { readonly path: string };
  process_registration_params: Base & Readonly<RegistrationParams> & { readonly call_stage: HookStage };
  process_task_creation_params: Base & { readonly fields: Readonly<TaskFields> };
  process_user_phone: Base & { readonly phone: string; readonly call_stage: HookStage };
  customize_autodistribution: Omit<Base, 'call_full'> & {
    readonly call_full?: CallFull;
    readonly number: string;
    readonly name: string;
    readonly from?: string;
    readonly user?: Readonly<Record<string, unknown>>;
    readonly entity?: Readonly<Record<string, unknown>>;
    readonly error?: string;
  };
  post_registration: Base & { readonly call_stage: HookStage };
  customize_show_call_card: Base & { readonly CALL_ID: string; readonly USER_ID: number; readonly call_stage: HookStage };
  customize_attach_record_url: Base & { readonly DESCRIPTION: string; readonly DESCRIPTION_TYPE: number; readonly activity: HookActivity };
}

/** Effective data after a run (the defaults when the hook failed or is absent). */
export interface HookDataMap {
  /** Activity fields to update; {} = no change. */
  customize_activity: Record<string, unknown>;
  /** Entity fields to update; {} = no change. */
  customize_entity: Record<string, unknown>;
  need_registration: { result: boolean };
  process_client_phone: { phone: string };
  process_final_params: FinalParams;
  process_originate_params: OriginateHookParams;
  process_record_file_path: { path: string };
  process_registration_params: RegistrationParams;
  process_task_creation_params: { fields: TaskFields };
  process_user_phone: { phone: string };
  customize_autodistribution: { number: string; name: string };
  post_registration: Record<string, never>;
  customize_show_call_card: { CALL_ID: string; USER_ID: number };
  /** Activity fields to update; at least DESCRIPTION and DESCRIPTION_TYPE. */
  customize_attach_record_url: Record<string, unknown> & { DESCRIPTION: string; DESCRIPTION_TYPE: number };
}

export type HookInput<P extends HookPointName> = HookInputs[P];
export type HookData<P extends HookPointName> = HookDataMap[P];
