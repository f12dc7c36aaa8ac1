/**
 * Scenario 5 with a recording (issue 5): a recorded call (MixMonitor) is finished and its recording
 * arrives in Bitrix24 as mp3, converted by Debian's ffmpeg, attached to the right call — also when
 * the file appears only after the hang-up. A file that never appears: the call is finished without
 * it, and the timeline says why. The card is hidden at hang-up while the file is awaited.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import type { StoredCallState } from '../../src/flow/call-to-crm.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';
import { wavBytes } from '../recordings/helpers.js';

const HAVE_FFMPEG = existsSync('/usr/bin/ffmpeg');
let rig: Rig;
let conn: Connector;

before(async () => {
  rig = await startRig(undefined, 0.05);
  conn = await startConnector(rig.config({
    recordings: { dirs: [rig.dir], stableMs: 200 },
    calls: { missedUserId: 9, recordingWaitMs: 3000 },
  }), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

async function recordedCall(from: string, writeFileAfterMs: number | undefined): Promise<{ callKey: string; callId: string }> {
  const handle = rig.sim.startCall({ type: 'inbound', from, did: '5551004', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 6000, record: true });
  await handle.done;
  await conn.idle();
  const rec = await waitFor('the stored call', async () => {
    for (const c of await conn.store.listOpenCalls()) {
      const st = c.state as StoredCallState;
      if (st.summary.clientNumber === from && st.summary.recordings.length > 0) return { key: c.callKey, file: st.summary.recordings[0]! };
    }
    return undefined;
  });
  if (writeFileAfterMs !== undefined) {
    await new Promise((r) => setTimeout(r, writeFileAfterMs));
    writeFileSync(join(rig.dir, basename(rec.file)), wavBytes(3));
  }
  const reg = await waitFor('the registration', () => inspect(rig.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === from));
  return { callKey: rec.key, callId: reg.callId };
}

test('a late recording arrives as mp3 on the right call, after the finish', { skip: HAVE_FFMPEG ? false : 'ffmpeg is not installed' }, async () => {
  const { callId } = await recordedCall('+4930600001', 500);
  const record = await waitFor('the record', () => inspect(rig.emu).records.find((r) => r.callId === callId), 15_000);
  assert.equal(record.format, 'mp3');
  assert.ok(record.size > 4000 && record.size < 12000, `3 s at 16 kbit/s ≈ 6 KB, got ${record.size}`);
  const ins = inspect(rig.emu);
  const finish = ins.finishes.find((f) => f.callId === callId)!;
  assert.ok(finish.at <= record.at, 'attached after finish');
  const cards = ins.cardHistory.filter((c) => c.callId === callId);
  assert.equal(cards.at(-1)?.action, 'hide', 'the card went at hang-up, before the finish');
});

test('a recording that never appears: finished without it, and the timeline says why', async () => {
  const { callKey, callId } = await recordedCall('+4930600002', undefined);
  await waitFor('the finish', () => inspect(rig.emu).finishes.find((f) => f.callId === callId), 15_000);
  await conn.idle();
  assert.equal(inspect(rig.emu).records.filter((r) => r.callId === callId).length, 0);
  const stored = (await conn.store.getCall(callKey))!.state as StoredCallState;
  const notes = stored.timeline.flatMap((t) => t.notes).join(' | ');
  assert.match(notes, /no recording: missing/);
});
