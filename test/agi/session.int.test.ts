/**
 * The FastAGI server's own guarantees, with a fake RoutePort (no Bitrix24): the socket is always
 * closed in time, whatever the peer or the routing port do.
 */
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startAgiServer } from '../../src/adapters/agi/server.js';
import type { AgiServer } from '../../src/adapters/agi/server.js';
import type { AgiSessionResult } from '../../src/adapters/agi/session.js';
import { agiSchema, phoneSchema } from '../../src/config/schema.js';
import { ConnectorError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { noHooks } from '../../src/flow/ports.js';
import { RoutingService } from '../../src/flow/routing.js';
import type { RoutePort } from '../../src/flow/routing.js';
import { agiEnvironment, callAgi } from './fake-asterisk.js';

describe('AGI session limits', () => {
  let server: AgiServer | undefined;
  const sessions: AgiSessionResult[] = [];
  const timers: NodeJS.Timeout[] = [];
  afterEach(async () => {
    for (const t of timers) clearTimeout(t);
    await server?.close();
    server = undefined;
    sessions.length = 0;
  });

  async function start(routing: RoutePort, deadlineMs = 300): Promise<number> {
    const config = agiSchema.parse({ port: 0, deadlineMs });
    server = await startAgiServer({ config, routing, logger: silentLogger, graceMs: 100, onSession: (r) => sessions.push(r) });
    return server.port;
  }

  /** Writes raw bytes and resolves with what came back and when the server closed. */
  function raw(port: number, text: string): Promise<{ data: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      let data = '';
      const s = connect(port, '127.0.0.1', () => s.write(text));
      s.setEncoding('utf8');
      s.on('data', (d: string) => { data += d; });
      s.on('close', () => resolve({ data, ms: performance.now() - t0 }));
      s.on('error', reject);
    });
  }

  const ok: RoutePort = { route: async () => ({ status: 'OK', exten: '101', reason: 'found' }) };

  test('the request reaches the port with the caller, DID, unique id and channel', async () => {
    const seen: unknown[] = [];
    const port = await start({ route: async (req) => { seen.push(req); return { status: 'NOROUTE', reason: 'unknown-client' }; } });
    await callAgi({ port, callerId: '+79161234567', callerName: 'Ivan', script: 'route?did=74950001122' });
    assert.deepEqual(seen, [{ callerId: '+79161234567', callerName: 'Ivan', did: '74950001122', uniqueId: '1763790000.23', channel: 'PJSIP/trunk-00000017' }]);
  });

  test('an environment that never ends → closed at the deadline, nothing sent', async () => {
    const port = await start(ok);
    const r = await raw(port, 'agi_network: yes\nagi_network_script: route\n');
    assert.equal(r.data, '');
    assert.ok(r.ms >= 290 && r.ms < 300 + 150, `took ${r.ms} ms`);
    assert.equal(sessions[0]?.outcome, 'timeout');
  });

  test('HANGUP before the environment ends → closed at once', async () => {
    const port = await start(ok);
    const r = await raw(port, 'agi_network: yes\nHANGUP\n');
    assert.equal(r.data, '');
    assert.ok(r.ms < 200, `took ${r.ms} ms`);
    assert.equal(sessions[0]?.outcome, 'hangup');
  });

  test('a routing port that ignores the signal → NOROUTE at the deadline anyway', async () => {
    const port = await start({ route: () => new Promise((resolve) => { timers.push(setTimeout(() => resolve({ status: 'OK', exten: '1', reason: 'late' }), 1_000)); }) });
    const r = await callAgi({ port });
    assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"']);
    assert.ok(r.elapsedMs < 300 + 150, `took ${r.elapsedMs} ms`);
  });

  test('a routing port that throws → ERROR', async () => {
    const port = await start({ route: async () => { throw new ConnectorError('TEST_BOOM', 'boom'); } });
    const r = await callAgi({ port });
    assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_STATUS "ERROR"']);
    assert.equal(sessions[0]?.decision?.code, 'TEST_BOOM');
  });

  test('Asterisk never answering a command → closed at deadline + grace', async () => {
    const port = await start(ok);
    const r = await callAgi({ port, respond: () => null });
    assert.deepEqual(r.commands, ['SET VARIABLE B24_ROUTE_EXTEN "101"']);
    assert.ok(r.elapsedMs >= 390 && r.elapsedMs < 300 + 100 + 150, `took ${r.elapsedMs} ms`);
    assert.equal(sessions[0]?.outcome, 'timeout');
  });

  test('garbage instead of a reply → protocol error, closed', async () => {
    const port = await start(ok);
    const r = await callAgi({ port, respond: () => ['HELLO?'] });
    assert.equal(r.commands.length, 1);
    assert.equal(sessions[0]?.outcome, 'protocol-error');
  });

  test('a CRLF environment (agi_request only, no network script) works too', async () => {
    const port = await start(ok);
    const env = agiEnvironment({ port, script: 'route' }).split('\n').filter((l) => !l.startsWith('agi_network')).join('\r\n');
    const r = await raw(port, env);
    assert.equal(r.data, 'SET VARIABLE B24_ROUTE_EXTEN "101"\n');
  });

  test('close() ends open sessions', async () => {
    const port = await start({ route: () => new Promise(() => {}) }, 5_000);
    const pending = raw(port, agiEnvironment({ port }));
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(server?.active(), 1);
    await server?.close();
    server = undefined;
    const r = await pending;
    assert.equal(r.data, '');
  });

  test('a bad working-hours time zone fails at start', () => {
    const agi = agiSchema.parse({ workingHours: { timezone: 'Nowhere/Atlantis', days: {} } });
    assert.throws(() => new RoutingService({
      client: { call: <T>() => Promise.resolve([] as T) }, users: { byUserId: () => undefined }, hooks: noHooks,
      phone: phoneSchema.parse({}), agi, now: () => 0, logger: silentLogger,
    }), (e: unknown) => e instanceof ConnectorError && e.code === 'AGI_BAD_WORKING_HOURS');
  });
});
