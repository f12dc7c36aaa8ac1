/**
 * Golden replays: every call transcript in ../shared/fixtures/ami and in test/fixtures/ami-recorded
 * (our own Asterisk 22.10.1 recordings of office features) gives exactly the reviewed stage lines of
 * test/golden/<name>.jsonl, through the real framing, whole and cut at random places.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareTranscript, Replayer, stageLine, trackerConfigFrom, replayBuffer } from '../../src/cli/replay.js';
import type { TrackerConfig } from '../../src/core/call/classify.js';
import { seededRandom as prng } from '../../src/core/util/prng.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = resolve(ROOT, '../shared/fixtures/ami');
const RECORDED = join(ROOT, 'test/fixtures/ami-recorded');
const GOLDEN = join(ROOT, 'test/golden');

/** Pure action / login dialogues: no call in them. */
const NO_CALLS = new Set([
  'lab22-p_actions_dialogue', 'lab22-p_login_bad', 'lab22-p_login_md5',
  'ext22-extensionstate_ispbx', 'ext22-pjsipshowendpoints_ispbx',
]);

function configFor(name: string): TrackerConfig {
  const json = (f: string): unknown => JSON.parse(readFileSync(join(GOLDEN, f), 'utf8'));
  // lab22-t…x: calls forwarded to Alice's mobile (her PERSONAL_MOBILE in the portal), with FMC on.
  if (/^lab22-[t-x]_/.test(name)) return trackerConfigFrom(json('lab22.portal.json'), json('fmc.config.json'));
  if (name.startsWith('lab22-')) return trackerConfigFrom(json('lab22.portal.json'), undefined);
  if (name.startsWith('extcf-')) return trackerConfigFrom(undefined, json('extcf.config.json'));
  return trackerConfigFrom(undefined, undefined);
}

interface Run { out: string[]; err: string[] }

function replayWhole(data: Buffer, config: TrackerConfig): Run {
  const run: Run = { out: [], err: [] };
  replayBuffer(data, config, { write: (s) => run.out.push(s), err: { write: (s) => run.err.push(s) } });
  return { out: run.out.join('').split('\n').filter(Boolean), err: run.err.join('').split('\n').filter(Boolean) };
}


function replayCut(data: Buffer, config: TrackerConfig, seed: number): Run {
  const run: Run = { out: [], err: [] };
  const r = new Replayer({
    config,
    onStage: (c) => run.out.push(JSON.stringify(stageLine(c))),
    onError: (e) => run.err.push(e.code),
  });
  const { stream } = prepareTranscript(data);
  const rnd = prng(seed);
  let pos = 0;
  while (pos < stream.length) {
    // Mostly small cuts (split CRLF pairs, keys, UTF-8 sequences), sometimes large ones.
    const size = rnd() < 0.7 ? 1 + Math.floor(rnd() * 8) : 1 + Math.floor(rnd() * 3000);
    r.push(stream.subarray(pos, pos + size));
    pos += size;
  }
  r.end();
  return run;
}

const transcripts = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort();
const names = transcripts(FIXTURES);
const recorded = transcripts(RECORDED);
const dirOf = new Map<string, string>([...names.map((n) => [n, FIXTURES] as const), ...recorded.map((n) => [n, RECORDED] as const)]);

describe('golden replays of every fixture', () => {
  test('the fixture folder is there and every call transcript has a golden file', () => {
    assert.ok(names.length >= 33, `found ${names.length} fixtures in ${FIXTURES}`);
    const missing = names.filter((n) => !NO_CALLS.has(n) && !existsSync(join(GOLDEN, `${n}.jsonl`)));
    assert.deepEqual(missing, []);
  });

  test('the recorded office-feature transcripts are there, not shadowing shared ones, each with a golden file', () => {
    assert.ok(recorded.length >= 8, `found ${recorded.length} transcripts in ${RECORDED}`);
    assert.deepEqual(recorded.filter((n) => names.includes(n)), []);
    assert.deepEqual(recorded.filter((n) => !existsSync(join(GOLDEN, `${n}.jsonl`))), []);
  });

  for (const name of [...names, ...recorded]) {
    const data = readFileSync(join(dirOf.get(name) ?? FIXTURES, `${name}.txt`));
    const config = configFor(name);
    if (NO_CALLS.has(name)) {
      test(`${name}: no stage, no error`, () => {
        const run = replayWhole(data, config);
        assert.deepEqual(run.out, []);
        assert.deepEqual(run.err, []);
      });
      continue;
    }
    test(`${name}: matches test/golden/${name}.jsonl`, () => {
      const expected = readFileSync(join(GOLDEN, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean);
      const run = replayWhole(data, config);
      assert.deepEqual(run.out, expected);
      const last = JSON.parse(expected[expected.length - 1] ?? '{}') as { stage?: string };
      assert.equal(last.stage, 'call_ended');
    });
    test(`${name}: same output with the stream cut at random places`, () => {
      const expected = readFileSync(join(GOLDEN, `${name}.jsonl`), 'utf8').split('\n').filter(Boolean);
      const whole = replayCut(data, config, 0);
      assert.deepEqual(whole.out, expected);
      for (const seed of [1, 7, 42, 2026]) {
        const cut = replayCut(data, config, seed);
        assert.deepEqual(cut.out, whole.out, `seed ${seed}`);
        assert.deepEqual(cut.err, whole.err, `seed ${seed}`);
      }
    });
  }
});
