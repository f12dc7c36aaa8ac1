/**
 * Transcripts end to end (`recordings.transcriber`): a recorded call is finished, its recording
 * attached, then the user's speech-to-text program runs on the PBX's file and its transcript is
 * attached to the same call with telephony.call.attachTranscription — after the record, once. A slow
 * program does not hold the outbox and is not taken for a Bitrix24 outage; a failing one leaves a
 * dead step with its error, retried from the panel once fixed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startConnector, type Connector } from '../../src/main.js';
import type { StoredCallState } from '../../src/flow/call-to-crm.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';
import { wavBytes } from '../recordings/helpers.js';
import { captureLogger } from '../bitrix/capture-logger.js';
import { program, tempDir, TWO_LINES } from '../transcripts/helpers.js';

let rig: Rig;
let conn: Connector;
const lines: string[] = [];
const progDir = tempDir();
/** The program the connector runs; its behaviour is switched between tests by rewriting the file. */
const prog = join(progDir, 'transcribe.mjs');

before(async () => {
  rig = await startRig(undefined, 0.05);
  conn = await startConnector(rig.config({
    recordings: { dirs: [rig.dir], stableMs: 200, transcriber: { command: process.execPath, args: [prog], waitMs: 200, timeoutMs: 10_000 } },
    calls: { missedUserId: 9, recordingWaitMs: 3000 },
  }), captureLogger(lines));
  await waitFor('AMI login', () => conn.ami.ready);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

function useProgram(o: Parameters<typeof program>[2]): void {
  writeFileSync(prog, readFileSync(program(progDir, 'next', o)));
}

async function recordedCall(from: string): Promise<{ callKey: string; callId: string; file: string }> {
  const handle = rig.sim.startCall({ type: 'inbound', from, did: '5551004', to: '101', outcome: 'answered', ringMs: 1000, talkMs: 4000, record: true });
  await handle.done;
  await conn.idle();
  const rec = await waitFor('the stored call', async () => {
    for (const c of await conn.store.listOpenCalls()) {
      const st = c.state as StoredCallState;
      if (st.summary.clientNumber === from && st.summary.recordings.length > 0) return { key: c.callKey, file: st.summary.recordings[0]! };
    }
    return undefined;
  });
  const file = join(rig.dir, basename(rec.file));
  writeFileSync(file, wavBytes(3));
  const reg = await waitFor('the registration', () => inspect(rig.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === from));
  return { callKey: rec.key, callId: reg.callId, file };
}

test('the transcript of a recorded call is attached to it, after the recording, from the PBX\'s file', async () => {
  useProgram({ reply: TWO_LINES });
  const { callKey, callId, file } = await recordedCall('+4930700001');
  const transcript = await waitFor('the transcript', () => inspect(rig.emu).transcripts.find((t) => t.callId === callId), 20_000);
  assert.deepEqual(transcript.messages, [
    { SIDE: 'User', START_TIME: 0, STOP_TIME: 2, MESSAGE: 'Good afternoon, 101' },
    { SIDE: 'Client', START_TIME: 1, STOP_TIME: 4, MESSAGE: 'Hello from +4930700001' },
  ]);
  const ins = inspect(rig.emu);
  const record = ins.records.find((r) => r.callId === callId);
  assert.ok(record && record.at <= transcript.at, 'the recording first');
  assert.equal(ins.transcripts.filter((t) => t.callId === callId).length, 1);
  // The job the program got: the PBX's own file and what is known of the call.
  const job = readFileSync(join(progDir, 'jobs.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((j) => j['callKey'] === callKey);
  assert.equal(job?.['file'], file);
  assert.equal(job?.['direction'], 'incoming');
  assert.equal(job?.['extension'], '101');
  assert.equal(job?.['callId'], callId);
  // Bitrix24 may answer before the outbox has written the step down: wait for that.
  const step = await waitFor('the step recorded', async () => {
    const x = await conn.store.getByKey(`${callKey}:transcript`);
    return x?.state === 'done' ? x : undefined;
  });
  assert.deepEqual(step?.result, { TRANSCRIPT_ID: transcript.id, messages: 2 });
  // The converted mp3 was removed once Bitrix24 had it (the PBX's wav is never touched).
  const attach = await conn.store.getByKey(`${callKey}:attach-record`);
  const tempDir = (attach?.params['prepared'] as { tempDir?: string } | undefined)?.tempDir;
  if (existsSync('/usr/bin/ffmpeg')) assert.ok(tempDir, 'converted to mp3 in a folder of its own');
  if (tempDir) assert.equal(existsSync(tempDir), false, 'converted copy removed');
  assert.ok(existsSync(file));
});

test('a slow program: the step comes back later without holding the outbox or looking like an outage', async () => {
  useProgram({ reply: TWO_LINES, delayMs: 2_500 });
  const { callKey, callId } = await recordedCall('+4930700002');
  const pending = await waitFor('the step waiting', async () => {
    const s = await conn.store.getByKey(`${callKey}:transcript`);
    return s?.lastError?.code === 'REC_TRANSCRIPT_PENDING' ? s : undefined;
  }, 15_000);
  assert.equal(pending.state, 'pending');
  // Another call goes all the way through meanwhile.
  const other = rig.sim.startCall({ type: 'inbound', from: '+4930700003', did: '5551004', to: '102', outcome: 'answered', ringMs: 300, talkMs: 300 });
  await other.done;
  await waitFor('the other call finished', () => {
    const reg = inspect(rig.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === '+4930700003');
    return reg && inspect(rig.emu).finishes.find((f) => f.callId === reg.callId);
  }, 10_000);
  assert.equal(inspect(rig.emu).transcripts.some((t) => t.callId === callId), false, 'still transcribing');
  await waitFor('the transcript', () => inspect(rig.emu).transcripts.find((t) => t.callId === callId), 20_000);
  assert.equal(lines.some((l) => l.includes('Bitrix24 unreachable')), false, 'never taken for an outage');
});

test('a failing program: the step is dead with the program\'s error; fixed and retried from the panel, it attaches', async () => {
  useProgram({ body: `process.stderr.write('no model'); process.exit(2);` });
  const { callKey, callId } = await recordedCall('+4930700004');
  const dead = await waitFor('the dead step', async () => {
    const s = await conn.store.getByKey(`${callKey}:transcript`);
    return s?.state === 'dead' ? s : undefined;
  }, 20_000);
  assert.equal(dead.lastError?.code, 'REC_TRANSCRIPT_FAILED');
  assert.match(dead.lastError?.message ?? '', /exit status 2/);
  useProgram({ reply: `{ MESSAGES: [{ SIDE: 'Client', START_TIME: 0, STOP_TIME: 2, MESSAGE: 'second try' }] }` });
  assert.equal(await conn.panel.outbox.retry(dead.id), true);
  const t = await waitFor('the transcript', () => inspect(rig.emu).transcripts.find((x) => x.callId === callId), 20_000);
  assert.equal(t.messages[0]?.['MESSAGE'], 'second try');
});
