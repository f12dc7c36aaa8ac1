/**
 * The office-feature specs that reproduce our Asterisk 22.10.1 recordings
 * (`test/fixtures/ami-recorded/<name>.txt`, timings as recorded), shared by the generator's
 * event-by-event tests and the tracker test on generated calls.
 */
import type { CallSpec } from '../spec.js';

export const TRUNK_CALLER = { from: '+4930123456', trunk: 'trunk' } as const;
const caller = TRUNK_CALLER;

/** Recording name (without `.txt`) → spec. */
export const OFFICE_PAIRS: ReadonlyArray<readonly [string, CallSpec]> = [
  ['lab22-m_ring_group', { type: 'ring-group', ...caller, did: '5551011', members: ['101', '102'], answeredBy: '102', outcome: 'answered', ringMs: 3000, talkMs: 5000 }],
  ['lab22-k_directed_pickup', { type: 'pickup', ...caller, did: '5551010', to: '101', pickedBy: '102', mode: 'directed', ringMs: 3000, talkMs: 5000 }],
  ['lab22-l_group_pickup', { type: 'pickup', ...caller, did: '5551010', to: '101', pickedBy: '102', mode: 'group', ringMs: 3000, talkMs: 5000 }],
  ['lab22-n_park_retrieve', { type: 'park', ...caller, did: '5551006', to: '101', retrievedBy: '102', ringMs: 2000, talkMs: 3000, parkedMs: 5000, afterRetrieveTalkMs: 5000 }],
];
