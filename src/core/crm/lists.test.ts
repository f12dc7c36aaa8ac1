import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideByLists, type ListSet } from './lists.js';

const none: ListSet = { extensions: [], trunks: [], numbers: [] };

test('no lists: everything is registered', () => {
  assert.deepEqual(decideByLists({ black: none, white: none }, { extensions: ['101'] }), { register: true, reason: 'no-lists' });
});

test('black list by extension, trunk, DID and number', () => {
  const black = { extensions: ['105'], trunks: ['spam-trunk', '5559999'], numbers: ['+4930000000'] };
  const lists = { black, white: none };
  assert.deepEqual(decideByLists(lists, { extensions: ['101', '105'] }), { register: false, reason: 'blacklisted', match: 'extension 105' });
  assert.equal(decideByLists(lists, { extensions: ['101'], trunk: 'spam-trunk' }).register, false);
  assert.deepEqual(decideByLists(lists, { extensions: [], did: '5559999' }), { register: false, reason: 'blacklisted', match: 'DID 5559999' });
  assert.equal(decideByLists(lists, { extensions: [], clientNumber: '+4930000000' }).register, false);
  assert.deepEqual(decideByLists(lists, { extensions: ['101'], trunk: 'trunk' }), { register: true, reason: 'not-blacklisted' });
});

test('white list: only listed parties; black wins over white', () => {
  const white = { extensions: ['101'], trunks: [], numbers: [] };
  assert.deepEqual(decideByLists({ black: none, white }, { extensions: ['101'] }), { register: true, reason: 'whitelisted', match: 'extension 101' });
  assert.deepEqual(decideByLists({ black: none, white }, { extensions: ['102'] }), { register: false, reason: 'not-whitelisted' });
  const black = { extensions: [], trunks: [], numbers: ['+1'] };
  assert.equal(decideByLists({ black, white }, { extensions: ['101'], clientNumber: '+1' }).register, false);
});
