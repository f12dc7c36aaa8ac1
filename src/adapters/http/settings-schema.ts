/**
 * Settings editor ↔ config schema. The panel edits only the sections below; a candidate is the
 * current config with the edited sections replaced, validated by the one config schema
 * (src/config/schema.ts), so the panel can never save what the config loader would refuse.
 */
import { configSchema, type Config } from '../../config/schema.js';
import type { EditableSettings, SettingsIssue } from './panel-port.js';

export const EDITABLE_SECTIONS = ['pbx', 'calls', 'lists', 'tasks', 'recordings', 'hooks', 'cdr'] as const;
export type EditableSection = (typeof EDITABLE_SECTIONS)[number];

/** The editable sections of a parsed config (deep copy). */
export function editableFrom(config: Config): EditableSettings {
  const out: Record<string, unknown> = {};
  for (const s of EDITABLE_SECTIONS) out[s] = structuredClone(config[s]);
  return out as unknown as EditableSettings;
}

export interface SettingsCheck {
  readonly issues: readonly SettingsIssue[];
  /** The full parsed config when there is no issue. */
  readonly config?: Config;
}

interface RawIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly errors?: readonly (readonly RawIssue[])[];
}

/**
 * A union failure (e.g. a trunk given as a string or an object) is reported by zod at the union;
 * the branch that got deepest says what is really wrong, at the key's own path.
 */
function flatten(i: RawIssue, prefix: readonly PropertyKey[]): SettingsIssue[] {
  const here = [...prefix, ...i.path];
  if (i.code === 'invalid_union' && i.errors?.length) {
    const depth = (b: readonly RawIssue[]): number => Math.max(0, ...b.map((x) => x.path.length));
    const best = [...i.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
    if (depth(best) > 0) return best.flatMap((x) => flatten(x, here));
  }
  return [{ path: here.map(String).join('.'), message: i.message }];
}

/**
 * Validates `edited` (editable sections only) over `base` (the raw config input the connector
 * runs with). Issues carry the dot path of the offending key.
 */
export function validateSettings(base: Readonly<Record<string, unknown>>, edited: unknown): SettingsCheck {
  if (!edited || typeof edited !== 'object' || Array.isArray(edited)) {
    return { issues: [{ path: '', message: 'expected an object of settings sections' }] };
  }
  const issues: SettingsIssue[] = [];
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(edited)) {
    if ((EDITABLE_SECTIONS as readonly string[]).includes(k)) merged[k] = v;
    else issues.push({ path: k, message: 'not editable from the panel' });
  }
  const r = configSchema.safeParse(merged);
  if (!r.success) {
    for (const i of r.error.issues) issues.push(...flatten(i as RawIssue, []));
  }
  return issues.length || !r.success ? { issues } : { issues, config: r.data };
}
