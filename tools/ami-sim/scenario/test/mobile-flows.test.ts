/**
 * The FMC flows (`ring-with-mobile`, `forward-to-mobile`) against our Asterisk 22.10.1 recordings
 * `test/fixtures/ami-recorded/lab22-t…x`, event by event and value by value as office-flows.test.ts
 * does. One thing is left out of the recordings: the `DeviceStateChange` of `Queue:<name>_avail`
 * devices in lab22-t — app_queue raises them on the first member state change after Asterisk starts
 * (t was the first call of its Asterisk process, like lab22-r), not because of the call.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateCall } from '../generate.js';
import type { CallSpec } from '../spec.js';
import { ConnectorError } from '../../../../src/errors.js';
import { formatMessage } from '../../../../src/adapters/ami/framing.js';
import {
  callEvents, compareIdStructure, compareSequences, fakeIds, generatedEvents, loadFixture, nameOf, RECORDED_DIR, type Ev,
} from './fixture-compare.js';
import { compareValues } from './value-compare.js';
import { MOBILE_PAIRS } from './mobile-pairs.js';
import { TRUNK_CALLER as caller } from './office-pairs.js';
import { existsSync } from 'node:fs';
import { PRESETS } from '../../server/presets.js';
import { validateCallSpec } from '../spec.js';

const val = (e: Ev, k: string): string => e.find(([kk]) => kk === k)?.[1] ?? '';
const bootNoise = (e: Ev): boolean => nameOf(e) === 'DeviceStateChange' && val(e, 'Device').startsWith('Queue:');

describe('FMC flows ↔ Asterisk 22.10.1 recordings, event by event', () => {
  for (const [name, spec] of MOBILE_PAIRS) {
    test(`${spec.type} ↔ ${name}.txt`, () => {
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

describe('FMC flows: what the recordings show about the mobile leg', () => {
  const gen = (spec: CallSpec): Ev[] => generatedEvents(generateCall(spec, fakeIds(1795400000, 1, 1)));
  const ext = { ...caller, did: '5551014', to: '101', mobile: '79161234567' } as const;

  test('direct: the mobile leg is PJSIP/trunk-…, its caller id is the DID, the number only in DialString', () => {
    const evs = gen({ type: 'ring-with-mobile', ...ext, answeredBy: 'mobile' });
    const begin = evs.find((e) => nameOf(e) === 'DialBegin' && val(e, 'DialString') === '79161234567@trunk')!;
    assert.match(val(begin, 'DestChannel'), /^PJSIP\/trunk-/);
    assert.equal(val(begin, 'DestCallerIDNum'), '5551014');
    const ends = evs.filter((e) => nameOf(e) === 'DialEnd').map((e) => `${val(e, 'DestChannel').split('-')[0]}:${val(e, 'DialStatus')}`);
    assert.deepEqual(ends, ['PJSIP/101:CANCEL', 'PJSIP/trunk:ANSWER']);
  });

  test('desk answers: the mobile leg is cancelled with cause 26', () => {
    const evs = gen({ type: 'ring-with-mobile', ...ext, answeredBy: 'desk' });
    const hangups = evs.filter((e) => nameOf(e) === 'Hangup').map((e) => `${val(e, 'Channel').split('-')[0]}:${val(e, 'Cause')}`);
    assert.deepEqual(hangups, ['PJSIP/trunk:26', 'PJSIP/trunk:16', 'PJSIP/101:16']);
  });

  test('forward busy: 486 travels back to the caller as cause 17 / TechCause 486', () => {
    const evs = gen({ type: 'forward-to-mobile', ...ext, did: '5551016', outcome: 'busy' });
    const last = evs.filter((e) => nameOf(e) === 'Hangup').pop()!;
    assert.equal(val(last, 'Cause'), '17');
    assert.equal(val(last, 'TechCause'), '486');
    assert.ok(evs.some((e) => nameOf(e) === 'LocalBridge'));
  });

  for (const [, spec] of MOBILE_PAIRS) {
    test(`deterministic, well-formed: ${JSON.stringify(spec)}`, () => {
      const evs = generateCall(spec, fakeIds());
      for (const e of evs) formatMessage(e.fields);
      assert.deepEqual(generateCall(spec, fakeIds()), evs);
    });
  }
});

describe('FMC spec validation', () => {
  const bad = (spec: unknown, field: string): void => {
    assert.throws(() => generateCall(spec as CallSpec, fakeIds()), (e: unknown) => e instanceof ConnectorError && e.code === 'SIM_SPEC_INVALID' && (e.details as { field?: string } | undefined)?.field === field);
  };
  const base = { ...caller, did: '5551014', to: '101', mobile: '79161234567' };
  test('bad FMC specs name the field', () => {
    bad({ type: 'ring-with-mobile', ...base, answeredBy: 'nobody' }, 'answeredBy');
    bad({ type: 'ring-with-mobile', ...base, viaLocal: true, answeredBy: 'desk' }, 'answeredBy');
    bad({ type: 'ring-with-mobile', ...base, mobile: '+7916', answeredBy: 'mobile' }, 'mobile');
    bad({ type: 'ring-with-mobile', ...base, answeredBy: 'mobile', hangupBy: 'callee' }, 'hangupBy');
    bad({ type: 'forward-to-mobile', ...base, outcome: 'noanswer' }, 'outcome');
    bad({ type: 'forward-to-mobile', ...base, outcome: 'answered', hangupBy: 'caller' }, 'hangupBy');
  });
});

test('FMC presets: valid specs, their recordings there', () => {
  for (const name of ['ring-with-mobile', 'ring-with-mobile-desk', 'followme-mobile', 'forward-to-mobile', 'forward-to-mobile-busy']) {
    const preset = PRESETS[name];
    assert.ok(preset, name);
    validateCallSpec(preset.spec);
    assert.ok(existsSync(preset.transcript), preset.transcript);
  }
});
