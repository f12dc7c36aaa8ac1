import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBatchCommand, encodeBracketQuery, formatResultRef } from '../../src/adapters/bitrix/encode.js';

describe('PHP bracket encoding', () => {
  test('scalars, booleans, null and undefined', () => {
    assert.equal(encodeBracketQuery({ a: 1, b: 'x y', c: true, d: false, e: null, f: undefined }),
      'a=1&b=x%20y&c=1&d=0&e=');
  });

  test('nested objects and arrays', () => {
    assert.equal(encodeBracketQuery({ fields: { TITLE: 'T&1', PHONE: [{ VALUE: '+7 495', VALUE_TYPE: 'WORK' }] } }),
      'fields[TITLE]=T%261&fields[PHONE][0][VALUE]=%2B7%20495&fields[PHONE][0][VALUE_TYPE]=WORK');
    assert.equal(encodeBracketQuery({ USER_ID: [11, 24] }), 'USER_ID[0]=11&USER_ID[1]=24');
    assert.equal(encodeBracketQuery({ FILTER: { '>=CALL_START_DATE': '2025-01-01T00:00:00+01:00' } }),
      'FILTER[%3E%3DCALL_START_DATE]=2025-01-01T00%3A00%3A00%2B01%3A00');
  });

  test('empty arrays and objects are left out; dates are ISO', () => {
    assert.equal(encodeBracketQuery({ a: [], b: {}, c: 'z' }), 'c=z');
    assert.equal(encodeBracketQuery({ d: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }), 'd=2026-01-02T03%3A04%3A05.000Z');
  });

  test('result refs are written raw', () => {
    const ref = { $ref: 'get_user', path: ['UF_DEPARTMENT', '0'] };
    assert.equal(formatResultRef(ref), '$result[get_user][UF_DEPARTMENT][0]');
    assert.equal(encodeBatchCommand('department.get', { ID: ref }), 'department.get?ID=$result[get_user][UF_DEPARTMENT][0]');
    assert.equal(encodeBatchCommand('telephony.externalcall.show', { CALL_ID: { $ref: 'reg', path: ['CALL_ID'] }, USER_ID: [1, 2] }),
      'telephony.externalcall.show?CALL_ID=$result[reg][CALL_ID]&USER_ID[0]=1&USER_ID[1]=2');
    assert.equal(encodeBracketQuery({ x: { nested: [{ $ref: 'a', path: [] }] } }), 'x[nested][0]=$result[a]');
  });

  test('a command without params is the bare method', () => {
    assert.equal(encodeBatchCommand('user.current', {}), 'user.current');
  });
});
