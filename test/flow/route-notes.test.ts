import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRoute, RouteNotes } from '../../src/flow/route-notes.js';

test('a route decision in one line: where, to whom, why, found how', () => {
  assert.equal(describeRoute({ status: 'OK', exten: '101', userId: 5, name: 'Anna Petrova', reason: 'found', entity: { type: 'CONTACT', id: 42, name: 'Ivan Ivanov' }, cached: true }),
    'FastAGI route OK → 101 (user 5 Anna Petrova): the client\'s responsible, CONTACT 42 "Ivan Ivanov" [cached lookup]');
  assert.equal(describeRoute({ status: 'OK', exten: '200', reason: 'hook' }), 'FastAGI route OK → 200: chosen by customize_autodistribution');
  assert.equal(describeRoute({ status: 'NOROUTE', reason: 'lookup-failed', code: 'B24_NETWORK' }), 'FastAGI route NOROUTE: the CRM lookup failed [B24_NETWORK]');
  assert.equal(describeRoute({ status: 'CLOSED', reason: 'closed' }), 'FastAGI route CLOSED: outside agi.workingHours');
  assert.equal(describeRoute({ status: 'NOROUTE', reason: 'something-new' }), 'FastAGI route NOROUTE: something-new');
});

test('notes are taken once, expire, and stay bounded', () => {
  const n = new RouteNotes(3, 1_000);
  n.note('a', { status: 'NOROUTE', reason: 'hidden-number' }, 0);
  n.note(undefined, { status: 'OK', reason: 'found' }, 0);
  n.note('x', undefined, 0);
  assert.equal(n.size, 1);
  assert.equal(n.take('a', 500)?.text, 'FastAGI route NOROUTE: hidden caller number');
  assert.equal(n.take('a', 500), undefined, 'once');
  n.note('old', { status: 'NOROUTE', reason: 'closed' }, 0);
  assert.equal(n.take('old', 1_001), undefined, 'too old');
  for (const k of ['1', '2', '3', '4']) n.note(k, { status: 'NOROUTE', reason: 'closed' }, 0);
  assert.equal(n.size, 3);
  assert.equal(n.take('1', 0), undefined, 'the oldest was dropped');
  assert.ok(n.take('4', 0));
});
