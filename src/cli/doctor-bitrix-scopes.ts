/**
 * Which REST scopes the token has. The `scope` method (any auth, "for all") lists them; where it is
 * missing (older boxes, the emulator) each scope is probed with a harmless read of that scope:
 * `insufficient_scope` means missing, `ERROR_METHOD_NOT_FOUND` means "cannot tell".
 */
import type { Config } from '../config/schema.js';
import { errorCode } from '../errors.js';
import type { B24RestClient } from '../adapters/bitrix/client.js';
import { fail, pass, warn, type CheckOutcome, type ResolvedDoctorOptions } from './doctor-check.js';

type Verdict = 'granted' | 'missing' | 'unknown';

interface ScopeNeed {
  readonly scope: string;
  /** Any of these grants it. */
  readonly satisfiedBy: readonly string[];
  readonly required: boolean;
  readonly why: string;
  readonly probe: { method: string; params: Record<string, unknown> };
}

export function scopeNeeds(config: Config): ScopeNeed[] {
  return [
    { scope: 'telephony', satisfiedBy: ['telephony'], required: true, why: 'register/show/finish calls',
      probe: { method: 'telephony.externalCall.searchCrmEntities', params: { PHONE_NUMBER: '+10000000000' } } },
    { scope: 'crm', satisfiedBy: ['crm'], required: true, why: 'client lookup, activities, entity updates',
      probe: { method: 'crm.duplicate.findbycomm', params: { type: 'PHONE', values: ['+10000000000'] } } },
    { scope: 'user', satisfiedBy: ['user', 'user_basic'], required: true, why: 'finding employees by inner phone (UF_PHONE_INNER)',
      probe: { method: 'user.current', params: {} } },
    { scope: 'task', satisfiedBy: ['task'], required: config.tasks.missedCalls, why: 'missed-call tasks (tasks.missedCalls)',
      probe: { method: 'tasks.task.list', params: { filter: { ID: 0 }, select: ['ID'] } } },
  ];
}

const SCOPE_HINT = 'tick the scope on the local application (or webhook) in Developer resources, then reinstall the application / save the webhook';

/** Verdicts from the `scope` list. */
export function verdictsFromList(needs: readonly ScopeNeed[], granted: readonly string[]): Map<string, Verdict> {
  const set = new Set(granted.map((s) => s.toLowerCase()));
  return new Map(needs.map((n) => [n.scope, n.satisfiedBy.some((s) => set.has(s)) ? 'granted' : 'missing']));
}

async function probeScopes(needs: readonly ScopeNeed[], client: B24RestClient, o: ResolvedDoctorOptions): Promise<Map<string, Verdict>> {
  const entries = await Promise.all(needs.map(async (n): Promise<[string, Verdict]> => {
    try {
      await client.call(n.probe.method, n.probe.params, { signal: AbortSignal.timeout(o.timeoutMs) });
      return [n.scope, 'granted'];
    } catch (e) {
      const code = errorCode(e);
      if (code === 'B24_INSUFFICIENT_SCOPE') return [n.scope, 'missing'];
      if (code === 'B24_METHOD_NOT_FOUND') return [n.scope, 'unknown'];
      // Any other method error (bad parameter, access denied on data) means the scope let us in.
      return [n.scope, code.startsWith('B24_') && code !== 'B24_NETWORK' && code !== 'B24_TIMEOUT' ? 'granted' : 'unknown'];
    }
  }));
  return new Map(entries);
}

export function judgeScopes(needs: readonly ScopeNeed[], verdicts: Map<string, Verdict>, source: string): CheckOutcome {
  const of = (v: Verdict): ScopeNeed[] => needs.filter((n) => verdicts.get(n.scope) === v);
  const missingRequired = of('missing').filter((n) => n.required);
  const describe = (ns: ScopeNeed[]): string => ns.map((n) => `${n.scope} (${n.why})`).join(', ');
  if (missingRequired.length > 0) {
    return fail(`missing scope ${describe(missingRequired)} [${source}]`, SCOPE_HINT, 'DOCTOR_B24_SCOPE_MISSING');
  }
  const unknownRequired = of('unknown').filter((n) => n.required);
  if (unknownRequired.length > 0) {
    return warn(`could not verify scope ${describe(unknownRequired)} [${source}]`, `make sure they are ticked: ${SCOPE_HINT}`, 'DOCTOR_B24_SCOPE_UNVERIFIED');
  }
  const granted = of('granted').map((n) => n.scope);
  const notes = [...of('missing'), ...of('unknown')].map((n) => `${n.scope} ${verdicts.get(n.scope) === 'missing' ? 'missing' : 'not verified'}, needed only for ${n.why}`);
  return pass(`${granted.join(', ')} present [${source}]${notes.length ? `; ${notes.join('; ')}` : ''}`);
}

export async function checkScopes(config: Config, client: B24RestClient, o: ResolvedDoctorOptions): Promise<CheckOutcome> {
  const needs = scopeNeeds(config);
  try {
    const list = await client.call<unknown>('scope', {}, { signal: AbortSignal.timeout(o.timeoutMs) });
    if (Array.isArray(list)) return judgeScopes(needs, verdictsFromList(needs, list.map(String)), 'scope');
  } catch (e) {
    if (errorCode(e) !== 'B24_METHOD_NOT_FOUND') throw e;
  }
  return judgeScopes(needs, await probeScopes(needs, client, o), 'probed');
}
