import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../../src/errors.js';
import {
  B24_ERROR_TABLE, B24_LOCAL_ERRORS, b24Error, b24LocalError, isTokenRejection, lookupB24Error,
} from '../../src/adapters/bitrix/errors.js';

describe('bitrix error table', () => {
  const cases: Array<[number | undefined, string | undefined, string, boolean]> = [
    [503, 'QUERY_LIMIT_EXCEEDED', 'B24_QUERY_LIMIT', true],
    [429, 'OPERATION_TIME_LIMIT', 'B24_OPERATION_TIME_LIMIT', true],
    [401, 'expired_token', 'B24_TOKEN_EXPIRED', true],
    [401, 'EXPIRED_TOKEN', 'B24_TOKEN_EXPIRED', true],
    [401, 'invalid_token', 'B24_TOKEN_INVALID', true],
    [401, 'NO_AUTH_FOUND', 'B24_NO_AUTH', false],
    [403, 'INVALID_CREDENTIALS', 'B24_INVALID_CREDENTIALS', false],
    [403, 'insufficient_scope', 'B24_INSUFFICIENT_SCOPE', false],
    [403, 'WRONG_AUTH_TYPE', 'B24_WRONG_AUTH_TYPE', false],
    [403, 'ACCESS_DENIED', 'B24_ACCESS_DENIED', false],
    [404, 'ERROR_METHOD_NOT_FOUND', 'B24_METHOD_NOT_FOUND', false],
    [400, 'INVALID_REQUEST', 'B24_INVALID_REQUEST', false],
    [404, 'NOT_FOUND', 'B24_NOT_FOUND', false],
    [400, 'ERROR_CORE', 'B24_METHOD_ERROR', false],
    [500, 'INTERNAL_SERVER_ERROR', 'B24_SERVER_ERROR', true],
    [500, 'ERROR_UNEXPECTED_ANSWER', 'B24_SERVER_ERROR', true],
    [402, 'PAYMENT_REQUIRED', 'B24_PAYMENT_REQUIRED', false],
    [503, 'OVERLOAD_LIMIT', 'B24_OVERLOAD_LIMIT', true],
    [500, 'PORTAL_DELETED', 'B24_PORTAL_DELETED', false],
    [400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'B24_BATCH_TOO_LARGE', false],
    [405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'B24_BATCH_METHOD_NOT_ALLOWED', false],
    [400, 'invalid_grant', 'B24_OAUTH_INVALID_GRANT', false],
    [400, 'INVALID_ARGUMENT', 'B24_INVALID_ARGUMENT', false],
    [400, '100', 'B24_INVALID_ARGUMENT', false],
    // error "" (CRM classic methods): a method error for 4xx
    [400, '', 'B24_METHOD_ERROR', false],
    [404, '', 'B24_METHOD_ERROR', false],
    // status only
    [502, undefined, 'B24_SERVER_UNAVAILABLE', true],
    [503, undefined, 'B24_SERVER_UNAVAILABLE', true],
    [401, undefined, 'B24_UNAUTHORIZED', false],
    [404, undefined, 'B24_HTTP_NOT_FOUND', false],
    [429, undefined, 'B24_QUERY_LIMIT', true],
    // unknown: generic code, retryable iff 5xx
    [400, 'SOMETHING_NEW', 'B24_UNKNOWN', false],
    [500, 'SOMETHING_NEW', 'B24_UNKNOWN', true],
    [undefined, 'Communication type is not defined', 'B24_UNKNOWN', false],
  ];
  for (const [status, error, code, retryable] of cases) {
    test(`${status ?? '-'} ${JSON.stringify(error)} → ${code} retryable=${retryable}`, () => {
      const spec = lookupB24Error({ status, error });
      assert.equal(spec.code, code);
      assert.equal(spec.retryable, retryable);
      assert.ok(spec.hint.length > 5);
    });
  }

  test('every code is upper snake with the B24_ prefix and one retryable value', () => {
    const seen = new Map<string, boolean>();
    const all = [...B24_ERROR_TABLE, ...Object.values(B24_LOCAL_ERRORS)];
    for (const row of all) {
      assert.match(row.code, /^B24_[A-Z0-9_]+$/);
      const prev = seen.get(row.code);
      if (row.code !== 'B24_UNKNOWN') assert.ok(prev === undefined || prev === row.retryable, row.code);
      seen.set(row.code, row.retryable);
    }
  });

  test('b24Error builds a ConnectorError with details and a redacted description', () => {
    const e = b24Error({ method: 'user.get', status: 401, error: 'expired_token',
      description: 'see https://p.bitrix24.ru/rest/1/s3cr3tcode/user.get' });
    assert.ok(e instanceof ConnectorError);
    assert.equal(e.code, 'B24_TOKEN_EXPIRED');
    assert.equal(e.retryable, true);
    assert.equal(e.details?.status, 401);
    assert.equal(e.details?.method, 'user.get');
    assert.ok(!e.message.includes('s3cr3tcode'));
    assert.ok(!JSON.stringify(e.details).includes('s3cr3tcode'));
    assert.ok(isTokenRejection(e));
    assert.ok(!isTokenRejection(b24Error({ status: 401, error: 'NO_AUTH_FOUND' })));
  });

  test('local errors carry their spec', () => {
    const e = b24LocalError('timeout', 'x');
    assert.equal(e.code, 'B24_TIMEOUT');
    assert.equal(e.retryable, true);
    assert.equal(b24LocalError('batchTooLarge', 'x').retryable, false);
  });
});
