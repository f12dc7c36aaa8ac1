// Regenerates test/golden-rest/*.jsonl (review every diff by hand before committing): node --import tsx scripts/gen-golden-rest.mts
// The shared lab22/ext fixtures and our own recordings (test/fixtures/ami-recorded), with the same
// arguments as the test (replayArgs).
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runReplay } from '../src/cli/replay.ts';
const FIX = new URL('../../shared/fixtures/ami', import.meta.url).pathname;
const REC = new URL('../test/fixtures/ami-recorded', import.meta.url).pathname;
function replayArgs(file: string, name: string): string[] {
  const args = [file];
  if (name.startsWith('lab22')) args.push('--portal', 'test/golden/lab22.portal.json');
  if (name.startsWith('extcf')) args.push('--config', 'test/golden/extcf.config.json');
  if (/^lab22-[t-x]_/.test(name)) args.push('--config', 'test/golden/fmc.config.json');
  return args;
}
const files = [FIX, REC].flatMap((d) => readdirSync(d).filter((n) => n.endsWith('.txt')).sort().map((n) => join(d, n)));
for (const file of files) {
  const name = basename(file).replace(/\.txt$/, '');
  let out = ''; let err = '';
  const t0 = Date.now();
  const code = await runReplay(replayArgs(file, name), { write: (s) => { out += s; }, err: { write: (s) => { err += s; } } });
  writeFileSync(join('test/golden-rest', `${name}.jsonl`), out);
  console.log(name, code, out.split('\n').filter((l) => l.includes('"rest"')).length, 'rest lines', Date.now() - t0, 'ms', err ? 'ERR ' + err.slice(0, 200) : '');
}
