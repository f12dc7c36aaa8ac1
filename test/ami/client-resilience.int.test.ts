/** The AMI client's resilience: server drops, reconnect backoff, Ping keep-alive, close(). */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { AmiClient } from '../../src/adapters/ami/client.js';
import { getvar, ping } from '../../src/adapters/ami/actions.js';
import { field } from '../../src/adapters/ami/message.js';
import { isConnectorError } from '../../src/errors.js';
import { clients, closeAll, collect, event, servers, setup, until } from './client-harness.js';

after(closeAll);

describe('resilience', () => {
  test('server drop: pending rejected with AMI_DISCONNECTED, then reconnect, re-login, events flow', async () => {
    let prefixN = 0;
    const { server, client } = await setup({}, { actionIdPrefix: () => `p${++prefixN}` });
    const events = collect(client);
    const signals: string[] = [];
    client.on('connected', (i) => signals.push(`connected:${i.reconnect}`));
    client.on('disconnected', (i) => signals.push(`disconnected:${i.error.code}`));
    await client.connect();
    server.handle('Getvar', () => {});
    const pending = client.request(getvar({ variable: 'NEVER' }));
    await server.waitForAction('Getvar');
    server.dropAll();
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(isConnectorError(e));
      assert.equal(e.code, 'AMI_DISCONNECTED');
      assert.equal(e.retryable, true);
      return true;
    });
    await server.waitForAction('Login', 2);
    await until(() => client.ready);
    assert.equal(field(server.actionsNamed('Login')[1]!, 'ActionID'), 'p2-1', 'new connection, new prefix');
    server.broadcast(event('Newchannel', [['Uniqueid', 'after-reconnect']]));
    await until(() => events.some((m) => field(m, 'Uniqueid') === 'after-reconnect'));
    assert.deepEqual(signals, ['connected:false', 'disconnected:AMI_DISCONNECTED', 'connected:true']);
    assert.equal(client.stats.reconnects, 1);
    assert.equal(client.stats.disconnects, 1);
  });

  test('reconnect backoff grows while the server is away', async () => {
    const { server, client } = await setup({}, { reconnectMinMs: 40, reconnectMaxMs: 1000, random: () => 0 });
    await client.connect();
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const t0 = Date.now();
    await until(() => client.stats.connectAttempts >= 4, 3000);
    // Delays with random 0: 20, 40, 80 ms (half of 40·2^n) → at least ~140 ms for 3 retries.
    assert.ok(Date.now() - t0 >= 130, `retries too fast: ${Date.now() - t0} ms`);
    assert.equal(client.state === 'waiting' || client.state === 'connecting', true);
    await client.close();
    const attempts = client.stats.connectAttempts;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(client.stats.connectAttempts, attempts, 'close() stopped the reconnect loop');
    assert.equal(client.state, 'closed');
  });

  test('Ping keep-alive: pings while answered; a missed pong closes and reconnects', async () => {
    const { server, client } = await setup({}, { pingIntervalMs: 40, pingTimeoutMs: 300 });
    await client.connect();
    await server.waitForAction('Ping', 2);
    assert.equal(client.stats.pingFailures, 0);
    let silent = true;
    server.handle('Ping', (msg, conn) => { if (!silent) conn.respond(msg, 'Success', [['Ping', 'Pong']]); });
    await server.waitForAction('Login', 2);
    silent = false;
    await until(() => client.ready);
    assert.equal(client.stats.pingFailures, 1);
    assert.equal(client.stats.reconnects, 1);
    assert.equal(server.open.length, 1, 'the silent connection was closed');
    await client.close();
  });

  test('close(): Logoff, socket closed, no timers left, later sends refused', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { server, client } = await setup({}, { pingIntervalMs: 1000 });
    await client.connect();
    assert.equal(timers(), before + 1, 'the ping timer runs while connected');
    await client.close();
    assert.equal(timers(), before, 'close() leaves no timer behind');
    assert.equal(client.state, 'closed');
    assert.equal(server.actionsNamed('Logoff').length, 1);
    await until(() => server.open.length === 0);
    await assert.rejects(client.send(ping()), { code: 'AMI_CLOSED' });
    await assert.rejects(client.connect(), { code: 'AMI_CLOSED' });
    await client.close(); // idempotent
  });

  test('close() right after start() and close() when Logoff is never answered both finish', async () => {
    const { server, client } = await setup();
    client.start();
    assert.equal(client.state, 'connecting');
    await client.close();
    assert.equal(client.state, 'closed');
    assert.equal(server.actionsNamed('Logoff').length, 0);

    server.handle('Logoff', () => {});
    const slow = new AmiClient({ host: '127.0.0.1', port: server.port, username: 'crm', secret: 'crmsecret', pingIntervalMs: 0, closeTimeoutMs: 80 });
    clients.push(slow);
    await slow.connect();
    const t0 = Date.now();
    await slow.close();
    assert.ok(Date.now() - t0 >= 70, 'waited for the Logoff answer');
    assert.equal(slow.state, 'closed');
    await until(() => server.open.length === 0);
  });

  test('close() while waiting to reconnect cancels the timer and rejects connect()', async () => {
    const { server, client } = await setup({}, { reconnectMinMs: 5000, reconnectMaxMs: 5000 });
    await client.connect();
    server.dropAll();
    await until(() => client.state === 'waiting');
    const t0 = Date.now();
    const waiting = client.connect();
    await client.close();
    await assert.rejects(waiting, { code: 'AMI_CLOSED' });
    assert.ok(Date.now() - t0 < 1000);
  });
});
