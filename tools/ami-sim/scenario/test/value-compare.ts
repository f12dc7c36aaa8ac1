/**
 * Test helper: field-by-field value comparison of a generated call with a recorded transcript, after
 * the structural checks of fixture-compare.ts. Ids are renumbered (every Uniqueid/Linkedid, channel
 * name and bridge id of the recording is mapped to the generated one it pairs with, also inside
 * values such as `BRIDGEPEER` or a Cdr's `DestinationChannel`); values that only depend on timing,
 * media or randomness are skipped (see IGNORED_*). Everything else — states, contexts, extensions,
 * priorities, caller ids, Dial statuses, causes, variables, bridge types, devices, parking data —
 * must be equal.
 */
import { nameOf, type Ev } from './fixture-compare.js';

const ID_KEY = /(uniqueid|linkedid)$/i;
const CHAN_KEY = /Channel$/;

/** Keys whose values are times, durations or module-load dependent. */
const IGNORED_KEYS = new Set([
  'LoginTime', 'StartTime', 'AnswerTime', 'EndTime', 'Duration', 'BillableSeconds',
  // LocalOptimizationBegin/End `Id`: a counter over the whole Asterisk process, not per call.
  'Id',
]);

/** VarSet variables whose values are timings, media statistics or chan_pjsip call ids. */
const IGNORED_VARIABLES = /^(RINGTIME|RINGTIME_MS|ANSWEREDTIME|ANSWEREDTIME_MS|DIALEDTIME|DIALEDTIME_MS|BRIDGEPVTCALLID|RTPAUDIOQOS\w*)$/;

function idMap(expected: readonly Ev[], actual: readonly Ev[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
    const e = expected[i] as Ev;
    const a = actual[i] as Ev;
    e.forEach(([k, v], f) => {
      if (v === '' || v === '<unknown>') return;
      if (ID_KEY.test(k) || CHAN_KEY.test(k) || k.endsWith('BridgeUniqueid') || k === 'SwapUniqueid') {
        const av = a[f]?.[1];
        if (av !== undefined && !map.has(v)) map.set(v, av);
      }
    });
  }
  return map;
}

function renumber(v: string, map: ReadonlyMap<string, string>, pattern: RegExp | undefined): string {
  if (!pattern) return v;
  return v.replace(pattern, (m) => map.get(m) ?? m);
}

/**
 * Returns undefined when every compared value is equal (ids renumbered), else the first difference.
 * Both lists must already agree on event names and keys (compareSequences).
 */
export function compareValues(expected: readonly Ev[], actual: readonly Ev[]): string | undefined {
  const map = idMap(expected, actual);
  const keys = [...map.keys()].sort((x, y) => y.length - x.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = keys.length > 0 ? new RegExp(`(?:${keys.join('|')})(?![0-9])`, 'g') : undefined;
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
    const e = expected[i] as Ev;
    const a = actual[i] as Ev;
    const variable = nameOf(e) === 'VarSet' ? e.find(([k]) => k === 'Variable')?.[1] ?? '' : '';
    for (let f = 0; f < e.length; f++) {
      const [k, ev] = e[f] as readonly [string, string];
      if (IGNORED_KEYS.has(k)) continue;
      if (k === 'Value' && IGNORED_VARIABLES.test(variable)) continue;
      const want = renumber(ev, map, pattern);
      const got = a[f]?.[1] ?? '(missing)';
      if (want !== got) {
        return `event #${i} ${nameOf(e)}${variable ? ` ${variable}` : ''} ${k}: recording ${JSON.stringify(ev)} (renumbered ${JSON.stringify(want)}), generated ${JSON.stringify(got)}`;
      }
    }
  }
  return undefined;
}
