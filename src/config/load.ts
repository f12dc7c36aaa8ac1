/**
 * Loads and validates the configuration once: JSON file < environment overrides for secrets.
 * Errors name the bad key (CONFIG_INVALID, or a code of its own such as CONFIG_STORE_URL_MISSING when
 * that is the only problem) or the file problem (CONFIG_UNREADABLE, CONFIG_NOT_JSON).
 */
import { readFileSync } from 'node:fs';
import { ConnectorError } from '../errors.js';
import { configSchema, SECRET_PATHS, type Config } from './schema.js';

/** Environment variables that override secrets, so they need not live in the file. */
const ENV_OVERRIDES: Record<string, string[]> = {
  ASTERISK_B24_AMI_SECRET: ['ami', 'secret'],
  ASTERISK_B24_WEBHOOK_URL: ['bitrix', 'webhookUrl'],
  ASTERISK_B24_CLIENT_SECRET: ['bitrix', 'oauth', 'clientSecret'],
  ASTERISK_B24_STORE_URL: ['store', 'url'],
  ASTERISK_B24_CDR_MYSQL_URL: ['cdr', 'mysql', 'url'],
  ASTERISK_B24_CDR_PGSQL_URL: ['cdr', 'pgsql', 'url'],
};

export function parseConfig(raw: unknown): Config {
  const r = configSchema.safeParse(raw);
  if (r.success) return deepFreeze(r.data);
  const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  // A problem with a code of its own (e.g. CONFIG_STORE_URL_MISSING) keeps it when it is the only one.
  const only = r.error.issues.length === 1 ? r.error.issues[0] : undefined;
  const own = only && 'params' in only ? (only.params as { code?: unknown } | undefined)?.code : undefined;
  throw new ConnectorError(typeof own === 'string' ? own : 'CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, {
    details: { issues: lines },
  });
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConnectorError('CONFIG_UNREADABLE', `cannot read config file ${path}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConnectorError('CONFIG_NOT_JSON', `config file ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  for (const [name, path2] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(raw, path2, v);
  }
  return parseConfig(raw);
}

/** A copy of the config with every secret replaced by '***' (for printing and logs). */
export function maskSecrets(config: Config): unknown {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const p of SECRET_PATHS) maskPath(copy, p.split('.'));
  return copy;
}

/** Replaces the value at `parts` by '***'; a `*` part stands for every element of an array. */
function maskPath(node: unknown, parts: readonly string[]): void {
  if (!node || typeof node !== 'object') return;
  const [part, ...rest] = parts;
  if (part === undefined) return;
  const children = part === '*' ? (Array.isArray(node) ? node.map((_, i) => String(i)) : []) : [part];
  for (const k of children) {
    const o = node as Record<string, unknown>;
    if (rest.length) maskPath(o[k], rest);
    else if (o[k]) o[k] = '***';
  }
}

function setPath(root: unknown, path: string[], value: string): void {
  if (!root || typeof root !== 'object') return;
  let node = root as Record<string, unknown>;
  for (const part of path.slice(0, -1)) {
    if (!node[part] || typeof node[part] !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/** The environment hooks run with: only PATH (so interpreters are found), never the connector's own secrets. */
export function hookEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { PATH: env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin' };
}
