/**
 * The call rating IVR (`inbound` with `rating`) against our Asterisk 22.10.1 recordings
 * `test/fixtures/ami-recorded/lab22-y/z`, event by event and value by value as mobile-flows.test.ts
 * does, and through the connector's call tracker: the generated call must give the reviewed stage lines
 * of test/golden/lab22-y/z (the vote in y, none in z). As in lab22-t, the `DeviceStateChange` events of
 * `Queue:<name>_avail` devices are left out of lab22-y: app_queue raised them because y was the first
 * call of its Asterisk process, not because of the call.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generateCall } from '../generate.js';
import { validateCallSpec, type CallSpec } from '../spec.js';
import type { TimedEvent } from '../types.js';
import { ConnectorError } from '../../../../src/errors.js';
import { formatMessage } from '../../../../src/adapters/ami/framing.js';
import { replayBuffer, trackerConfigFrom } from '../../../../src/cli/replay.js';
import {
  callEvents, compareIdStructure, compareSequences, fakeIds, generatedEvents, loadFixture, nameOf, RECORDED_DIR, type Ev,
} from './fixture-compare.js';
import { compareValues } from './value-compare.js';
import { RATING_PAIRS } from './rating-pairs.js';
import { TRUNK_CALLER as caller } from './office-pairs.js';
import { PRESETS } from '../../server/presets.js';

const val = (e: Ev, k: string): string => e.find(([kk]) => kk === k)?.[1] ?? '';
const bootNoise = (e: Ev): boolean => nameOf(e) === 'DeviceStateChange' && val(e, 'Device').startsWith('Queue:');
const GOLDEN = path.resolve(RECORDED_DIR, '../../golden');
const base = { type: 'inbound', ...caller, did: '5551017', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 3000 } as const;

describe('rating IVR ↔ Asterisk 22.10.1 recordings, event by event', () => {
  for (const [name, spec] of RATING_PAIRS) {
    test(`inbound rating ${'rating' in spec ? spec.rating : ''} ↔ ${name}.txt`, () => {
      const expected = callEvents(loadFixture(`${name}.txt`, RECORDED_DIR)).filter((e) => !bootNoise(e));
      const generated = generatedEvents(generateCall(spec, fakeIds()));
      const seq = compareSequences(expected, generated);
      assert.equal(seq, undefined, seq);
      const ids = compareIdStructure(expected, generated);
      assert.equal(ids, undefined, ids);
      const values = compareValues(expected, generated);
      assert.equal(values, undefined, values);
      assert.equal(generated.length, expected.length);
    });
  }
});

/** The generated events as the bytes an AMI client reads (banner first, as in a transcript). */
function amiStream(events: readonly TimedEvent[]): Buffer {
  return Buffer.from(`Asterisk Call Manager/11.0.0\r\n${events.map((e) => formatMessage(e.fields)).join('')}`, 'utf8');
}

function stages(data: Buffer): Array<Record<string, unknown>> {
  const config = trackerConfigFrom(JSON.parse(readFileSync(path.join(GOLDEN, 'lab22.portal.json'), 'utf8')), undefined);
  const out: string[] = [];
  const err: string[] = [];
  replayBuffer(data, config, { write: (s) => out.push(s), err: { write: (s) => err.push(s) } });
  assert.deepEqual(err.join('').split('\n').filter(Boolean), []);
  return out.join('').split('\n').filter(Boolean).map((l) => {
    const { call: _call, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
}

describe('rating IVR: the tracker on generated calls = on the recordings', () => {
  for (const [name, spec] of RATING_PAIRS) {
    test(`${name}: stage lines of test/golden/${name}.jsonl`, () => {
      const golden = readFileSync(path.join(GOLDEN, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => {
        const { call: _call, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return rest;
      });
      assert.deepEqual(stages(readFileSync(path.join(RECORDED_DIR, `${name}.txt`))), golden);
      assert.deepEqual(stages(amiStream(generateCall(spec, fakeIds(1795500000, 7, 0x40)))), golden);
    });
  }

  test('other digits: 1–5 is a vote, 0 and 6–9 are not', () => {
    const ended = (rating: string): Record<string, unknown> | undefined => stages(amiStream(generateCall({ ...base, rating } as CallSpec, fakeIds())))
      .find((l) => l.stage === 'call_ended');
    assert.equal(ended('1')?.vote, 1);
    assert.equal(ended('5')?.vote, 5);
    assert.equal(ended('0')?.vote, undefined);
    assert.equal(ended('9')?.vote, undefined);
  });
});

describe('rating IVR: what the recordings show', () => {
  const gen = (spec: CallSpec): Ev[] => generatedEvents(generateCall(spec, fakeIds(1795400000, 1, 1)));

  test('B24_VOTE on the caller\'s channel, after the phone\'s Hangup and before the caller\'s', () => {
    const evs = gen({ ...base, rating: '3' });
    const vote = evs.findIndex((e) => nameOf(e) === 'VarSet' && val(e, 'Variable') === 'B24_VOTE');
    assert.ok(vote > 0);
    assert.equal(val(evs[vote]!, 'Value'), '3');
    assert.equal(val(evs[vote]!, 'Uniqueid'), val(evs[vote]!, 'Linkedid'));
    assert.match(val(evs[vote]!, 'Channel'), /^PJSIP\/trunk-/);
    const hangups = evs.map((e, i) => [e, i] as const).filter(([e]) => nameOf(e) === 'Hangup');
    assert.deepEqual(hangups.map(([e]) => val(e, 'Channel').split('-')[0]), ['PJSIP/101', 'PJSIP/trunk']);
    assert.ok(hangups[0]![1] < vote && vote < hangups[1]![1]);
    const dtmf = evs.filter((e) => nameOf(e).startsWith('DTMF')).map((e) => `${nameOf(e)}:${val(e, 'Digit')}:${val(e, 'Direction')}`);
    assert.deepEqual(dtmf, ['DTMFBegin:3:Received', 'DTMFEnd:3:Received']);
  });

  test('none: the caller hangs up in Read, no B24_VOTE and no DTMF', () => {
    const evs = gen({ ...base, rating: 'none' });
    assert.ok(!evs.some((e) => nameOf(e) === 'VarSet' && val(e, 'Variable') === 'B24_VOTE'));
    assert.ok(!evs.some((e) => nameOf(e).startsWith('DTMF')));
    const status = evs.filter((e) => nameOf(e) === 'VarSet' && val(e, 'Variable') === 'READSTATUS').map((e) => val(e, 'Value'));
    assert.deepEqual(status, ['ERROR', 'HANGUP']);
  });

  test('timings: the key press comes rateMs after the phone hangs up', () => {
    const evs = generateCall({ ...base, rating: '4', rateMs: 2500 }, fakeIds());
    const at = (pred: (e: Ev) => boolean): number => evs.find((e) => pred(e.fields))!.atMs;
    const phoneGone = at((e) => nameOf(e) === 'Hangup' && val(e, 'Channel').startsWith('PJSIP/101'));
    assert.equal(at((e) => nameOf(e) === 'DTMFBegin') - phoneGone, 2500);
    assert.equal(at((e) => nameOf(e) === 'DTMFEnd') - phoneGone, 2600);
  });

  for (const [, spec] of RATING_PAIRS) {
    test(`deterministic, well-formed: ${JSON.stringify(spec)}`, () => {
      const evs = generateCall(spec, fakeIds());
      for (const e of evs) formatMessage(e.fields);
      assert.deepEqual(generateCall(spec, fakeIds()), evs);
    });
  }
});

describe('rating spec validation', () => {
  const bad = (spec: unknown, field: string): void => {
    assert.throws(() => generateCall(spec as CallSpec, fakeIds()), (e: unknown) => e instanceof ConnectorError && e.code === 'SIM_SPEC_INVALID' && (e.details as { field?: string } | undefined)?.field === field);
  };
  test('bad rating specs name the field', () => {
    bad({ ...base, rating: '12' }, 'rating');
    bad({ ...base, rating: 4 }, 'rating');
    bad({ ...base, rating: '#' }, 'rating');
    bad({ ...base, outcome: 'noanswer', rating: '4' }, 'outcome');
    bad({ ...base, rating: '4', hangupBy: 'caller' }, 'hangupBy');
    bad({ ...base, rating: '4', record: true }, 'record');
    bad({ ...base, rating: '4', rateMs: -1 }, 'rateMs');
    bad({ ...base, rateMs: 1000 }, 'rateMs');
    bad({ type: 'internal', from: '101', to: '102', outcome: 'answered', rating: '4' }, 'rating');
  });
  test('hangupBy callee is the default and may be given', () => {
    assert.deepEqual(generateCall({ ...base, rating: '4' }, fakeIds()), generateCall({ ...base, rating: '4', hangupBy: 'callee' }, fakeIds()));
  });
});

test('rating presets: valid specs, their recordings there', () => {
  for (const name of ['rating', 'rating-none']) {
    const preset = PRESETS[name];
    assert.ok(preset, name);
    validateCallSpec(preset.spec);
    assert.ok(existsSync(preset.transcript), preset.transcript);
  }
});
