/**
 * Failing hooks never lose or stall a call: a throwing hook, a hook past its (short) timeout and a
 * hook with a wrong reply fall back to the defaults; the call registers and finishes as without
 * hooks, and the failure is recorded in the call's timeline.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Connector } from '../../src/main.js';
import { startRig, inspect, type Rig } from '../e2e/helpers.js';
import { hook, runCall, startWith, writeHooks } from './helpers.js';

let rig: Rig;
let conn: Connector;

before(async () => {
  rig = await startRig();
  const dir = writeHooks(rig, 'hooks', {
    process_client_phone: `export default function () { throw new Error('boom'); }\n`,
    process_registration_params: `export default async function () { await new Promise((r) => setTimeout(r, 5000)); return { data: { CRM_SOURCE: 'LATE' }, state: 'success' }; }\n`,
    process_final_params: hook(`{ DURATION: 'not a number' }`),
    need_registration: `export default function () { return { data: { result: false }, state: 'failure' }; }\n`,
  });
  conn = await startWith(rig, { hooks: { dir, timeoutMs: 2000, timeouts: { process_registration_params: 150 } } });
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test('throwing, slow and malformed hooks: the call registers and finishes with the defaults', async () => {
  const started = Date.now();
  const r = await runCall(rig, conn, { type: 'inbound', from: '+4930123456', did: '5551000', to: '101', outcome: 'answered', ringMs: 1000, talkMs: 2000 });
  const ins = inspect(rig.emu);
  const reg = ins.registrations.find((x) => x.callId === r.callId)!;
  assert.equal(reg.params['PHONE_NUMBER'], '+4930123456', 'the original number');
  assert.equal(reg.params['CRM_SOURCE'], undefined, 'the late CRM_SOURCE was not used');
  const fin = ins.finishes.find((f) => f.callId === r.callId)!;
  assert.equal(String(fin.params['STATUS_CODE']), '200');
  assert.notEqual(String(fin.params['DURATION']), 'not a number');
  assert.ok(Date.now() - started < 8000, 'the slow hook did not hold the call for its 5 s');
  const runs = r.state.timeline.flatMap((e) => e.hooks ?? []);
  const codeOf = (p: string) => runs.find((h) => h.point === p)?.code;
  assert.equal(codeOf('process_client_phone'), 'HOOK_THREW');
  assert.equal(codeOf('process_registration_params'), 'HOOK_TIMEOUT');
  assert.equal(codeOf('process_final_params'), 'HOOK_BAD_TYPES');
  assert.equal(codeOf('need_registration'), 'HOOK_BAD_STATE');
  for (const h of runs) {
    assert.equal(h.ok, false);
    assert.equal(h.source, 'default');
    assert.deepEqual(h.changed, []);
  }
  assert.ok(r.state.timeline.some((e) => e.notes.includes(`hook process_registration_params: failed HOOK_TIMEOUT, defaults used (default, ${runs.find((h) => h.point === 'process_registration_params')!.ms} ms)`)));
});
