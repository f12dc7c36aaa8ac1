/**
 * AMI permission classes (manager.h EVENT_FLAG_*): parsing `Events:` / `EventMask:` values and the
 * `Privilege:` line of events, the way manager.c's strings_to_mask() does.
 */

export const EVENT_CLASSES: Readonly<Record<string, number>> = {
  system: 1 << 0,
  call: 1 << 1,
  log: 1 << 2,
  verbose: 1 << 3,
  command: 1 << 4,
  agent: 1 << 5,
  user: 1 << 6,
  config: 1 << 7,
  dtmf: 1 << 8,
  reporting: 1 << 9,
  cdr: 1 << 10,
  dialplan: 1 << 11,
  originate: 1 << 12,
  agi: 1 << 13,
  cc: 1 << 14,
  aoc: 1 << 15,
  test: 1 << 16,
  security: 1 << 17,
  message: 1 << 18,
};

export const ALL_CLASSES = Object.values(EVENT_CLASSES).reduce((a, b) => a | b, 0);

const TRUE_WORDS = new Set(['yes', 'true', 'y', 't', '1', 'on']);
const FALSE_WORDS = new Set(['no', 'false', 'n', 'f', '0', 'off']);

/**
 * `on`/`yes`/`true` → every class, `off`/`no`/`false` → none, digits → a bitmask, otherwise a
 * comma list of class names (unknown names are ignored, as Asterisk ignores them). The caller
 * intersects the result with the user's read permission.
 */
export function parseEventMask(value: string): number {
  const v = value.trim().toLowerCase();
  if (FALSE_WORDS.has(v)) return 0;
  if (TRUE_WORDS.has(v)) return ALL_CLASSES;
  if (/^\d+$/.test(v)) return Number(v) & ALL_CLASSES;
  let mask = 0;
  for (const part of v.split(',')) {
    const name = part.trim();
    if (name === 'all') mask |= ALL_CLASSES;
    else mask |= EVENT_CLASSES[name] ?? 0;
  }
  return mask;
}

/** Class bits of an event from its `Privilege: call,all` line (`all` adds nothing). */
export function privilegeMask(privilege: string | undefined): number {
  if (privilege === undefined) return 0;
  let mask = 0;
  for (const part of privilege.toLowerCase().split(',')) mask |= EVENT_CLASSES[part.trim()] ?? 0;
  return mask;
}
