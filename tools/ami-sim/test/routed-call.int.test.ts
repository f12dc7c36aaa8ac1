/**
 * `startRoutedCall`: the dialplan's AGI(agi://…/route) before Dial, as res_agi speaks it. A FastAGI
 * server here plays the routing service: its answer decides which phone rings; the request carries
 * the caller channel's uniqueid, which is the call's; no answer → the dialplan's own target.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { startAmiSim, type AmiSim } from '../server/sim.js';
import { loadGenerator } from '../server/generator-adapter.js';
import { field } from '../../../src/adapters/ami/message.js';
import { rawClient } from './raw-client.js';

let sim: AmiSim;
let agi: Server;
let agiPort = 0;
const envs: Array<Record<string, string>> = [];
let answer: string[] = [];

before(async () => {
  sim = await startAmiSim({ generator: await loadGenerator(), timeScale: 0.05 });
  agi = createServer((socket) => {
    let buf = '';
    let sent = false;
    socket.on('data', (c: Buffer) => {
      buf += c.toString();
      if (sent || !buf.includes('\n\n')) return;
      sent = true;
      envs.push(Object.fromEntries(buf.split('\n').filter((l) => l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)])));
      for (const line of answer) socket.write(`${line}\n`);
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => agi.listen(0, '127.0.0.1', r));
  agiPort = (agi.address() as AddressInfo).port;
});
after(async () => {
  await sim?.close();
  await new Promise<void>((r) => agi.close(() => r()));
});

async function dialTarget(run: () => Promise<string>): Promise<{ dest: string; linkedid: string; uniqueid: string }> {
  const c = rawClient(sim.port);
  await c.banner;
  await c.action([['Action', 'Login'], ['Username', sim.username], ['Secret', sim.secret]]);
  const uniqueid = await run();
  const dial = await c.waitFor((m) => field(m, 'Event') === 'DialBegin');
  c.close();
  return { dest: field(dial, 'DestChannel') ?? '', linkedid: field(dial, 'Linkedid') ?? '', uniqueid };
}

test('the AGI answer picks the phone; the request comes from the caller channel with the call\'s uniqueid', async () => {
  answer = ['SET VARIABLE B24_ROUTE_EXTEN "103"', 'SET VARIABLE B24_ROUTE_STATUS "OK"'];
  const r = await dialTarget(async () => {
    const call = await sim.startRoutedCall({ type: 'inbound', from: '+79161234567', did: '5551000', to: '101', outcome: 'answered', ringMs: 200, talkMs: 200 }, { port: agiPort });
    assert.deepEqual(call.route, { B24_ROUTE_EXTEN: '103', B24_ROUTE_STATUS: 'OK' });
    assert.equal(await call.handle.done, 'completed');
    return call.uniqueid;
  });
  assert.match(r.dest, /^PJSIP\/103-/);
  assert.equal(r.linkedid, r.uniqueid, 'the call is keyed by the channel that asked');
  const env = envs.at(-1)!;
  assert.equal(env['agi_network_script'], 'route?did=5551000');
  assert.equal(env['agi_uniqueid'], r.uniqueid);
  assert.equal(env['agi_callerid'], '+79161234567');
});

test('NOROUTE, or no AGI server at all (AGISTATUS=FAILURE): the dialplan\'s own target rings', async () => {
  answer = ['SET VARIABLE B24_ROUTE_STATUS "NOROUTE"'];
  const a = await dialTarget(async () => {
    const call = await sim.startRoutedCall({ type: 'inbound', from: '+79160000000', did: '5551000', to: '102', outcome: 'answered', ringMs: 200, talkMs: 200 }, { port: agiPort });
    await call.handle.done;
    return call.uniqueid;
  });
  assert.match(a.dest, /^PJSIP\/102-/);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const b = await dialTarget(async () => {
    const call = await sim.startRoutedCall({ type: 'inbound', from: '+79160000001', did: '5551000', to: '101', outcome: 'answered', ringMs: 200, talkMs: 200 }, { port: deadPort, maxMs: 500 });
    assert.deepEqual(call.route, {});
    await call.handle.done;
    return call.uniqueid;
  });
  assert.match(b.dest, /^PJSIP\/101-/);
});
