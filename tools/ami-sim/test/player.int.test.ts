import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmiMessage } from '../../../src/adapters/ami/message.js';
import { field } from '../../../src/adapters/ami/message.js';
import { parseTranscript } from '../player/transcript.js';
import { Renumberer } from '../player/renumber.js';
import { createSimIds } from '../server/ids.js';
import { startAmiSim, type AmiSim } from '../server/sim.js';
import { fixturesDir, login, rawClient } from './raw-client.js';

const FIXTURE = join(fixturesDir(), 'lab22-a_inbound_answered.txt');

/** Event name + field keys: the shape that must survive renumbering. */
const shape = (fields: ReadonlyArray<readonly [string, string]>): string => fields.map(([k]) => k).join('|');

describe('transcript player', () => {
  test('parses a lab transcript: call events only, fixed gaps when untimed', () => {
    const t = parseTranscript(readFileSync(FIXTURE, 'utf8'));
    assert.equal(t.banner, 'Asterisk Call Manager/11.0.0');
    assert.match(t.header[0] ?? '', /^source: lab recording/);
    const names = t.events.map((e) => e.fields[0]?.[1]);
    assert.equal(names[0], 'Newchannel');
    assert.ok(!names.includes('FullyBooted'));
    assert.ok(!names.includes('SuccessfulAuth'));
    assert.equal(names.filter((n) => n === 'Hangup').length, 2);
    assert.deepEqual(t.events.slice(0, 3).map((e) => e.atMs), [0, 20, 40]);
  });

  test('uses Timestamp when present and drops replies to the recorder\'s actions', () => {
    const text = [
      '# scenario: test', 'Asterisk Call Manager/11.0.0',
      '> Action: Login', '> ', 'Response: Success', 'Message: Authentication accepted', '',
      'Event: Newchannel', 'Privilege: call,all', 'Timestamp: 1700000000.000000', 'Uniqueid: 1700000000.1', '',
      'Event: CoreShowChannel', 'ActionID: 2', 'Uniqueid: 1700000000.1', '',
      'Event: Status', 'Privilege: Call', 'Uniqueid: 1700000000.1', 'ActionID: 3', '',
      'Event: FullyBooted', 'Privilege: system,all', 'Status: Fully Booted', '',
      'Event: Hangup', 'Privilege: call,all', 'Timestamp: 1700000001.500000', 'Uniqueid: 1700000000.1', '', '',
    ].join('\r\n');
    const t = parseTranscript(text);
    assert.deepEqual(t.events.map((e) => [e.fields[0]?.[1], e.atMs]), [['Newchannel', 0], ['Hangup', 1500]]);
  });

  test('renumbering maps ids consistently, Local halves alike, inside values too', () => {
    const r = new Renumberer(createSimIds({ now: () => 1_800_000_000_000, firstSequence: 500, firstSuffix: 0x100 }));
    const a = r.apply([['Event', 'LocalBridge'], ['LocalOneChannel', 'Local/101@from-queue-0000000c;1'], ['LocalOneUniqueid', '1795322993.66'],
      ['LocalTwoChannel', 'Local/101@from-queue-0000000c;2'], ['LocalTwoUniqueid', '1795322993.67'], ['LocalTwoLinkedid', '1795322993.66']]);
    assert.deepEqual(a.map(([, v]) => v), ['LocalBridge', 'Local/101@from-queue-00000100;1', '1800000000.500',
      'Local/101@from-queue-00000100;2', '1800000000.501', '1800000000.500']);
    const b = r.apply([['Event', 'VarSet'], ['Channel', 'PJSIP/101-00000037'], ['Uniqueid', '1795322993.67'], ['Variable', 'MIXMONITOR_FILENAME'],
      ['Value', '/var/spool/asterisk/monitor/in-1795322993.66.wav'], ['AccountCode', '']]);
    assert.deepEqual(b.map(([, v]) => v), ['VarSet', 'PJSIP/101-00000101', '1800000000.501', 'MIXMONITOR_FILENAME',
      '/var/spool/asterisk/monitor/in-1800000000.500.wav', '']);
  });
});

test('every call fixture renumbers completely: no recorded Uniqueid or channel suffix survives', () => {
  const dir = fixturesDir();
  for (const name of readdirSync(dir).filter((f) => /^(lab22|extcf|ext13)-.*\.txt$/.test(f))) {
    const t = parseTranscript(readFileSync(join(dir, name), 'utf8'));
    const uids = new Set<string>();
    const suffixes = new Set<string>();
    for (const e of t.events) {
      for (const [k, v] of e.fields) {
        if (/(uniqueid|linkedid)$/i.test(k)) uids.add(/(\d+\.\d+)$/.exec(v)?.[1] ?? '-');
        if (/channel$/i.test(k)) suffixes.add(/-([0-9a-f]{8})(;\d)?$/.exec(v)?.[1] ?? '-');
      }
    }
    uids.delete('-');
    suffixes.delete('-');
    const r = new Renumberer(createSimIds({ now: () => 1_900_000_000_000, firstSequence: 100_000, firstSuffix: 0xabc000 }));
    for (const e of t.events) {
      for (const [k, v] of r.apply(e.fields)) {
        for (const u of uids) assert.ok(!v.includes(u), `${name}: ${k}: ${v} keeps ${u}`);
        for (const x of suffixes) assert.ok(!v.includes(`-${x}`), `${name}: ${k}: ${v} keeps -${x}`);
      }
    }
  }
});

describe('playing transcripts over TCP', () => {
  let sim: AmiSim;
  before(async () => {
    sim = await startAmiSim({ secret: 'p', timeScale: 0 });
  });
  after(async () => {
    await sim.close();
  });

  test('one fixture played twice concurrently: disjoint ids, otherwise the fixture\'s event sequence', async () => {
    const c = rawClient(sim.port);
    const other = rawClient(sim.port);
    try {
      await login(c, 'crm', 'p');
      await login(other, 'crm', 'p');
      const from = c.messages.length;
      const otherFrom = other.messages.length;
      const [h1, h2] = await Promise.all([sim.play(FIXTURE), sim.play(FIXTURE)]);
      assert.deepEqual(await Promise.all([h1.done, h2.done]), ['completed', 'completed']);
      const expected = parseTranscript(readFileSync(FIXTURE, 'utf8')).events;
      const total = expected.length * 2;
      const isCall = (m: AmiMessage): boolean => field(m, 'Event') !== undefined && field(m, 'Event') !== 'SuccessfulAuth';
      await c.waitFor(() => c.messages.slice(from).filter(isCall).length >= total, 5000, from);
      const got = c.messages.slice(from).filter(isCall);
      assert.equal(got.length, total);

      // Split the two runs by the Linkedid of their first channel.
      const roots = [...new Set(got.filter((m) => field(m, 'Event') === 'Newchannel' && field(m, 'Uniqueid') === field(m, 'Linkedid'))
        .map((m) => field(m, 'Linkedid')))];
      assert.equal(roots.length, 2);
      const runOf = (m: AmiMessage): string | undefined => field(m, 'Linkedid') ?? undefined;
      const uidSets = roots.map((root) => new Set(got.filter((m) => runOf(m) === root).map((m) => field(m, 'Uniqueid'))));
      for (const u of uidSets[0] ?? []) assert.ok(!uidSets[1]?.has(u), `uniqueid ${u} in both runs`);
      const fixtureIds = new Set(expected.map((e) => e.fields.find(([k]) => k === 'Uniqueid')?.[1]));
      for (const m of got) assert.ok(!fixtureIds.has(field(m, 'Uniqueid')) || field(m, 'Uniqueid') === undefined);

      // Each run, in order, has exactly the fixture's event names and keys. Events without a
      // Linkedid (bridge, Cdr…) are attributed by order: with time scale 0 the runs alternate.
      const linked = expected.filter((e) => e.fields.some(([k]) => k === 'Linkedid')).map((e) => shape(e.fields));
      for (const root of roots) {
        assert.deepEqual(got.filter((m) => runOf(m) === root).map((m) => shape(m.fields)), linked);
      }
      const shapes = got.map((m) => shape(m.fields)).sort();
      assert.deepEqual(shapes, [...expected, ...expected].map((e) => shape(e.fields)).sort());

      // Values other than ids are byte-identical: compare the first run's Newchannel of the trunk.
      const first = got.find((m) => field(m, 'Event') === 'Newchannel');
      assert.equal(field(first!, 'CallerIDName'), 'External Caller');
      assert.match(field(first!, 'Channel') ?? '', /^PJSIP\/trunk-[0-9a-f]{8}$/);
      assert.notEqual(field(first!, 'Channel'), 'PJSIP/trunk-00000036');
      assert.equal(sim.liveChannels().length, 0);

      // Every logged-in session receives the same events in the same order.
      await other.waitFor(() => other.messages.slice(otherFrom).filter(isCall).length >= total, 5000, otherFrom);
      const text = (ms: typeof got): string[] => ms.map((m) => m.fields.map(([k, v]) => `${k}: ${v}`).join('\n'));
      assert.deepEqual(text(other.messages.slice(otherFrom).filter(isCall)), text(got));
    } finally {
      c.close();
      other.close();
    }
  });

  test('a missing transcript fails with SIM_TRANSCRIPT_UNREADABLE', async () => {
    await assert.rejects(sim.play(join(fixturesDir(), 'no-such-file.txt')), { code: 'SIM_TRANSCRIPT_UNREADABLE' });
  });
});
