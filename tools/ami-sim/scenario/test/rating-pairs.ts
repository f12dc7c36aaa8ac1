/**
 * The call rating IVR specs (inbound with `rating`) that reproduce our Asterisk 22.10.1 recordings
 * `test/fixtures/ami-recorded/lab22-y/z` (timings as recorded).
 */
import type { CallSpec } from '../spec.js';
import { TRUNK_CALLER as caller } from './office-pairs.js';

const call = { type: 'inbound', ...caller, did: '5551017', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 3000, hangupBy: 'callee' } as const;

/** Recording name (without `.txt`) → spec. */
export const RATING_PAIRS: ReadonlyArray<readonly [string, CallSpec]> = [
  ['lab22-y_rating_ivr_vote', { ...call, rating: '4', rateMs: 1000 }],
  ['lab22-z_rating_ivr_no_vote', { ...call, rating: 'none', rateMs: 2000 }],
];
