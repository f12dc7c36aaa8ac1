/**
 * Fidelity: for each (spec ↔ lab22 transcript) pair the generated call has the same event names in
 * the same order, the same keys in the same order per event, and the same id structure (which
 * events share a Uniqueid/Linkedid/channel/bridge), up to renaming. RTCPSent is excluded
 * (TIMING_NOISE) and checked for its layout separately.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateCall, generateOriginate } from '../generate.js';
import type { CallSpec, OriginateRequest } from '../spec.js';
import {
  callEvents, compareIdStructure, compareSequences, fakeIds, generatedEvents, loadFixture, nameOf,
} from './fixture-compare.js';

const caller = { from: '+4930123456', trunk: 'trunk' } as const;

export const CALL_PAIRS: ReadonlyArray<readonly [string, CallSpec]> = [
  ['lab22-a_inbound_answered.txt', { type: 'inbound', ...caller, did: '5551000', to: '101', outcome: 'answered', ringMs: 3000, talkMs: 5000 }],
  ['lab22-b1_inbound_noanswer.txt', { type: 'inbound', ...caller, did: '5551000', to: '101', outcome: 'noanswer' }],
  ['lab22-b2_inbound_busy.txt', { type: 'inbound', ...caller, did: '5551000', to: '101', outcome: 'busy' }],
  ['lab22-b3_inbound_cancel.txt', { type: 'inbound', ...caller, did: '5551000', to: '101', outcome: 'cancel', ringMs: 3000 }],
  ['lab22-j_mixmonitor_recording.txt', { type: 'inbound', ...caller, did: '5551004', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 4000, record: true }],
  ['lab22-e_queue_ringall_second_answers.txt', { type: 'queue', ...caller, did: '5551001', queue: 'sales', strategy: 'ringall', members: ['PJSIP/101', 'PJSIP/102'], answeredBy: '102', outcome: 'answered', ringMs: 3000, talkMs: 6000 }],
  ['lab22-f_queue_linear.txt', { type: 'queue', ...caller, did: '5551002', queue: 'support', strategy: 'linear', members: ['101', '102'], answeredBy: '102', outcome: 'answered', memberTimeoutMs: 4000, retryMs: 1000, ringMs: 2000, talkMs: 4000 }],
  ['lab22-i2_queue_abandon.txt', { type: 'queue', ...caller, did: '5551001', queue: 'sales', strategy: 'ringall', members: ['101', '102'], outcome: 'abandon', waitMs: 4000 }],
  ['lab22-i_ivr_abandon.txt', { type: 'ivr-abandon', ...caller, did: '5551003', ivrMs: 2500 }],
  ['lab22-g_blind_transfer.txt', { type: 'blind-transfer', ...caller, did: '5551006', to: '101', transferTo: '102', ringMs: 2000, talkMs: 3000, afterTransferTalkMs: 8000 }],
  ['lab22-c_outbound_answered.txt', { type: 'outbound', from: '101', to: '0049301234', trunk: 'trunk', outcome: 'answered', ringMs: 2000, talkMs: 4000 }],
];

const orig = { channel: 'PJSIP/101', context: 'from-internal', exten: '0049301234', priority: 1 } as const;
const crm = '"CRM: Acme Ltd" <0049301234>';

export const ORIGINATE_PAIRS: ReadonlyArray<readonly [string, OriginateRequest]> = [
  ['lab22-d1_originate_pjsip.txt', {
    ...orig, callerId: crm, timeoutMs: 20000, actionId: 'crm-orig-1', variables: { CRM_CALL_ID: 'abc123' },
    phone: { kind: 'answer', afterMs: 2000, talkMs: 60000 }, farEnd: { kind: 'answer', afterMs: 2000, talkMs: 6000 },
  }],
  ['lab22-d2_originate_local.txt', {
    ...orig, channel: 'Local/101@from-internal', callerId: crm, timeoutMs: 20000, actionId: 'crm-orig-2', variables: { CRM_CALL_ID: 'abc124' },
    phone: { kind: 'answer', afterMs: 2000, talkMs: 60000 }, farEnd: { kind: 'answer', afterMs: 2000, talkMs: 6000 },
  }],
  ['lab22-d3_originate_noanswer.txt', { ...orig, callerId: crm, timeoutMs: 6000, actionId: 'crm-orig-3', phone: { kind: 'noanswer' } }],
  ['lab22-d4_originate_busy.txt', { ...orig, timeoutMs: 15000, actionId: 'crm-orig-4', phone: { kind: 'busy' } }],
];

function check(file: string, generated: ReturnType<typeof generatedEvents>): void {
  const expected = callEvents(loadFixture(file));
  const seq = compareSequences(expected, generated);
  assert.equal(seq, undefined, seq);
  const ids = compareIdStructure(expected, generated);
  assert.equal(ids, undefined, ids);
  assert.equal(generated.length, expected.length);
}

describe('generateCall fidelity against lab22 transcripts', () => {
  for (const [file, spec] of CALL_PAIRS) {
    test(`${spec.type}/${'outcome' in spec ? spec.outcome : ''} ↔ ${file}`, () => {
      check(file, generatedEvents(generateCall(spec, fakeIds())));
    });
  }
});

describe('generateOriginate fidelity against lab22 transcripts', () => {
  for (const [file, req] of ORIGINATE_PAIRS) {
    test(`${req.channel} ${req.phone.kind} ↔ ${file}`, () => {
      check(file, generatedEvents(generateOriginate(req, fakeIds())));
    });
  }
});

test('RTCPSent has the fixture layout', () => {
  const fx = loadFixture('lab22-a_inbound_answered.txt').find((e) => nameOf(e) === 'RTCPSent');
  const gen = generateCall(CALL_PAIRS[0]![1], fakeIds()).map((e) => e.fields).find((e) => nameOf(e) === 'RTCPSent');
  assert.ok(fx && gen);
  assert.deepEqual(gen.map(([k]) => k), fx.map(([k]) => k));
});
