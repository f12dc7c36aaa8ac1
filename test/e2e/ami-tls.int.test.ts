/**
 * The connector reaching the PBX over AMI/TLS (config `ami.tls`), as when it runs off the PBX's
 * network: calls are registered and finished as over plain TCP, and the doctor's login line passes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { runDoctorChecks } from '../../src/cli/doctor.js';
import { startRig, waitFor, inspect, LAB_PORTAL, type Rig } from './helpers.js';

const TLS = join(import.meta.dirname, '..', 'fixtures', 'tls');
let rig: Rig;
let conn: Connector;

before(async () => {
  rig = await startRig(LAB_PORTAL, 0.05, { tls: { cert: readFileSync(join(TLS, 'ami-server.crt'), 'utf8'), key: readFileSync(join(TLS, 'ami-server.key'), 'utf8') } });
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test('over AMI/TLS a call is registered and finished once; doctor logs in over TLS too', async () => {
  const raw = rig.rawConfig();
  const config = rig.config({ ami: { ...(raw['ami'] as object), tls: { caFile: join(TLS, 'ami-server.crt') } } });
  conn = await startConnector(config, silentLogger);
  await waitFor('AMI login over TLS', () => conn.ami.ready);
  const h = rig.sim.startCall({ type: 'inbound', from: '+4930800001', did: '5551000', to: '101', outcome: 'answered', ringMs: 300, talkMs: 300 });
  assert.equal(await h.done, 'completed');
  const reg = await waitFor('registered', () => inspect(rig.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === '+4930800001'));
  await waitFor('finished', () => inspect(rig.emu).finishes.find((f) => f.callId === reg.callId));
  assert.equal(inspect(rig.emu).registrations.filter((r) => r.params['PHONE_NUMBER'] === '+4930800001').length, 1);

  const report = await runDoctorChecks(config, { groups: ['ami'], timeoutMs: 3_000 });
  const login = report.checks.find((c) => c.id === 'ami.login');
  assert.equal(login?.status, 'pass', login?.message);
  const pinned = await runDoctorChecks(rig.config({ ami: { ...(raw['ami'] as object), tls: { fingerprint256: '00'.repeat(32) } } }), { groups: ['ami'], timeoutMs: 3_000 });
  const refused = pinned.checks.find((c) => c.id === 'ami.login');
  assert.equal(refused?.status, 'fail');
  assert.equal(refused?.code, 'AMI_TLS_FINGERPRINT');
});
