/**
 * The office-feature flows (ring group, directed/group pickup, park + retrieve) against our own
 * Asterisk 22.10.1 recordings (`test/fixtures/ami-recorded/lab22-k/l/m/n`, see SCENARIOS.md there),
 * event by event: same event names in the same order, same keys in the same order, same id structure
 * (Uniqueid/Linkedid families, channel names, bridges map one-to-one), and then the same values once
 * ids are renumbered (states, contexts, extensions, caller ids, Dial statuses, causes, variables,
 * bridge types, devices, parking data; timings, RTP statistics and chan_pjsip call ids excepted —
 * see value-compare.ts). RTCP reports are left out on both sides as in fidelity.test.ts.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateCall } from '../generate.js';
import type { CallSpec } from '../spec.js';
import type { TimedEvent } from '../types.js';
import { ConnectorError } from '../../../../src/errors.js';
import { formatMessage } from '../../../../src/adapters/ami/framing.js';
import {
  callEvents, compareIdStructure, compareSequences, fakeIds, generatedEvents, loadFixture, nameOf, RECORDED_DIR, type Ev,
} from './fixture-compare.js';
import { compareValues } from './value-compare.js';
import { OFFICE_PAIRS, TRUNK_CALLER as caller } from './office-pairs.js';
import { existsSync } from 'node:fs';
import { PRESETS } from '../../server/presets.js';
import { validateCallSpec } from '../spec.js';

const val = (e: Ev, k: string): string => e.find(([kk]) => kk === k)?.[1] ?? '';

describe('office flows ↔ Asterisk 22.10.1 recordings, event by event', () => {
  for (const [name, spec] of OFFICE_PAIRS) {
    test(`${spec.type}${'mode' in spec ? `/${spec.mode}` : ''} ↔ ${name}.txt`, () => {
      const expected = callEvents(loadFixture(`${name}.txt`, RECORDED_DIR));
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

  test('the value comparison catches a changed value, and renumbers ids inside values', () => {
    const [name, spec] = OFFICE_PAIRS[3]!;
    const expected = callEvents(loadFixture(`${name}.txt`, RECORDED_DIR));
    const generated = generatedEvents(generateCall({ ...spec, parkingSpace: '702' } as CallSpec, fakeIds()));
    assert.match(compareValues(expected, generated) ?? '', /ParkedCall ParkingSpace: recording "701".*generated "702"/);
    const ok = generatedEvents(generateCall(spec, fakeIds()));
    const broken = ok.map((e) => (val(e, 'Variable') === 'BRIDGEPEER' && val(e, 'Value') !== '' ? e.map(([k, v]) => [k, k === 'Value' ? 'PJSIP/103-00000099' : v] as const) : e));
    assert.match(compareValues(expected, broken) ?? '', /VarSet BRIDGEPEER Value/);
    const cause = ok.map((e) => (nameOf(e) === 'Hangup' ? e.map(([k, v]) => [k, k === 'Cause' ? '17' : v] as const) : e));
    assert.match(compareValues(expected, cause) ?? '', /Hangup Cause/);
  });
});

describe('office flows: what the recordings show, by role', () => {
  const gen = (spec: CallSpec): Ev[] => generatedEvents(generateCall(spec, fakeIds(1795400000, 1, 1)));

  test('ring group: all legs dialled before any rings; one DialEnd CANCEL per loser before the ANSWER; loser cause 26', () => {
    const evs = gen({ type: 'ring-group', ...caller, did: '5551011', members: ['101', '102', '103'], answeredBy: '101', outcome: 'answered' });
    const dial = evs.filter((e) => nameOf(e).startsWith('Dial') && nameOf(e) !== 'DialState').map((e) => `${nameOf(e)}:${val(e, 'DestCallerIDNum')}:${val(e, 'DialStatus') || val(e, 'DialString')}`);
    assert.deepEqual(dial, ['DialBegin:101:101', 'DialBegin:102:102', 'DialBegin:103:103', 'DialEnd:102:CANCEL', 'DialEnd:103:CANCEL', 'DialEnd:101:ANSWER']);
    const firstRinging = evs.findIndex((e) => nameOf(e) === 'Newstate' && val(e, 'ChannelStateDesc') === 'Ringing');
    const lastBegin = evs.map(nameOf).lastIndexOf('DialBegin');
    assert.ok(lastBegin < firstRinging);
    const hangups = evs.filter((e) => nameOf(e) === 'Hangup').map((e) => `${val(e, 'CallerIDNum')}:${val(e, 'Cause')}`);
    assert.deepEqual(hangups, ['102:26', '103:26', '101:16', '+4930123456:16']);
    assert.equal(new Set(evs.filter((e) => val(e, 'Linkedid')).map((e) => val(e, 'Linkedid'))).size, 1);
    assert.equal(val(evs.find((e) => nameOf(e) === 'Newexten' && val(e, 'Application') === 'Dial')!, 'AppData'), 'PJSIP/101&PJSIP/102&PJSIP/103,20');
  });

  for (const mode of ['directed', 'group'] as const) {
    test(`pickup (${mode}): the picker keeps its name/Uniqueid, DialEnd names it with its own Linkedid, then it takes the caller's`, () => {
      const evs = gen({ type: 'pickup', ...caller, did: '5551010', to: '101', pickedBy: '103', mode });
      const picker = evs.find((e) => nameOf(e) === 'Newchannel' && val(e, 'CallerIDNum') === '103')!;
      assert.equal(val(picker, 'Exten'), mode === 'directed' ? '**101' : '*8');
      assert.equal(val(picker, 'Linkedid'), val(picker, 'Uniqueid'));
      const pickup = evs.find((e) => nameOf(e) === 'Pickup')!;
      assert.equal(val(pickup, 'Channel'), val(picker, 'Channel'));
      assert.match(val(pickup, 'TargetChannel'), /^PJSIP\/101-/);
      const end = evs.find((e) => nameOf(e) === 'DialEnd')!;
      assert.equal(val(end, 'DestChannel'), val(picker, 'Channel'));
      assert.equal(val(end, 'DestLinkedid'), val(picker, 'Uniqueid'));
      assert.equal(val(end, 'DialStatus'), 'ANSWER');
      assert.equal(evs.filter((e) => nameOf(e) === 'DialBegin').length, 1);
      const rungHangup = evs.find((e) => nameOf(e) === 'Hangup' && val(e, 'Channel') === val(pickup, 'TargetChannel'))!;
      assert.equal(val(rungHangup, 'Cause'), mode === 'directed' ? '26' : '16');
      const last = evs.filter((e) => val(e, 'Channel') === val(picker, 'Channel')).pop()!;
      assert.equal(val(last, 'Linkedid'), '1795400000.1');
    });
  }

  test('park: BlindTransfer to 700, ParkedCall on 701 in the parking bridge, UnParkedCall, retriever joins with the caller\'s Linkedid', () => {
    const evs = gen({ type: 'park', ...caller, did: '5551006', to: '101', retrievedBy: '103', parkingSpace: '705' });
    const bt = evs.find((e) => nameOf(e) === 'BlindTransfer')!;
    assert.equal(val(bt, 'Extension'), '700');
    assert.equal(val(bt, 'IsExternal'), 'Yes');
    const parked = evs.find((e) => nameOf(e) === 'ParkedCall')!;
    assert.equal(val(parked, 'ParkingSpace'), '705');
    const lotEnter = evs.find((e) => nameOf(e) === 'BridgeEnter' && val(e, 'BridgeType') === 'parking')!;
    assert.equal(val(lotEnter, 'BridgeTechnology'), 'holding_bridge');
    assert.equal(evs.filter((e) => nameOf(e) === 'BridgeCreate' && val(e, 'BridgeUniqueid') === val(lotEnter, 'BridgeUniqueid')).length, 0);
    const unparked = evs.find((e) => nameOf(e) === 'UnParkedCall')!;
    assert.equal(val(unparked, 'RetrieverExten'), '705');
    assert.equal(val(unparked, 'ParkingDuration'), '5');
    const retrieverEnter = evs.find((e) => nameOf(e) === 'BridgeEnter' && val(e, 'CallerIDNum') === '103')!;
    assert.equal(val(retrieverEnter, 'Linkedid'), '1795400000.1');
    assert.notEqual(val(retrieverEnter, 'Uniqueid'), '1795400000.1');
    assert.equal(evs.filter((e) => nameOf(e) === 'DialBegin').length, 1);
  });
});

const get = (e: TimedEvent, k: string): string | undefined => e.fields.find(([kk]) => kk === k)?.[1];

/** Channel lifecycle, bridge member counts and time order; the parking lot's bridge outlives calls. */
function invariants(evs: readonly TimedEvent[]): string[] {
  const bad: string[] = [];
  const born = new Set<string>();
  const dead = new Set<string>();
  const members = new Map<string, number>();
  let last = 0;
  evs.forEach((e, i) => {
    if (e.atMs < last) bad.push(`#${i} time goes back`);
    last = e.atMs;
    const n = get(e, 'Event') ?? '';
    const uid = get(e, 'Uniqueid');
    if (uid && get(e, 'Channel')) {
      if (n === 'Newchannel') born.add(uid);
      else if (!born.has(uid)) bad.push(`#${i} ${n} before Newchannel of ${uid}`);
      if (dead.has(uid)) bad.push(`#${i} ${n} after Hangup of ${uid}`);
      if (n === 'Hangup') dead.add(uid);
    }
    const br = get(e, 'BridgeUniqueid');
    if (br && n !== 'BlindTransfer') {
      const parking = get(e, 'BridgeType') === 'parking';
      if (n === 'BridgeCreate') members.set(br, 0);
      if (n === 'BridgeEnter' || n === 'BridgeLeave') {
        const next = (members.get(br) ?? (parking ? 0 : NaN)) + (n === 'BridgeEnter' ? 1 : -1);
        if (next !== Number(get(e, 'BridgeNumChannels'))) bad.push(`#${i} ${n} count mismatch`);
        if (parking && next === 0) members.delete(br);
        else members.set(br, next);
      }
      if (n === 'BridgeDestroy') {
        if (members.get(br) !== 0) bad.push(`#${i} destroy of non-empty bridge`);
        members.delete(br);
      }
    }
  });
  for (const uid of born) if (!dead.has(uid)) bad.push(`channel ${uid} never hung up`);
  if (members.size > 0) bad.push(`bridges left: ${[...members.keys()].join(',')}`);
  return bad;
}

const ext = { from: '+4930123456', did: '5551000' } as const;
const VARIANTS: readonly CallSpec[] = [
  ...OFFICE_PAIRS.map(([, s]) => s),
  { type: 'ring-group', ...ext, members: ['101', '102'], outcome: 'answered', hangupBy: 'callee' },
  { type: 'ring-group', ...ext, members: ['103', '101', '102'], answeredBy: '103', outcome: 'answered' },
  { type: 'pickup', ...ext, to: '101', pickedBy: '102', mode: 'directed', hangupBy: 'caller' },
  { type: 'pickup', ...ext, to: '102', pickedBy: '103', mode: 'group', hangupBy: 'caller', ringMs: 1000, talkMs: 20000 },
  { type: 'park', ...ext, to: '101', retrievedBy: '102', hangupBy: 'caller' },
  { type: 'park', ...ext, to: '102', retrievedBy: '101', parkExten: '800', parkingSpace: '801', parkedMs: 30000 },
];

describe('office flows keep the invariants of a real Asterisk', () => {
  for (const spec of VARIANTS) {
    test(JSON.stringify(spec), () => {
      const evs = generateCall(spec, fakeIds());
      assert.deepEqual(invariants(evs), []);
      for (const e of evs) formatMessage(e.fields);
      assert.deepEqual(generateCall(spec, fakeIds()), evs, 'deterministic');
    });
  }
});

describe('office spec validation', () => {
  const bad = (spec: unknown, field: string): void => {
    assert.throws(() => generateCall(spec as CallSpec, fakeIds()), (e: unknown) => e instanceof ConnectorError && e.code === 'SIM_SPEC_INVALID' && (e.details as { field?: string } | undefined)?.field === field);
  };
  test('bad office specs name the field', () => {
    bad({ type: 'ring-group', ...ext, members: ['101'], outcome: 'answered' }, 'members');
    bad({ type: 'ring-group', ...ext, members: ['101', '101'], outcome: 'answered' }, 'members');
    bad({ type: 'ring-group', ...ext, members: ['101', '102'], answeredBy: '103', outcome: 'answered' }, 'answeredBy');
    bad({ type: 'ring-group', ...ext, members: ['101', '102'], outcome: 'noanswer' }, 'outcome');
    bad({ type: 'pickup', ...ext, to: '101', pickedBy: '101', mode: 'directed' }, 'pickedBy');
    bad({ type: 'pickup', ...ext, to: '101', pickedBy: '102', mode: 'magic' }, 'mode');
    bad({ type: 'park', ...ext, to: '101' }, 'retrievedBy');
    bad({ type: 'park', ...ext, to: '101', retrievedBy: '102', parkingSpace: 'x1' }, 'parkingSpace');
    bad({ type: 'park', ...ext, to: '101', retrievedBy: '102', parkedMs: -1 }, 'parkedMs');
  });
});

test('presets ring-group, pickup, group-pickup, park: valid specs, recordings there when no generator', () => {
  for (const name of ['ring-group', 'pickup', 'group-pickup', 'park']) {
    const preset = PRESETS[name];
    assert.ok(preset, name);
    validateCallSpec(preset.spec);
    assert.ok(existsSync(preset.transcript), preset.transcript);
  }
});
