/** Pure helpers of the doctor: probe verdicts, Privilege classes, `manager show user`, scope judging. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  configuredEventClasses, parseManagerShowUser, privilegeClasses, verdictOf, writeProbes,
} from '../../src/cli/doctor-ami-probes.js';
import { judgeScopes, scopeNeeds, verdictsFromList } from '../../src/cli/doctor-bitrix-scopes.js';
import { formatCheck, runDoctor, summarise } from '../../src/cli/doctor.js';
import { parseConfig } from '../../src/config/load.js';

const cfg = (tasks = false) => parseConfig({
  bitrix: { auth: 'webhook', webhookUrl: 'https://p.example.com/rest/1/x/' }, tasks: { missedCalls: tasks },
});

describe('AMI probe helpers', () => {
  test('verdicts: parameter errors prove the action ran', () => {
    assert.equal(verdictOf(undefined), 'allowed');
    assert.equal(verdictOf('AMI_ACTION_FAILED'), 'allowed');
    assert.equal(verdictOf('AMI_NO_SUCH_CHANNEL'), 'allowed');
    assert.equal(verdictOf('AMI_PERMISSION_DENIED'), 'denied');
    assert.equal(verdictOf('AMI_UNKNOWN_ACTION'), 'no-module');
    assert.equal(verdictOf('AMI_ACTION_TIMEOUT'), 'error');
  });

  test('probes send no channel, so nothing can be changed on a call', () => {
    const probes = writeProbes('1');
    assert.deepEqual(probes.map((p) => p.action), ['Originate', 'Redirect', 'Hangup', 'Getvar', 'Setvar', 'CoreShowChannels', 'PJSIPShowEndpoints', 'QueueStatus', 'Command']);
    assert.ok(probes.every((p) => !p.fields.some(([k]) => k === 'Channel')));
    assert.deepEqual(probes.filter((p) => p.optional).map((p) => p.action), ['PJSIPShowEndpoints', 'QueueStatus', 'Command']);
  });

  test('Privilege classes drop "all"', () => {
    assert.deepEqual(privilegeClasses('call,all'), ['call']);
    assert.deepEqual(privilegeClasses('dialplan,all'), ['dialplan']);
    assert.deepEqual(privilegeClasses(undefined), []);
  });

  test('manager show user: read/write perm lines, <none> is empty', () => {
    const lines = ['', '          username: crm', '         read perm: system,call,agent', '        write perm: <none>'];
    assert.deepEqual(parseManagerShowUser(lines), { read: ['system', 'call', 'agent'], write: [] });
    assert.equal(parseManagerShowUser(['There is no manager called crm']), undefined);
  });

  test('ami.events: class lists are checked, on/off/numbers/all are not', () => {
    assert.deepEqual(configuredEventClasses('call, dialplan,agent,system'), ['call', 'dialplan', 'agent', 'system']);
    assert.equal(configuredEventClasses('on'), undefined);
    assert.equal(configuredEventClasses('all'), undefined);
    assert.equal(configuredEventClasses('255'), undefined);
  });
});

describe('scope judging', () => {
  test('scope list: user_basic satisfies user; missing crm fails; task optional unless missed-call tasks', () => {
    const needs = scopeNeeds(cfg());
    const ok = judgeScopes(needs, verdictsFromList(needs, ['telephony', 'crm', 'user_basic']), 'scope');
    assert.equal(ok.status, 'pass');
    assert.equal(ok.message, 'telephony, crm, user present [scope]; task missing, needed only for missed-call tasks (tasks.missedCalls)');
    const bad = judgeScopes(needs, verdictsFromList(needs, ['telephony', 'user', 'task']), 'scope');
    assert.equal(bad.status, 'fail');
    assert.equal(bad.code, 'DOCTOR_B24_SCOPE_MISSING');
    assert.equal(bad.message, 'missing scope crm (client lookup, activities, entity updates) [scope]');
    const needsTasks = scopeNeeds(cfg(true));
    const t = judgeScopes(needsTasks, verdictsFromList(needsTasks, ['telephony', 'crm', 'user']), 'scope');
    assert.equal(t.status, 'fail');
    assert.match(t.message, /^missing scope task/);
  });

  test('probed and unverifiable required scope → warn', () => {
    const needs = scopeNeeds(cfg(true));
    const v = new Map([['telephony', 'granted'], ['crm', 'granted'], ['user', 'granted'], ['task', 'unknown']] as const);
    const r = judgeScopes(needs, new Map(v), 'probed');
    assert.equal(r.status, 'warn');
    assert.equal(r.code, 'DOCTOR_B24_SCOPE_UNVERIFIED');
  });
});

describe('report', () => {
  test('ok unless something failed; one line per check with code and hint', () => {
    const checks = [
      { id: 'a', title: 'A', status: 'pass' as const, message: 'fine', durationMs: 1 },
      { id: 'b', title: 'B', status: 'warn' as const, message: 'meh', hint: 'do x', code: 'DOCTOR_X', durationMs: 1 },
    ];
    assert.equal(summarise(checks).ok, true);
    assert.equal(summarise([...checks, { id: 'c', title: 'C', status: 'fail', message: 'bad', hint: 'y', durationMs: 0 }]).ok, false);
    assert.equal(formatCheck(checks[1]!), 'WARN b                B: meh [DOCTOR_X] — hint: do x');
    assert.equal(formatCheck(checks[0]!), 'PASS a                A: fine');
  });

  test('usage errors exit 2 before anything is checked', async () => {
    const err: string[] = [];
    const io = { write: () => assert.fail('nothing on stdout'), err: { write: (x: string) => void err.push(x) } };
    assert.equal(await runDoctor(['--config', 'x.json', '--timeout-ms', '5'], io), 2);
    assert.equal(err.pop(), 'asterisk-b24 doctor: --timeout-ms must be an integer from 100 to 60000 (CLI_USAGE)\n');
    assert.equal(await runDoctor(['--config', 'x.json', '--verbose'], io), 2);
    assert.match(err.pop() ?? '', /^asterisk-b24 doctor: .*--verbose.* \(CLI_USAGE\)\nusage: /);
  });
});
