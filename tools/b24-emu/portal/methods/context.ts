/**
 * What a REST method implementation receives, and how method tables are declared. Each file in
 * methods/ exports a `MethodTable` keyed by the lower-case method name.
 */
import type { InvokeContext, MethodResult } from '../../contract.js';
import type { Params, Row } from '../params.js';
import type { PhoneCountry } from '../phones.js';
import type { PortalSettings } from '../seed.js';
import type { PortalState } from '../state.js';

export interface MethodContext {
  readonly state: PortalState;
  readonly settings: PortalSettings;
  readonly country: PhoneCountry;
  readonly ctx: InvokeContext;
  /** Emulator clock for this call (ms). */
  readonly now: number;
  /** The application (or webhook) making the call: owner of lines, calls, bindings. */
  readonly appKey: string;
  /** Base URL of the portal for links such as uploadUrl. */
  readonly baseUrl: string;
  /** Raise a portal event (online listeners and offline queue). */
  emit(event: string, data: Row, messageId?: string): void;
}

export interface MethodDef {
  /** Refuses webhook auth with WRONG_AUTH_TYPE (reference §2.1) unless the portal allows it. */
  readonly appOnly?: boolean;
  readonly handler: (params: Params, mc: MethodContext) => MethodResult;
}

export type MethodTable = Readonly<Record<string, MethodDef>>;

/** Key of the caller: one OAuth application per client_id, or one webhook per user. */
export function appKeyOf(ctx: InvokeContext): string {
  return ctx.authType === 'oauth' ? `app:${ctx.clientId ?? 'default'}` : `webhook:${ctx.userId}`;
}
