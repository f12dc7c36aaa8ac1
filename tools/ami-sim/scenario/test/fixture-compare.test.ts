/** The fidelity comparator itself must catch differences (otherwise fidelity tests prove nothing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callEvents, compareIdStructure, compareSequences, loadFixture, nameOf } from './fixture-compare.js';

const a = callEvents(loadFixture('lab22-a_inbound_answered.txt'));

test('a fixture equals itself', () => {
  assert.equal(compareSequences(a, a), undefined);
  assert.equal(compareIdStructure(a, a), undefined);
  assert.equal(a.length, 96);
  assert.equal(nameOf(a[0]!), 'Newchannel');
});

test('different event sequences are reported with the first differing index', () => {
  const b1 = callEvents(loadFixture('lab22-b1_inbound_noanswer.txt'));
  assert.match(compareSequences(a, b1) ?? '', /^event #31: expected DialState got DeviceStateChange/);
  assert.match(compareSequences(a, a.slice(0, -1)) ?? '', /^event #95: expected QueueMemberStatus got \(end\)/);
});

test('key order and key set differences are reported', () => {
  const swapped = a.map((e, i) => (i === 3 ? [e[0]!, e[1]!, e[3]!, e[2]!, ...e.slice(4)] : e));
  assert.match(compareSequences(a, swapped) ?? '', /^event #3 Newexten: keys differ/);
});

test('id structure: a Uniqueid shared with another channel is caught', () => {
  const callee = '1795322993.67';
  const broken = a.map((e) => e.map(([k, v]) => [k, k === 'Uniqueid' && v === callee ? '1795322993.66' : v] as const));
  assert.match(compareIdStructure(a, broken) ?? '', /maps to both/);
  const renamed = a.map((e) => e.map(([k, v]) => [k, v.replace(/1795322993\.6([67])/g, '42.$1')] as const));
  assert.equal(compareIdStructure(a, renamed), undefined);
});
