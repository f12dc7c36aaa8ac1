import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { AmiClient } from '../../src/adapters/ami/client.js';
import { command, coreShowChannels, getvar, hangup, originate, ping, pjsipShowEndpoints, queueStatus } from '../../src/adapters/ami/actions.js';
import { field, fieldAll, type AmiMessage } from '../../src/adapters/ami/message.js';
import { isConnectorError } from '../../src/errors.js';
import { block, FakeAmiServer, FULLY_BOOTED, type FakeConnection } from './fake-ami-server.js';
import { capturingLogger, clients, closeAll, collect, event, servers, setup, until } from './client-harness.js';

after(closeAll);

describe('login', () => {
  test('plain login: Username/Secret/Events sent, ActionID = random prefix + counter, connected signal', async () => {
    const { server, client } = await setup({}, { events: 'call,dialplan,agent,system', actionIdPrefix: () => 'c0ffee01' });
    const signals: string[] = [];
    client.on('connected', (i) => signals.push(`connected:${i.reconnect}:${i.banner}`));
    await client.connect();
    const login = server.actionsNamed('Login')[0]!;
    assert.equal(field(login, 'ActionID'), 'c0ffee01-1');
    assert.equal(field(login, 'Username'), 'crm');
    assert.equal(field(login, 'Secret'), 'crmsecret');
    assert.equal(field(login, 'Events'), 'call,dialplan,agent,system');
    assert.equal(field(login, 'AuthType'), undefined);
    assert.deepEqual(signals, ['connected:false:Asterisk Call Manager/11.0.0']);
    assert.equal(client.state, 'ready');
    assert.equal(client.banner, 'Asterisk Call Manager/11.0.0');
  });

  test('default ActionID prefix is 8 hex digits and differs per client', async () => {
    const { server, client } = await setup();
    const other = new AmiClient({ host: '127.0.0.1', port: server.port, username: 'crm', secret: 'crmsecret', pingIntervalMs: 0 });
    clients.push(other);
    await Promise.all([client.connect(), other.connect()]);
    const ids = server.actionsNamed('Login').map((m) => field(m, 'ActionID')!);
    assert.equal(ids.length, 2);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-1$/);
    assert.notEqual(ids[0], ids[1]);
  });

  test('MD5 login: Challenge, then Key = md5(challenge + secret) (values of lab22-p_login_md5.txt)', async () => {
    const { server, client } = await setup({}, { md5: true, events: 'off' });
    await client.connect();
    const [ch, login] = [server.actionsNamed('Challenge')[0]!, server.actionsNamed('Login')[0]!];
    assert.equal(field(ch, 'AuthType'), 'MD5');
    assert.equal(field(login, 'AuthType'), 'MD5');
    assert.equal(field(login, 'Key'), 'f1398a25f8ba40bebf54669747afb5d3');
    assert.equal(field(login, 'Secret'), undefined, 'the secret never goes on the wire');
    assert.equal(field(login, 'Events'), 'off');
    assert.deepEqual(await client.request(ping()), { timestamp: '1795323141.090120' });
  });

  test('bad secret: AMI_LOGIN_FAILED, loginFailed signal, next try only after loginRetryMs', async () => {
    const { server, client } = await setup({ loginFailDelayMs: 20 }, { secret: 'wrong-secret', loginRetryMs: 400 });
    const failed: string[] = [];
    client.on('loginFailed', (e) => failed.push(e.code));
    await assert.rejects(client.connect(), (e: unknown) => {
      assert.ok(isConnectorError(e));
      assert.equal(e.code, 'AMI_LOGIN_FAILED');
      assert.equal(e.retryable, false);
      assert.equal(e.details?.['message'], 'Authentication failed');
      return true;
    });
    const t0 = Date.now();
    assert.deepEqual(failed, ['AMI_LOGIN_FAILED']);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(server.actionsNamed('Login').length, 1, 'no hot retry loop');
    await server.waitForAction('Login', 2);
    assert.ok(Date.now() - t0 >= 200, 'second attempt waited for loginRetryMs');
    assert.equal(client.stats.loginFailures >= 1, true);
    assert.equal(client.ready, false);
    await client.close();
  });

  test('wrong MD5 key is refused the same way', async () => {
    const { client } = await setup({}, { md5: true, secret: 'nope', reconnect: false });
    await assert.rejects(client.connect(), { code: 'AMI_LOGIN_FAILED' });
  });

  test('events in the same TCP read as the Login response are delivered, after the connected signal', async () => {
    const burst = FULLY_BOOTED + [1, 2, 3].map((i) => event('Newchannel', [['Channel', `PJSIP/10${i}-0000000${i}`], ['Uniqueid', `17.${i}`]])).join('');
    const { client } = await setup({ afterLogin: burst });
    const order: string[] = [];
    client.on('connected', () => order.push('connected'));
    client.on('event', (m) => order.push(`${field(m, 'Event')}:${field(m, 'Uniqueid') ?? ''}`));
    client.on('fullyBooted', () => order.push('fullyBooted'));
    await client.connect();
    await until(() => order.length === 6);
    assert.deepEqual(order, ['connected', 'FullyBooted:', 'fullyBooted', 'Newchannel:17.1', 'Newchannel:17.2', 'Newchannel:17.3']);
    assert.equal(client.stats.events, 4);
  });

  test('send before login: AMI_NOT_CONNECTED (retryable); unreachable port with reconnect:false: AMI_CONNECT_FAILED', async () => {
    const { server } = await setup();
    const port = server.port;
    const c = new AmiClient({ host: '127.0.0.1', port, username: 'crm', secret: 'x', reconnect: false });
    clients.push(c);
    await assert.rejects(c.send(ping()), { code: 'AMI_NOT_CONNECTED', retryable: true });
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await assert.rejects(c.connect(), { code: 'AMI_CONNECT_FAILED', retryable: true });
    assert.equal(c.state, 'closed');
  });
});

describe('actions', () => {
  let server: FakeAmiServer;
  let client: AmiClient;
  let events: AmiMessage[];
  before(async () => {
    ({ server, client } = await setup());
    events = collect(client);
    await client.connect();
  });

  test('answers out of order are correlated by ActionID', async () => {
    const held: Array<{ msg: AmiMessage; conn: FakeConnection }> = [];
    server.handle('Getvar', (msg, conn) => {
      held.push({ msg, conn });
      if (held.length === 2) {
        for (const h of [...held].reverse()) {
          h.conn.respond(h.msg, 'Success', [['Variable', field(h.msg, 'Variable')!], ['Value', `v-${field(h.msg, 'Variable')}`]]);
        }
      }
    });
    const [a, b] = await Promise.all([
      client.request(getvar({ channel: 'PJSIP/trunk-00000047', variable: 'A' })),
      client.request(getvar({ variable: 'B' })),
    ]);
    assert.deepEqual([a, b], ['v-A', 'v-B']);
    assert.equal(field(held[0]!.msg, 'Channel'), 'PJSIP/trunk-00000047');
  });

  test('per-action timeout: AMI_ACTION_TIMEOUT; a late answer is ignored; the session stays usable', async () => {
    let late: (() => void) | undefined;
    server.handle('Getvar', (msg, conn) => { late = () => conn.respond(msg, 'Success', [['Value', 'late']]); });
    const before = client.stats.timeouts;
    await assert.rejects(client.send({ ...getvar({ variable: 'X' }), timeoutMs: 60 }), (e: unknown) => {
      assert.ok(isConnectorError(e));
      assert.equal(e.code, 'AMI_ACTION_TIMEOUT');
      assert.equal(e.retryable, true);
      assert.equal(e.details?.['timeoutMs'], 60);
      return true;
    });
    assert.equal(client.stats.timeouts, before + 1);
    late!();
    assert.deepEqual(await client.request(ping()), { timestamp: '1795323141.090120' });
    assert.equal(client.stats.pending, 0);
  });

  test('list items arriving after their action timed out are dropped, not delivered as events', async () => {
    let late: (() => void) | undefined;
    server.handle('QueueStatus', (msg, conn) => {
      const id = field(msg, 'ActionID')!;
      late = () => conn.write(
        block([['Response', 'Success'], ['ActionID', id], ['EventList', 'start'], ['Message', 'Queue status will follow']]) +
        block([['Event', 'QueueParams'], ['Queue', 'support'], ['ActionID', id]]) +
        block([['Event', 'QueueStatusComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '1']]) +
        event('Newstate', [['Uniqueid', 'marker']]));
    });
    await assert.rejects(client.send({ ...queueStatus(), timeoutMs: 40 }), { code: 'AMI_ACTION_TIMEOUT' });
    const n = events.length;
    late!();
    await until(() => events.some((m) => field(m, 'Uniqueid') === 'marker'));
    assert.deepEqual(events.slice(n).map((m) => field(m, 'Event')), ['Newstate']);
  });

  test('EventList: items collected until EventList: Complete; async events in between go to listeners', async () => {
    server.handle('CoreShowChannels', (msg, conn) => {
      const id = field(msg, 'ActionID')!;
      const ch = (name: string, uid: string, app: string) => block([
        ['Event', 'CoreShowChannel'], ['ActionID', id], ['Channel', name], ['ChannelState', '6'], ['ChannelStateDesc', 'Up'],
        ['CallerIDNum', '+4930123456'], ['CallerIDName', 'External Caller'], ['ConnectedLineNum', '<unknown>'],
        ['ConnectedLineName', '<unknown>'], ['Language', 'en'], ['AccountCode', ''], ['Context', 'from-trunk'],
        ['Exten', '5551006'], ['Priority', '2'], ['Uniqueid', uid], ['Linkedid', '1795323195.89'], ['Application', app],
        ['ApplicationData', 'PJSIP/101,20,t'], ['Duration', '00:01:05'], ['BridgeId', 'b-1'],
      ]);
      conn.respond(msg, 'Success', [['EventList', 'start'], ['Message', 'Channels will follow']]);
      conn.write(ch('PJSIP/trunk-00000047', '1795323195.89', 'Dial'));
      conn.write(event('VarSet', [['Channel', 'PJSIP/x'], ['Variable', 'A'], ['Value', '1']]));
      conn.write(ch('PJSIP/101-00000048', '1795323195.90', 'AppDial'));
      conn.write(block([['Event', 'CoreShowChannelsComplete'], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '2']]));
    });
    const n = events.length;
    const result = await client.send(coreShowChannels());
    assert.equal(result.events.length, 2);
    assert.equal(field(result.listEnd!, 'ListItems'), '2');
    const channels = coreShowChannels().parse(result);
    assert.deepEqual(channels.map((c) => [c.channel, c.uniqueid, c.application, c.durationSeconds, c.connectedLineNum]), [
      ['PJSIP/trunk-00000047', '1795323195.89', 'Dial', 65, undefined],
      ['PJSIP/101-00000048', '1795323195.90', 'AppDial', 65, undefined],
    ]);
    assert.deepEqual(events.slice(n).map((m) => field(m, 'Event')), ['VarSet']);
  });

  test('Originate resolves on OriginateResponse with its ActionID (not on another session\'s)', async () => {
    server.handle('Originate', (msg, conn) => {
      const id = field(msg, 'ActionID')!;
      conn.respond(msg, 'Success', [['Message', 'Originate successfully queued']]);
      setTimeout(() => {
        // Asterisk sends OriginateResponse to every session with `call` events: here one of another client.
        conn.write(event('OriginateResponse', [['ActionID', '16'], ['Response', 'Failure'], ['Channel', 'PJSIP/x'], ['Reason', '0']]));
        conn.write(event('Newchannel', [['Channel', 'PJSIP/101-0000003a'], ['Uniqueid', '1795323023.70']]));
        conn.write(event('OriginateResponse', [
          ['ActionID', id], ['Response', 'Success'], ['Channel', 'PJSIP/101-0000003a'], ['Context', 'from-internal'],
          ['Exten', '0049301234'], ['Reason', '4'], ['Uniqueid', '1795323023.70'], ['CallerIDNum', '0049301234'],
          ['CallerIDName', 'CRM: Acme Ltd'],
        ]));
      }, 20);
    });
    const n = events.length;
    const r = await client.request(originate({
      channel: 'PJSIP/101', context: 'from-internal', exten: '0049301234', callerId: '"CRM: Acme Ltd" <0049301234>',
      timeoutMs: 20000, variables: { CRM_CALL_ID: 'abc123', B24_USER: '7' },
    }));
    assert.equal(r.success, true);
    assert.equal(r.reason, 4);
    assert.equal(r.reasonText, 'answered');
    assert.equal(r.channel, 'PJSIP/101-0000003a');
    assert.equal(r.uniqueid, '1795323023.70');
    const sent = server.actionsNamed('Originate').at(-1)!;
    assert.deepEqual(fieldAll(sent, 'Variable'), ['CRM_CALL_ID=abc123', 'B24_USER=7']);
    assert.equal(field(sent, 'Async'), 'true');
    assert.equal(field(sent, 'Priority'), '1');
    assert.equal(field(sent, 'Timeout'), '20000');
    // Both OriginateResponse events are also ordinary events for the tracker.
    assert.deepEqual(events.slice(n).map((m) => `${field(m, 'Event')}:${field(m, 'ActionID') ?? ''}`)
      .map((s) => s.replace(/^(OriginateResponse:)[0-9a-f]{8}-\d+$/, '$1mine')),
    ['OriginateResponse:16', 'Newchannel:', 'OriginateResponse:mine']);
  });

  test('Originate failure (Reason 3, Uniqueid <unknown>) resolves with success false; Response: Error rejects', async () => {
    server.handle('Originate', (msg, conn) => {
      if (field(msg, 'Exten') === '999999') {
        conn.respond(msg, 'Error', [['Message', 'Extension does not exist.']]);
        return;
      }
      conn.respond(msg, 'Success', [['Message', 'Originate successfully queued']],
        event('OriginateResponse', [['ActionID', field(msg, 'ActionID')!], ['Response', 'Failure'], ['Channel', 'PJSIP/101'],
          ['Reason', '3'], ['Uniqueid', '<unknown>']]));
    });
    const r = await client.request(originate({ channel: 'PJSIP/101', context: 'from-internal', exten: '0049301234' }));
    assert.deepEqual([r.success, r.reason, r.reasonText, r.uniqueid, r.channel], [false, 3, 'no-answer', undefined, 'PJSIP/101']);
    await assert.rejects(client.request(originate({ channel: 'PJSIP/103', context: 'from-internal', exten: '999999' })), (e: unknown) => {
      assert.ok(isConnectorError(e));
      assert.equal(e.code, 'AMI_ACTION_FAILED');
      assert.equal(e.details?.['message'], 'Extension does not exist.');
      return true;
    });
  });

  test('Command: Output lines', async () => {
    server.handle('Command', (msg, conn) => conn.respond(msg, 'Success', [
      ['Message', 'Command output follows'], ['Output', 'Channel   Location   State'], ['Output', '2 active channels'], ['Output', '1 active call'],
    ]));
    assert.deepEqual(await client.request(command('core show channels')), ['Channel   Location   State', '2 active channels', '1 active call']);
    assert.equal(field(server.actionsNamed('Command').at(-1)!, 'Command'), 'core show channels');
  });

  test('error mapping: No such channel, Permission denied, unknown action', async () => {
    server.handle('Hangup', (msg, conn) => conn.respond(msg, 'Error', [['Message', 'No such channel']]));
    server.handle('QueueStatus', (msg, conn) => conn.respond(msg, 'Error', [['Message', 'Permission denied']]));
    await assert.rejects(client.request(hangup({ channel: 'PJSIP/does-not-exist-00000000', cause: 16 })), { code: 'AMI_NO_SUCH_CHANNEL' });
    await assert.rejects(client.request(queueStatus()), { code: 'AMI_PERMISSION_DENIED' });
    await assert.rejects(client.send({ name: 'NoSuchAction', fields: [] }), { code: 'AMI_UNKNOWN_ACTION' });
    assert.equal(field(server.actionsNamed('Hangup').at(-1)!, 'Cause'), '16');
  });

  test('PJSIPShowEndpoints: "No endpoints found" is an empty list', async () => {
    server.handle('PJSIPShowEndpoints', (msg, conn) => conn.respond(msg, 'Error', [['Message', 'No endpoints found']]));
    assert.deepEqual(await client.request(pjsipShowEndpoints()), []);
  });

  test('a value with CR/LF is refused before it reaches the wire (AMI_ACTION_INVALID)', async () => {
    const n = server.actions.length;
    await assert.rejects(client.request(getvar({ variable: 'X\r\nAction: Logoff' })), { code: 'AMI_ACTION_INVALID' });
    assert.equal(server.actions.length, n);
  });

  test('a throwing listener is logged and skipped; later listeners and events still run', async () => {
    const log = capturingLogger();
    const { server: s2, client: c2 } = await setup({}, { logger: log });
    const seen: string[] = [];
    c2.on('event', () => { throw new Error('boom'); });
    c2.on('event', (m) => seen.push(field(m, 'Event')!));
    await c2.connect();
    s2.broadcast(event('Hangup', [['Cause', '16']]));
    await until(() => seen.length === 2);
    assert.deepEqual(seen, ['FullyBooted', 'Hangup']);
    assert.equal(c2.stats.listenerErrors, 2);
    assert.ok(log.lines.some((l) => l.level === 'error' && l.obj['err'] === 'boom'));
  });
});
