/**
 * The part of the portal model (tools/b24-emu/portal/, `class Portal`) the HTTP layer uses.
 * Written as an interface so the HTTP layer can be tested against a small stub, and so it states
 * exactly what it relies on.
 */
import type { InvokeContext, MethodResult, PortalEvent, PortalSeed } from '../contract.js';

/** What the HTTP layer reads from a portal binding when it delivers an online event. */
export interface BindingLike {
  readonly id: number;
  readonly event: string;
  readonly handler: string;
  /** User whose token the delivery carries (0 = the user who bound it). */
  readonly authType?: number;
  readonly userId?: number;
  readonly ownerKind?: 'app' | 'webhook';
}

export type PortalEventListener = (ev: PortalEvent, bindings: BindingLike[]) => void;

export interface ClickToCallArgs {
  readonly userId: number;
  readonly phone: string;
  readonly entityType?: string;
  readonly entityId?: number;
  readonly callListId?: number;
  readonly lineNumber?: string;
}

export interface CallbackArgs {
  readonly phone: string;
  readonly text?: string;
  readonly voice?: string;
  readonly entityType?: string;
  readonly entityId?: number;
  readonly lineNumber?: string;
}

export interface PortalLike {
  invoke(method: string, params: Record<string, unknown>, ctx: InvokeContext): MethodResult;
  onEvent(listener: PortalEventListener): unknown;
  completeUpload(token: string, bytes: Uint8Array, filename: string, now?: number): unknown;
  clickToCall(args: ClickToCallArgs, now?: number): unknown;
  callback?(args: CallbackArgs, now?: number): unknown;
  inspect(): unknown;
  setBaseUrl?(url: string): void;
}

export interface PortalFactoryOptions {
  readonly now: () => number;
  readonly enforceAppOnly: boolean;
  readonly baseUrl: string;
}

export type PortalFactory = (seed: PortalSeed, options: PortalFactoryOptions) => PortalLike;
