/**
 * Finds the hooks: one file per point in the hooks folder, named after it, plus a URL per point
 * from the settings. Files with other names are reported (HOOK_UNKNOWN_NAME), never loaded. When a
 * point has several hooks, the first by priority wins (module > executable > URL) and the others
 * are reported (HOOK_DUPLICATE). Runs once at start (and on reload), so it is synchronous.
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { HookDiscoveryCode } from '../../core/hooks/codes.js';
import { HOOK_POINTS, isHookPointName, type HookPointName } from '../../core/hooks/points.js';
import { redactUrl } from '../../log.js';
import type { ExecutableRunner } from './load-executable.js';

export type HookSource =
  | { readonly point: HookPointName; readonly kind: 'module'; readonly location: string }
  | { readonly point: HookPointName; readonly kind: 'executable'; readonly location: string; readonly runner: ExecutableRunner }
  | { readonly point: HookPointName; readonly kind: 'url'; readonly location: string; readonly url: string };

export interface HookProblem {
  readonly code: HookDiscoveryCode;
  /** The file name, or `urls.<key>` for a setting. */
  readonly subject: string;
  readonly message: string;
}

export interface Discovery {
  /** At most one source per point, in the points' order. */
  readonly hooks: readonly HookSource[];
  readonly problems: readonly HookProblem[];
}

export interface DiscoverOptions {
  /** false: .ts modules are refused with HOOK_TS_UNSUPPORTED (no tsx loader). */
  readonly typescript?: boolean;
}

/** Extension → how it runs, in priority order. */
const EXTENSIONS: ReadonlyArray<readonly [string, 'module' | ExecutableRunner]> = [
  ['.mjs', 'module'],
  ['.js', 'module'],
  ['.cjs', 'module'],
  ['.ts', 'module'],
  ['.php', 'php'],
  ['.py', 'python'],
  ['.sh', 'sh'],
  ['', 'direct'],
];

/** Files that are plainly not hooks (docs, editor leftovers) are skipped without a report. */
const IGNORED = /^(\.|readme)|\.(md|txt|json|bak|orig|swp|disabled)$|~$/i;

function priority(s: HookSource): number {
  if (s.kind === 'url') return EXTENSIONS.length;
  const ext = extname(s.location);
  return EXTENSIONS.findIndex(([e]) => e === ext);
}

export function discoverHooks(dir: string | undefined, urls: Readonly<Record<string, string>> = {}, options: DiscoverOptions = {}): Discovery {
  const found: HookSource[] = [];
  const problems: HookProblem[] = [];
  if (dir !== undefined) scanDir(dir, options, found, problems);
  for (const [key, url] of Object.entries(urls)) {
    const subject = `urls.${key}`;
    if (!isHookPointName(key)) {
      problems.push({ code: 'HOOK_UNKNOWN_NAME', subject, message: `${key} is not a hook point` });
    } else if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      problems.push({ code: 'HOOK_BAD_URL', subject, message: `${redactUrl(url)} is not an http(s) URL` });
    } else {
      found.push({ point: key, kind: 'url', location: redactUrl(url), url });
    }
  }
  return pickOnePerPoint(found, problems);
}

function scanDir(dir: string, options: DiscoverOptions, found: HookSource[], problems: HookProblem[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    problems.push({ code: 'HOOK_DIR_UNREADABLE', subject: dir, message: `cannot read the hooks folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
    return;
  }
  for (const name of names) {
    if (IGNORED.test(name)) continue;
    const location = join(dir, name);
    try {
      if (!statSync(location).isFile()) continue;
    } catch {
      continue; // vanished or a dangling link
    }
    const ext = extname(name);
    const known = EXTENSIONS.find(([e]) => e === ext);
    const base = name.slice(0, name.length - ext.length);
    if (!isHookPointName(base)) {
      problems.push({ code: 'HOOK_UNKNOWN_NAME', subject: name, message: `${name} is not named after a hook point; not loaded` });
      continue;
    }
    const source = classify(base, name, location, known?.[1], options);
    if ('code' in source) problems.push(source);
    else found.push(source);
  }
}

function classify(point: HookPointName, name: string, location: string, how: 'module' | ExecutableRunner | undefined, options: DiscoverOptions): HookSource | HookProblem {
  if (how === undefined) return { code: 'HOOK_UNSUPPORTED_FILE', subject: name, message: `${name}: unsupported extension (use .mjs .js .ts .php .py .sh or an executable without one)` };
  if (how === 'module') {
    if (name.endsWith('.ts') && options.typescript === false) {
      return { code: 'HOOK_TS_UNSUPPORTED', subject: name, message: `${name}: .ts hooks need the tsx loader, which is not installed; use .mjs` };
    }
    return { point, kind: 'module', location };
  }
  if (how === 'direct') {
    try {
      accessSync(location, constants.X_OK);
    } catch {
      return { code: 'HOOK_UNSUPPORTED_FILE', subject: name, message: `${name} has no extension and is not executable (chmod +x, with a shebang)` };
    }
  }
  return { point, kind: 'executable', location, runner: how };
}

function pickOnePerPoint(found: HookSource[], problems: HookProblem[]): Discovery {
  const byPoint = new Map<HookPointName, HookSource>();
  for (const s of [...found].sort((a, b) => priority(a) - priority(b))) {
    const winner = byPoint.get(s.point);
    if (!winner) {
      byPoint.set(s.point, s);
      continue;
    }
    const subject = s.kind === 'url' ? `urls.${s.point}` : s.location;
    problems.push({ code: 'HOOK_DUPLICATE', subject, message: `${s.point} already has a hook (${winner.location}); ${s.location} is not used` });
  }
  const hooks = [...byPoint.values()].sort((a, b) => HOOK_POINTS.indexOf(a.point) - HOOK_POINTS.indexOf(b.point));
  return { hooks, problems };
}
