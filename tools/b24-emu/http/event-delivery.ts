/**
 * Online event delivery (reference §7.1–7.2): one POST per bound handler with an
 * `application/x-www-form-urlencoded` body in PHP bracket notation — `event`, `event_handler_id`,
 * `data[…]`, `ts`, `auth[…]`. Never retried: a failed or unanswered delivery is logged (inspector)
 * and dropped. Offline bindings never reach this module (the portal queues them).
 */
import type { Logger } from '../../../src/log.js';
import type { PortalEvent } from '../contract.js';
import type { EmuClock } from './clock.js';
import { encodePhpForm, encodePhpPairs } from './form.js';
import type { RequestLog } from './request-log.js';
import type { BindingLike } from './portal-port.js';
import type { TokenStore } from './tokens.js';

export interface DeliveryDeps {
  readonly tokens: TokenStore;
  readonly log: RequestLog;
  readonly clock: EmuClock;
  readonly logger: Logger;
  /** Emulator base URL, e.g. `http://127.0.0.1:40123`. */
  baseUrl(): string;
  /** Token shown for outgoing webhooks (their deliveries carry it as application_token). */
  readonly outgoingWebhookToken: string;
  /** Give up on a handler after this many real milliseconds. */
  readonly timeoutMs: number;
}

const SECRET_FIELD = /^auth\[(access_token|refresh_token|application_token)\]$/;

/** Scope an event belongs to, for `auth[scope]` (§7.2). */
function scopeOf(event: string): string {
  if (event.startsWith('ONEXTERNALCALL') || event.startsWith('ONVOXIMPLANT')) return 'telephony';
  if (event.startsWith('ONCRM')) return 'crm';
  if (event.startsWith('ONTASK')) return 'task';
  return 'basic';
}

export class EventDelivery {
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly deps: DeliveryDeps) {}

  /** The form body as an object (before encoding): exact keys and order of a Bitrix24 delivery. */
  payload(ev: PortalEvent, binding: BindingLike): Record<string, unknown> {
    const { tokens, clock } = this.deps;
    const base = this.deps.baseUrl();
    const domain = new URL(base).host;
    const common = {
      domain,
      client_endpoint: `${base}/rest/`,
      server_endpoint: `${base}/rest/`,
      member_id: tokens.app.member_id,
    };
    let auth: Record<string, unknown>;
    if (binding.ownerKind === 'webhook') {
      // Outgoing webhooks get a reduced block without tokens (§7.2).
      auth = { ...common, application_token: this.deps.outgoingWebhookToken };
    } else {
      const userId = binding.authType && binding.authType > 0 ? binding.authType : (binding.userId ?? 1);
      const pair = tokens.issue(userId);
      auth = {
        access_token: pair.access_token,
        expires_in: String(tokens.tokenLifetimeSec),
        scope: scopeOf(ev.event),
        domain: common.domain,
        server_endpoint: common.server_endpoint,
        status: tokens.app.status,
        client_endpoint: common.client_endpoint,
        member_id: common.member_id,
        // The docs reserve refresh_token for long-lived events, yet every telephony example has it (§11.12).
        refresh_token: pair.refresh_token,
        application_token: tokens.app.application_token,
      };
    }
    return {
      event: ev.event,
      event_handler_id: String(binding.id),
      data: ev.data,
      ts: String(Math.floor(clock.now() / 1000)),
      auth,
    };
  }

  /** Sends `ev` to every binding, in the background. */
  deliver(ev: PortalEvent, bindings: readonly BindingLike[]): void {
    for (const b of bindings) {
      if (!b.handler) continue;
      const p = this.send(ev, b).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  private send(ev: PortalEvent, binding: BindingLike): Promise<void> {
    return this.post(ev.event, binding.handler, this.payload(ev, binding), binding.id);
  }

  /**
   * ONAPPINSTALL / ONAPPUNINSTALL to an app's installation handler (§2.3): install carries the
   * first token pair and the application_token; uninstall carries no tokens. Resolves when done.
   */
  lifecycle(kind: 'install' | 'uninstall', handler: string, opts: { version?: string; languageId?: string; clean?: boolean } = {}): Promise<void> {
    const { tokens, clock } = this.deps;
    const base = this.deps.baseUrl();
    const common = { domain: new URL(base).host, server_endpoint: `${base}/rest/`, client_endpoint: `${base}/rest/`, member_id: tokens.app.member_id };
    const ts = String(Math.floor(clock.now() / 1000));
    const lang = opts.languageId ?? 'en';
    let payload: Record<string, unknown>;
    if (kind === 'install') {
      const pair = tokens.issue(1);
      payload = {
        event: 'ONAPPINSTALL',
        data: { VERSION: opts.version ?? '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: lang },
        ts,
        auth: {
          access_token: pair.access_token, refresh_token: pair.refresh_token, expires_in: tokens.tokenLifetimeSec,
          scope: tokens.app.scope, domain: common.domain, server_endpoint: common.server_endpoint, status: tokens.app.status,
          client_endpoint: common.client_endpoint, member_id: common.member_id, application_token: tokens.app.application_token,
        },
      };
    } else {
      payload = {
        event: 'ONAPPUNINSTALL',
        data: { LANGUAGE_ID: lang, CLEAN: opts.clean ? 1 : 0 },
        ts,
        auth: { ...common, application_token: tokens.app.application_token },
      };
    }
    const p = this.post(String(payload['event']), handler, payload, undefined).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    return p;
  }

  private async post(event: string, handler: string, payload: Record<string, unknown>, bindingId: number | undefined): Promise<void> {
    const masked = Object.fromEntries(
      encodePhpPairs(payload).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '***' : v.length > 256 ? `${v.slice(0, 32)}…` : v]),
    );
    const entry = this.deps.log.addDelivery({
      at: this.deps.clock.now(),
      event,
      handler,
      ...(bindingId !== undefined ? { bindingId } : {}),
      body: masked,
    });
    try {
      const res = await fetch(handler, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Bitrix24 Webhook Engine' },
        body: encodePhpForm(payload),
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      entry.status = res.status;
      entry.ok = res.status >= 200 && res.status < 300;
      if (!entry.ok) entry.error = `HTTP ${res.status}`;
    } catch (e) {
      entry.ok = false;
      entry.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    if (!entry.ok) {
      this.deps.logger.warn({ event, bindingId, error: entry.error }, 'event delivery failed (dropped)');
    }
  }

  /** Resolves when every delivery started so far has finished (tests, graceful close). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}
