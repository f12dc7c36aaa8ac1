/**
 * A tiny stand-in for the portal model, so HTTP-layer tests do not depend on its details:
 * a few methods with fixed answers, app-only refusal, one binding list, click-to-call, uploads.
 */
import { B24ApiError } from '../contract.js';
import type { InvokeContext, MethodResult, PortalEvent, PortalSeed } from '../contract.js';
import type { BindingLike, ClickToCallArgs, PortalFactory, PortalFactoryOptions, PortalLike, PortalEventListener } from '../http/portal-port.js';

export interface StubCall { method: string; params: Record<string, unknown>; ctx: InvokeContext }

export class StubPortal implements PortalLike {
  readonly calls: StubCall[] = [];
  readonly bindings: Array<BindingLike & { eventType: 'online' | 'offline' }> = [];
  readonly offline: PortalEvent[] = [];
  readonly uploads: Array<{ token: string; size: number; filename: string; first: number }> = [];
  private listeners: PortalEventListener[] = [];
  baseUrl = '';

  constructor(readonly seed: PortalSeed, readonly options: PortalFactoryOptions) {}

  setBaseUrl(url: string): void {
    this.baseUrl = url;
  }

  onEvent(listener: PortalEventListener): void {
    this.listeners.push(listener);
  }

  private emit(ev: PortalEvent): void {
    const bound = this.bindings.filter((b) => b.event === ev.event);
    for (const b of bound.filter((x) => x.eventType === 'offline')) this.offline.push(ev);
    const online = bound.filter((b) => b.eventType === 'online');
    if (online.length > 0) for (const l of this.listeners) l(ev, online);
  }

  invoke(method: string, params: Record<string, unknown>, ctx: InvokeContext): MethodResult {
    this.calls.push({ method, params, ctx });
    const m = method.toLowerCase();
    switch (m) {
      case 'user.current':
        return { result: { ID: String(ctx.userId), ACTIVE: true, NAME: 'John', UF_DEPARTMENT: [1] } };
      case 'department.get':
        return { result: [{ ID: String(params['ID'] ?? '1'), NAME: 'DEMO', SORT: 500 }], total: 1 };
      case 'user.get': {
        const start = Number(params['start'] ?? 0);
        return { result: [{ ID: String(start + 1) }], total: 120, ...(start + 50 < 120 ? { next: start + 50 } : {}) };
      }
      case 'echo':
        return { result: params };
      case 'telephony.externalcall.register':
        if (this.options.enforceAppOnly && ctx.authType !== 'oauth') {
          throw new B24ApiError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403);
        }
        return { result: { CALL_ID: 'externalCall.00000000000000000000000000000001.1773130779', CRM_CREATED_ENTITIES: [] } };
      case 'event.bind': {
        const handler = typeof params['handler'] === 'string' ? params['handler'] : '';
        const eventType = params['event_type'] === 'offline' ? 'offline' : 'online';
        this.bindings.push({
          id: 1000 + this.bindings.length, event: String(params['event']).toUpperCase(), handler,
          authType: Number(params['auth_type'] ?? 0), userId: ctx.userId, ownerKind: ctx.authType === 'oauth' ? 'app' : 'webhook', eventType,
        });
        return { result: true };
      }
      case 'event.offline.get':
        return { result: { process_id: null, events: this.offline.splice(0).map((e, i) => ({ ID: String(i + 1), EVENT_NAME: e.event, EVENT_DATA: e.data })) } };
      case 'fail':
        throw new B24ApiError('ERROR_CORE', 'Unknown TYPE', 400);
      default:
        throw new B24ApiError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404);
    }
  }

  completeUpload(token: string, bytes: Uint8Array, filename: string): unknown {
    if (token !== 'tok-1') throw new B24ApiError('ERROR_CORE', 'Upload token is invalid', 400);
    this.uploads.push({ token, size: bytes.length, filename, first: bytes[0] ?? -1 });
    return { FILE_ID: 9079 };
  }

  clickToCall(args: ClickToCallArgs): unknown {
    const data = {
      PHONE_NUMBER: args.phone, PHONE_NUMBER_INTERNATIONAL: args.phone, EXTENSION: '', USER_ID: String(args.userId),
      CALL_LIST_ID: '0', LINE_NUMBER: '', IS_MOBILE: '0', CALL_ID: 'externalCall.c2c.1773236989',
      CRM_ENTITY_TYPE: args.entityType ?? '', CRM_ENTITY_ID: args.entityId ?? null, CRM_CREATED_ENTITIES: [],
    };
    this.emit({ event: 'ONEXTERNALCALLSTART', data });
    return { CALL_ID: data.CALL_ID };
  }

  inspect(): unknown {
    return { calls: this.calls.length, bindings: this.bindings.length };
  }
}

/** A factory that also remembers the portals it built (the last one is the live one). */
export function stubFactory(): { factory: PortalFactory; built: StubPortal[] } {
  const built: StubPortal[] = [];
  return {
    built,
    factory: (seed, options) => {
      const p = new StubPortal(seed, options);
      built.push(p);
      return p;
    },
  };
}
