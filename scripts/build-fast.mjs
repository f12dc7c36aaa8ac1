#!/usr/bin/env node
// The demo's build: src/ and tools/ transpiled to dist/ by esbuild, file by file (no bundling, the
// same layout `npm run build` gives), without type-checking — about a second instead of tsc's
// 10–20 s on 2 cores. Type-checking stays where it belongs: `npm run build` / `npm run typecheck`
// and CI (scripts/test-all.sh). Safe because tsconfig sets isolatedModules and verbatimModuleSyntax.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
const entryPoints = ['src', 'tools'].flatMap((d) => walk(join(root, d), []));
rmSync(join(root, 'dist'), { recursive: true, force: true });
const t0 = Date.now();
await build({
  entryPoints, outdir: join(root, 'dist'), outbase: root, format: 'esm', platform: 'node', target: 'node20',
  sourcemap: true, bundle: false, logLevel: 'warning',
});
process.stderr.write(`build-fast: ${entryPoints.length} files in ${Date.now() - t0} ms\n`);
