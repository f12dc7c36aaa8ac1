#!/usr/bin/env node
// House rules that the type checker cannot see. Exit 1 with one line per violation.
//  - src/core/** is pure: no node:* imports, no imports from adapters/ flow/ outbox/ cli/, no Date.now,
//    no Math.random, no setTimeout/setInterval, no process.*
//  - nothing outside src/config/ and src/cli/ and tools/ and test/ reads process.env
//  - no console.log in src/ (use the Logger)
//  - files stay under 800 lines
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = process.cwd();
const problems = [];
function walk(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names) {
    if (n === 'node_modules' || n === 'dist' || n.startsWith('.')) continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|mjs)$/.test(n)) out.push(p);
  }
  return out;
}
for (const file of ['src', 'tools', 'test', 'bench'].flatMap((d) => walk(join(root, d), []))) {
  const rel = relative(root, file).split(sep).join('/');
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const isTest = rel.endsWith('.test.ts');
  if (lines.length > 800 && !isTest) problems.push(`${rel}: ${lines.length} lines (split it; limit 800)`);
  lines.forEach((line, i) => {
    const at = `${rel}:${i + 1}`;
    if (rel.startsWith('src/core/') && !isTest) {
      if (/from\s+['"]node:/.test(line) || /import\(['"]node:/.test(line)) problems.push(`${at}: core/ must not import node:*`);
      if (/from\s+['"](\.\.\/)+(adapters|flow|outbox|cli)\//.test(line)) problems.push(`${at}: core/ must not import IO layers`);
      if (/\bDate\.now\(|\bnew Date\(\)|Math\.random\(|\bsetTimeout\(|\bsetInterval\(|\bprocess\./.test(line)) {
        problems.push(`${at}: core/ must not use clocks, randomness, timers or process`);
      }
    }
    if (rel.startsWith('src/') && !rel.startsWith('src/config/') && !rel.startsWith('src/cli/') && !isTest) {
      if (/process\.env\b/.test(line)) problems.push(`${at}: read configuration through src/config, not process.env`);
      if (/console\.log\(/.test(line)) problems.push(`${at}: use the Logger, not console.log`);
    }
  });
}
if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`lint: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log('lint: ok');
