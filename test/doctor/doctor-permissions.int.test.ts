/**
 * AMI permission checks against a scripted AMI server (test/ami/fake-ami-server.ts), since the
 * simulator has no write= checks: `Permission denied` names the missing class; `manager show user`
 * (when `command` is allowed) gives the exact read= classes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { field } from '../../src/adapters/ami/message.js';
import { parseConfig } from '../../src/config/load.js';
import { runDoctorChecks } from '../../src/cli/doctor.js';
import { FakeAmiServer, block, type FakeConnection } from '../ami/fake-ami-server.js';
import type { AmiMessage } from '../../src/adapters/ami/message.js';
import { byId } from './harness.js';

interface Script {
  denied: Set<string>;
  read: string;
  write: string;
  /** Whether Setvar of a global raises VarSet (false: an eventfilter drops it). */
  varset: boolean;
}

function scriptServer(fake: FakeAmiServer, script: Script): void {
  const guard = (name: string, then: (msg: AmiMessage, conn: FakeConnection) => void): void => {
    fake.handle(name, (msg, conn) => {
      if (script.denied.has(name)) conn.respond(msg, 'Error', [['Message', 'Permission denied']]);
      else then(msg, conn);
    });
  };
  guard('Originate', (m, c) => c.respond(m, 'Error', [['Message', 'Channel not specified']]));
  guard('Redirect', (m, c) => c.respond(m, 'Error', [['Message', 'Channel not specified']]));
  guard('Hangup', (m, c) => c.respond(m, 'Error', [['Message', 'No channel specified']]));
  guard('Getvar', (m, c) => c.respond(m, 'Success', [['Variable', 'ASTERISK_B24_DOCTOR'], ['Value', '']]));
  guard('Setvar', (m, c) => {
    c.respond(m, 'Success', [['Message', 'Variable Set']]);
    if (script.varset) {
      c.write(block([['Event', 'VarSet'], ['Privilege', 'dialplan,all'], ['Channel', 'none'], ['Uniqueid', 'none'],
        ['Variable', field(m, 'Variable') ?? ''], ['Value', field(m, 'Value') ?? '']]));
    }
  });
  const emptyList = (complete: string) => (m: AmiMessage, c: FakeConnection): void => {
    const id = field(m, 'ActionID') ?? '';
    c.respond(m, 'Success', [['EventList', 'start'], ['Message', 'will follow']],
      block([['Event', complete], ['ActionID', id], ['EventList', 'Complete'], ['ListItems', '0']]));
  };
  guard('CoreShowChannels', emptyList('CoreShowChannelsComplete'));
  guard('PJSIPShowEndpoints', (m, c) => c.respond(m, 'Error', [['Message', 'No endpoints found']]));
  guard('QueueStatus', emptyList('QueueStatusComplete'));
  guard('Command', (m, c) => {
    const cmd = field(m, 'Command') ?? '';
    const out = cmd.startsWith('manager show user')
      ? ['', '          username: crm', '            secret: <Set>', '               ACL: no',
        `         read perm: ${script.read}`, `        write perm: ${script.write}`, '   displayconnects: yes']
      : ['Asterisk 22.10.1 built by root'];
    c.respond(m, 'Success', [['Message', 'Command output follows'], ...out.map((o) => ['Output', o] as const)]);
  });
}

describe('doctor AMI permissions (scripted AMI)', () => {
  let fake: FakeAmiServer;
  const script: Script = { denied: new Set(), read: '', write: '', varset: true };
  before(async () => {
    fake = await FakeAmiServer.start({ users: { crm: 'pw' } });
    scriptServer(fake, script);
  });
  after(async () => { await fake.close(); });

  const config = () => parseConfig({
    ami: { host: '127.0.0.1', port: fake.port, username: 'crm', secret: 'pw' },
    bitrix: { auth: 'webhook', webhookUrl: 'https://portal.example.com/rest/1/x/' },
  });
  const run = () => runDoctorChecks(config(), { observeMs: 150, groups: ['ami'] });

  test('full permissions: read from `manager show user`, write probes all allowed', async () => {
    Object.assign(script, { denied: new Set(), read: 'system,call,agent,user,dialplan', write: 'system,call,originate,command', varset: true });
    const r = await run();
    assert.equal(byId(r.checks, 'ami.read').status, 'pass');
    assert.equal(byId(r.checks, 'ami.read').message, 'manager.conf read = system,call,agent,user,dialplan');
    const write = byId(r.checks, 'ami.write');
    assert.equal(write.status, 'pass');
    assert.match(write.message, /\(manager\.conf write = system,call,originate,command\)$/);
  });

  test('Originate denied → write fails naming write=originate; read= lacking agent → read fails', async () => {
    Object.assign(script, { denied: new Set(['Originate']), read: 'system,call,dialplan', write: 'system,call,command', varset: true });
    const r = await run();
    const write = byId(r.checks, 'ami.write');
    assert.equal(write.status, 'fail');
    assert.equal(write.code, 'DOCTOR_AMI_WRITE_DENIED');
    assert.equal(write.message, 'Permission denied for Originate (write=originate: click-to-call) (manager.conf write = system,call,command)');
    assert.match(write.hint ?? '', /^add originate to write= .*write = system,call,originate,command/);
    const read = byId(r.checks, 'ami.read');
    assert.equal(read.status, 'fail');
    assert.equal(read.code, 'DOCTOR_AMI_READ_MISSING');
    assert.equal(read.message, 'manager.conf read = system,call,dialplan lacks agent');
  });

  test('only Command denied → warning (optional), read learnt from events', async () => {
    Object.assign(script, { denied: new Set(['Command']), read: '', write: '', varset: true });
    const r = await run();
    const write = byId(r.checks, 'ami.write');
    assert.equal(write.status, 'warn');
    assert.equal(write.code, 'DOCTOR_AMI_OPTIONAL_MISSING');
    assert.match(write.message, /Command denied — CLI diagnostics/);
    const read = byId(r.checks, 'ami.read');
    assert.equal(read.status, 'warn');
    assert.match(read.message, /^seen dialplan,system; call,agent not observed/);
    assert.equal(r.ok, true);
  });

  test('read= complete but VarSet filtered out → read fails with the eventfilter hint', async () => {
    Object.assign(script, { denied: new Set(), read: 'system,call,agent,dialplan', write: 'system,call,originate,command', varset: false });
    const r = await run();
    const read = byId(r.checks, 'ami.read');
    assert.equal(read.status, 'fail');
    assert.equal(read.code, 'DOCTOR_AMI_EVENTS_FILTERED');
    assert.match(read.hint ?? '', /eventfilter=/);
  });

  test('ami.events leaving out a class → read fails on the config', async () => {
    Object.assign(script, { denied: new Set(), read: 'system,call,agent,dialplan', write: 'system,call,originate,command', varset: true });
    const cfg = parseConfig({ ...JSON.parse(JSON.stringify(config())), ami: { ...config().ami, events: 'call,system' } });
    const r = await runDoctorChecks(cfg, { observeMs: 100, groups: ['ami'] });
    const read = byId(r.checks, 'ami.read');
    assert.equal(read.status, 'fail');
    assert.equal(read.code, 'DOCTOR_AMI_EVENTS_CONFIG');
    assert.equal(read.message, 'ami.events = "call,system" leaves out dialplan,agent');
  });
});
