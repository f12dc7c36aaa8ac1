/**
 * Routing to the responsible manager end to end: a fake Asterisk speaking FastAGI over a real
 * socket → startAgiServer → RoutingService → the real B24RestClient (webhook) → tools/b24-emu.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startAgiServer } from '../../src/adapters/agi/server.js';
import type { AgiServer } from '../../src/adapters/agi/server.js';
import type { AgiSessionResult } from '../../src/adapters/agi/session.js';
import { WebhookAuth } from '../../src/adapters/bitrix/auth.js';
import { B24RestClient } from '../../src/adapters/bitrix/client.js';
import { B24Limiter } from '../../src/adapters/bitrix/limiter.js';
import type { B24Client } from '../../src/adapters/bitrix/types.js';
import { agiSchema, phoneSchema } from '../../src/config/schema.js';
import { compilePhoneRules, normaliseInnerPhone } from '../../src/core/crm/phone.js';
import { silentLogger } from '../../src/log.js';
import { noHooks } from '../../src/flow/ports.js';
import type { HookPort } from '../../src/flow/ports.js';
import { RoutingService } from '../../src/flow/routing.js';
import type { RoutingServiceOptions } from '../../src/flow/routing.js';
import { UserDirectory } from '../../src/flow/user-directory.js';
import { startEmulator } from '../../tools/b24-emu/index.js';
import type { Emulator } from '../../tools/b24-emu/index.js';
import { callAgi } from './fake-asterisk.js';
import { waitFor } from '../e2e/helpers.js';

const SEED = {
  users: [
    { ID: 1, NAME: 'Ann', LAST_NAME: 'Admin', ACTIVE: true, UF_PHONE_INNER: '100' },
    { ID: 5, NAME: 'Anna', LAST_NAME: 'Petrova', ACTIVE: true, UF_PHONE_INNER: '101', EMAIL: 'anna@example.com', WORK_POSITION: 'Sales' },
    { ID: 7, NAME: 'Konstantin', LAST_NAME: 'Konstantinopolsky', ACTIVE: true, UF_PHONE_INNER: '102' },
  ],
  contacts: [
    { ID: 42, NAME: 'Ivan', LAST_NAME: 'Ivanov', PHONE: [{ VALUE: '+79161234567', VALUE_TYPE: 'MOBILE' }], ASSIGNED_BY_ID: 5 },
    { ID: 44, NAME: 'Olga', LAST_NAME: 'Dealova', PHONE: [{ VALUE: '+79169990000', VALUE_TYPE: 'WORK' }], ASSIGNED_BY_ID: 5 },
  ],
  companies: [
    { ID: 9, TITLE: 'Very Long Company Name Limited LLC', PHONE: [{ VALUE: '+74957654321', VALUE_TYPE: 'WORK' }], ASSIGNED_BY_ID: 7 },
  ],
  deals: [
    { ID: 11, TITLE: 'Won long ago', CONTACT_ID: 44, COMPANY_ID: 0, ASSIGNED_BY_ID: 1, CLOSED: 'Y', STAGE_ID: 'WON' },
    { ID: 12, TITLE: 'Open', CONTACT_ID: 44, COMPANY_ID: 0, ASSIGNED_BY_ID: 7, CLOSED: 'N', STAGE_ID: 'NEW' },
  ],
  settings: { phoneCountry: 'RU' },
};

const PHONE = phoneSchema.parse({ defaultCountry: 'RU' });

describe('FastAGI routing against tools/b24-emu', () => {
  let emu: Emulator;
  let rest: B24RestClient;
  let users: UserDirectory;
  let server: AgiServer | undefined;
  const sessions: AgiSessionResult[] = [];
  const services: RoutingService[] = [];

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
    // A test's lookups may go on after its calls ended; the next test must not count them.
    await Promise.all(services.splice(0).map((r) => r.settled()));
  });
  after(async () => {
    await emu.close();
  });

  async function start(o: {
    agi?: Record<string, unknown>; hooks?: HookPort; client?: Pick<B24Client, 'call'>; preferOpenDeal?: boolean;
  } = {}): Promise<{ port: number; routing: RoutingService }> {
    const agi = agiSchema.parse({ port: 0, ...o.agi });
    const opts: RoutingServiceOptions = {
      client: o.client ?? rest, users, hooks: o.hooks ?? noHooks, phone: PHONE, agi, now: Date.now, logger: silentLogger,
      ...(o.preferOpenDeal !== undefined ? { preferOpenDeal: o.preferOpenDeal } : {}),
    };
    const routing = new RoutingService(opts);
    services.push(routing);
    server = await startAgiServer({ config: agi, routing, logger: silentLogger, graceMs: 200, onSession: (r) => sessions.push(r) });
    return { port: server.port, routing };
  }

  test('a known client → the responsible\'s extension and name, the client\'s name as CallerID, STATUS last', async () => {
    const { port } = await start();
    const r = await callAgi({ port, callerId: '89161234567' });
    assert.equal(r.timedOut, false);
    assert.deepEqual(r.vars, {
      B24_ROUTE_EXTEN: '101', B24_ROUTE_NAME: 'Anna Petrova', B24_ROUTE_USER_ID: '5',
      B24_ENTITY_TYPE: 'CONTACT', B24_ENTITY_ID: '42', 'CALLERID(name)': 'Ivan Ivanov', B24_ROUTE_STATUS: 'OK',
    });
    assert.equal(r.commands.at(-1), 'SET VARIABLE B24_ROUTE_STATUS "OK"');
    assert.equal(r.commands[0], 'SET VARIABLE B24_ROUTE_EXTEN "101"');
    const search = emu.requests.list({ method: 'telephony.externalcall.searchcrmentities' }).at(-1);
    assert.equal((search?.params as Record<string, unknown> | undefined)?.['PHONE_NUMBER'], '+79161234567');
  });

  test('an unknown number → NOROUTE only', async () => {
    const { port } = await start();
    const r = await callAgi({ port, callerId: '+74990000001' });
    assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
  });

  test('setCallerName false → CALLERID(name) untouched', async () => {
    const { port } = await start({ agi: { setCallerName: false } });
    const r = await callAgi({ port, callerId: '+79161234567' });
    assert.equal(r.vars['CALLERID(name)'], undefined);
    assert.equal(r.vars['B24_ROUTE_STATUS'], 'OK');
  });

  test('names are cut to 20 characters (route name and CallerID name)', async () => {
    const { port } = await start();
    const r = await callAgi({ port, callerId: '84957654321' });
    assert.equal(r.vars['B24_ROUTE_EXTEN'], '102');
    assert.equal(r.vars['B24_ROUTE_NAME'], 'Konstantin Konstanti');
    assert.equal(r.vars['CALLERID(name)'], 'Very Long Company Na');
    assert.equal(r.vars['B24_ENTITY_TYPE'], 'COMPANY');
  });

  test('a contact with an open deal → the deal\'s responsible (unless disabled)', async () => {
    const a = await start();
    const r = await callAgi({ port: a.port, callerId: '+79169990000' });
    assert.equal(r.vars['B24_ROUTE_EXTEN'], '102');
    assert.equal(r.vars['B24_ROUTE_USER_ID'], '7');
    assert.equal(r.vars['B24_ENTITY_ID'], '44');
    await server?.close();
    const b = await start({ preferOpenDeal: false });
    const r2 = await callAgi({ port: b.port, callerId: '+79169990000' });
    assert.equal(r2.vars['B24_ROUTE_EXTEN'], '101');
  });

  test('Bitrix24 down → NOROUTE well within the deadline', async () => {
    const { port } = await start();
    emu.faults.set({ down: 'reset' });
    const r = await callAgi({ port, callerId: '+79161234567' });
    assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
    assert.ok(r.elapsedMs < 1_000 + 150, `took ${r.elapsedMs} ms`);
    assert.equal(sessions[0]?.decision?.reason, 'lookup-failed');
    assert.equal(sessions[0]?.decision?.code, 'B24_NETWORK');
  });

  test('Bitrix24 answering 500 → NOROUTE', async () => {
    const { port } = await start();
    emu.faults.set({ error5xx: { status: 500, count: 1 } });
    const r = await callAgi({ port, callerId: '+79161234567' });
    assert.deepEqual(r.vars, { B24_ROUTE_STATUS: 'NOROUTE' });
  });

  test('Bitrix24 slower than the deadline → NOROUTE at the deadline; its late answer is cached, so the next call routes at once', async () => {
    const { port, routing } = await start({ agi: { deadlineMs: 300 } });
    const count = (): number => emu.requests.list({ method: 'telephony.externalcall.searchcrmentities' }).length;
    const before = count();
    emu.faults.set({ slowMs: 700 });
    const r = await callAgi({ port, callerId: '+79161234567' });
    assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
    assert.ok(r.elapsedMs >= 290 && r.elapsedMs < 300 + 150, `took ${r.elapsedMs} ms`);
    assert.equal(sessions[0]?.decision?.reason, 'deadline');
    await waitFor('the late answer cached', () => routing.cacheSize() === 1, 3_000);
    emu.faults.clear();
    const next = await callAgi({ port, callerId: '+79161234567' });
    assert.equal(next.vars['B24_ROUTE_STATUS'], 'OK');
    assert.equal(sessions[1]?.decision?.cached, true);
    assert.ok(next.elapsedMs < 300, `took ${next.elapsedMs} ms`);
    assert.equal(count() - before, 1, 'one request for both calls');
  });

  test('concurrent calls from one uncached number share one lookup', async () => {
    const { port } = await start({ agi: { deadlineMs: 3_000 } });
    const count = (): number => emu.requests.list({ method: 'telephony.externalcall.searchcrmentities' }).length;
    const before = count();
    emu.faults.set({ slowMs: 200 });
    const [a, b] = await Promise.all([callAgi({ port, callerId: '+79161234567' }), callAgi({ port, callerId: '8 916 123-45-67' })]);
    assert.equal(a.vars['B24_ROUTE_STATUS'], 'OK');
    assert.deepEqual(b.vars, a.vars);
    assert.equal(count() - before, 1);
  });

  test('HANGUP mid-request → nothing set, socket closed at once', async () => {
    const { port } = await start();
    emu.faults.set({ slowMs: 500 });
    // A number no other test counts: the lookup goes on after the hang-up and is logged later.
    const r = await callAgi({ port, callerId: '+74990000077', hangupAfterMs: 50 });
    assert.deepEqual(r.commands, []);
    assert.ok(r.elapsedMs < 400, `took ${r.elapsedMs} ms`);
    assert.equal(sessions[0]?.outcome, 'hangup');
  });

  test('HANGUP in answer to a command → no further commands', async () => {
    const { port } = await start();
    const r = await callAgi({ port, callerId: '+79161234567', respond: (_c, i) => (i === 1 ? 'HANGUP' : ['200 result=1']) });
    assert.equal(r.commands.length, 2);
    assert.equal(sessions[0]?.outcome, 'hangup');
  });

  test('510 and a multi-line 520 reply are logged and the next commands still run', async () => {
    const { port } = await start();
    const r = await callAgi({
      port, callerId: '+79161234567',
      respond: (_c, i) => i === 0 ? ['510 Invalid or unknown command']
        : i === 1 ? ['520-Invalid command syntax.  Proper usage follows:', ' Usage: SET VARIABLE <variablename> <value>', '520 End of proper usage.']
          : ['200 result=1'],
    });
    assert.equal(r.commands.length, 7);
    assert.equal(r.commands.at(-1), 'SET VARIABLE B24_ROUTE_STATUS "OK"');
    assert.equal(sessions[0]?.outcome, 'done');
  });

  test('511 (dead channel) ends the session', async () => {
    const { port } = await start();
    const r = await callAgi({ port, callerId: '+79161234567', respond: () => ['511 Command Not Permitted on a dead channel or intercept routine'] });
    assert.equal(r.commands.length, 1);
    assert.equal(sessions[0]?.outcome, 'dead-channel');
  });

  test('outside working hours → CLOSED, no lookup', async () => {
    const { port } = await start({ agi: { workingHours: { timezone: 'Europe/Moscow', days: {} } } });
    const before = emu.requests.list().length;
    const r = await callAgi({ port, callerId: '+79161234567' });
    assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_STATUS "CLOSED"']);
    assert.equal(emu.requests.list().length, before);
  });

  test('within working hours → routed', async () => {
    const all = ['00:00-24:00'];
    const days = { mon: all, tue: all, wed: all, thu: all, fri: all, sat: all, sun: all };
    const { port } = await start({ agi: { workingHours: { timezone: 'Asia/Tokyo', days } } });
    const r = await callAgi({ port, callerId: '+79161234567' });
    assert.equal(r.vars['B24_ROUTE_STATUS'], 'OK');
  });

  test('the hook changes number and name (name cut to 20); it gets the contract input', async () => {
    const inputs: Array<Record<string, unknown>> = [];
    const hooks: HookPort = {
      has: (p) => p === 'customize_autodistribution',
      run: async (_p, input) => {
        inputs.push(input);
        return { data: { ...input, number: '555', name: 'VIP Ivan Ivanov from the big client list' }, source: 'hook', ok: true, durationMs: 1 };
      },
    };
    const { port } = await start({ hooks });
    const r = await callAgi({ port, callerId: '+79161234567' });
    assert.equal(r.vars['B24_ROUTE_EXTEN'], '555');
    assert.equal(r.vars['B24_ROUTE_NAME'], 'VIP Ivan Ivanov from');
    assert.equal(r.vars['CALLERID(name)'], 'VIP Ivan Ivanov from');
    assert.equal(r.vars['B24_ROUTE_STATUS'], 'OK');
    assert.deepEqual(inputs, [{
      number: '101', name: 'Anna Petrova', from: '+79161234567',
      user: { id: 5, phones: ['101'], name: 'Anna Petrova', email: 'anna@example.com', position: 'Sales' },
      entity: { type: 'contact', id: 42, name: 'Ivan Ivanov', responsible_id: 5 },
    }]);
  });

  test('the hook can route an unknown caller; it sees the error', async () => {
    const inputs: Array<Record<string, unknown>> = [];
    const hooks: HookPort = {
      has: () => true,
      run: async (_p, input) => {
        inputs.push(input);
        return { data: { number: '200', name: 'Reception' }, source: 'hook', ok: true, durationMs: 1 };
      },
    };
    const { port } = await start({ hooks });
    const r = await callAgi({ port, callerId: '+74990000002' });
    assert.deepEqual(inputs, [{ number: '', name: '', from: '+74990000002', error: 'client not found in CRM' }]);
    assert.deepEqual(r.vars, { B24_ROUTE_EXTEN: '200', B24_ROUTE_NAME: 'Reception', 'CALLERID(name)': 'Reception', B24_ROUTE_STATUS: 'OK' });
  });

  test('a hook slower than the deadline → NOROUTE at the deadline', async () => {
    let timer: NodeJS.Timeout | undefined;
    const hooks: HookPort = {
      has: () => true,
      run: (_p, input) => new Promise((resolve) => {
        timer = setTimeout(() => resolve({ data: input, source: 'hook', ok: true, durationMs: 2_000 }), 2_000);
      }),
    };
    try {
      const { port } = await start({ hooks, agi: { deadlineMs: 300 } });
      const r = await callAgi({ port, callerId: '+79161234567' });
      assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
      assert.ok(r.elapsedMs < 300 + 150, `took ${r.elapsedMs} ms`);
    } finally {
      clearTimeout(timer);
    }
  });

  test('a cache hit does not call the portal again (positive and negative)', async () => {
    // A generous deadline: on a loaded machine a first lookup cut at 1 s is a failure, never cached.
    const { port, routing } = await start({ agi: { deadlineMs: 5_000 } });
    const mine = new Set(['+79161234567', '+74990000003']);
    const count = (): number => emu.requests.list({ method: 'telephony.externalcall.searchcrmentities' })
      .filter((e) => mine.has(String((e.params as Record<string, unknown>)['PHONE_NUMBER']))).length;
    const before = count();
    const a = await callAgi({ port, callerId: '89161234567' });
    const b = await callAgi({ port, callerId: '+7 916 123-45-67' });
    assert.equal(count() - before, 1);
    assert.deepEqual(b.vars, a.vars);
    assert.equal(sessions[1]?.decision?.cached, true);
    await callAgi({ port, callerId: '+74990000003' });
    await callAgi({ port, callerId: '+74990000003' });
    assert.equal(count() - before, 2);
    assert.equal(routing.cacheSize(), 2);
  });

  test('an expired cache entry is looked up again', async () => {
    let now = 1_000_000;
    const agi = agiSchema.parse({ port: 0, cacheTtlMs: 60_000 });
    const routing = new RoutingService({ client: rest, users, hooks: noHooks, phone: PHONE, agi, now: () => now, logger: silentLogger });
    services.push(routing);
    // Only this test's number: lookups of earlier tests may still be finishing (they outlive the
    // AGI deadline on purpose, to fill the cache) and must not be counted here.
    const count = (): number => emu.requests.list({ method: 'telephony.externalcall.searchcrmentities' })
      .filter((e) => (e.params as Record<string, unknown>)['PHONE_NUMBER'] === '+74990000004').length;
    const before = count();
    assert.equal((await routing.route({ callerId: '+74990000004' })).cached, false);
    now += 59_999;
    assert.equal((await routing.route({ callerId: '+74990000004' })).cached, true);
    now += 1;
    assert.equal((await routing.route({ callerId: '+74990000004' })).cached, false);
    assert.equal(count() - before, 2);
  });

  test('an unknown script path → nothing set, closed', async () => {
    const { port } = await start();
    const r = await callAgi({ port, script: 'queue?x=1' });
    assert.deepEqual(r.commands, []);
    assert.equal(r.timedOut, false);
    assert.equal(sessions[0]?.outcome, 'unknown-script');
  });
});
