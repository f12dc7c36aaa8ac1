/**
 * HTTP intake for Bitrix24 telephony events (ONEXTERNALCALLSTART, ONEXTERNALCALLBACKSTART):
 * a hono app answering POST with a form-urlencoded body of flat bracket keys (`data[CALL_ID]`,
 * `auth[application_token]`; JSON bodies are accepted too).
 *
 * Order matters: the application token is checked first (constant time) — a forged or missing
 * token gets 401 and changes nothing; then the event is typed, deduplicated and pushed to the
 * queue. Bitrix24 never redelivers, so every accepted event is answered 200 quickly.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { ConnectorError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import type { Logger } from '../../log.js';
import { EventDeduper } from './event-dedupe.js';
import { offerEvent } from './event-queue.js';
import type { EventQueue } from './event-queue.js';
import { isB24EventName, nestBracketKeys, toB24Event } from './event-types.js';

type TokenList = string | readonly string[] | undefined;

export interface EventIntakeOptions {
  /** The stored application token(s) (from ONAPPINSTALL, one per portal); read per request. */
  readonly applicationTokens: () => TokenList | Promise<TokenList>;
  readonly queue: EventQueue;
  /** Share one deduper with the offline poller so a pushed and a polled event count once. */
  readonly dedupe?: EventDeduper;
  /** Window when no deduper is given. Default 10 min. */
  readonly dedupeWindowMs?: number;
  readonly logger?: Logger;
  /** Epoch ms (tests). */
  readonly now?: () => number;
  /** Route path inside the returned app. Default '/'. */
  readonly path?: string;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time comparison against every stored token (hashing evens out lengths). */
export function tokenMatches(given: string | undefined, expected: TokenList): boolean {
  if (!given) return false;
  const list = typeof expected === 'string' ? [expected] : expected ?? [];
  const g = digest(given);
  let ok = false;
  for (const t of list) if (t && timingSafeEqual(g, digest(t))) ok = true;
  return ok;
}

/** Form or JSON body → nested object; undefined when it cannot be read. */
async function readBody(c: Context): Promise<Record<string, unknown> | undefined> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (type.includes('application/json')) {
    try {
      const v: unknown = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return nestBracketKeys(new URLSearchParams(text).entries());
}

function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function createEventIntake(options: EventIntakeOptions): Hono {
  const log = (options.logger ?? silentLogger).child({ component: 'b24-event-intake' });
  const dedupe = options.dedupe ?? new EventDeduper(options.dedupeWindowMs);
  const now = options.now ?? Date.now;
  const app = new Hono();

  app.post(options.path ?? '/', async (c) => {
    const body = await readBody(c);
    if (!body) {
      log.warn({ code: 'B24_EVENT_BAD_PAYLOAD' }, 'bitrix24 event: unreadable body');
      return c.json({ error: 'B24_EVENT_BAD_PAYLOAD' }, 400);
    }
    const auth = rec(body.auth);
    const eventName = (str(body.event) ?? '').toUpperCase();
    if (!tokenMatches(str(auth.application_token), await options.applicationTokens())) {
      log.warn({ code: 'B24_EVENT_FORGED', event: eventName.slice(0, 40), memberId: str(auth.member_id),
        hasToken: auth.application_token !== undefined }, 'bitrix24 event rejected: application_token mismatch');
      return c.json({ error: 'B24_EVENT_FORGED' }, 401);
    }
    if (!isB24EventName(eventName)) {
      log.info({ event: eventName.slice(0, 40) }, 'bitrix24 event ignored (not handled)');
      return c.json({ status: 'ignored' }, 200);
    }
    const receivedAt = now();
    const ts = Number(body.ts);
    try {
      const event = toB24Event({
        event: eventName,
        data: rec(body.data),
        ...(Number.isFinite(ts) && ts > 0 ? { ts: ts * 1000 } : {}),
        ...(str(auth.member_id) ? { memberId: str(auth.member_id) } : {}),
        ...(str(auth.domain) ? { domain: str(auth.domain) } : {}),
      }, 'push', receivedAt);
      const outcome = await offerEvent(options.queue, dedupe, event);
      log.info({ event: eventName, callId: event.data.CALL_ID, userId: event.data.USER_ID, outcome },
        'bitrix24 event received');
      return c.json({ status: outcome }, 200);
    } catch (e) {
      const code = e instanceof ConnectorError ? e.code : 'B24_UNKNOWN';
      const status = code === 'B24_EVENT_BAD_PAYLOAD' ? 400 : 503;
      log.warn({ code, event: eventName, err: (e as Error)?.message }, 'bitrix24 event not taken');
      return c.json({ error: code }, status);
    }
  });
  return app;
}
