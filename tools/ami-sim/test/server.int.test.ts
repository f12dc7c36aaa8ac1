import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { field, fieldAll } from '../../../src/adapters/ami/message.js';
import type { AmiFields, TimedEvent } from '../scenario/types.js';
import { startAmiSim, type AmiSim } from '../server/sim.js';
import { login, pairs, rawClient } from './raw-client.js';

function ch(name: string, uid: string, linkedid: string, state = 6, extra: Partial<Record<string, string>> = {}): AmiFields {
  const desc: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' };
  return [
    ['Channel', name], ['ChannelState', String(state)], ['ChannelStateDesc', desc[state] ?? 'Unknown'],
    ['CallerIDNum', extra.num ?? '+4930123456'], ['CallerIDName', 'External Caller'], ['ConnectedLineNum', '<unknown>'],
    ['ConnectedLineName', '<unknown>'], ['Language', 'en'], ['AccountCode', ''], ['Context', extra.context ?? 'from-trunk'],
    ['Exten', extra.exten ?? '5551000'], ['Priority', '1'], ['Uniqueid', uid], ['Linkedid', linkedid],
  ];
}

const ev = (name: string, priv: string, body: AmiFields): AmiFields => [['Event', name], ['Privilege', priv], ...body];

/** An answered inbound call trunk → 101 that would hang up at `endMs`. */
function bridgedCall(endMs: number): TimedEvent[] {
  const a = ch('PJSIP/trunk-000000aa', '1700000000.1', '1700000000.1');
  const b = ch('PJSIP/101-000000ab', '1700000000.2', '1700000000.1', 6, { context: 'from-internal', exten: '', num: '101' });
  const br: AmiFields = [['BridgeUniqueid', 'b1b1b1b1-0000-4000-8000-000000000001'], ['BridgeType', 'basic'],
    ['BridgeTechnology', 'simple_bridge'], ['BridgeCreator', '<unknown>'], ['BridgeName', '<unknown>']];
  return [
    { atMs: 0, fields: ev('Newchannel', 'call,all', a) },
    { atMs: 0, fields: ev('Newchannel', 'call,all', b) },
    { atMs: 0, fields: ev('Newexten', 'dialplan,all', [...a, ['Extension', '5551000'], ['Application', 'Dial'], ['AppData', 'PJSIP/101,8']]) },
    { atMs: 0, fields: ev('VarSet', 'dialplan,all', [...a, ['Variable', 'FROM_DID'], ['Value', '5551000']]) },
    { atMs: 0, fields: ev('BridgeCreate', 'call,all', [...br, ['BridgeNumChannels', '0'], ['BridgeVideoSourceMode', 'none']]) },
    { atMs: 0, fields: ev('BridgeEnter', 'call,all', [...br, ['BridgeNumChannels', '1'], ['BridgeVideoSourceMode', 'none'], ...b]) },
    { atMs: 0, fields: ev('BridgeEnter', 'call,all', [...br, ['BridgeNumChannels', '2'], ['BridgeVideoSourceMode', 'none'], ...a]) },
    { atMs: endMs, fields: ev('Hangup', 'call,all', [...a, ['Cause', '16'], ['Cause-txt', 'Normal Clearing']]) },
    { atMs: endMs, fields: ev('Hangup', 'call,all', [...b, ['Cause', '16'], ['Cause-txt', 'Normal Clearing']]) },
  ];
}

describe('AMI simulator server', () => {
  let sim: AmiSim;
  before(async () => {
    sim = await startAmiSim({ secret: 's3cret', authFailDelayMs: 150, timeScale: 1 });
  });
  after(async () => {
    await sim.close();
  });

  test('sends the banner and answers Permission denied before login, keeping the socket open', async () => {
    const c = rawClient(sim.port);
    try {
      assert.equal(await c.banner, 'Asterisk Call Manager/11.0.0');
      const r = await c.action([['Action', 'Ping'], ['ActionID', '0']]);
      assert.deepEqual(pairs(r), [['Response', 'Error'], ['ActionID', '0'], ['Message', 'Permission denied']]);
      const ok = await login(c, 'crm', 's3cret');
      assert.equal(field(ok, 'Message'), 'Authentication accepted');
    } finally {
      c.close();
    }
  });

  test('login succeeds with FullyBooted, echoes ActionID, answers Ping and unknown actions', async () => {
    const c = rawClient(sim.port);
    try {
      const r = await c.action([['Action', 'Login'], ['ActionID', 'login-1'], ['Username', 'crm'], ['Secret', 's3cret']]);
      assert.deepEqual(pairs(r), [['Response', 'Success'], ['ActionID', 'login-1'], ['Message', 'Authentication accepted']]);
      const fb = await c.waitFor((m) => field(m, 'Event') === 'FullyBooted');
      assert.deepEqual(fb.fields.map(([k]) => k), ['Event', 'Privilege', 'Uptime', 'LastReload', 'Status']);
      assert.equal(field(fb, 'Status'), 'Fully Booted');
      const p = await c.action([['Action', 'Ping'], ['ActionID', 'p-7']]);
      assert.deepEqual(p.fields.map(([k]) => k), ['Response', 'ActionID', 'Ping', 'Timestamp']);
      assert.equal(field(p, 'Ping'), 'Pong');
      assert.match(field(p, 'Timestamp') ?? '', /^\d+\.\d{6}$/);
      const u = await c.action([['Action', 'NoSuchAction'], ['ActionID', '13']]);
      assert.deepEqual(pairs(u), [['Response', 'Error'], ['ActionID', '13'],
        ['Message', 'Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.']]);
      const again = await c.action([['Action', 'Login'], ['Username', 'crm'], ['Secret', 's3cret']]);
      assert.equal(field(again, 'Message'), 'Already authenticated');
    } finally {
      c.close();
    }
  });

  test('bad secret: Authentication failed after the delay, then the socket closes', async () => {
    const c = rawClient(sim.port);
    try {
      await c.banner;
      const t0 = performance.now();
      const r = await c.action([['Action', 'Login'], ['ActionID', '1'], ['Username', 'crm'], ['Secret', 'wrong']]);
      const waited = performance.now() - t0;
      assert.deepEqual(pairs(r), [['Response', 'Error'], ['ActionID', '1'], ['Message', 'Authentication failed']]);
      assert.ok(waited >= 140, `answered after ${waited} ms`);
      c.send([['Action', 'Ping'], ['ActionID', '2']]);
      await c.closed;
      assert.equal(c.messages.length, 1);
    } finally {
      c.close();
    }
  });

  test('MD5 challenge login with Events: off sends no FullyBooted; Events action toggles', async () => {
    const c = rawClient(sim.port);
    try {
      const ch1 = await c.action([['Action', 'Challenge'], ['ActionID', '1'], ['AuthType', 'MD5']]);
      assert.deepEqual(ch1.fields.map(([k]) => k), ['Response', 'ActionID', 'Challenge']);
      const challenge = field(ch1, 'Challenge') ?? '';
      assert.match(challenge, /^\d+$/);
      const key = createHash('md5').update(challenge + 's3cret').digest('hex');
      const r = await c.action([['Action', 'Login'], ['ActionID', '2'], ['AuthType', 'MD5'], ['Username', 'crm'], ['Key', key], ['Events', 'off']]);
      assert.equal(field(r, 'Message'), 'Authentication accepted');
      const p = await c.action([['Action', 'Ping'], ['ActionID', '3']]);
      assert.equal(c.messages.indexOf(p), 2, 'nothing between the login response and the Ping response');
      const on = await c.action([['Action', 'Events'], ['ActionID', '4'], ['EventMask', 'call,agent']]);
      assert.deepEqual(pairs(on), [['Response', 'Success'], ['ActionID', '4'], ['Events', 'On']]);
      const off = await c.action([['Action', 'Events'], ['ActionID', '5'], ['EventMask', 'off']]);
      assert.deepEqual(pairs(off), [['Response', 'Success'], ['ActionID', '5'], ['Events', 'Off']]);
      const bye = await c.action([['Action', 'Logoff'], ['ActionID', '6']]);
      assert.deepEqual(pairs(bye), [['Response', 'Goodbye'], ['ActionID', '6'], ['Message', 'Thanks for all the fish.']]);
      await c.closed;
    } finally {
      c.close();
    }
  });

  test('Events filter by class: a call-only session gets no dialplan events', async () => {
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 's3cret', 'call');
      const from = c.messages.length;
      sim.emit(ev('VarSet', 'dialplan,all', [['Channel', 'none'], ['Uniqueid', 'none'], ['Variable', 'X'], ['Value', '1']]));
      sim.emit(ev('UserEvent', 'user,all', [['UserEvent', 'Hello']]));
      sim.emit(ev('DeviceStateChange', 'call,all', [['Device', 'PJSIP/101'], ['State', 'INUSE']]));
      const got = await c.waitFor((m) => field(m, 'Event') === 'DeviceStateChange', 2000, from);
      assert.equal(c.messages.slice(from).filter((m) => field(m, 'Event') !== undefined).length, 1);
      assert.equal(field(got, 'State'), 'INUSE');
    } finally {
      c.close();
    }
  });

  test('CoreShowChannels lists live channels as an EventList; Getvar/Setvar; Hangup ends the call', async () => {
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 's3cret');
      const call = sim.startEvents(bridgedCall(60_000));
      await c.waitFor((m) => field(m, 'Event') === 'BridgeEnter' && field(m, 'Channel') === 'PJSIP/trunk-000000aa');

      const from = c.messages.length;
      const r = await c.action([['Action', 'CoreShowChannels'], ['ActionID', '42']]);
      assert.deepEqual(pairs(r), [['Response', 'Success'], ['ActionID', '42'], ['EventList', 'start'], ['Message', 'Channels will follow']]);
      const done = await c.waitFor((m) => field(m, 'Event') === 'CoreShowChannelsComplete', 2000, from);
      assert.deepEqual(pairs(done), [['Event', 'CoreShowChannelsComplete'], ['ActionID', '42'], ['EventList', 'Complete'], ['ListItems', '2']]);
      const items = c.messages.slice(from).filter((m) => field(m, 'Event') === 'CoreShowChannel');
      assert.equal(items.length, 2);
      const trunk = items.find((m) => field(m, 'Channel') === 'PJSIP/trunk-000000aa');
      assert.ok(trunk);
      assert.deepEqual(trunk.fields.map(([k]) => k), ['Event', 'ActionID', 'Channel', 'ChannelState', 'ChannelStateDesc',
        'CallerIDNum', 'CallerIDName', 'ConnectedLineNum', 'ConnectedLineName', 'Language', 'AccountCode', 'Context', 'Exten',
        'Priority', 'Uniqueid', 'Linkedid', 'Application', 'ApplicationData', 'Duration', 'BridgeId']);
      assert.equal(field(trunk, 'Application'), 'Dial');
      assert.equal(field(trunk, 'ApplicationData'), 'PJSIP/101,8');
      assert.equal(field(trunk, 'Duration'), '00:00:00');
      assert.equal(field(trunk, 'BridgeId'), 'b1b1b1b1-0000-4000-8000-000000000001');

      const g1 = await c.action([['Action', 'Getvar'], ['ActionID', '4'], ['Channel', 'PJSIP/trunk-000000aa'], ['Variable', 'CHANNEL(linkedid)']]);
      assert.deepEqual(pairs(g1), [['Response', 'Success'], ['ActionID', '4'], ['Variable', 'CHANNEL(linkedid)'], ['Value', '1700000000.1']]);
      const g2 = await c.action([['Action', 'Getvar'], ['Channel', 'PJSIP/trunk-000000aa'], ['Variable', 'FROM_DID']]);
      assert.equal(field(g2, 'Value'), '5551000');
      const s = await c.action([['Action', 'Setvar'], ['ActionID', '5'], ['Channel', 'PJSIP/trunk-000000aa'], ['Variable', 'CRM_TICKET'], ['Value', 'T-4711']]);
      assert.deepEqual(pairs(s), [['Response', 'Success'], ['ActionID', '5'], ['Message', 'Variable Set']]);
      const vs = await c.waitFor((m) => field(m, 'Event') === 'VarSet' && field(m, 'Variable') === 'CRM_TICKET');
      assert.equal(field(vs, 'Value'), 'T-4711');
      const g3 = await c.action([['Action', 'Getvar'], ['Channel', 'PJSIP/trunk-000000aa'], ['Variable', 'CRM_TICKET']]);
      assert.equal(field(g3, 'Value'), 'T-4711');
      const g4 = await c.action([['Action', 'Getvar'], ['ActionID', '7'], ['Channel', 'PJSIP/does-not-exist-00000000'], ['Variable', 'X']]);
      assert.deepEqual(pairs(g4), [['Response', 'Error'], ['ActionID', '7'], ['Message', 'No such channel']]);

      const gs = await c.action([['Action', 'Setvar'], ['Variable', 'TENANT'], ['Value', 'acme']]);
      assert.equal(field(gs, 'Message'), 'Variable Set');
      const gvs = await c.waitFor((m) => field(m, 'Event') === 'VarSet' && field(m, 'Variable') === 'TENANT');
      assert.deepEqual(pairs(gvs), [['Event', 'VarSet'], ['Privilege', 'dialplan,all'], ['Channel', 'none'], ['Uniqueid', 'none'],
        ['Variable', 'TENANT'], ['Value', 'acme']]);
      const gg = await c.action([['Action', 'Getvar'], ['Variable', 'TENANT']]);
      assert.equal(field(gg, 'Value'), 'acme');
      const gch = await c.action([['Action', 'Getvar'], ['Channel', 'PJSIP/101-000000ab'], ['Variable', 'TENANT']]);
      assert.equal(field(gch, 'Value'), 'acme', 'globals are visible from a channel');

      const hfrom = c.messages.length;
      const h = await c.action([['Action', 'Hangup'], ['ActionID', '18'], ['Channel', 'PJSIP/trunk-000000aa'], ['Cause', '16']]);
      assert.deepEqual(pairs(h), [['Response', 'Success'], ['ActionID', '18'], ['Message', 'Channel Hungup']]);
      await c.waitFor((m) => field(m, 'Event') === 'Hangup' && field(m, 'Channel') === 'PJSIP/101-000000ab', 2000, hfrom);
      const seq = c.messages.slice(hfrom).filter((m) => field(m, 'Event')).map((m) => `${field(m, 'Event')} ${field(m, 'Channel') ?? ''}`);
      assert.deepEqual(seq, [
        'BridgeLeave PJSIP/trunk-000000aa',
        'SoftHangupRequest PJSIP/trunk-000000aa',
        'BridgeLeave PJSIP/101-000000ab',
        'BridgeDestroy ',
        'Hangup PJSIP/trunk-000000aa',
        'Hangup PJSIP/101-000000ab',
      ]);
      assert.equal(await call.done, 'cancelled');
      assert.equal(call.pending(), 0);
      assert.deepEqual(sim.liveChannels(), []);
      const gone = await c.action([['Action', 'Hangup'], ['Channel', 'PJSIP/trunk-000000aa']]);
      assert.equal(field(gone, 'Message'), 'No such channel');
    } finally {
      c.close();
    }
  });

  test('Command, QueueStatus and PJSIPShowEndpoints answer in Asterisk 22 shapes', async () => {
    const c = rawClient(sim.port);
    try {
      await login(c, 'crm', 's3cret', 'off');
      const v = await c.action([['Action', 'Command'], ['ActionID', '8'], ['Command', 'core show version']]);
      assert.equal(field(v, 'Message'), 'Command output follows');
      assert.match(fieldAll(v, 'Output')[0] ?? '', /^Asterisk 22\.10\.1 /);
      const chans = await c.action([['Action', 'Command'], ['Command', 'core show channels']]);
      const out = fieldAll(chans, 'Output');
      assert.equal(out[0], `${'Channel'.padEnd(64)} ${'Location'.padEnd(32)} ${'State'.padEnd(7)} ${'Application(Data)'.padEnd(30)}`);
      assert.equal(out[1], '0 active channels');
      assert.equal(out[2], '0 active calls');

      const from = c.messages.length;
      const q = await c.action([['Action', 'QueueStatus'], ['ActionID', '9'], ['Queue', 'support']]);
      assert.equal(field(q, 'Message'), 'Queue status will follow');
      const qc = await c.waitFor((m) => field(m, 'Event') === 'QueueStatusComplete', 2000, from);
      assert.equal(field(qc, 'ListItems'), '3');
      const params = c.messages.slice(from).find((m) => field(m, 'Event') === 'QueueParams');
      assert.ok(params);
      assert.equal(params.fields.at(-1)?.[0], 'ActionID');
      assert.equal(field(params, 'Strategy'), 'linear');

      const from2 = c.messages.length;
      await c.action([['Action', 'PJSIPShowEndpoints'], ['ActionID', '10']]);
      const done = await c.waitFor((m) => field(m, 'Event') === 'EndpointListComplete', 2000, from2);
      assert.equal(field(done, 'ListItems'), '4');
      const first = c.messages.slice(from2).find((m) => field(m, 'Event') === 'EndpointList');
      assert.ok(first);
      assert.deepEqual(pairs(first), [['Event', 'EndpointList'], ['ActionID', '10'], ['ObjectType', 'endpoint'], ['ObjectName', '101'],
        ['Transport', 'transport-udp'], ['Aor', '101'], ['Auths', ''], ['OutboundAuths', ''],
        ['Contacts', '101/sip:101@127.0.0.11:5061,'], ['DeviceState', 'Not in use'], ['ActiveChannels', '0']]);
    } finally {
      c.close();
    }
  });

  test('events are scheduled with the time scale', async () => {
    const fast = await startAmiSim({ secret: 'x', timeScale: 0.5 });
    const c = rawClient(fast.port);
    try {
      await login(c, 'crm', 'x', 'user');
      const mk = (n: string): AmiFields => ev('UserEvent', 'user,all', [['UserEvent', n]]);
      const h = fast.startEvents([{ atMs: 0, fields: mk('A') }, { atMs: 300, fields: mk('B') }]);
      const a = await c.waitFor((m) => field(m, 'UserEvent') === 'A');
      const ta = performance.now();
      await c.waitFor((m) => field(m, 'UserEvent') === 'B');
      const gap = performance.now() - ta;
      assert.ok(gap >= 120 && gap < 280, `gap ${gap} ms for 300 ms × 0.5`);
      assert.equal(await h.done, 'completed');
      assert.ok(a);
      const z = fast.startEvents([{ atMs: 0, fields: mk('C') }, { atMs: 10_000, fields: mk('D') }], { timeScale: 0 });
      await c.waitFor((m) => field(m, 'UserEvent') === 'D', 1000);
      assert.equal(await z.done, 'completed');
      assert.equal(fast.stats().callsCompleted, 2);
    } finally {
      c.close();
      await fast.close();
    }
  });
});
