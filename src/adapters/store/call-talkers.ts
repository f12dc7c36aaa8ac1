/**
 * Who talked with which client number, for sticky routing (agi.sticky, docs/routing.md): one row
 * per answered conversation of an ended incoming or outgoing call whose extension is a Bitrix24
 * user, in the small `call_talkers` table (migration 3), written with the call's end. Calls rebuilt
 * from the CDR count like any other. The client number is the one the flow stored in the call's
 * state (`clientPhone`: config.phone's normalisation, the same the routing applies to the caller).
 *
 * talkersOf reads the flow's stored state (calls.state) defensively: the store does not own that
 * shape, so anything unexpected yields no row rather than an error.
 */
import type { LastTalker, TalkDirection, TalkerQuery } from '../../core/crm/routing.js';

export interface TalkerRow {
  readonly callKey: string;
  /** The conversation's id within the call. */
  readonly conversation: string;
  readonly clientNumber: string;
  readonly userId: number;
  readonly extension: string;
  readonly direction: TalkDirection;
  /** When the conversation was answered, epoch ms. */
  readonly answeredAt: number;
  readonly talkMs: number;
}

const DIRECTIONS: Readonly<Record<string, TalkDirection>> = { 'incoming': 'incoming', 'outgoing': 'outgoing', 'click-to-call': 'outgoing' };

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The talker rows of an ended call (`endedAt`: the call's end, for a conversation without its own). */
export function talkersOf(callKey: string, state: unknown, endedAt: number): TalkerRow[] {
  const st = obj(state);
  const summary = obj(st?.['summary']);
  const users = obj(st?.['users']) ?? {};
  const clientNumber = st?.['clientPhone'];
  const direction = DIRECTIONS[String(summary?.['direction'] ?? '')];
  const conversations = summary?.['conversations'];
  if (!direction || typeof clientNumber !== 'string' || clientNumber === '' || !Array.isArray(conversations)) return [];
  const rows: TalkerRow[] = [];
  for (const c of conversations) {
    const conv = obj(c);
    const id = conv?.['id'];
    const extension = conv?.['extension'];
    const answeredAt = num(conv?.['acceptedAt']);
    if (typeof id !== 'string' || typeof extension !== 'string' || answeredAt === undefined) continue;
    const userId = num(users[extension]);
    if (userId === undefined || !Number.isInteger(userId) || userId <= 0) continue;
    const end = num(conv?.['endedAt']) ?? endedAt;
    rows.push({ callKey, conversation: id, clientNumber, userId, extension, direction, answeredAt, talkMs: Math.max(0, Math.round(end - answeredAt)) });
  }
  return rows;
}

/**
 * The latest answered conversation with a client number that counts (TalkerQuery), as SQL for both
 * backends (`$n` placeholders, numbered in order of appearance, so SQLite can use `?`). The index
 * call_talkers_client (client_number, answered_at) answers it with one backward range scan.
 */
export function lastTalkerSql(clientNumber: string, q: TalkerQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [clientNumber, q.since, q.minTalkMs];
  const dir = q.direction ? ` AND direction = $${params.push(q.direction)}` : '';
  return {
    sql: `SELECT call_key, user_id, extension, direction, answered_at FROM call_talkers
      WHERE client_number = $1 AND answered_at >= $2 AND talk_ms >= $3${dir}
      ORDER BY answered_at DESC, call_key DESC LIMIT 1`,
    params,
  };
}

export interface TalkerDbRow {
  call_key: string;
  user_id: number | string;
  extension: string;
  direction: string;
  answered_at: number | string;
}

export function toLastTalker(r: TalkerDbRow | undefined): LastTalker | undefined {
  if (!r) return undefined;
  return {
    userId: Number(r.user_id), extension: r.extension, at: Number(r.answered_at), callKey: r.call_key,
    direction: r.direction === 'outgoing' ? 'outgoing' : 'incoming',
  };
}
