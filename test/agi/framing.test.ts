import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgiEnvironmentReader, AgiLineReader, AgiReplyParser, parseAgiScript, parseEnvLine, quoteAgiArg, setVariableCommand,
} from '../../src/adapters/agi/framing.js';
import { ConnectorError } from '../../src/errors.js';
import { parseSetVariable } from './fake-asterisk.js';

const code = (c: string) => (e: unknown): boolean => e instanceof ConnectorError && e.code === c;

describe('AGI lines and environment', () => {
  test('lines split on LF and CRLF, UTF-8 kept whole across reads', () => {
    const r = new AgiLineReader();
    const bytes = Buffer.from('agi_calleridname: Иван\r\nagi_callerid: 8916\n');
    assert.deepEqual(r.push(bytes.subarray(0, 20)), []);
    assert.deepEqual(r.push(bytes.subarray(20)), ['agi_calleridname: Иван', 'agi_callerid: 8916']);
  });
  test('a runaway line → AGI_LINE_TOO_LONG', () => {
    assert.throws(() => new AgiLineReader().push('x'.repeat(70_000)), code('AGI_LINE_TOO_LONG'));
  });
  test('split at the first colon: values keep their colons', () => {
    assert.deepEqual(parseEnvLine('agi_request: agi://127.0.0.1:4573/route?did=1'), ['agi_request', 'agi://127.0.0.1:4573/route?did=1']);
    assert.deepEqual(parseEnvLine('agi_arg_1: a:b'), ['agi_arg_1', 'a:b']);
    assert.deepEqual(parseEnvLine('agi_accountcode: '), ['agi_accountcode', '']);
    assert.equal(parseEnvLine('garbage'), undefined);
  });
  test('the environment ends at the blank line; malformed lines are refused', () => {
    const env = new AgiEnvironmentReader();
    assert.equal(env.push('agi_network: yes'), false);
    assert.equal(env.push('agi_callerid: 89161234567'), false);
    assert.equal(env.push(''), true);
    assert.deepEqual(env.env, { agi_network: 'yes', agi_callerid: '89161234567' });
    assert.throws(() => new AgiEnvironmentReader().push('no colon'), code('AGI_BAD_ENVIRONMENT'));
  });
});

describe('AGI script path', () => {
  test('from agi_network_script', () => {
    assert.deepEqual(parseAgiScript({ agi_network_script: 'route?did=74951234567&x=a%20b' }), { path: '/route', query: { did: '74951234567', x: 'a b' } });
  });
  test('from agi_request when no network script', () => {
    assert.deepEqual(parseAgiScript({ agi_request: 'agi://pbx.local:4573/route/?did=1&did=2' }), { path: '/route', query: { did: '1' } });
    assert.deepEqual(parseAgiScript({ agi_request: 'agi://pbx.local' }), { path: '/', query: {} });
  });
});

describe('AGI replies', () => {
  test('200 with result, data and endpos', () => {
    const p = new AgiReplyParser();
    assert.deepEqual(p.push('200 result=1'), { kind: 'reply', reply: { kind: 'ok', code: 200, result: '1', raw: '200 result=1' } });
    assert.deepEqual(p.push('200 result=1 (Ivan (VIP)) endpos=1234'), {
      kind: 'reply', reply: { kind: 'ok', code: 200, result: '1', data: 'Ivan (VIP)', endpos: 1234, raw: '200 result=1 (Ivan (VIP)) endpos=1234' },
    });
    assert.deepEqual(p.push('200 result=-1'), { kind: 'reply', reply: { kind: 'ok', code: 200, result: '-1', raw: '200 result=-1' } });
  });
  test('510, 511, multi-line 520 and HANGUP', () => {
    const p = new AgiReplyParser();
    assert.equal(p.push('510 Invalid or unknown command')?.kind, 'reply');
    assert.deepEqual(p.push('511 Command Not Permitted on a dead channel or intercept routine'), {
      kind: 'reply', reply: { kind: 'dead', code: 511, raw: '511 Command Not Permitted on a dead channel or intercept routine' },
    });
    assert.equal(p.push('520-Invalid command syntax.  Proper usage follows:'), undefined);
    assert.equal(p.push(' Usage: SET VARIABLE <variablename> <value>'), undefined);
    assert.deepEqual(p.push('520 End of proper usage.'), {
      kind: 'reply', reply: { kind: 'usage', code: 520, usage: ' Usage: SET VARIABLE <variablename> <value>', raw: '520 End of proper usage.' },
    });
    assert.deepEqual(p.push('HANGUP'), { kind: 'hangup' });
    assert.throws(() => p.push('what?'), code('AGI_BAD_REPLY'));
  });
});

describe('AGI commands', () => {
  test('quoting escapes quotes and backslashes and removes line breaks', () => {
    assert.equal(quoteAgiArg('Ivan "VIP" \\ Ivanov'), '"Ivan \\"VIP\\" \\\\ Ivanov"');
    assert.equal(quoteAgiArg('a\r\nHANGUP\nb'), '"a HANGUP b"');
    const cmd = setVariableCommand('CALLERID(name)', 'O"Brien \\ Co');
    assert.deepEqual(parseSetVariable(cmd), ['CALLERID(name)', 'O"Brien \\ Co']);
  });
  test('variable names are checked', () => {
    assert.equal(setVariableCommand('B24_ROUTE_EXTEN', '101'), 'SET VARIABLE B24_ROUTE_EXTEN "101"');
    assert.throws(() => setVariableCommand('BAD NAME', 'x'), code('AGI_BAD_VARIABLE'));
  });
});
