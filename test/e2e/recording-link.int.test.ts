/**
 * Recordings in link mode (issue 5): instead of uploading the file, the connector publishes it at
 * its public URL and puts an audio player in the call's CRM activity, through hook 14
 * `customize_attach_record_url`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import type { StoredCallState } from '../../src/flow/call-to-crm.js';
import { startRig, waitFor, inspect, type Rig } from './helpers.js';
import { wavBytes } from '../recordings/helpers.js';

const HAVE_FFMPEG = existsSync('/usr/bin/ffmpeg');
let rig: Rig;
let conn: Connector;
let publishDir = '';

before(async () => {
  rig = await startRig(undefined, 0.05);
  const hooksDir = join(rig.dir, 'hooks');
  mkdirSync(hooksDir, { recursive: true });
  writeFileSync(join(hooksDir, 'customize_attach_record_url.mjs'),
    'export default async (input) => ({ state: "success", data: { DESCRIPTION: "VIP " + input.DESCRIPTION, DESCRIPTION_TYPE: 3 } });\n');
  publishDir = join(rig.dir, 'public');
  conn = await startConnector(rig.config({
    recordings: { dirs: [rig.dir], stableMs: 200, mode: 'link', publicBaseUrl: 'https://connector.example.com/records/', publishDir },
    hooks: { dir: hooksDir, timeoutMs: 3000 },
    calls: { missedUserId: 9, recordingWaitMs: 3000 },
  }), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
});
after(async () => {
  await conn?.close();
  await rig?.close();
});

test('the activity gets an audio player with the public link, changed by hook 14; the file is served', { skip: HAVE_FFMPEG ? false : 'ffmpeg is not installed' }, async () => {
  const from = '+4930600003';
  await rig.sim.startCall({ type: 'inbound', from, did: '5551004', to: '101', outcome: 'answered', ringMs: 2000, talkMs: 6000, record: true }).done;
  await conn.idle();
  const file = await waitFor('the stored call', async () => {
    for (const c of await conn.store.listOpenCalls()) {
      const st = c.state as StoredCallState;
      if (st.summary.clientNumber === from && st.summary.recordings.length > 0) return st.summary.recordings[0]!;
    }
    return undefined;
  });
  writeFileSync(join(rig.dir, basename(file)), wavBytes(3));
  const callId = (await waitFor('the registration', () => inspect(rig.emu).registrations.find((r) => r.params['PHONE_NUMBER'] === from))).callId;
  const act = await waitFor('the activity with the link', () => {
    const i = inspect(rig.emu);
    const fin = i.finishes.find((f) => f.callId === callId);
    const a = fin && i.activities.find((x) => Number(x['ID']) === fin.activityId);
    return a && String(a['DESCRIPTION'] ?? '').includes('<audio') ? a : undefined;
  }, 15_000);
  const description = String(act['DESCRIPTION']);
  assert.match(description, /^VIP /);
  assert.match(description, /https:\/\/connector\.example\.com\/records\/[\w.%-]+\.mp3/);
  assert.equal(inspect(rig.emu).records.filter((r) => r.callId === callId).length, 0, 'no file upload in link mode');
  const published = readdirSync(publishDir).filter((n) => n.endsWith('.mp3'));
  assert.equal(published.length, 1);
  const served = await fetch(`${conn.httpUrl}/records/${encodeURIComponent(published[0]!)}`);
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'audio/mpeg');
});
