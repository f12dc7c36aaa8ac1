#!/usr/bin/env node
// Finds every *.test.ts under src/, tools/ and test/ and runs them with node's test runner (tsx loader).
// Node 20's --test takes no globs, so the list is built here.
//   --suite unit   only tests that do not end in .int.test.ts / .e2e.test.ts / .browser.test.ts
//   --grep TEXT    only files whose path contains TEXT
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const suite = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : 'all';
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : undefined;
const root = process.cwd();

function walk(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

let files = ['src', 'tools', 'test'].flatMap((d) => walk(join(root, d), [])).sort();
if (suite === 'unit') files = files.filter((f) => !/\.(int|e2e|browser)\.test\.ts$/.test(f));
if (grep) files = files.filter((f) => f.includes(grep));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
