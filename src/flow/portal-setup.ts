/**
 * What the connector sets up on the portal at start (idempotent, logged, never fatal):
 * - one external line per configured trunk (`telephony.externalLine.add` for the missing ones);
 * - the online event handlers for click-to-call and callback when a public URL is configured
 *   (`event.bind`, checked against `event.get` first; bound by the application, so OAuth only).
 */
import type { B24Client } from '../adapters/bitrix/types.js';
import type { Config } from '../config/schema.js';
import { errorCode } from '../errors.js';
import type { Logger } from '../log.js';

export const CALL_EVENTS = ['ONEXTERNALCALLSTART', 'ONEXTERNALCALLBACKSTART'] as const;

export async function ensureLines(client: Pick<B24Client, 'call'>, config: Config, logger: Logger): Promise<string[]> {
  const wanted = config.pbx.trunks.filter((t) => t.line);
  if (wanted.length === 0) return [];
  const added: string[] = [];
  try {
    const lines = await client.call<Array<{ NUMBER?: string }>>('telephony.externalLine.get');
    const have = new Set((Array.isArray(lines) ? lines : []).map((l) => String(l.NUMBER ?? '')));
    for (const t of wanted) {
      if (have.has(t.line!)) continue;
      await client.call('telephony.externalLine.add', { NUMBER: t.line, NAME: t.lineName ?? t.endpoint, CRM_AUTO_CREATE: t.crmCreate ? 'Y' : 'N' });
      added.push(t.line!);
    }
    if (added.length) logger.info({ lines: added }, 'external lines registered');
  } catch (e) {
    logger.warn({ code: errorCode(e) }, 'external lines not registered (see `asterisk-b24 doctor`)');
  }
  return added;
}

export async function ensureEventBindings(client: Pick<B24Client, 'call'>, config: Config, logger: Logger): Promise<string[]> {
  if (!config.bitrix.events.push || !config.http.publicUrl || config.bitrix.auth !== 'oauth') return [];
  const handler = new URL(config.bitrix.events.path, config.http.publicUrl).toString();
  const bound: string[] = [];
  try {
    const current = await client.call<Array<{ event?: string; handler?: string }>>('event.get');
    const have = new Set((Array.isArray(current) ? current : []).map((b) => `${String(b.event).toUpperCase()} ${String(b.handler)}`));
    for (const event of CALL_EVENTS) {
      if (have.has(`${event} ${handler}`)) continue;
      await client.call('event.bind', { event, handler });
      bound.push(event);
    }
    if (bound.length) logger.info({ events: bound, handler }, 'event handlers bound');
  } catch (e) {
    logger.warn({ code: errorCode(e) }, 'event handlers not bound (see `asterisk-b24 doctor`)');
  }
  return bound;
}
