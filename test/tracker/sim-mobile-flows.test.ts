/**
 * The call tracker with FMC on the simulator's calls forwarded to an employee's mobile: each generated
 * call (tools/ami-sim/scenario/flows/ring-with-mobile.ts, forward-to-mobile.ts) must give the reviewed stage lines of the matching
 * Asterisk 22.10.1 recording (test/golden/lab22-t…x.jsonl, FMC on, Alice's PERSONAL_MOBILE), ids aside.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { replayBuffer, trackerConfigFrom } from '../../src/cli/replay.js';
import { formatMessage } from '../../src/adapters/ami/framing.js';
import { generateCall } from '../../tools/ami-sim/scenario/generate.js';
import type { TimedEvent } from '../../tools/ami-sim/scenario/types.js';
import { fakeIds } from '../../tools/ami-sim/scenario/test/fixture-compare.js';
import { MOBILE_PAIRS } from '../../tools/ami-sim/scenario/test/mobile-pairs.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GOLDEN = join(ROOT, 'test/golden');
const json = (f: string): unknown => JSON.parse(readFileSync(join(GOLDEN, f), 'utf8'));
const config = trackerConfigFrom(json('lab22.portal.json'), json('fmc.config.json'));

function lines(data: Buffer): { lines: Array<Record<string, unknown>>; errors: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  replayBuffer(data, config, { write: (s) => out.push(s), err: { write: (s) => err.push(s) } });
  return { lines: out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), errors: err.join('').split('\n').filter(Boolean) };
}

const stream = (events: readonly TimedEvent[]): Buffer => Buffer.from(`Asterisk Call Manager/11.0.0\r\n${events.map((e) => formatMessage(e.fields)).join('')}`, 'utf8');
const withoutIds = ({ call: _call, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;

describe('FMC: tracker on generated calls = tracker on the recordings', () => {
  for (const [name, spec] of MOBILE_PAIRS) {
    test(`${spec.type} (${name}): stage lines of test/golden/${name}.jsonl`, () => {
      const golden = readFileSync(join(GOLDEN, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const recorded = lines(readFileSync(join(ROOT, 'test/fixtures/ami-recorded', `${name}.txt`)));
      assert.deepEqual(recorded.lines, golden);
      const run = lines(stream(generateCall(spec, fakeIds(1795600000, 3, 0x50))));
      assert.deepEqual(run.errors, []);
      assert.deepEqual(run.lines.map(withoutIds), golden.map(withoutIds));
      assert.ok(run.lines.some((l) => l['mobile'] === '79161234567'), 'a conversation on the mobile');
    });
  }
});
