/**
 * Sticky routing end to end: a fake Asterisk speaking FastAGI → startAgiServer → RoutingService
 * with agi.sticky and the real SQLite store's call history → the real B24RestClient → tools/b24-emu.
 * A call answered by 102 is stored ended (as the CRM flow stores it); the same number calls again.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startAgiServer } from '../../src/adapters/agi/server.js';
import type { AgiServer } from '../../src/adapters/agi/server.js';
import type { AgiSessionResult } from '../../src/adapters/agi/session.js';
import { WebhookAuth } from '../../src/adapters/bitrix/auth.js';
import { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { B24Limiter } from '../../src/adapters/bitrix/limiter.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import type { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { agiSchema, phoneSchema } from '../../src/config/schema.js';
import { compilePhoneRules, normaliseInnerPhone } from '../../src/core/crm/phone.js';
import { silentLogger } from '../../src/log.js';
import { noHooks } from '../../src/flow/ports.js';
import type { HookPort } from '../../src/flow/ports.js';
import { describeRoute } from '../../src/flow/route-notes.js';
import { RoutingService } from '../../src/flow/routing.js';
import { UserDirectory } from '../../src/flow/user-directory.js';
import { startEmulator } from '../../tools/b24-emu/index.js';
import type { Emulator } from '../../tools/b24-emu/index.js';
import { flowState } from '../store/flow-state.js';
import { callAgi } from './fake-asterisk.js';

const DAY = 86_400_000;
const SEED = {
  users: [
    { ID: 1, NAME: 'Ann', LAST_NAME: 'Admin', ACTIVE: true, UF_PHONE_INNER: '100' },
    { ID: 5, NAME: 'Anna', LAST_NAME: 'Petrova', ACTIVE: true, UF_PHONE_INNER: '101' },
    { ID: 7, NAME: 'Konstantin', LAST_NAME: 'K', ACTIVE: true, UF_PHONE_INNER: '102', EMAIL: 'k@example.com' },
    { ID: 8, NAME: 'Gone', LAST_NAME: 'Away', ACTIVE: false, UF_PHONE_INNER: '108' },
  ],
  contacts: [{ ID: 42, NAME: 'Ivan', LAST_NAME: 'Ivanov', PHONE: [{ VALUE: '+79161234567', VALUE_TYPE: 'MOBILE' }], ASSIGNED_BY_ID: 5 }],
  settings: { phoneCountry: 'RU' },
};
const PHONE = phoneSchema.parse({ defaultCountry: 'RU' });
const KNOWN = '+79161234567';
const UNKNOWN = '+74990000077';

describe('FastAGI sticky routing against the store and tools/b24-emu', () => {
  let emu: Emulator;
  let rest: B24RestClient;
  let users: UserDirectory;
  let store: SqliteStore;
  let server: AgiServer | undefined;
  const sessions: AgiSessionResult[] = [];
  const services: RoutingService[] = [];
  let n = 0;

  before(async () => {
    emu = await startEmulator({ port: 0, portal: SEED, limits: { capacity: 200, drainPerSec: 100 }, enforceAppOnly: false });
    rest = new B24RestClient({ auth: new WebhookAuth(emu.webhook), limiter: new B24Limiter({ capacity: 200, drainPerSec: 100 }) });
    const rules = compilePhoneRules(PHONE);
    users = new UserDirectory({ client: rest, logger: silentLogger, now: Date.now, normalise: (s) => normaliseInnerPhone(s, rules) });
    assert.equal(await users.refresh(), true);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    sessions.length = 0;
    emu.faults.clear();
    await Promise.all(services.splice(0).map((r) => r.settled()));
    await store.close();
  });
  after(async () => {
    await emu.close();
  });

  /** A fresh store, then the FastAGI server over it with `sticky` settings. */
  async function start(sticky: Record<string, unknown>, hooks: HookPort = noHooks): Promise<number> {
    store = openSqliteStore({ path: ':memory:' });
    const agi = agiSchema.parse({ port: 0, sticky });
    const routing = new RoutingService({ client: rest, users, hooks, phone: PHONE, agi, history: store.queries, now: Date.now, logger: silentLogger });
    services.push(routing);
    server = await startAgiServer({ config: agi, routing, logger: silentLogger, graceMs: 200, onSession: (r) => sessions.push(r) });
    return server.port;
  }

  /** An earlier call with `client`, answered by `ext` `daysAgo` days ago, stored ended as the flow stores it. */
  async function answered(client: string, ext: string, daysAgo: number, userOf: Record<string, number> = { '101': 5, '102': 7, '108': 8 }): Promise<number> {
    const at = Date.now() - daysAgo * DAY;
    const key = `1700000${n++}.1`;
    await store.upsertCall({ callKey: key, state: flowState({ key, client, convs: [{ ext, at, end: at + 45_000 }], users: userOf }), endedAt: at + 46_000, now: at + 46_000 });
    return at;
  }

  test('fallback: a number the CRM does not know reaches whoever answered it last (102)', async () => {
    const port = await start({ mode: 'fallback' });
    assert.deepEqual((await callAgi({ port, callerId: '84990000077' })).commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"'], 'nobody talked to it yet');
    const at = await answered(UNKNOWN, '102', 2);
    const r = await callAgi({ port, callerId: '84990000077' });
    assert.deepEqual(r.vars, { B24_ROUTE_EXTEN: '102', B24_ROUTE_NAME: 'Konstantin K', B24_ROUTE_USER_ID: '7', B24_ROUTE_STATUS: 'OK' });
    const d = sessions.at(-1)?.decision;
    assert.equal(d?.reason, 'sticky');
    const day = new Date(at).toISOString().slice(0, 10);
    assert.equal(describeRoute(d!), `FastAGI route OK → 102 (user 7 Konstantin K): sticky: last talked to user 7 (extension 102) on ${day} [cached lookup]`, "the CRM's negative answer is cached; the history is asked on every call");
  });

  test('fallback keeps the CRM responsible; first sends the client to the last talker, with the hook seeing that user and the CRM entity', async () => {
    let port = await start({ mode: 'fallback' });
    await answered(KNOWN, '102', 1);
    assert.equal((await callAgi({ port, callerId: KNOWN })).vars['B24_ROUTE_EXTEN'], '101');
    await server?.close();
    await store.close();
    const inputs: Array<Record<string, unknown>> = [];
    const hooks: HookPort = { has: () => true, run: async (_p, input) => { inputs.push(input); return { data: {}, source: 'hook', ok: true, durationMs: 1 }; } };
    port = await start({ mode: 'first' }, hooks);
    await answered(KNOWN, '102', 1);
    const r = await callAgi({ port, callerId: KNOWN });
    assert.deepEqual(r.vars, {
      B24_ROUTE_EXTEN: '102', B24_ROUTE_NAME: 'Konstantin K', B24_ROUTE_USER_ID: '7',
      B24_ENTITY_TYPE: 'CONTACT', B24_ENTITY_ID: '42', 'CALLERID(name)': 'Ivan Ivanov', B24_ROUTE_STATUS: 'OK',
    });
    assert.deepEqual(inputs[0], {
      number: '102', name: 'Konstantin K', from: KNOWN,
      user: { id: 7, phones: ['102'], name: 'Konstantin K', email: 'k@example.com' },
      entity: { type: 'contact', id: 42, name: 'Ivan Ivanov', responsible_id: 5 },
    });
    assert.match(describeRoute(sessions.at(-1)!.decision!), /^FastAGI route OK → 102 \(user 7 Konstantin K\): sticky: last talked to user 7 \(extension 102\) on \d{4}-\d{2}-\d{2}, CONTACT 42 "Ivan Ivanov"/);
  });

  test('older than agi.sticky.days, or shorter than minTalkSeconds → NOROUTE', async () => {
    const port = await start({ mode: 'fallback', days: 30, minTalkSeconds: 60 });
    await answered(UNKNOWN, '102', 31);
    assert.deepEqual((await callAgi({ port, callerId: UNKNOWN })).commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
    await answered(UNKNOWN, '102', 1); // 45 s of talk
    assert.deepEqual((await callAgi({ port, callerId: UNKNOWN })).commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
  });

  test('an inactive or unknown last talker falls through (to NOROUTE, or to the CRM responsible), and the note says so', async () => {
    let port = await start({ mode: 'fallback' });
    await answered(UNKNOWN, '102', 3);
    await answered(UNKNOWN, '108', 1); // user 8 is not active: not in the directory
    assert.deepEqual((await callAgi({ port, callerId: UNKNOWN })).commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
    assert.match(describeRoute(sessions.at(-1)!.decision!), /^FastAGI route NOROUTE: the number is not in the CRM; sticky passed over: last talked to user 8 \(extension 108\) on .*, not an active user with an extension now$/);
    await server?.close();
    await store.close();
    port = await start({ mode: 'first' });
    await answered(KNOWN, '109', 1, { '109': 99 }); // a user the portal does not have
    assert.equal((await callAgi({ port, callerId: KNOWN })).vars['B24_ROUTE_EXTEN'], '101');
    assert.equal(sessions.at(-1)?.decision?.reason, 'found');
  });

  test('Bitrix24 down: the last talker still takes the call (the failure in the code); off: NOROUTE', async () => {
    let port = await start({ mode: 'fallback' });
    await answered(KNOWN, '102', 1);
    emu.faults.set({ down: 'reset' });
    const r = await callAgi({ port, callerId: KNOWN });
    assert.equal(r.vars['B24_ROUTE_EXTEN'], '102');
    assert.equal(r.vars['B24_ROUTE_STATUS'], 'OK');
    assert.equal(sessions.at(-1)?.decision?.code, 'B24_NETWORK');
    await server?.close();
    await store.close();
    port = await start({ mode: 'off' });
    await answered(KNOWN, '102', 1);
    assert.deepEqual((await callAgi({ port, callerId: KNOWN })).commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
  });
});
