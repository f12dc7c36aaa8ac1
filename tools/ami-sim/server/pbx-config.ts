/**
 * The simulated PBX's static configuration as the server's actions see it: PJSIP endpoints, queues
 * with members, dialplan extensions and version strings. Defaults reproduce the lab setup of
 * SCENARIOS.md (extensions 101–103, trunk, queues sales/support/fpbx).
 */

export interface EndpointConfig {
  readonly name: string;
  readonly transport?: string;
  readonly auths?: string;
  /** `Contacts` value, e.g. `101/sip:101@127.0.0.11:5061,`; empty = unregistered (Unavailable). */
  readonly contacts?: string;
}

export interface QueueMemberConfig {
  readonly name: string;
  /** Location / interface, e.g. `PJSIP/101`. */
  readonly location: string;
  readonly stateInterface?: string;
  readonly penalty?: number;
}

export interface QueueConfig {
  readonly name: string;
  readonly strategy: string;
  readonly members: readonly QueueMemberConfig[];
}

export interface PbxConfig {
  readonly asteriskVersion: string;
  readonly amiVersion: string;
  readonly systemName: string;
  readonly endpoints: readonly EndpointConfig[];
  readonly queues: readonly QueueConfig[];
  /** Context → extension patterns (`_1XX`, `5551000`, `_0X.`), Asterisk pattern syntax. */
  readonly dialplan: Readonly<Record<string, readonly string[]>>;
  /** Epoch seconds reported as queue members' LoginTime. */
  readonly memberLoginTime: number;
}

const LAB_MEMBERS = (): QueueMemberConfig[] => [
  { name: 'Alice', location: 'PJSIP/101' },
  { name: 'Bob', location: 'PJSIP/102' },
];

export const LAB_PBX_CONFIG: PbxConfig = {
  asteriskVersion: '22.10.1',
  amiVersion: '11.0.0',
  systemName: '',
  endpoints: [
    { name: '101', contacts: '101/sip:101@127.0.0.11:5061,' },
    { name: '102', contacts: '102/sip:102@127.0.0.12:5061,' },
    { name: '103', contacts: '103/sip:103@127.0.0.13:5061,' },
    { name: 'trunk', contacts: 'trunk/sip:127.0.0.2:5090,' },
  ],
  queues: [
    { name: 'sales', strategy: 'ringall', members: LAB_MEMBERS() },
    { name: 'support', strategy: 'linear', members: LAB_MEMBERS() },
    {
      name: 'fpbx',
      strategy: 'rrmemory',
      members: [
        { name: 'Alice', location: 'Local/101@from-queue/n', stateInterface: 'PJSIP/101' },
        { name: 'Bob', location: 'Local/102@from-queue/n', stateInterface: 'PJSIP/102' },
      ],
    },
  ],
  dialplan: {
    'from-internal': ['_1XX', '_0X.'],
    'from-trunk': ['5551000', '5551001', '5551002', '5551003', '5551004', '5551005', '5551006', '5551007', '1', 't', 'i'],
    followme: ['_1XX'],
    'from-queue': ['_1XX'],
  },
  memberLoginTime: 1795322364,
};

/** Asterisk extension pattern match (`_` patterns with X Z N . ! and [a-z] ranges; else literal). */
export function extensionMatches(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
  let re = '^';
  const p = pattern.slice(1);
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? '';
    const u = c.toUpperCase();
    if (u === 'X') re += '[0-9]';
    else if (u === 'Z') re += '[1-9]';
    else if (u === 'N') re += '[2-9]';
    else if (c === '.') re += '.+';
    else if (c === '!') re += '.*';
    else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) return false;
      re += `[${p.slice(i + 1, end).replace(/[\\^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(exten);
}

export function extensionExists(cfg: PbxConfig, context: string, exten: string): boolean {
  return (cfg.dialplan[context] ?? []).some((p) => extensionMatches(p, exten));
}
