/**
 * AMI over TLS (manager.conf `tlsenable`) between the client and the simulator: trusted by a CA
 * file, by a pinned fingerprint, or by name; refused — with a stable code that says why — for an
 * unknown certificate, a wrong pin, a wrong name, a plain-TCP port or an unreadable CA file.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AmiClient, type AmiClientOptions } from '../../src/adapters/ami/client.js';
import { startAmiSim, type AmiSim } from '../../tools/ami-sim/server/sim.js';
import { loadGenerator } from '../../tools/ami-sim/server/generator-adapter.js';
import { isConnectorError } from '../../src/errors.js';
import { amiSchema } from '../../src/config/schema.js';
import { capturingLogger } from './client-harness.js';

const TLS = join(import.meta.dirname, '..', 'fixtures', 'tls');
const CERT = join(TLS, 'ami-server.crt');
const OTHER = join(TLS, 'other.crt');
/** `openssl x509 -in test/fixtures/tls/ami-server.crt -noout -fingerprint -sha256` */
const PIN = '2D:DD:9F:3F:C4:61:D2:E3:CC:C3:39:55:62:6D:D5:DE:E5:40:71:BD:6F:5B:88:80:53:4E:25:77:83:7C:8B:85';

let tlsSim: AmiSim;
let plainSim: AmiSim;
const clients: AmiClient[] = [];

before(async () => {
  tlsSim = await startAmiSim({ tls: { cert: readFileSync(CERT, 'utf8'), key: readFileSync(join(TLS, 'ami-server.key'), 'utf8') }, generator: await loadGenerator(), timeScale: 0.05 });
  plainSim = await startAmiSim({});
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await tlsSim?.close();
  await plainSim?.close();
});

function client(sim: AmiSim, o: Partial<AmiClientOptions> = {}): AmiClient {
  const c = new AmiClient({
    host: '127.0.0.1', port: sim.port, username: sim.username, secret: sim.secret,
    reconnect: false, pingIntervalMs: 0, connectTimeoutMs: 3_000, ...o,
  });
  clients.push(c);
  return c;
}

async function refusal(c: AmiClient): Promise<{ code: string; message: string }> {
  try {
    await c.connect();
  } catch (e) {
    assert.ok(isConnectorError(e), String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('connected, but should have been refused');
}

describe('trusted', () => {
  test('by the CA file: logged in, and a call\'s events arrive over TLS', async () => {
    const c = client(tlsSim, { tls: { caFile: CERT } });
    const names: string[] = [];
    c.on('event', (m) => names.push(String(m.fields.find(([k]) => k === 'Event')?.[1] ?? '')));
    await c.connect();
    assert.match(c.banner ?? '', /^Asterisk Call Manager\//);
    const call = tlsSim.startCall({ type: 'inbound', from: '+79161234567', did: '5551000', to: '101', outcome: 'answered', ringMs: 200, talkMs: 200 });
    assert.equal(await call.done, 'completed');
    await new Promise((r) => setTimeout(r, 100));
    for (const e of ['Newchannel', 'DialBegin', 'DialEnd', 'Hangup']) assert.ok(names.includes(e), `${e} received`);
  });

  test('by name: the certificate\'s name is checked against servername', async () => {
    await client(tlsSim, { host: 'localhost', tls: { caFile: CERT } }).connect();
    await client(tlsSim, { tls: { caFile: CERT, servername: 'pbx.test' } }).connect();
  });

  test('by a pinned fingerprint, without any CA (colons and case do not matter)', async () => {
    await client(tlsSim, { tls: { fingerprint256: PIN } }).connect();
    await client(tlsSim, { tls: { fingerprint256: PIN.replace(/:/g, '').toLowerCase() } }).connect();
  });
});

describe('refused, and said why', () => {
  test('a self-signed certificate nobody vouched for', async () => {
    const r = await refusal(client(tlsSim, { tls: {} }));
    assert.equal(r.code, 'AMI_TLS_FAILED');
    assert.match(r.message, /TLS handshake with AMI at 127\.0\.0\.1:\d+ failed: self.signed certificate/);
  });

  test('another CA, another pin, another name', async () => {
    assert.equal((await refusal(client(tlsSim, { tls: { caFile: OTHER } }))).code, 'AMI_TLS_FAILED');
    const pin = await refusal(client(tlsSim, { tls: { fingerprint256: '00'.repeat(32) } }));
    assert.equal(pin.code, 'AMI_TLS_FINGERPRINT');
    assert.match(pin.message, /fingerprint is 2DDD9F3F/);
    const name = await refusal(client(tlsSim, { tls: { caFile: CERT, servername: 'other.test' } }));
    assert.equal(name.code, 'AMI_TLS_FAILED');
    assert.match(name.message, /other\.test/);
  });

  test('TLS to a plain AMI port (5038 instead of 5039)', async () => {
    const r = await refusal(client(plainSim, { tls: { caFile: CERT }, connectTimeoutMs: 2_000 }));
    assert.ok(['AMI_TLS_FAILED', 'AMI_CONNECT_FAILED'].includes(r.code), r.code);
  });

  test('an unreadable CA file: AMI_TLS_CA_UNREADABLE, logged, and tried again while reconnecting', async () => {
    const log = capturingLogger();
    assert.equal((await refusal(client(tlsSim, { tls: { caFile: '/nonexistent/ca.pem' } }))).code, 'AMI_TLS_CA_UNREADABLE');
    const c = client(tlsSim, { tls: { caFile: '/nonexistent/ca.pem' }, reconnect: true, reconnectMinMs: 10, reconnectMaxMs: 20, logger: log });
    c.start();
    await new Promise((r) => setTimeout(r, 150));
    const errors = log.lines.filter((l) => l.obj['code'] === 'AMI_TLS_CA_UNREADABLE');
    assert.ok(errors.length >= 2, `tried again (${errors.length})`);
    assert.equal(c.ready, false);
  });

  test('the config refuses a fingerprint that is not SHA-256', () => {
    const r = amiSchema.safeParse({ tls: { fingerprint256: 'AB:CD' } });
    assert.equal(r.success, false);
    assert.equal(amiSchema.parse({ tls: { fingerprint256: PIN } }).tls?.rejectUnauthorized, true);
  });
});
