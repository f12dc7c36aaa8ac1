/**
 * The call tracker on the simulator's office-feature calls (ring group, directed/group pickup, park +
 * retrieve): each generated call, framed as an AMI stream and replayed like a transcript, must give the
 * reviewed stage lines of the matching Asterisk 22.10.1 recording (test/golden/lab22-<x>.jsonl), ids
 * aside. If the tracker agrees with the recording but not with the generated call, the generator's flow
 * is wrong (tools/ami-sim/scenario/flows/), not the tracker.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { replayBuffer, trackerConfigFrom } from '../../src/cli/replay.js';
import { formatMessage } from '../../src/adapters/ami/framing.js';
import { generateCall } from '../../tools/ami-sim/scenario/generate.js';
import type { CallSpec } from '../../tools/ami-sim/scenario/spec.js';
import type { TimedEvent } from '../../tools/ami-sim/scenario/types.js';
import { fakeIds } from '../../tools/ami-sim/scenario/test/fixture-compare.js';
import { OFFICE_PAIRS } from '../../tools/ami-sim/scenario/test/office-pairs.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GOLDEN = join(ROOT, 'test/golden');
const RECORDED = join(ROOT, 'test/fixtures/ami-recorded');
const config = trackerConfigFrom(JSON.parse(readFileSync(join(GOLDEN, 'lab22.portal.json'), 'utf8')), undefined);

/** The generated events as the bytes an AMI client reads (banner first, as in a transcript). */
function amiStream(events: readonly TimedEvent[]): Buffer {
  return Buffer.from(`Asterisk Call Manager/11.0.0\r\n${events.map((e) => formatMessage(e.fields)).join('')}`, 'utf8');
}

interface Run { lines: Array<Record<string, unknown>>; errors: string[] }

function replay(data: Buffer): Run {
  const out: string[] = [];
  const err: string[] = [];
  replayBuffer(data, config, { write: (s) => out.push(s), err: { write: (s) => err.push(s) } });
  const lines = out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, errors: err.join('').split('\n').filter(Boolean) };
}

/** A stage line without its ids (the call key is the caller's Uniqueid, different on every run). */
function withoutIds(line: Record<string, unknown>): Record<string, unknown> {
  const { call: _call, ...rest } = line;
  return rest;
}

describe('tracker on generated office-feature calls = tracker on the recordings', () => {
  for (const [name, spec] of OFFICE_PAIRS) {
    test(`${spec.type}${'mode' in spec ? `/${spec.mode}` : ''}: stage lines of test/golden/${name}.jsonl`, () => {
      const golden = readFileSync(join(GOLDEN, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      // The recording itself gives the golden lines (the reference this test relies on).
      const recorded = replay(readFileSync(join(RECORDED, `${name}.txt`)));
      assert.deepEqual(recorded.lines, golden);
      assert.deepEqual(recorded.errors, []);

      const ids = fakeIds(1795500000, 7, 0x40);
      const run = replay(amiStream(generateCall(spec, ids)));
      assert.deepEqual(run.errors, []);
      assert.deepEqual(run.lines.map(withoutIds), golden.map(withoutIds));
      // Every line belongs to the generated call (keyed by the trunk leg's Uniqueid).
      assert.deepEqual([...new Set(run.lines.map((l) => l.call))], ['1795500000.7']);
    });
  }
});

/** Stage summary: `stage extension via reason` per line, plus the call_ended status/outcome/count. */
function summary(lines: ReadonlyArray<Record<string, unknown>>): string[] {
  return lines.map((l) => (l.stage === 'call_ended'
    ? `call_ended ${String(l.status)} ${String(l.outcome)} ${String(l.conversations)}`
    : [l.stage, l.extension, l.via, l.reason].filter((x) => x !== undefined).join(' ')));
}

const ext = { from: '+4930123456', did: '5551000', trunk: 'trunk' } as const;

describe('tracker on office-feature variants the lab did not record', () => {
  const cases: ReadonlyArray<readonly [CallSpec, readonly string[]]> = [
    [{ type: 'ring-group', ...ext, members: ['101', '102', '103'], answeredBy: '101', outcome: 'answered', hangupBy: 'callee' }, [
      'conversation_requested 101 dial', 'conversation_requested 102 dial', 'conversation_requested 103 dial',
      'conversation_ended 102 dial CANCEL', 'conversation_ended 103 dial CANCEL', 'conversation_accepted 101 dial',
      'conversation_ended 101 dial hangup', 'call_ended 200 answered 3',
    ]],
    [{ type: 'pickup', ...ext, to: '101', pickedBy: '103', mode: 'directed', hangupBy: 'caller' }, [
      'conversation_requested 101 dial', 'conversation_ended 101 dial picked_up', 'conversation_requested 103 pickup',
      'conversation_accepted 103 pickup', 'conversation_ended 103 pickup hangup', 'call_ended 200 answered 2',
    ]],
    [{ type: 'pickup', ...ext, to: '102', pickedBy: '101', mode: 'group', hangupBy: 'caller' }, [
      'conversation_requested 102 dial', 'conversation_ended 102 dial picked_up', 'conversation_requested 101 pickup',
      'conversation_accepted 101 pickup', 'conversation_ended 101 pickup hangup', 'call_ended 200 answered 2',
    ]],
    [{ type: 'park', ...ext, to: '102', retrievedBy: '101', hangupBy: 'caller', parkingSpace: '702' }, [
      'conversation_requested 102 dial', 'conversation_accepted 102 dial', 'conversation_ended 102 dial transfer',
      'conversation_requested 101 pickup', 'conversation_accepted 101 pickup', 'conversation_ended 101 pickup hangup',
      'call_ended 200 answered 2',
    ]],
  ];
  for (const [spec, expected] of cases) {
    test(JSON.stringify(spec), () => {
      const run = replay(amiStream(generateCall(spec, fakeIds(1795500000, 7, 0x40))));
      assert.deepEqual(run.errors, []);
      assert.deepEqual(summary(run.lines), expected);
    });
  }
});
