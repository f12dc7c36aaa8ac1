/**
 * Doctor check `b24.fmc`: with FMC on (pbx.fmc), which employees' mobiles the connector will
 * recognise — read from the same user.get the user directory uses — and the numbers that are
 * ambiguous (one mobile for two extensions: the first wins).
 */
import type { Config } from '../config/schema.js';
import type { B24RestClient } from '../adapters/bitrix/client.js';
import { mobileKey } from '../core/call/classify.js';
import { pass, warn, type CheckOutcome, type ResolvedDoctorOptions } from './doctor-check.js';

export const FMC_CHECK = ['b24.fmc', 'Employees\' mobiles (FMC)'] as const;

/** Reads at most this many pages of 50 users: enough to judge, cheap on a big portal. */
const MAX_PAGES = 20;

export async function checkFmc(config: Config, client: B24RestClient, o: ResolvedDoctorOptions): Promise<CheckOutcome> {
  const fmc = config.pbx.fmc;
  if (!fmc.enabled) return pass('off (pbx.fmc.enabled): calls forwarded to a mobile count as answered outside');
  const owners = new Map<string, Set<string>>();
  const add = (num: string, ext: string): void => {
    const key = mobileKey(num, fmc.matchDigits);
    if (key !== undefined) owners.set(key, (owners.get(key) ?? new Set()).add(ext));
  };
  for (const [num, ext] of Object.entries(fmc.numbers)) add(num, ext);
  let start: number | undefined = 0;
  for (let page = 0; start !== undefined && page < MAX_PAGES; page++) {
    const env = await client.callRaw('user.get', { FILTER: { ACTIVE: true }, start }, { signal: AbortSignal.timeout(o.timeoutMs) });
    for (const u of Array.isArray(env.result) ? (env.result as Array<Record<string, unknown>>) : []) {
      const inner = u['UF_PHONE_INNER'];
      if ((typeof inner !== 'string' && typeof inner !== 'number') || String(inner) === '') continue;
      for (const f of fmc.fields) {
        const v = u[f];
        if (typeof v === 'string' && v.trim() !== '') add(v, String(inner));
      }
    }
    start = typeof env.next === 'number' ? env.next : undefined;
  }
  if (owners.size === 0) {
    return warn(`FMC is on but no employee with an inner phone has a number in ${fmc.fields.join(', ')}`,
      'fill the field in the employees\' Bitrix24 profiles, choose other pbx.fmc.fields, or list numbers in pbx.fmc.numbers', 'DOCTOR_FMC_NO_MOBILES');
  }
  const shared = [...owners].filter(([, exts]) => exts.size > 1).map(([key, exts]) => `…${key} (${[...exts].join(', ')})`);
  if (shared.length > 0) {
    return warn(`${owners.size} mobile(s); shared by several extensions: ${shared.join('; ')}`,
      'a forwarded call goes to the first extension listed; give each employee their own number (pbx.fmc.numbers wins over the profiles)', 'DOCTOR_FMC_SHARED_MOBILE');
  }
  return pass(`${owners.size} employee mobile(s) recognised (${fmc.fields.join(', ')}${Object.keys(fmc.numbers).length ? ' + pbx.fmc.numbers' : ''})`);
}
