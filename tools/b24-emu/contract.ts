/**
 * Contract between the emulator's portal model (tools/b24-emu/portal/, pure in-memory state and the
 * REST methods) and its HTTP layer (tools/b24-emu/http/…: auth, limits, batch, faults, inspector,
 * event delivery, CLI). Everything here is data; no sockets.
 */

/** PORTAL.json: the seed shared by `replay --portal`, the emulator and demo mode. */
export interface PortalSeed {
  users?: Array<Record<string, unknown>>;      // { ID, NAME, LAST_NAME, EMAIL, UF_PHONE_INNER, ACTIVE, WORK_POSITION … }
  contacts?: Array<Record<string, unknown>>;   // { ID, NAME, LAST_NAME, PHONE:[{VALUE,VALUE_TYPE}], ASSIGNED_BY_ID, COMPANY_ID … }
  leads?: Array<Record<string, unknown>>;      // { ID, TITLE, NAME, PHONE:[…], ASSIGNED_BY_ID, STATUS_ID … }
  companies?: Array<Record<string, unknown>>;  // { ID, TITLE, PHONE:[…], ASSIGNED_BY_ID … }
  deals?: Array<Record<string, unknown>>;      // { ID, TITLE, CONTACT_ID, COMPANY_ID, ASSIGNED_BY_ID, STAGE_ID … }
  lines?: Array<Record<string, unknown>>;      // { NUMBER, NAME, CRM_AUTO_CREATE }
  /** Portal settings: time zone offset, default lead source … */
  settings?: Record<string, unknown>;
}

/** Who is calling a method (decided by the HTTP layer from the URL or the `auth` token). */
export interface InvokeContext {
  readonly authType: 'webhook' | 'oauth';
  /** The user the webhook or the OAuth token belongs to. */
  readonly userId: number;
  /** OAuth application client_id, when authType is 'oauth'. */
  readonly clientId?: string;
  /** Emulator clock, epoch milliseconds. */
  readonly now: number;
}

/** A documented REST error: `{"error": code, "error_description": description}` with an HTTP status. */
export class B24ApiError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status: number = 400,
  ) {
    super(`${error}: ${description}`);
    this.name = 'B24ApiError';
  }
}

/** What a method returns: `result`, plus `total`/`next` for list methods. */
export interface MethodResult {
  readonly result: unknown;
  readonly total?: number;
  readonly next?: number;
}

/** An event raised by the portal, to be delivered to the bound handlers (online) or kept (offline). */
export interface PortalEvent {
  /** Upper-case event name, e.g. ONEXTERNALCALLSTART. */
  readonly event: string;
  /** The `data` part of the delivery, e.g. { USER_ID, PHONE_NUMBER, CALL_ID, CRM_ENTITY_TYPE, … }. */
  readonly data: Record<string, unknown>;
}
