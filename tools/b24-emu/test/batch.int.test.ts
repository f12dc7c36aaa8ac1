import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator } from '../index.js';
import { encodePhpForm } from '../http/form.js';
import { postForm, postJson, startStub } from './helpers.js';

type BatchResult = Record<'result' | 'result_error' | 'result_total' | 'result_next' | 'result_time', unknown>;

describe('batch (reference §4)', () => {
  let emu: Emulator;
  before(async () => {
    ({ emu } = await startStub({ limits: { capacity: 1000, drainPerSec: 100 } }));
  });
  after(() => emu.close());

  const batch = async (body: unknown) => {
    const r = await postJson(`${emu.webhook}batch`, body);
    return { status: r.status, res: r.body['result'] as BatchResult, body: r.body };
  };

  test('linked example: $result reference, [] for empty members, result_total, result_time', async () => {
    const { status, res, body } = await batch({
      halt: 0,
      cmd: { get_user: 'user.current', get_department: 'department.get?ID=$result[get_user][UF_DEPARTMENT][0]' },
    });
    assert.equal(status, 200);
    assert.deepEqual(res.result, {
      get_user: { ID: '1', ACTIVE: true, NAME: 'John', UF_DEPARTMENT: [1] },
      get_department: [{ ID: '1', NAME: 'DEMO', SORT: 500 }],
    });
    assert.deepEqual(res.result_error, []);
    assert.deepEqual(res.result_total, { get_department: 1 });
    assert.deepEqual(res.result_next, []);
    const times = res.result_time as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(times['get_user'] ?? {}), ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish']);
    assert.equal(typeof (body['time'] as Record<string, unknown>)['start'], 'number');
  });

  test('references take whole values and work inside strings; URL-encoded queries decode once', async () => {
    const { res } = await batch({
      cmd: {
        u: 'user.current',
        e: 'echo?ids=$result[u][UF_DEPARTMENT]&text=user%20$result[u][ID]%26co&miss=$result[zz][ID]&f[X]=1',
      },
    });
    assert.deepEqual((res.result as Record<string, unknown>)['e'], {
      ids: [1], text: 'user 1&co', miss: '$result[zz][ID]', f: { X: '1' },
    });
  });

  test('halt=0: failures collected, later commands still run; list keys stay as given', async () => {
    const { status, res } = await batch({ halt: 0, cmd: { a: 'fail', b: 'user.get?start=0', c: 'no.such' } });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(res.result as object), ['b']);
    assert.deepEqual(res.result_error, {
      a: { error: 'ERROR_CORE', error_description: 'Unknown TYPE' },
      c: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
    assert.deepEqual(res.result_total, { b: 120 });
    assert.deepEqual(res.result_next, { b: 50 });
  });

  test('halt=1: stops at the first failure; later commands absent everywhere', async () => {
    const { res } = await batch({ halt: 1, cmd: { get_user: 'fail', get_department: 'department.get' } });
    assert.deepEqual(res, {
      result: [],
      result_error: { get_user: { error: 'ERROR_CORE', error_description: 'Unknown TYPE' } },
      result_total: [],
      result_next: [],
      result_time: [],
    });
  });

  test('cmd as a list: members keyed by index (a JSON list when all succeed)', async () => {
    const { res } = await batch({ cmd: ['user.current', 'department.get'] });
    assert.ok(Array.isArray(res.result));
    assert.equal((res.result as unknown[]).length, 2);
    const mixed = await batch({ cmd: ['fail', 'department.get'] });
    assert.deepEqual(Object.keys(mixed.res.result as object), ['1']);
  });

  test('form-encoded batch with PHP bracket cmd keys and a double-encoded command query', async () => {
    const form = encodePhpForm({ halt: '0', cmd: { x: `echo?name=${encodeURIComponent('John&Martin')}` } });
    assert.match(form, /%2526/, 'the & inside the command is encoded twice on the wire');
    const r = await postForm(`${emu.webhook}batch`, form);
    const res = r.body['result'] as BatchResult;
    assert.deepEqual((res.result as Record<string, unknown>)['x'], { name: 'John&Martin' });
  });

  test('nested batch → ERROR_BATCH_METHOD_NOT_ALLOWED; 51 commands → 400 ERROR_BATCH_LENGTH_EXCEEDED', async () => {
    const nested = await batch({ cmd: { n: 'batch?cmd[a]=user.current' } });
    assert.deepEqual((nested.res.result_error as Record<string, unknown>)['n'], {
      error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage',
    });
    const fifty = await batch({ cmd: Array.from({ length: 50 }, () => 'user.current') });
    assert.equal(fifty.status, 200);
    const tooMany = await batch({ cmd: Array.from({ length: 51 }, () => 'user.current') });
    assert.equal(tooMany.status, 400);
    assert.deepEqual(tooMany.body, { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' });
  });

  test('app-only commands in a webhook batch fail alone; over OAuth they pass', async () => {
    const hook = await batch({ cmd: { r: 'telephony.externalCall.register?USER_ID=1&PHONE_NUMBER=79062195047&TYPE=2' } });
    assert.equal(((hook.res.result_error as Record<string, { error: string }>)['r'])?.error, 'WRONG_AUTH_TYPE');
    const app = await postJson(`${emu.app.client_endpoint}batch`, {
      auth: emu.app.access_token,
      cmd: { r: 'telephony.externalCall.register?USER_ID=1&PHONE_NUMBER=79062195047&TYPE=2', s: 'echo?CALL_ID=$result[r][CALL_ID]' },
    });
    const res = app.body['result'] as BatchResult;
    assert.deepEqual(res.result_error, []);
    assert.deepEqual((res.result as Record<string, unknown>)['s'], { CALL_ID: 'externalCall.00000000000000000000000000000001.1773130779' });
  });
});
