/**
 * ONAPPINSTALL: Bitrix24 POSTs the first token pair and the application_token to the app's
 * installation URL when a "script only" local application is installed (reference §2.3). The route
 * stores them (the OAuth adapter persists them) so later requests and event checks use them.
 *
 * Trust: the install event carries no secret we already know. It is accepted when the connector has
 * no application yet, or when it comes from the portal we are configured for (same member_id), which
 * is what a reinstall or update sends; anything else gets 403 and changes nothing.
 */
import { Hono } from 'hono';
import type { Logger } from '../../log.js';
import { errorCode } from '../../errors.js';
import { tokensFromInstallEvent, type OAuthAuth } from './auth.js';
import { nestBracketKeys } from './event-types.js';

export interface InstallRouteOptions {
  readonly oauth: OAuthAuth;
  readonly path: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** Called after a successful install (e.g. to bind the events again). */
  readonly onInstalled?: () => void;
}

export function createInstallRoute(o: InstallRouteOptions): Hono {
  const app = new Hono();
  app.post(o.path, async (c) => {
    const text = await c.req.text();
    const body = nestBracketKeys(new URLSearchParams(text).entries());
    const event = String(body['event'] ?? '').toUpperCase();
    const auth = (body['auth'] ?? {}) as Record<string, unknown>;
    if (event !== 'ONAPPINSTALL') return c.json({ error: 'B24_EVENT_BAD_PAYLOAD', message: 'not an ONAPPINSTALL event' }, 400);
    const known = o.oauth.memberId;
    const incoming = typeof auth['member_id'] === 'string' ? auth['member_id'] : undefined;
    if (known && incoming !== known) {
      o.logger.warn({ code: 'B24_INSTALL_FORGED' }, 'ONAPPINSTALL from another portal refused');
      return c.json({ error: 'B24_INSTALL_FORGED', message: 'member_id does not match this connector\'s portal' }, 403);
    }
    try {
      await o.oauth.install(tokensFromInstallEvent(auth, o.now()));
    } catch (e) {
      o.logger.warn({ code: errorCode(e) }, 'ONAPPINSTALL without usable tokens');
      return c.json({ error: errorCode(e), message: 'install event without usable tokens' }, 400);
    }
    o.logger.info({ memberId: incoming }, 'application installed: tokens stored');
    o.onInstalled?.();
    return c.json({ ok: true });
  });
  return app;
}
