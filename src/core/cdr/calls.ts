/**
 * CDR records → the calls they describe, as the tracker would have summarised them at call end.
 * Pure. Used to backfill calls that began and ended while the connector was not listening to AMI
 * (docs/call-model.md, "Calls the connector did not see").
 *
 * Grouping: by `linkedid` when cdr_csv logs it (newcdrcolumns=yes), else by `uniqueid` — the Party A
 * channel's, which is the call's first channel for an incoming call from a trunk or an outgoing call
 * from a phone: the same key the tracker uses (its linkedid). Every CDR of a queue or a transfer has
 * the caller's uniqueid (see the lab22 Cdr events), so a call's records stay together.
 *
 * What a CDR cannot tell, and what is assumed instead:
 * - when an agent started ringing: the record's start (the call's start for queue members);
 * - when a queue member answered: the record's answer time when its disposition is ANSWERED (the
 *   queue answers the caller first, so a NO ANSWER member record also has an answer time);
 * - recordings: no MixMonitor name (a channel variable, not a CDR column); the pipeline looks for a
 *   file named after the call's uniqueid instead.
 */
import { classifyChannel, extensionNumber, mobileOwner, numberFromDialString, parseChannelName, realNumber, type TrackerConfig } from '../call/classify.js';
import type { CallSummary, ConversationSummary, Direction } from '../call/model.js';
import { callOutcome } from '../call/status.js';
import type { CdrRecord } from './csv.js';

/** The key a record belongs to (linkedid, else uniqueid); undefined when neither is logged. */
export function cdrCallKey(r: CdrRecord): string | undefined {
  return r.linkedid || r.uniqueid || undefined;
}

/** Records grouped by call, each group in start order (then sequence), groups in first-start order. */
export function groupCdrCalls(records: readonly CdrRecord[]): Map<string, CdrRecord[]> {
  const out = new Map<string, CdrRecord[]>();
  for (const r of records) {
    const key = cdrCallKey(r);
    if (key === undefined) continue;
    const list = out.get(key) ?? [];
    list.push(r);
    out.set(key, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.start - b.start || (a.sequence ?? 0) - (b.sequence ?? 0));
  dropParkedCallRetrievals(out);
  dropLocalHalves(out);
  return new Map([...out].sort((a, b) => a[1][0]!.start - b[1][0]!.start));
}

/**
 * A phone that retrieves a parked call (dials 701: `ParkedCall`) gets a CDR of its own, under its
 * own linkedid, while the parked call's CDRs already carry that phone as a destination (recorded on
 * Asterisk 22.10.1, lab22-n_park_retrieve). Those retrieval-only groups are not calls of their own.
 */
function dropParkedCallRetrievals(groups: Map<string, CdrRecord[]>): void {
  const reached = new Set<string>();
  for (const rows of groups.values()) for (const r of rows) if (r.dstchannel) reached.add(r.dstchannel);
  for (const [key, rows] of groups) {
    if (rows.every((r) => r.lastapp === 'ParkedCall' && reached.has(r.channel))) groups.delete(key);
  }
}

/**
 * Without linkedid (Master.csv without newcdrcolumns), the record a Local `;2` half writes for its own
 * Dial (follow-me, a forward to a mobile: lab22-u/-v/-x) is keyed by that half's uniqueid. A `;2` half
 * never starts a call: such a group is a piece of another call, not a call of its own.
 */
function dropLocalHalves(groups: Map<string, CdrRecord[]>): void {
  for (const [key, rows] of groups) if (rows.every((r) => parseChannelName(r.channel).localHalf === 2)) groups.delete(key);
}

const DIAL_STATUS: Readonly<Record<string, string>> = {
  'NO ANSWER': 'NOANSWER', BUSY: 'BUSY', FAILED: 'CHANUNAVAIL', CONGESTION: 'CONGESTION', ANSWERED: 'ANSWER',
};

/** The caller id number of `"Name" <num>` (or the whole value). */
function clidNumber(clid: string): string | undefined {
  const m = /<([^>]*)>/.exec(clid);
  return realNumber(m ? m[1] : clid);
}

/**
 * FMC: the employee whose mobile an incoming call's trunk leg dialled — from the Dial targets
 * (`PJSIP/101&PJSIP/79161234567@trunk`), else the exten of the Local `;2` half that dialled
 * (`079161234567`). Two different employees' mobiles in one Dial cannot be told apart: none.
 */
function mobileTarget(r: CdrRecord, cfg: TrackerConfig): { extension: string; mobile: string } | undefined {
  if (cfg.mobiles.size === 0) return undefined;
  const found = new Map<string, { extension: string; mobile: string }>();
  const targets = (r.lastdata.split(',')[0] ?? '').split('&').map((t) => numberFromDialString(t));
  if (parseChannelName(r.channel).localHalf === 2) targets.push(realNumber(r.dst));
  for (const mobile of targets) {
    const extension = mobileOwner(cfg, mobile);
    if (extension !== undefined && mobile !== undefined && !found.has(extension)) found.set(extension, { extension, mobile });
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}

/** One call's records → its summary at call end (direction, client, DID, trunk, conversations, status). */
export function summaryFromCdr(callKey: string, rows: readonly CdrRecord[], cfg: TrackerConfig): CallSummary | undefined {
  // The call's own first channel, not a Local `;2` half whose record has the same start second.
  const first = rows.find((r) => parseChannelName(r.channel).localHalf !== 2) ?? rows[0];
  if (!first) return undefined;
  const a = parseChannelName(first.channel);
  const aKind = classifyChannel(a, first.dcontext, cfg);
  const kindOf = (name: string) => (name ? classifyChannel(parseChannelName(name), '', cfg) : undefined);
  const trunkRow = rows.find((r) => kindOf(r.dstchannel) === 'trunk');
  let direction: Direction;
  if (aKind === 'trunk') direction = 'incoming';
  else direction = trunkRow ? 'outgoing' : 'internal';

  const conversations: ConversationSummary[] = [];
  let n = 0;
  for (const r of rows) {
    const fmc = direction === 'incoming' && kindOf(r.dstchannel) === 'trunk' ? mobileTarget(r, cfg) : undefined;
    // After Local optimisation the caller's own record names the mobile leg again: one conversation.
    if (fmc && conversations.some((c) => c.channel === r.dstchannel)) continue;
    if (!fmc && kindOf(r.dstchannel) !== 'extension' && !(direction === 'outgoing' && r === trunkRow)) continue;
    const answered = r.disposition === 'ANSWERED';
    const ext = fmc ? fmc.extension : direction === 'outgoing' && r === trunkRow
      ? extensionNumber(a.endpoint, clidNumber(r.clid), cfg)
      : extensionNumber(parseChannelName(r.dstchannel).endpoint, undefined, cfg);
    const prev = conversations.at(-1);
    // A leg that began after the previous one was answered came from a transfer; one that rang along
    // with it (a ring group, the desk phone and the mobile) did not.
    const transferred = prev?.acceptedAt !== undefined && r.start >= prev.acceptedAt;
    const via = direction === 'outgoing' ? 'outgoing' : r.lastapp.toLowerCase() === 'queue' ? 'queue' : transferred ? 'transfer' : 'dial';
    n++;
    conversations.push({
      id: `${callKey}-cdr${n}`, extension: ext, channel: r.dstchannel, uniqueid: `${callKey}-cdr${n}`,
      stage: 'conversation_ended', via, requestedAt: r.start,
      ...(answered ? { acceptedAt: r.answer ?? r.start } : {}), endedAt: r.end,
      dialStatus: DIAL_STATUS[r.disposition] ?? 'NOANSWER',
      ...(via === 'queue' ? { queue: r.lastdata.split(',')[0] ?? '' } : {}),
      ...(fmc ? { mobile: fmc.mobile } : {}),
    });
  }
  // A transferred conversation ended by the transfer: the next one began when it ended.
  for (let i = 0; i + 1 < conversations.length; i++) {
    const c = conversations[i]!;
    const next = conversations[i + 1]!;
    if (c.acceptedAt !== undefined && next.via === 'transfer') conversations[i] = { ...c, endReason: 'transfer' };
  }
  const last = rows.reduce((m, r) => (r.end > m.end ? r : m), first);
  const failed = [...conversations].reverse().find((c) => c.acceptedAt === undefined);
  const outcome = callOutcome({
    conversations: conversations.map((c) => ({ acceptedAt: c.acceptedAt, dialStatus: c.dialStatus })),
    dialStatus: failed?.dialStatus,
    hangupCause: undefined,
    // Nobody reached, or a queue nobody answered (an answered conversation outranks it in callOutcome).
    abandoned: conversations.length === 0 || rows.some((r) => r.lastapp.toLowerCase() === 'queue'),
  });
  const answeredAt = conversations.find((c) => c.acceptedAt !== undefined)?.acceptedAt;
  const queue = conversations.find((c) => c.queue !== undefined)?.queue;
  const base = {
    callKey, direction, startedAt: first.start, endedAt: last.end, recordings: [] as string[], conversations, outcome, statusCode: outcome.statusCode, rebuiltFrom: 'cdr' as const,
    ...(answeredAt !== undefined ? { answeredAt } : {}), ...(queue ? { queue } : {}),
  };
  if (direction === 'incoming') {
    // The DID is the record's dst while the caller is still in the trunk's context; after a blind
    // transfer cdr_csv shows where the caller went (lab22-g: `102` in from-internal) — then unknown.
    // FreePBX's CDR table keeps the DID in a column of its own (set in from-trunk): it survives the transfer.
    const did = rows.find((r) => r.did)?.did ?? (cfg.trunkContexts.has(first.dcontext) && first.dst ? first.dst : undefined);
    return { ...base, clientNumber: realNumber(first.src) ?? clidNumber(first.clid), ...(did ? { did } : {}), trunk: a.endpoint } as CallSummary;
  }
  if (direction === 'outgoing') {
    const t = parseChannelName(trunkRow!.dstchannel);
    // The number as sent to the trunk (the Dial argument), like the tracker's DialString; else dst.
    const dialString = (trunkRow!.lastdata.split(',')[0] ?? '').replace(/^[A-Za-z0-9_]+\//, '');
    const client = numberFromDialString(dialString) ?? realNumber(trunkRow!.dst);
    return { ...base, ...(client ? { clientNumber: client } : {}), trunk: t.endpoint, callerExtension: extensionNumber(a.endpoint, clidNumber(first.clid), cfg) } as CallSummary;
  }
  return { ...base, callerExtension: extensionNumber(a.endpoint, clidNumber(first.clid), cfg), clientNumber: first.dst } as CallSummary;
}
