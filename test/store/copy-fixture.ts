/**
 * A populated store for the `store copy` / `store backup` tests, written through the real store
 * API: outbox commands in every state (pending with attempts and backoff, running, done with
 * results, dead with errors, discarded, uncertain, solo, card expiry), a gap at the top of the id
 * sequence (purged), open and ended calls with their state JSON, kv entries (OAuth tokens,
 * transcript marks, settings), seen events and audit log entries. `readBack` reads all of it back through the same
 * API, for a deepEqual between source and destination.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AppStore } from '../../src/adapters/store/app-store.js';
import { command, ref } from '../../src/core/crm/commands.js';

export const T0 = 1_800_000_000_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * libsql closes a SQLite connection for real only when its prepared statements are collected: in
 * one process, a store closed a moment ago still holds its file (what `store copy` calls "in
 * use"). Between processes — a connector and the CLI — closing is enough.
 */
export async function releaseClosed(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

export interface Populated {
  readonly callKeys: readonly string[];
  readonly kvKeys: readonly string[];
  readonly eventIds: readonly string[];
  /** The greatest outbox id ever handed out (some of the newest were purged). */
  readonly maxIdIssued: number;
}

export async function populate(store: AppStore, calls = 12): Promise<Populated> {
  const callKeys: string[] = [];
  for (let i = 0; i < calls; i++) {
    const key = `17000${i}.${i}`;
    callKeys.push(key);
    await store.enqueue([
      command(key, 'register', 'telephony.externalcall.register', { EXTERNAL_CALL_ID: key, PHONE_NUMBER: `+7 999 ${i}`, NOTE: 'ключ «тест»' }, 'live'),
      command(key, 'show:101', 'telephony.externalcall.show', { CALL_ID: ref('register', 'CALL_ID'), USER_ID: 101 }, 'live', T0 + 60_000),
      command(key, 'finish', 'telephony.externalcall.finish', { CALL_ID: ref('register', 'CALL_ID'), DURATION: i }, 'finish'),
    ], T0 + i, {
      call: { callKey: key, state: { stage: i % 2 ? 'ended' : 'talking', peers: [{ ext: '101', name: 'Анна' }], z: 1, a: null,
        // The flow's fields sticky routing reads: an ended call gets a call_talkers row.
        clientPhone: `+7999000${i}`, users: { '101': 5 }, summary: { direction: 'incoming', conversations: [{ id: `${key}#0`, extension: '101', acceptedAt: T0 + i }] } }, now: T0 + i,
        ...(i % 2 ? { endedAt: T0 + 1_000 + i } : {}) },
    });
  }
  // A sender's work: registers done (with their CALL_ID), one dead, one pending after a retryable failure.
  const claimed = await store.claim({ now: T0 + 10_000, limit: 100, maxChain: 1 });
  await store.record(claimed.map((c, n) => {
    if (n === 1) return { id: c.id, state: 'dead' as const, attempts: 1, nextAttemptAt: T0, lastError: { code: 'B24_ERROR_CORE', message: 'Call is not found' }, solo: false };
    if (n === 2) return { id: c.id, state: 'pending' as const, attempts: 2, nextAttemptAt: T0 + 99_000, lastError: { code: 'B24_NETWORK', message: 'ECONNRESET' }, solo: true, uncertain: true };
    return { id: c.id, state: 'done' as const, attempts: 1, nextAttemptAt: T0, lastError: null, result: { CALL_ID: `externalCall.${c.id}`, extra: [1, 'два'] }, solo: false };
  }), T0 + 11_000);
  // One call's show discarded by hand; a claim left running (a connector that stopped mid-send).
  const shows = (await store.list({ limit: 1_000 })).filter((c) => c.step === 'show:101' && c.state === 'pending');
  if (shows[0]) await store.discard(shows[0].id, T0 + 12_000, { code: 'OUTBOX_DISCARDED', message: 'by hand' });
  await store.claim({ now: T0 + 13_000, limit: 1, maxChain: 1 });
  // Newest ids purged: the destination must not hand them out again.
  const extra = await store.enqueue([command('purged.1', 'register', 'telephony.externalcall.register', { X: 1 }, 'late')], T0 + 14_000);
  const got = await store.claim({ now: T0 + 15_000, limit: 100, maxPriority: 20 });
  await store.record(got.filter((c) => c.callKey === 'purged.1').map((c) => ({ id: c.id, state: 'done' as const, attempts: 1, nextAttemptAt: T0, lastError: null, result: null, solo: false })), T0 + 15_500);
  await store.record(got.filter((c) => c.callKey !== 'purged.1').map((c) => ({ id: c.id, state: 'pending' as const, attempts: 0, nextAttemptAt: T0 + 16_000, lastError: null, solo: false })), T0 + 15_500);
  await store.purgeSettled(T0 + 16_000);
  await store.setB24CallId(callKeys[0]!, 'externalCall.b24', T0 + 17_000);

  const kvKeys = ['bitrix.oauth.tokens', `transcript:${callKeys[1]}`, 'panel.settings', 'ami.aliveAt', 'null.value'];
  await store.setValue(kvKeys[0]!, { accessToken: 'acc-1', refreshToken: 'ref-1', expiresAt: T0 + 3_600_000, domain: 'portal.bitrix24.ru' }, T0);
  await store.setValue(kvKeys[1]!, { state: 'attached', text: 'Добрый день' }, T0 + 1);
  await store.setValue(kvKeys[2]!, { lang: 'ru', missed: { task: true } }, T0 + 2);
  await store.setValue(kvKeys[3]!, T0 + 20_000, T0 + 20_000);
  await store.setValue(kvKeys[4]!, null, T0 + 3);
  const eventIds = ['ev-1', 'ev-2', 'ev-3'];
  for (const [n, id] of eventIds.entries()) await store.markSeen(id, T0 + n, T0 + 86_400_000);
  // The panel's audit log (panel_audit): a settings change with Cyrillic and a masked secret, an outbox retry.
  await store.audit.append({ at: T0 + 4, user: 'ops', role: 'admin', ip: '10.0.0.6', action: 'settings.save', target: 'tasks',
    details: { changes: [{ path: 'tasks.title', from: 'Перезвонить', to: 'Перезвонить клиенту' }, { path: 'hooks.urls.x', from: null, to: 'https://h/?t=***' }] } });
  await store.audit.append({ at: T0 + 5, user: 'admin', role: 'admin', ip: '::1', action: 'outbox.retry', target: '2', details: { id: '2', ok: true } });
  return { callKeys, kvKeys, eventIds, maxIdIssued: extra.inserted[0] ?? 0 };
}

/** Everything the application can read from the store (none of it writes). */
export async function readBack(store: AppStore, p: Populated): Promise<unknown> {
  const now = T0 + 20_000;
  return {
    outbox: await store.list({ limit: 100_000 }),
    byKey: await Promise.all(p.callKeys.map((k) => store.getByKey(`${k}:register`))),
    stats: await store.stats(now),
    nextDueAt: await store.nextDueAt(),
    calls: await Promise.all(p.callKeys.map((k) => store.getCall(k))),
    open: await store.listOpenCalls(),
    history: await store.queries.searchCalls({ limit: 1_000, offset: 0, endedOnly: false }),
    newest: await store.queries.listOutboxNewest({ limit: 1_000 }),
    lastSent: await store.queries.lastSentCommand(),
    kv: await Promise.all(p.kvKeys.map((k) => store.getValue(k))),
    audit: await store.audit.page({ limit: 1_000, offset: 0 }),
  };
}
