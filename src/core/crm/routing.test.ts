import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../../errors.js';
import {
  autodistributionInput, autodistributionReply, chooseCandidate, chooseDeal, isWithinWorkingHours, localTime,
  openDealFilter, parseDeals, parseSearchResult, routeVariables, truncateName,
} from './routing.js';
import type { CrmCandidate } from './routing.js';

// 2026-11-23 is a Monday.
const utc = (d: number, h: number, m = 0): number => Date.UTC(2026, 10, d, h, m);

describe('truncateName', () => {
  test('keeps short names, cuts long ones to 20 characters', () => {
    assert.equal(truncateName('Ivan Ivanov'), 'Ivan Ivanov');
    assert.equal(truncateName('Very Long Company Name Limited LLC'), 'Very Long Company Na');
    assert.equal(truncateName('Константин Константинопольский'), 'Константин Константи');
  });
  test('collapses whitespace and trims the cut end', () => {
    assert.equal(truncateName('  Anna \n  Petrova  '), 'Anna Petrova');
    assert.equal(truncateName('abcdefghijklmnopqrs tuvw'), 'abcdefghijklmnopqrs');
  });
  test('never splits a surrogate pair', () => {
    const name = `${'x'.repeat(19)}😀😀`;
    assert.equal(truncateName(name), `${'x'.repeat(19)}😀`);
  });
});

describe('working hours', () => {
  const office = { timezone: 'Europe/Moscow', days: { mon: ['09:00-13:00', '14:00-18:00'], sat: ['22:00-02:00'] } };
  test('local weekday and minute in the zone', () => {
    assert.deepEqual(localTime(utc(23, 6, 5), 'Europe/Moscow'), { day: 'mon', minute: 9 * 60 + 5 });
    assert.deepEqual(localTime(utc(23, 6, 5), 'UTC'), { day: 'mon', minute: 6 * 60 + 5 });
  });
  test('ranges are [start, end)', () => {
    assert.equal(isWithinWorkingHours(office, utc(23, 5, 59)), false); // 08:59 MSK
    assert.equal(isWithinWorkingHours(office, utc(23, 6, 0)), true); // 09:00
    assert.equal(isWithinWorkingHours(office, utc(23, 10, 0)), false); // 13:00 lunch
    assert.equal(isWithinWorkingHours(office, utc(23, 14, 59)), true); // 17:59
    assert.equal(isWithinWorkingHours(office, utc(23, 15, 0)), false); // 18:00
  });
  test('a missing day is closed', () => {
    assert.equal(isWithinWorkingHours(office, utc(24, 8, 0)), false); // tue 11:00
  });
  test('a range crossing midnight spills into the next day', () => {
    assert.equal(isWithinWorkingHours(office, utc(28, 19, 30)), true); // sat 22:30
    assert.equal(isWithinWorkingHours(office, utc(28, 22, 59)), true); // sun 01:59
    assert.equal(isWithinWorkingHours(office, utc(28, 23, 0)), false); // sun 02:00
  });
  test('00:00-24:00 is the whole day', () => {
    assert.equal(isWithinWorkingHours({ timezone: 'UTC', days: { mon: ['00:00-24:00'] } }, utc(23, 23, 59)), true);
  });
  test('an unknown zone or a bad range → AGI_BAD_WORKING_HOURS', () => {
    assert.throws(() => isWithinWorkingHours({ timezone: 'Mars/Olympus', days: {} }, 0),
      (e: unknown) => e instanceof ConnectorError && e.code === 'AGI_BAD_WORKING_HOURS');
    assert.throws(() => isWithinWorkingHours({ timezone: 'UTC', days: { mon: ['9-18'] } }, utc(23, 10)),
      (e: unknown) => e instanceof ConnectorError && e.code === 'AGI_BAD_WORKING_HOURS');
  });
});

describe('choosing the responsible', () => {
  const rows = [
    { CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 42, ASSIGNED_BY_ID: 5, NAME: 'Ivan Ivanov', ASSIGNED_BY: { ID: '5', USER_PHONE_INNER: '101' } },
    { CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: '9', ASSIGNED_BY_ID: '7', NAME: 'ACME', ASSIGNED_BY: null },
    { CRM_ENTITY_TYPE: 'DEAL', CRM_ENTITY_ID: 1 },
    'junk',
  ];
  test('parseSearchResult types the rows and skips the malformed', () => {
    assert.deepEqual(parseSearchResult(rows), [
      { type: 'CONTACT', id: 42, name: 'Ivan Ivanov', responsibleId: 5, responsibleInner: '101' },
      { type: 'COMPANY', id: 9, name: 'ACME', responsibleId: 7 },
    ]);
    assert.deepEqual(parseSearchResult([]), []);
    assert.deepEqual(parseSearchResult({}), []);
  });
  test('the first candidate whose responsible is routable, else the first', () => {
    const c = parseSearchResult(rows);
    assert.equal(chooseCandidate(c, () => true)?.id, 42);
    assert.equal(chooseCandidate(c, (x: CrmCandidate) => x.responsibleId === 7)?.id, 9);
    assert.equal(chooseCandidate(c, () => false)?.id, 42);
    assert.equal(chooseCandidate([], () => true), undefined);
  });
  test('the newest open deal with a routable responsible', () => {
    const deals = parseDeals([{ ID: '3', ASSIGNED_BY_ID: '5' }, { ID: '8', ASSIGNED_BY_ID: '6' }, { ID: '4' }]);
    assert.deepEqual(deals, [{ id: 3, responsibleId: 5 }, { id: 8, responsibleId: 6 }]);
    assert.deepEqual(chooseDeal(deals, () => true), { id: 8, responsibleId: 6 });
    assert.deepEqual(chooseDeal(deals, (u) => u === 5), { id: 3, responsibleId: 5 });
    assert.equal(chooseDeal(deals, () => false), undefined);
  });
  test('open deals are looked up for contacts and companies only', () => {
    assert.deepEqual(openDealFilter({ type: 'CONTACT', id: 4 }), { CONTACT_ID: 4, CLOSED: 'N' });
    assert.deepEqual(openDealFilter({ type: 'COMPANY', id: 9 }), { COMPANY_ID: 9, CLOSED: 'N' });
    assert.equal(openDealFilter({ type: 'LEAD', id: 1 }), undefined);
  });
});

describe('hook 11 and variables', () => {
  test('input carries read-only fields only when not empty', () => {
    assert.deepEqual(autodistributionInput({ number: '', name: '', from: '+7999', error: 'client not found in CRM' }),
      { number: '', name: '', from: '+7999', error: 'client not found in CRM' });
    assert.deepEqual(autodistributionInput({
      number: '101', name: 'Anna Petrova', user: { id: 5, name: 'Anna Petrova', innerPhone: '101' },
      entity: { type: 'LEAD', id: 3, name: 'Lead' },
    }), {
      number: '101', name: 'Anna Petrova', user: { id: 5, phones: ['101'], name: 'Anna Petrova' },
      entity: { type: 'lead', id: 3, name: 'Lead' },
    });
  });
  test('reply: strings or numbers taken, others ignored, name cut', () => {
    assert.deepEqual(autodistributionReply({ number: 555, name: 'x'.repeat(30) }, { number: '101', name: 'A' }), { number: '555', name: 'x'.repeat(20) });
    assert.deepEqual(autodistributionReply({ number: null }, { number: '101', name: 'A' }), { number: '101', name: 'A' });
  });
  test('variables: empty values skipped, status last', () => {
    assert.deepEqual(routeVariables({
      status: 'OK', exten: '101', name: 'Anna', userId: 5, entity: { type: 'CONTACT', id: 42, name: 'Ivan' }, callerName: 'Ivan', reason: 'found',
    }), [
      ['B24_ROUTE_EXTEN', '101'], ['B24_ROUTE_NAME', 'Anna'], ['B24_ROUTE_USER_ID', '5'], ['B24_ENTITY_TYPE', 'CONTACT'],
      ['B24_ENTITY_ID', '42'], ['CALLERID(name)', 'Ivan'], ['B24_ROUTE_STATUS', 'OK'],
    ]);
    assert.deepEqual(routeVariables({ status: 'CLOSED', reason: 'closed' }), [['B24_ROUTE_STATUS', 'CLOSED']]);
  });
});
