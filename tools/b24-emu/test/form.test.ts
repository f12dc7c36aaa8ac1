import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodePhpPairs, decodeQuery, encodePhpForm, encodePhpPairs } from '../http/form.js';

describe('PHP bracket form decoding', () => {
  test('nested keys, lists, auto-index and plain keys', () => {
    const v = decodeQuery('fields[TITLE]=x&USER_ID[0]=11&USER_ID[1]=24&a[]=p&a[]=q&plain=1&deep[b][c]=z');
    assert.deepEqual(v, { fields: { TITLE: 'x' }, USER_ID: ['11', '24'], a: ['p', 'q'], plain: '1', deep: { b: { c: 'z' } } });
  });

  test('maps with gaps or named keys stay objects; later duplicates win', () => {
    assert.deepEqual(decodeQuery('m[1]=a&m[2]=b&k=1&k=2'), { m: { 1: 'a', 2: 'b' }, k: '2' });
    assert.deepEqual(decodePhpPairs([['cmd[get_user]', 'user.current'], ['cmd[x]', 'a?b=1']]), {
      cmd: { get_user: 'user.current', x: 'a?b=1' },
    });
  });

  test('percent-decoding happens once; $result references survive', () => {
    assert.deepEqual(decodeQuery('?ID=%24result%5Bget_user%5D%5BUF_DEPARTMENT%5D%5B0%5D&n=John%26Martin'), {
      ID: '$result[get_user][UF_DEPARTMENT][0]',
      n: 'John&Martin',
    });
  });
});

describe('PHP bracket form encoding', () => {
  test('objects, lists, booleans and nulls as http_build_query would', () => {
    const pairs = encodePhpPairs({ event: 'E', data: { A: 1, L: ['x', 'y'], N: null, B: true, O: { k: 'v' } }, ts: '5' });
    assert.deepEqual(pairs, [
      ['event', 'E'], ['data[A]', '1'], ['data[L][0]', 'x'], ['data[L][1]', 'y'], ['data[B]', '1'], ['data[O][k]', 'v'], ['ts', '5'],
    ]);
  });

  test('round trip through a form body', () => {
    const obj = { fields: { TITLE: 'a&b c' }, IDS: ['1', '2'] };
    assert.equal(encodePhpForm(obj), 'fields%5BTITLE%5D=a%26b+c&IDS%5B0%5D=1&IDS%5B1%5D=2');
    assert.deepEqual(decodeQuery(encodePhpForm(obj)), obj);
  });
});
