#!/usr/bin/env node
// Finds every *.test.ts under src/, tools/ and test/ and runs them with node's test runner (tsx loader).
// Node 20's --test takes no globs, so the list is built here.
//   --suite unit   only tests that do not end in .int.test.ts / .e2e.test.ts / .browser.test.ts
//   --grep TEXT    only files whose path contains TEXT
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
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
// End-to-end files (real processes killed and restarted against timed call loads) run alone after
// the rest, so their timing does not depend on what else the two cores are doing.
const e2e = files.filter((f) => f.endsWith('.e2e.test.ts'));
const rest = files.filter((f) => !f.endsWith('.e2e.test.ts'));
const totals = { pass: 0, fail: 0, skipped: 0 };
function run(list, concurrency, name) {
  return new Promise((resolve) => {
    if (list.length === 0) return resolve(0);
    const tap = join(mkdtempSync(join(tmpdir(), 'ab24-tests-')), `${name}.tap`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=tap', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...list], {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'test' },
    });
    child.on('exit', (code, signal) => {
      try {
        const text = readFileSync(tap, 'utf8');
        for (const k of Object.keys(totals)) {
          const m = text.match(new RegExp(`^# ${k} (\\d+)$`, 'm'));
          if (m) totals[k] += Number(m[1]);
        }
      } catch {
        totals.fail += 1;
      }
      rmSync(dirname(tap), { recursive: true, force: true });
      resolve(signal ? 1 : code ?? 1);
    });
  });
}
const first = await run(rest, 2, 'main');
const second = await run(e2e, 1, 'e2e');
// One closing line for both runs.
console.log(`\ntests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(first !== 0 ? first : second);
