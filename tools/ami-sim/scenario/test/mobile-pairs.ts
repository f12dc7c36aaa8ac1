/**
 * The FMC specs (calls forwarded to an employee's mobile through the trunk) that reproduce our
 * Asterisk 22.10.1 recordings `test/fixtures/ami-recorded/lab22-t…x` (timings as recorded).
 */
import type { CallSpec } from '../spec.js';
import { TRUNK_CALLER as caller } from './office-pairs.js';

const mobile = '79161234567';

/** Recording name (without `.txt`) → spec. */
export const MOBILE_PAIRS: ReadonlyArray<readonly [string, CallSpec]> = [
  ['lab22-t_ring_desk_and_mobile_mobile_answers', { type: 'ring-with-mobile', ...caller, did: '5551014', to: '101', mobile, answeredBy: 'mobile', ringMs: 3000, talkMs: 5000 }],
  ['lab22-w_ring_desk_and_mobile_desk_answers', { type: 'ring-with-mobile', ...caller, did: '5551014', to: '101', mobile, answeredBy: 'desk', ringMs: 3000, talkMs: 5000 }],
  ['lab22-u_followme_local_mobile_answers', { type: 'ring-with-mobile', ...caller, did: '5551015', to: '101', mobile, viaLocal: true, answeredBy: 'mobile', ringMs: 3000, talkMs: 5000 }],
  ['lab22-v_forward_to_mobile_answered', { type: 'forward-to-mobile', ...caller, did: '5551016', to: '101', mobile, outcome: 'answered', ringMs: 3000, talkMs: 5000 }],
  ['lab22-x_forward_to_mobile_busy', { type: 'forward-to-mobile', ...caller, did: '5551016', to: '101', mobile, outcome: 'busy' }],
];
