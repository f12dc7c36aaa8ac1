import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIso, parseIso } from '../dates.js';
import { matchesFilter, page, parseFilter, parseFilterKey } from '../list-query.js';
import { Params } from '../params.js';
import { matchKey, phoneCountry, samePhone, splitExtension, stripLetters, toInternational } from '../phones.js';
import { docExampleSeed } from '../seeds.js';
import { harness, rec } from './helpers.js';

describe('phones', () => {
  test('numbers sharing only a tail do not match (doc examples use three different clients)', () => {
    const none = phoneCountry('');
    assert.equal(samePhone('79062195047', '19062195047', none), false);
    assert.equal(samePhone('499062195047', '+499062195047', none), true);
    assert.equal(samePhone('+7 (906) 219-50-47', '79062195047', none), true);
  });

  test('national forms with a portal country', () => {
    const ru = phoneCountry('RU');
    assert.equal(matchKey('8 906 219-50-47', ru), '79062195047');
    assert.equal(matchKey('9062195047', ru), '79062195047');
    assert.equal(matchKey('0079062195047', ru), '79062195047');
    assert.equal(samePhone('89062195047', '+79062195047', ru), true);
    const us = phoneCountry('US');
    assert.equal(matchKey('19062195047', us), '19062195047');
    assert.equal(matchKey('(906) 219-5047', us), '19062195047');
  });

  test('extensions, letters, international form', () => {
    assert.deepEqual(splitExtension('+7 495 123-45-67 ext. 12'), { number: '+7 495 123-45-67', extension: '12' });
    assert.deepEqual(splitExtension('+74951234567,305'), { number: '+74951234567', extension: '305' });
    assert.deepEqual(splitExtension('+74951234567'), { number: '+74951234567', extension: '' });
    assert.equal(stripLetters('abc'), null);
    assert.equal(stripLetters('sip:101@pbx'), '101');
    assert.equal(toInternational('8 (495) 123-45-67', phoneCountry('RU')), '+74951234567');
  });
});

describe('dates', () => {
  test('format with offset and parse back', () => {
    const ms = Date.UTC(2026, 2, 10, 8, 19, 38);
    assert.equal(formatIso(ms, 180), '2026-03-10T11:19:38+03:00');
    assert.equal(formatIso(ms, -330), '2026-03-10T02:49:38-05:30');
    assert.equal(parseIso('2026-03-10T11:19:38+03:00', 0), ms);
    assert.equal(parseIso('2026-03-10T08:19:38Z', 180), ms);
    assert.equal(parseIso('2026-03-10T11:19:38', 180), ms);
    assert.equal(parseIso('2026-02-30T10:00:00+03:00', 0), undefined);
    assert.equal(parseIso('yesterday', 0), undefined);
  });
});

describe('list-query', () => {
  test('operator prefixes', () => {
    assert.deepEqual(parseFilterKey('!=%TITLE'), { field: 'TITLE', op: '!=%' });
    assert.deepEqual(parseFilterKey('>=ID'), { field: 'ID', op: '>=' });
    assert.deepEqual(parseFilterKey('@ID'), { field: 'ID', op: '@' });
    assert.deepEqual(parseFilterKey('ID'), { field: 'ID', op: '=' });
    const row = { ID: '7', TITLE: 'Daisy LLC', DATE: '2026-03-10T11:19:38+03:00' };
    const ok = (f: Record<string, unknown>) => matchesFilter(row, parseFilter(f));
    assert.equal(ok({ '><ID': [5, 9] }), true);
    assert.equal(ok({ '!><ID': [5, 9] }), false);
    assert.equal(ok({ '!@ID': [1, 2] }), true);
    assert.equal(ok({ '=%TITLE': '%llc' }), true);
    assert.equal(ok({ '>=DATE': '2026-03-10T09:00:00+01:00' }), true);
    assert.equal(ok({ '<DATE': '2026-03-10T09:00:00+01:00' }), false);
    assert.equal(ok({ ID: '' }), false);
  });

  test('page sizes', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ ID: String(i) }));
    assert.deepEqual([page(rows, 50).next, page(rows, 50).total], [undefined, 100]);
    assert.equal(page(rows, 0).next, 50);
  });

  test('params: any casing, exact spelling first', () => {
    const p = new Params({ fields: { A: 1 }, FIELDS: { B: 2 }, Id: '5' });
    assert.deepEqual(p.get('FIELDS'), { B: 2 });
    assert.deepEqual(p.get('fields'), { A: 1 });
    assert.equal(p.int('ID'), 5);
  });
});

describe('snapshot / reset', () => {
  test('snapshot keeps CRM changes; reset forgets calls and bindings', () => {
    const h = harness(docExampleSeed());
    rec(h.app('telephony.externalcall.register', { USER_ID: 1269, PHONE_NUMBER: '+15550001111', TYPE: 2, CRM_CREATE: 1 }));
    h.app('event.bind', { event: 'ONCRMLEADADD', handler: 'https://x/' });
    const snap = h.portal.snapshot();
    assert.equal(snap.leads?.length, 2);
    h.portal.reset();
    const view = h.portal.inspect();
    assert.deepEqual([view.calls.length, view.bindings.length, view.events.length], [0, 0, 0]);
    assert.equal(h.app('crm.lead.list', {}).total, 2);
    h.portal.reset(docExampleSeed());
    assert.equal(h.app('crm.lead.list', {}).total, 1);
  });
});
