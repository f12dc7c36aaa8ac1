/**
 * The routing use case (issue 5 part 2): an incoming call asks where to go.
 *
 * 1. Outside the working hours → CLOSED (no lookup, no hook).
 * 2. The caller number is normalised (config.phone); a hidden number → NOROUTE.
 * 3. CRM lookup by phone, cached (positive and negative) for `cacheTtlMs`:
 *    telephony.externalCall.searchCrmEntities → the candidate whose responsible has an extension
 *    (portal order) → for a contact/company, the newest open deal's responsible when that user has
 *    an extension (`preferOpenDeal`). See docs/routing.md for why and for the exact rule.
 * 4. The responsible → UserDirectory (cached `user.get`) → extension; fallback: the inner phone
 *    searchCrmEntities returned with the entity.
 * 5. Sticky routing (agi.sticky, when a history is given): the employee who last talked with the
 *    number, from the connector's own call history, takes the call when the CRM has no routable
 *    responsible (`fallback`) or before the responsible (`first`); asked alongside the CRM lookup,
 *    so it also routes when Bitrix24 fails. Only an active user with an extension now counts.
 * 6. customize_autodistribution (hook 11) may change the extension and the name.
 *
 * `route` never throws: every failure is a decision (NOROUTE for a Bitrix24 that is down, slow,
 * rate-limiting or cut by the caller's AbortSignal; ERROR for a configuration or internal fault).
 */
import type { B24Client } from '../adapters/bitrix/types.js';
import type { Config } from '../config/schema.js';
import {
  autodistributionInput, autodistributionReply, chooseCandidate, chooseDeal, isWithinWorkingHours,
  openDealFilter, parseDeals, parseSearchResult, stickyTarget, stickyWins, talkerQuery, truncateName,
} from '../core/crm/routing.js';
import type { CrmCandidate, RouteDecision, RouteEntity, RouteUser, StickyNote, TalkerHistory } from '../core/crm/routing.js';
import { compilePhoneRules, normalisePhone } from '../core/crm/phone.js';
import type { CompiledPhoneRules, PhoneRules } from '../core/crm/phone.js';
import { ConnectorError, errorCode, isConnectorError } from '../errors.js';
import type { Logger } from '../log.js';
import type { HookPort } from './ports.js';
import type { DirectoryUser } from './user-directory.js';

export type { RouteDecision, RouteStatus } from '../core/crm/routing.js';

export const AUTODISTRIBUTION_POINT = 'customize_autodistribution';

/** What the FastAGI server knows about the call. */
export interface RouteRequest {
  /** agi_callerid: the client's number as the trunk delivered it. */
  readonly callerId: string;
  readonly callerName?: string;
  /** The number called (query `did`, else agi_dnid / agi_extension). */
  readonly did?: string;
  readonly uniqueId?: string;
  readonly channel?: string;
}

export interface RouteOptions {
  /** Aborts the Bitrix24 requests and the hook wait (the AGI deadline). */
  readonly signal?: AbortSignal;
}

/** What the AGI server needs; RoutingService implements it. */
export interface RoutePort {
  route(request: RouteRequest, options?: RouteOptions): Promise<RouteDecision>;
}

/** The CRM part of a route, as cached: who the client is and who is responsible. */
export interface CrmRoute {
  readonly entity?: RouteEntity;
  readonly responsibleId?: number;
  /** The responsible's inner phone as the portal sent it with the entity (fallback). */
  readonly responsibleInner?: string;
  readonly dealId?: number;
}

export interface RoutingServiceOptions {
  readonly client: Pick<B24Client, 'call'>;
  readonly users: { byUserId(id: number): DirectoryUser | undefined };
  readonly hooks: HookPort;
  readonly phone: PhoneRules;
  readonly agi: Pick<Config['agi'], 'workingHours' | 'setCallerName' | 'cacheTtlMs'> & Partial<Pick<Config['agi'], 'sticky'>>;
  /** The connector's call history, for sticky routing (agi.sticky); without it sticky routing is off. */
  readonly history?: TalkerHistory;
  readonly now: () => number;
  readonly logger: Logger;
  /** Prefer the responsible of the client's newest open deal (default true). */
  readonly preferOpenDeal?: boolean;
  /** Most phone numbers kept in the cache (default 10 000; oldest evicted first). */
  readonly cacheMaxEntries?: number;
}

interface CacheEntry {
  readonly at: number;
  readonly route: CrmRoute;
}

export class RoutingService implements RoutePort {
  private readonly rules: CompiledPhoneRules;
  private readonly cache = new Map<string, CacheEntry>();
  /** Lookups in flight per number: concurrent calls from one number share one (single-flight). */
  private readonly inflight = new Map<string, Promise<CrmRoute>>();
  private readonly log: Logger;

  constructor(private readonly opts: RoutingServiceOptions) {
    this.rules = compilePhoneRules(opts.phone);
    this.log = opts.logger.child({ component: 'routing' });
    // A bad time zone or range fails at start (AGI_BAD_WORKING_HOURS), not on every call.
    if (opts.agi.workingHours) isWithinWorkingHours(opts.agi.workingHours, 0);
  }

  /** Cache size, for the panel and tests. */
  cacheSize(): number {
    return this.cache.size;
  }

  clearCache(): void {
    this.cache.clear();
  }

  /** Resolves when the lookups in flight now have ended (they outlive the AGI deadline on purpose). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()]);
  }

  async route(request: RouteRequest, options: RouteOptions = {}): Promise<RouteDecision> {
    // Raced with the signal too, so a client or hook that ignores it cannot hold the caller.
    const decision = await abortable(this.decide(request, options.signal), options.signal)
      .catch((e: unknown) => this.failure(e, options.signal));
    this.log.info({
      status: decision.status, reason: decision.reason, code: decision.code, exten: decision.exten,
      userId: decision.userId, entity: decision.entity ? `${decision.entity.type}:${decision.entity.id}` : undefined,
      cached: decision.cached, uniqueId: request.uniqueId,
    }, 'route decided');
    return decision;
  }

  private async decide(request: RouteRequest, signal: AbortSignal | undefined): Promise<RouteDecision> {
    const wh = this.opts.agi.workingHours;
    if (wh && !isWithinWorkingHours(wh, this.opts.now())) return { status: 'CLOSED', reason: 'closed' };
    const phone = normalisePhone(request.callerId, this.rules);
    if (phone.kind === 'hidden') return { status: 'NOROUTE', reason: 'hidden-number' };
    const sticky = this.lastTalker(phone.value);
    const { route, cached, code } = await this.lookup(phone.value, signal).catch(async (e: unknown) => {
      // Bitrix24 failed: the last talker can still take the call (the CRM then has nobody routable).
      if (signal?.aborted || !(await sticky)?.routed) throw e;
      this.log.warn({ code: errorCode(e) }, 'Bitrix24 lookup failed; sticky route');
      return { route: {} as CrmRoute, cached: false, code: errorCode(e) };
    });
    const user = route.responsibleId !== undefined ? this.opts.users.byUserId(route.responsibleId) : undefined;
    const exten = user?.active && user.innerPhone ? user.innerPhone : (route.responsibleInner ?? '');
    const crmUser: RouteUser | undefined = route.responsibleId === undefined ? undefined : routeUserOf(route.responsibleId, user, exten);
    const crmReason = !route.entity ? 'unknown-client' : exten === '' ? 'no-extension' : 'found';
    const last = await sticky;
    const crm = { routable: exten !== '', userId: route.responsibleId };
    const mode = this.opts.agi.sticky?.mode ?? 'off';
    const useSticky = last !== undefined && stickyWins(mode, last, crm);
    // A last talker who cannot take the call now is noted only where it would have won.
    const stickyNote: StickyNote | undefined = last && (useSticky || (!last.routed && stickyWins(mode, { ...last, routed: true }, crm))) ? last : undefined;
    const routeUser = useSticky ? routeUserOf(last.userId, this.opts.users.byUserId(last.userId), last.exten) : crmUser;
    const number = useSticky ? last.exten : exten;
    const reason = useSticky ? 'sticky' : crmReason;
    const defaults = { number, name: truncateName(routeUser?.name ?? '') };
    const input = autodistributionInput({
      ...defaults, from: phone.value,
      ...(routeUser ? { user: routeUser } : {}), ...(route.entity ? { entity: route.entity } : {}),
      ...(crmReason !== 'found' && !code ? { error: crmReason === 'unknown-client' ? 'client not found in CRM' : 'responsible has no extension' } : {}),
    });
    const reply = await this.runHook(input, defaults, signal);
    const hookRouted = reply.number !== '' && reply.number !== number;
    const entityName = route.entity?.name ? truncateName(route.entity.name) : '';
    const callerName = reply.name !== defaults.name ? reply.name : entityName;
    return {
      status: reply.number !== '' ? 'OK' : 'NOROUTE',
      reason: hookRouted ? 'hook' : reason,
      ...(reply.number ? { exten: reply.number } : {}),
      ...(reply.name ? { name: reply.name } : {}),
      ...(routeUser ? { userId: routeUser.id } : {}),
      ...(route.entity ? { entity: route.entity } : {}),
      ...(this.opts.agi.setCallerName && callerName ? { callerName } : {}),
      ...(code ? { code } : {}),
      cached,
      ...(stickyNote ? { sticky: stickyNote } : {}),
    };
  }

  /** The last talker with this number (agi.sticky), checked against the directory; a store failure is logged, not fatal. */
  private async lastTalker(phone: string): Promise<StickyNote | undefined> {
    const settings = this.opts.agi.sticky;
    if (!settings || settings.mode === 'off' || !this.opts.history) return undefined;
    try {
      const t = await this.opts.history.lastTalker(phone, talkerQuery(settings, this.opts.now()));
      return stickyTarget(t, t ? this.opts.users.byUserId(t.userId) : undefined);
    } catch (e) {
      this.log.warn({ code: errorCode(e) }, 'sticky lookup failed; routing without it');
      return undefined;
    }
  }

  /**
   * The cached CRM route for a normalised number, or a fresh lookup (failures are not cached). The
   * lookup is not tied to the caller's deadline: when the portal answers after the call was given
   * NOROUTE, the answer is still cached, so the next call from that number routes at once (a portal
   * slower than the deadline would otherwise never route anybody). It is bounded by the REST client's
   * own request timeout, and concurrent calls from one number share it.
   */
  private async lookup(phone: string, signal: AbortSignal | undefined): Promise<{ route: CrmRoute; cached: boolean; code?: string }> {
    const hit = this.cache.get(phone);
    if (hit && this.opts.now() - hit.at < this.opts.agi.cacheTtlMs) return { route: hit.route, cached: true };
    if (hit) this.cache.delete(phone);
    let pending = this.inflight.get(phone);
    if (!pending) {
      const started = this.opts.now();
      pending = this.fetchRoute(phone)
        .then((route) => {
          this.remember(phone, route, started);
          return route;
        })
        .finally(() => this.inflight.delete(phone));
      pending.catch(() => undefined); // a caller gone at its deadline must not leave it unhandled
      this.inflight.set(phone, pending);
    }
    const route = await abortable(pending, signal);
    return { route, cached: false };
  }

  private remember(phone: string, route: CrmRoute, at: number): void {
    this.cache.set(phone, { at, route });
    const max = this.opts.cacheMaxEntries ?? 10_000;
    for (const key of this.cache.keys()) {
      if (this.cache.size <= max) break;
      this.cache.delete(key);
    }
  }

  private async fetchRoute(phone: string): Promise<CrmRoute> {
    const rows = await this.opts.client.call('telephony.externalcall.searchCrmEntities', { PHONE_NUMBER: phone });
    const routableUser = (id: number): boolean => {
      const u = this.opts.users.byUserId(id);
      return !!u && u.active && u.innerPhone !== '';
    };
    const routable = (c: CrmCandidate): boolean =>
      c.responsibleId !== undefined && (routableUser(c.responsibleId) || (c.responsibleInner ?? '') !== '');
    const chosen = chooseCandidate(parseSearchResult(rows), routable);
    if (!chosen) return {};
    const entity: RouteEntity = {
      type: chosen.type, id: chosen.id, name: chosen.name,
      ...(chosen.responsibleId !== undefined ? { responsibleId: chosen.responsibleId } : {}),
    };
    const base: CrmRoute = {
      entity,
      ...(chosen.responsibleId !== undefined ? { responsibleId: chosen.responsibleId } : {}),
      ...(chosen.responsibleInner ? { responsibleInner: chosen.responsibleInner } : {}),
    };
    const filter = this.opts.preferOpenDeal === false ? undefined : openDealFilter(entity);
    if (!filter) return base;
    const deals = await this.opts.client.call('crm.deal.list', {
      filter, order: { ID: 'DESC' }, select: ['ID', 'ASSIGNED_BY_ID'],
    });
    const deal = chooseDeal(parseDeals(deals), routableUser);
    if (!deal || deal.responsibleId === base.responsibleId) return base;
    return { entity, responsibleId: deal.responsibleId, dealId: deal.id };
  }

  /** Hook 11, bounded by the caller's signal (its own timeout may be longer than the AGI deadline). */
  private async runHook(input: Record<string, unknown>, defaults: { number: string; name: string }, signal: AbortSignal | undefined): Promise<{ number: string; name: string }> {
    if (!this.opts.hooks.has(AUTODISTRIBUTION_POINT)) return defaults;
    const outcome = await abortable(this.opts.hooks.run(AUTODISTRIBUTION_POINT, input), signal);
    if (!outcome.ok) this.log.warn({ code: outcome.code }, 'customize_autodistribution failed; using the defaults');
    return autodistributionReply(outcome.data, defaults);
  }

  private failure(e: unknown, signal: AbortSignal | undefined): RouteDecision {
    const code = errorCode(e);
    if (signal?.aborted) return { status: 'NOROUTE', reason: 'deadline', code: 'AGI_DEADLINE' };
    if (isConnectorError(e) && (e.retryable || code === 'B24_ABORTED')) {
      this.log.warn({ code }, 'Bitrix24 lookup failed; no route');
      return { status: 'NOROUTE', reason: 'lookup-failed', code };
    }
    this.log.error({ code, err: e instanceof Error ? e.message : String(e) }, 'routing failed');
    return { status: 'ERROR', reason: 'error', code };
  }
}

/** The hook's `user`: the directory's facts about the user, dialled at `exten`. */
function routeUserOf(id: number, user: DirectoryUser | undefined, exten: string): RouteUser {
  return {
    id, name: user?.name ?? '', innerPhone: exten,
    ...(user?.email ? { email: user.email } : {}), ...(user?.position ? { position: user.position } : {}),
  };
}

/** Rejects with AGI_DEADLINE as soon as `signal` aborts, whatever `p` does. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(deadlineError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(deadlineError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

function deadlineError(): ConnectorError {
  return new ConnectorError('AGI_DEADLINE', 'the AGI deadline passed before a route was found', { retryable: true });
}
