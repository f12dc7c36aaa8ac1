/**
 * Behaviour of generateCall / generateOriginate beyond the fixture pairs: invariants every
 * generated call must keep (channel lifecycle, bridges, time order), determinism, ids, the
 * OriginateResponse contract, spec validation.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { generateCall, generateOriginate } from '../generate.js';
import type { CallSpec, OriginateRequest } from '../spec.js';
import type { TimedEvent } from '../types.js';
import { ConnectorError } from '../../../../src/errors.js';
import { formatMessage } from '../../../../src/adapters/ami/framing.js';
import { fakeIds } from './fixture-compare.js';

const ext = { from: '+4930123456', did: '5551000', trunk: 'trunk' } as const;

const MATRIX: readonly CallSpec[] = [
  { type: 'inbound', ...ext, to: '101', outcome: 'answered' },
  { type: 'inbound', ...ext, to: '101', outcome: 'answered', hangupBy: 'callee' },
  { type: 'inbound', ...ext, to: '101', outcome: 'noanswer', record: true },
  { type: 'inbound', ...ext, to: '101', outcome: 'busy', record: true },
  { type: 'inbound', ...ext, to: '103', outcome: 'cancel' },
  { type: 'internal', from: '101', to: '102', outcome: 'answered' },
  { type: 'internal', from: '101', to: '102', outcome: 'noanswer' },
  { type: 'outbound', from: '101', to: '0049301234', outcome: 'answered', hangupBy: 'callee' },
  { type: 'outbound', from: '101', to: '0049301234', outcome: 'busy' },
  { type: 'outbound', from: '101', to: '0049301234', outcome: 'noanswer' },
  { type: 'outbound', from: '101', to: '0049301234', outcome: 'cancel' },
  { type: 'queue', ...ext, strategy: 'ringall', members: ['101', '102', '103'], answeredBy: '101', outcome: 'answered' },
  { type: 'queue', ...ext, strategy: 'ringall', members: ['102'], outcome: 'answered' },
  { type: 'queue', ...ext, strategy: 'linear', members: ['101', '102', '103'], outcome: 'answered' },
  { type: 'queue', ...ext, strategy: 'linear', members: ['Local/101@from-queue/n', '102'], outcome: 'abandon' },
  { type: 'ivr-abandon', ...ext },
  { type: 'blind-transfer', ...ext, to: '101', transferTo: '103', targetRingMs: 1500 },
  { type: 'attended-transfer', ...ext, to: '101', transferTo: '102' },
  { type: 'attended-transfer', ...ext, to: '101', transferTo: '102', hangupBy: 'callee' },
  { type: 'followme', ...ext, viaLocal: true, to: '101', outcome: 'answered' },
  { type: 'followme', ...ext, viaLocal: true, to: '101', outcome: 'noanswer' },
  { type: 'queue', ...ext, strategy: 'ringall', members: ['101', '102'], outcome: 'answered', record: true },
  { type: 'outbound', from: '101', to: '0049301234', outcome: 'answered', record: true },
  { type: 'internal', from: '101', to: '102', outcome: 'answered', record: true },
];

const orig = { context: 'from-internal', exten: '0049301234', callerId: '"CRM" <0049301234>', actionId: 'a-1' } as const;
const ORIGINATES: readonly OriginateRequest[] = [
  { ...orig, channel: 'PJSIP/101', phone: { kind: 'answer', afterMs: 1000, talkMs: 3000 }, farEnd: { kind: 'answer', afterMs: 1000, talkMs: 9000 } },
  { ...orig, channel: 'PJSIP/101', phone: { kind: 'answer', afterMs: 1000, talkMs: 9000 }, farEnd: { kind: 'busy' } },
  { ...orig, channel: 'PJSIP/101', phone: { kind: 'answer', afterMs: 1000, talkMs: 9000 }, farEnd: { kind: 'noanswer' } },
  { ...orig, channel: 'PJSIP/101', exten: '102', phone: { kind: 'answer', afterMs: 1000, talkMs: 9000 } },
  { ...orig, channel: 'PJSIP/101', phone: { kind: 'reject' } },
  { ...orig, channel: 'Local/101@from-internal', phone: { kind: 'noanswer' }, timeoutMs: 5000 },
  { ...orig, channel: 'Local/101@from-internal', phone: { kind: 'busy' } },
  { ...orig, channel: 'Local/101@from-internal', phone: { kind: 'answer', afterMs: 1000, talkMs: 2000 } },
];

const get = (e: TimedEvent, k: string): string | undefined => e.fields.find(([kk]) => kk === k)?.[1];
const nameOf = (e: TimedEvent): string => e.fields[0]?.[1] ?? '';

/** Invariants of any real call: returns a list of violations. */
function invariants(evs: readonly TimedEvent[]): string[] {
  const bad: string[] = [];
  const born = new Set<string>();
  const dead = new Set<string>();
  const members = new Map<string, number>();
  let last = 0;
  evs.forEach((e, i) => {
    if (e.atMs < last) bad.push(`#${i} time goes back`);
    last = e.atMs;
    if (e.fields[0]?.[0] !== 'Event' || e.fields[1]?.[0] !== 'Privilege') bad.push(`#${i} does not start with Event/Privilege`);
    const n = nameOf(e);
    const uid = get(e, 'Uniqueid');
    if (uid && get(e, 'Channel') && n !== 'OriginateResponse') {
      if (n === 'Newchannel') born.add(uid);
      else if (!born.has(uid)) bad.push(`#${i} ${n} before Newchannel of ${uid}`);
      if (dead.has(uid)) bad.push(`#${i} ${n} after Hangup of ${uid}`);
      if (n === 'Hangup') dead.add(uid);
    }
    const br = get(e, 'BridgeUniqueid');
    if (br && n !== 'BlindTransfer') {
      const count = Number(get(e, 'BridgeNumChannels'));
      if (n === 'BridgeCreate') members.set(br, 0);
      if (n === 'BridgeEnter' || n === 'BridgeLeave') {
        const next = (members.get(br) ?? NaN) + (n === 'BridgeEnter' ? 1 : -1);
        if (next !== count) bad.push(`#${i} ${n} count ${count} expected ${next}`);
        members.set(br, next);
      }
      if (n === 'BridgeDestroy') {
        if (members.get(br) !== 0) bad.push(`#${i} destroy of non-empty bridge`);
        members.delete(br);
      }
    }
  });
  for (const uid of born) if (!dead.has(uid)) bad.push(`channel ${uid} never hung up`);
  if (members.size > 0) bad.push(`bridges not destroyed: ${[...members.keys()].join(',')}`);
  return bad;
}

describe('generated calls keep the invariants of a real Asterisk', () => {
  for (const spec of MATRIX) {
    test(`${JSON.stringify(spec)}`, () => {
      const evs = generateCall(spec, fakeIds());
      assert.deepEqual(invariants(evs), []);
      assert.ok(evs.length > 5);
      for (const e of evs) formatMessage(e.fields); // throws on a CR/LF or a colon in a key
      if ('record' in spec && spec.record) {
        assert.equal(evs.filter((e) => nameOf(e) === 'MixMonitorStart').length, 1);
        assert.match(evs.find((e) => get(e, 'Variable') === 'MIXMONITOR_FILENAME')?.fields.at(-1)?.[1] ?? '', /^\/var\/spool\/asterisk\/monitor\/(in|out)-.*\.wav$/);
      }
    });
  }
  for (const req of ORIGINATES) {
    test(`originate ${req.channel} ${req.phone.kind} ${req.exten}`, () => {
      const evs = generateOriginate(req, fakeIds());
      assert.deepEqual(invariants(evs), []);
      const resp = evs.filter((e) => nameOf(e) === 'OriginateResponse');
      assert.equal(resp.length, 1);
      assert.equal(get(resp[0]!, 'ActionID'), 'a-1');
      assert.equal(get(resp[0]!, 'Response'), req.phone.kind === 'answer' ? 'Success' : 'Failure');
    });
  }
});

describe('ids and determinism', () => {
  test('same SimIds sequence → identical output', () => {
    const spec = MATRIX[0]!;
    assert.deepEqual(generateCall(spec, fakeIds()), generateCall(spec, fakeIds()));
  });

  test('Uniqueid/Linkedid/channel names come from SimIds', () => {
    const evs = generateCall({ type: 'inbound', ...ext, to: '101', outcome: 'answered' }, fakeIds(1700000000, 10, 0x1a));
    const first = evs[0]!;
    assert.equal(get(first, 'Channel'), 'PJSIP/trunk-0000001a');
    assert.equal(get(first, 'Uniqueid'), '1700000000.10');
    assert.equal(get(first, 'Linkedid'), '1700000000.10');
    const callee = evs.find((e) => nameOf(e) === 'Newchannel' && get(e, 'Channel')?.startsWith('PJSIP/101-'))!;
    assert.equal(get(callee, 'Channel'), 'PJSIP/101-0000001b');
    assert.equal(get(callee, 'Uniqueid'), '1700000000.11');
    assert.equal(get(callee, 'Linkedid'), '1700000000.10');
  });

  test('times follow the spec: ring, talk, Cdr times from nowEpoch', () => {
    const evs = generateCall({ type: 'inbound', ...ext, to: '101', outcome: 'answered', ringMs: 3000, talkMs: 5000 }, fakeIds(1795322993));
    const answered = evs.find((e) => nameOf(e) === 'DialEnd')!;
    assert.equal(answered.atMs, 3002);
    const hangupReq = evs.find((e) => nameOf(e) === 'HangupRequest')!;
    assert.equal(hangupReq.atMs, 8002);
    const c = evs.find((e) => nameOf(e) === 'Cdr')!;
    assert.equal(get(c, 'StartTime'), '2026-11-22 04:49:53');
    assert.equal(get(c, 'AnswerTime'), '2026-11-22 04:49:56');
    assert.equal(get(c, 'BillableSeconds'), '5');
    assert.equal(get(c, 'Disposition'), 'ANSWERED');
    // one report per PJSIP leg per 5 s of media
    assert.deepEqual(evs.filter((e) => nameOf(e) === 'RTCPSent').map((e) => [get(e, 'Channel'), e.atMs]), [['PJSIP/trunk-00000036', 8002], ['PJSIP/101-00000037', 8002]]);
    assert.equal(generateCall({ type: 'inbound', ...ext, to: '101', outcome: 'answered' }, fakeIds(), { rtcp: false }).filter((e) => nameOf(e) === 'RTCPSent').length, 0);
  });

  test('bridge technology: native_rtp after two plain PJSIP legs meet, simple_bridge with MixMonitor or queue hooks', () => {
    const tech = (spec: CallSpec): string[] => generateCall(spec, fakeIds()).filter((e) => nameOf(e).startsWith('Bridge')).map((e) => `${nameOf(e)}:${get(e, 'BridgeTechnology')}`);
    assert.deepEqual(tech({ type: 'inbound', ...ext, to: '101', outcome: 'answered' }), [
      'BridgeCreate:simple_bridge', 'BridgeEnter:simple_bridge', 'BridgeEnter:simple_bridge', 'BridgeLeave:native_rtp',
      'BridgeLeave:native_rtp', 'BridgeDestroy:native_rtp',
    ]);
    assert.ok(tech({ type: 'inbound', ...ext, to: '101', outcome: 'answered', record: true }).every((t) => t.endsWith(':simple_bridge')));
    assert.ok(tech({ type: 'queue', ...ext, strategy: 'ringall', members: ['101'], outcome: 'answered' }).every((t) => t.endsWith(':simple_bridge')));
  });

  test('MixMonitor file name is in VarSet MIXMONITOR_FILENAME', () => {
    const evs = generateCall({ type: 'inbound', ...ext, did: '5551004', to: '101', outcome: 'answered', record: true }, fakeIds(1795322861, 50));
    const v = evs.find((e) => get(e, 'Variable') === 'MIXMONITOR_FILENAME')!;
    assert.equal(get(v, 'Value'), '/var/spool/asterisk/monitor/in-+4930123456-5551004-20261122-044741-1795322861.50.wav');
    assert.ok(evs.some((e) => nameOf(e) === 'MixMonitorStart'));
  });

  test('originate failure names the requested channel and <unknown> Uniqueid', () => {
    const evs = generateOriginate({ ...orig, channel: 'PJSIP/101', phone: { kind: 'noanswer' }, timeoutMs: 6000 }, fakeIds());
    const r = evs.find((e) => nameOf(e) === 'OriginateResponse')!;
    assert.equal(nameOf(evs[evs.indexOf(r) + 1]!), 'Hangup');
    assert.equal(get(r, 'Channel'), 'PJSIP/101');
    assert.equal(get(r, 'Uniqueid'), '<unknown>');
    assert.equal(get(r, 'Reason'), '3');
    assert.equal(r.atMs, 6002);
  });
});

describe('validation', () => {
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['type', { type: 'fax' }],
    ['outcome', { type: 'inbound', ...ext, to: '101', outcome: 'maybe' }],
    ['from', { type: 'inbound', from: 'x y', did: '1', to: '101', outcome: 'busy' }],
    ['talkMs', { type: 'inbound', ...ext, to: '101', outcome: 'busy', talkMs: -1 }],
    ['members', { type: 'queue', ...ext, strategy: 'ringall', members: [], outcome: 'answered' }],
    ['answeredBy', { type: 'queue', ...ext, strategy: 'ringall', members: ['101'], answeredBy: '102', outcome: 'answered' }],
    ['viaLocal', { type: 'followme', ...ext, to: '101', outcome: 'answered' }],
  ];
  for (const [field, spec] of cases) {
    test(`bad ${field} → SIM_SPEC_INVALID`, () => {
      assert.throws(() => generateCall(spec as CallSpec, fakeIds()), (e: unknown) => e instanceof ConnectorError && e.code === 'SIM_SPEC_INVALID' && e.details?.field === field);
    });
  }
  test('bad originate channel → SIM_SPEC_INVALID', () => {
    assert.throws(() => generateOriginate({ ...orig, channel: 'SIP/101', phone: { kind: 'busy' } }, fakeIds()), (e: unknown) => e instanceof ConnectorError && e.code === 'SIM_SPEC_INVALID');
  });
});
