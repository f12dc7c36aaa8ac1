// Regenerates test/golden-rest/*.jsonl (review every diff by hand before committing): node --import tsx scripts/gen-golden-rest.mts
import { readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runReplay } from '../src/cli/replay.ts';
const FIX = new URL('../../shared/fixtures/ami', import.meta.url).pathname;
for (const f of readdirSync(FIX).filter((n) => n.endsWith('.txt')).sort()) {
  const name = f.replace(/\.txt$/, '');
  const args = [join(FIX, f)];
  if (name.startsWith('lab22')) args.push('--portal', 'test/golden/lab22.portal.json');
  if (name.startsWith('extcf')) args.push('--config', 'test/golden/extcf.config.json');
  let out = ''; let err = '';
  const t0 = Date.now();
  const code = await runReplay(args, { write: (s) => { out += s; }, err: { write: (s) => { err += s; } } });
  writeFileSync(join('test/golden-rest', `${name}.jsonl`), out);
  console.log(name, code, out.split('\n').filter((l) => l.includes('"rest"')).length, 'rest lines', Date.now() - t0, 'ms', err ? 'ERR ' + err.slice(0, 200) : '');
}
