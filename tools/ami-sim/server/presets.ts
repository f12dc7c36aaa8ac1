/**
 * Named call kinds for `--load mix=…` and scenario files: each is a generator CallSpec, with a lab
 * transcript to play instead when no generator is plugged in. Trunk callers get a different
 * number per call so a connector sees distinct customers.
 */

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Preset {
  /** CallSpec for the generator (see tools/ami-sim/scenario/spec.ts). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Transcript (file name in the fixtures folder, or an absolute path) when there is no generator. */
  readonly transcript: string;
}

const CALLER = { from: '+4930123456', fromName: 'External Caller' };

/**
 * Absolute path of one of the project's own Asterisk 22.10.1 recordings (test/fixtures/ami-recorded),
 * from the sources (tools/ami-sim/server) or from the build (dist/tools/ami-sim/server).
 */
function recorded(file: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = ['../../..', '../../../..'].map((up) => resolve(here, up, 'test/fixtures/ami-recorded', file));
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  inbound: { spec: { type: 'inbound', ...CALLER, did: '5551000', to: '101', outcome: 'answered', ringMs: 3000, talkMs: 5000 }, transcript: 'lab22-a_inbound_answered.txt' },
  noanswer: { spec: { type: 'inbound', ...CALLER, did: '5551000', to: '101', outcome: 'noanswer' }, transcript: 'lab22-b1_inbound_noanswer.txt' },
  busy: { spec: { type: 'inbound', ...CALLER, did: '5551000', to: '101', outcome: 'busy' }, transcript: 'lab22-b2_inbound_busy.txt' },
  cancel: { spec: { type: 'inbound', ...CALLER, did: '5551000', to: '101', outcome: 'cancel', ringMs: 3000 }, transcript: 'lab22-b3_inbound_cancel.txt' },
  outbound: { spec: { type: 'outbound', from: '101', to: '0049301234', outcome: 'answered', ringMs: 2000, talkMs: 5000 }, transcript: 'lab22-c_outbound_answered.txt' },
  internal: { spec: { type: 'internal', from: '101', to: '102', outcome: 'answered', ringMs: 2000, talkMs: 4000 }, transcript: 'extcf-internal_answered.txt' },
  queue: { spec: { type: 'queue', ...CALLER, did: '5551001', strategy: 'ringall', members: ['101', '102'], outcome: 'answered' }, transcript: 'lab22-e_queue_ringall_second_answers.txt' },
  'queue-linear': { spec: { type: 'queue', ...CALLER, did: '5551002', strategy: 'linear', members: ['101', '102'], outcome: 'answered' }, transcript: 'lab22-f_queue_linear.txt' },
  'queue-abandon': { spec: { type: 'queue', ...CALLER, did: '5551001', strategy: 'ringall', members: ['101', '102'], outcome: 'abandon' }, transcript: 'lab22-i2_queue_abandon.txt' },
  'blind-transfer': { spec: { type: 'blind-transfer', ...CALLER, did: '5551006', to: '101', transferTo: '102' }, transcript: 'lab22-g_blind_transfer.txt' },
  'attended-transfer': { spec: { type: 'attended-transfer', ...CALLER, did: '5551006', to: '101', transferTo: '102' }, transcript: 'extcf-attended_transfer.txt' },
  ivr: { spec: { type: 'ivr-abandon', ...CALLER, did: '5551003' }, transcript: 'lab22-i_ivr_abandon.txt' },
  record: { spec: { type: 'inbound', ...CALLER, did: '5551004', to: '101', outcome: 'answered', record: true }, transcript: 'lab22-j_mixmonitor_recording.txt' },
  followme: { spec: { type: 'followme', ...CALLER, did: '5551005', to: '101', viaLocal: true, outcome: 'answered' }, transcript: 'lab22-d2_originate_local.txt' },
  'ring-group': { spec: { type: 'ring-group', ...CALLER, did: '5551011', members: ['101', '102'], answeredBy: '102', outcome: 'answered', ringMs: 3000, talkMs: 5000 }, transcript: recorded('lab22-m_ring_group.txt') },
  pickup: { spec: { type: 'pickup', ...CALLER, did: '5551010', to: '101', pickedBy: '102', mode: 'directed', ringMs: 3000, talkMs: 5000 }, transcript: recorded('lab22-k_directed_pickup.txt') },
  'group-pickup': { spec: { type: 'pickup', ...CALLER, did: '5551010', to: '101', pickedBy: '102', mode: 'group', ringMs: 3000, talkMs: 5000 }, transcript: recorded('lab22-l_group_pickup.txt') },
  park: { spec: { type: 'park', ...CALLER, did: '5551006', to: '101', retrievedBy: '102' }, transcript: recorded('lab22-n_park_retrieve.txt') },
  'ring-with-mobile': { spec: { type: 'ring-with-mobile', ...CALLER, did: '5551014', to: '101', mobile: '79161234567', answeredBy: 'mobile', ringMs: 3000, talkMs: 5000 }, transcript: recorded('lab22-t_ring_desk_and_mobile_mobile_answers.txt') },
  'ring-with-mobile-desk': { spec: { type: 'ring-with-mobile', ...CALLER, did: '5551014', to: '101', mobile: '79161234567', answeredBy: 'desk', ringMs: 3000, talkMs: 5000 }, transcript: recorded('lab22-w_ring_desk_and_mobile_desk_answers.txt') },
  'followme-mobile': { spec: { type: 'ring-with-mobile', ...CALLER, did: '5551015', to: '101', mobile: '79161234567', viaLocal: true, answeredBy: 'mobile', ringMs: 3000, talkMs: 5000 }, transcript: recorded('lab22-u_followme_local_mobile_answers.txt') },
  'forward-to-mobile': { spec: { type: 'forward-to-mobile', ...CALLER, did: '5551016', to: '101', mobile: '79161234567', outcome: 'answered', ringMs: 3000, talkMs: 5000 }, transcript: recorded('lab22-v_forward_to_mobile_answered.txt') },
  'forward-to-mobile-busy': { spec: { type: 'forward-to-mobile', ...CALLER, did: '5551016', to: '101', mobile: '79161234567', outcome: 'busy' }, transcript: recorded('lab22-x_forward_to_mobile_busy.txt') },
  rating: { spec: { type: 'inbound', ...CALLER, did: '5551017', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 3000, hangupBy: 'callee', rating: '4' }, transcript: recorded('lab22-y_rating_ivr_vote.txt') },
  'rating-none': { spec: { type: 'inbound', ...CALLER, did: '5551017', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 3000, hangupBy: 'callee', rating: 'none' }, transcript: recorded('lab22-z_rating_ivr_no_vote.txt') },
};

/** The preset's spec with a per-call caller number (`+4930100000` + n) for trunk callers. */
export function specForCall(preset: Preset, n: number): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...preset.spec };
  if (typeof spec.from === 'string' && spec.from.startsWith('+')) spec.from = `+49301${String(n % 100000).padStart(5, '0')}`;
  return spec;
}
