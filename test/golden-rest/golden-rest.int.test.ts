/**
 * Golden REST sequences: every fixture transcript replayed through the whole flow (tracker →
 * planner → SQLite outbox → sender → REST client → in-process emulator) must print exactly the
 * reviewed lines in test/golden-rest/. Regenerate with scripts/gen-golden-rest.mts and review the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runReplay } from '../../src/cli/replay.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'ami');
const GOLDEN = join(ROOT, 'test', 'golden-rest');

const RECORDED = join(ROOT, 'test', 'fixtures', 'ami-recorded');
const transcripts = [
  ...readdirSync(FIXTURES).filter((n) => n.endsWith('.txt')).sort().map((f) => join(FIXTURES, f)),
  // Our own Asterisk 22.10.1 recordings of office features (pickup, park, transfers by the phone, FMC…).
  ...readdirSync(RECORDED).filter((n) => n.endsWith('.txt')).sort().map((f) => join(RECORDED, f)),
];

for (const file of transcripts) {
  const name = basename(file).replace(/\.txt$/, '');
  test(`REST sequence of ${name}`, async () => {
    const args = replayArgs(file, name);
    let out = '';
    const code = await runReplay(args, { write: (s) => { out += s; }, err: { write: () => {} } });
    assert.equal(code, 0);
    const expected = readFileSync(join(GOLDEN, `${name}.jsonl`), 'utf8');
    assert.deepEqual(out.split('\n'), expected.split('\n'));
  });
}

/** The replay arguments of a transcript (shared with scripts/gen-golden-rest.mts). */
function replayArgs(file: string, name: string): string[] {
  const args = [file];
  if (name.startsWith('lab22')) args.push('--portal', join(ROOT, 'test/golden/lab22.portal.json'));
  if (name.startsWith('extcf')) args.push('--config', join(ROOT, 'test/golden/extcf.config.json'));
  // lab22-t…x: calls forwarded to Alice's mobile, with FMC on.
  if (/^lab22-[t-x]_/.test(name)) args.push('--config', join(ROOT, 'test/golden/fmc.config.json'));
  return args;
}

test('every physical call is registered at most once and finished at most once', () => {
  for (const f of readdirSync(GOLDEN).filter((n) => n.endsWith('.jsonl'))) {
    const lines = readFileSync(join(GOLDEN, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const reg = new Map<string, number>();
    const fin = new Map<string, number>();
    for (const l of lines) {
      const p = l['params'] as Record<string, string> | undefined;
      if (l['method'] === 'telephony.externalcall.register' && p) reg.set(p['EXTERNAL_CALL_ID']!, (reg.get(p['EXTERNAL_CALL_ID']!) ?? 0) + 1);
      if (l['method'] === 'telephony.externalcall.finish' && p) fin.set(p['CALL_ID']!, (fin.get(p['CALL_ID']!) ?? 0) + 1);
    }
    for (const [k, n] of reg) assert.equal(n, 1, `${f}: ${k} registered ${n} times`);
    for (const [k, n] of fin) assert.equal(n, 1, `${f}: ${k} finished ${n} times`);
    const endedCalls = new Set(lines.filter((l) => l['stage'] === 'call_ended').map((l) => l['call']));
    assert.ok(fin.size <= endedCalls.size, `${f}: more finishes than ended calls`);
  }
});
