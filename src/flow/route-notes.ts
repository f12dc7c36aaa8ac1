/**
 * Why a call went where it went, before it rang anyone: the FastAGI route decision (responsible
 * manager, or why there was none) joins the call's timeline in the admin panel. The AGI request
 * runs on the caller's channel, whose uniqueid is the call's key (its Linkedid) for a call from a
 * trunk; the decision waits here until the call's first stage, then becomes its first timeline entry.
 */
import type { RouteDecision } from '../core/crm/routing.js';

export interface RouteNote {
  readonly at: number;
  readonly text: string;
}

const REASONS: Readonly<Record<string, string>> = {
  'found': 'the client\'s responsible',
  'hook': 'chosen by customize_autodistribution',
  'unknown-client': 'the number is not in the CRM',
  'no-extension': 'the responsible has no extension (UF_PHONE_INNER) or is not active',
  'hidden-number': 'hidden caller number',
  'closed': 'outside agi.workingHours',
  'deadline': 'Bitrix24 did not answer within agi.deadlineMs (the answer is cached for the next call)',
  'lookup-failed': 'the CRM lookup failed',
  'error': 'the route could not be decided',
};

/** The day of a conversation in a note (UTC). */
const day = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** Sticky routing's part of the "why": whom the caller last talked to, and whether that decided the route. */
function stickyWhy(d: RouteDecision): string | undefined {
  const s = d.sticky;
  if (!s) return undefined;
  if (s.routed) return `sticky: last talked to user ${s.userId} (extension ${s.exten}) on ${day(s.at)}`;
  return `sticky passed over: last talked to user ${s.userId} (extension ${s.exten}) on ${day(s.at)}, not an active user with an extension now`;
}

/** One line for the timeline, e.g. `FastAGI route OK → 101 (user 5 Anna Petrova): the client's responsible, CONTACT 42 "Ivan Ivanov"`. */
export function describeRoute(d: RouteDecision): string {
  const target = d.status === 'OK' ? ` → ${d.exten ?? '?'}${d.userId !== undefined ? ` (user ${d.userId}${d.name ? ` ${d.name}` : ''})` : ''}` : '';
  const sticky = stickyWhy(d);
  const base = d.reason === 'sticky' ? sticky ?? 'sticky' : REASONS[d.reason] ?? d.reason;
  const why = sticky && d.reason !== 'sticky' ? `${base}; ${sticky}` : base;
  const entity = d.entity ? `, ${d.entity.type} ${d.entity.id}${d.entity.name ? ` "${d.entity.name}"` : ''}` : '';
  const extra = [d.code, d.cached ? 'cached lookup' : undefined].filter((x): x is string => x !== undefined);
  return `FastAGI route ${d.status}${target}: ${why}${entity}${extra.length ? ` [${extra.join(', ')}]` : ''}`;
}

export class RouteNotes {
  private readonly notes = new Map<string, RouteNote>();

  /** `max` decisions kept (oldest dropped), each for at most `ttlMs`. */
  constructor(private readonly max = 2_000, private readonly ttlMs = 3_600_000) {}

  note(uniqueid: string | undefined, decision: RouteDecision | undefined, at: number): void {
    if (!uniqueid || !decision) return;
    this.notes.delete(uniqueid);
    this.notes.set(uniqueid, { at, text: describeRoute(decision) });
    while (this.notes.size > this.max) {
      const oldest = this.notes.keys().next().value;
      if (oldest === undefined) break;
      this.notes.delete(oldest);
    }
  }

  /** The decision for the call with this key, once (undefined when none or too old). */
  take(callKey: string, now: number): RouteNote | undefined {
    const n = this.notes.get(callKey);
    if (!n) return undefined;
    this.notes.delete(callKey);
    return now - n.at <= this.ttlMs ? n : undefined;
  }

  get size(): number {
    return this.notes.size;
  }
}
