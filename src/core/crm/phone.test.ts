import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePhoneRules, normalisePhone, normaliseInnerPhone } from './phone.js';

const ru = compilePhoneRules({ defaultCountry: 'RU', replacements: [], format: 'E.164' });
const de = compilePhoneRules({ defaultCountry: 'DE', replacements: [], format: 'E.164' });

test('Russian numbers in every usual spelling become E.164', () => {
  for (const s of ['8 (916) 123-45-67', '89161234567', '9161234567', '+7 916 123 45 67', '79161234567']) {
    assert.deepEqual(normalisePhone(s, ru), { value: '+79161234567', kind: 'valid', country: 'RU' }, s);
  }
  assert.equal(normalisePhone('8-10-49-30-123456', ru).value, '+4930123456');
  assert.equal(normalisePhone('8 800 555-35-35', ru).value, '+78005553535');
});

test('other countries, 00 prefix, national format', () => {
  assert.equal(normalisePhone('+4930123456', de).value, '+4930123456');
  assert.equal(normalisePhone('030 123456', de).value, '+4930123456');
  assert.equal(normalisePhone('004930123456', ru).value, '+4930123456');
  const nat = compilePhoneRules({ defaultCountry: 'RU', replacements: [], format: 'national' });
  assert.equal(normalisePhone('+79161234567', nat).value, '89161234567');
  const dig = compilePhoneRules({ defaultCountry: 'RU', replacements: [], format: 'digits' });
  assert.equal(normalisePhone('+79161234567', dig).value, '79161234567');
});

test('short, hidden and unparseable numbers are kept, never dropped', () => {
  assert.deepEqual(normalisePhone('101', ru), { value: '101', kind: 'short' });
  assert.deepEqual(normalisePhone('anonymous', ru), { value: 'anonymous', kind: 'hidden' });
  assert.deepEqual(normalisePhone('', ru), { value: 'anonymous', kind: 'hidden' });
  assert.equal(normalisePhone('7916123456', ru).kind, 'unparsed'); // 10 digits with 7: not a valid RU number
});

test('replacement rules run first, in order', () => {
  const r = compilePhoneRules({ defaultCountry: 'RU', replacements: [{ match: '^9(\\d{11})$', replace: '$1' }], format: 'E.164' });
  assert.equal(normalisePhone('989161234567', r).value, '+79161234567');
  const inner = compilePhoneRules({ defaultCountry: 'RU', replacements: [{ match: '^SIP/', replace: '' }], format: 'E.164' });
  assert.equal(normaliseInnerPhone('SIP/101', inner), '101');
  assert.equal(normaliseInnerPhone(' 1-01 ', ru), '101');
});
