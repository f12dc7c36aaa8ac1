/**
 * Calls that began and ended while the connector was stopped: AMI keeps no history, so they exist
 * only in cdr_csv's Master.csv (the AMI simulator writes it as Asterisk does, whether or not a
 * client is connected). After the restart each is registered once — SHOW=0, its own start date —
 * and finished with its status and talk time; no card pops; a second restart adds nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeWav } from '../recordings/helpers.js';
import { join } from 'node:path';
import { startConnector, AMI_ALIVE_KEY, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { LAB_PORTAL, startRig, inspect, waitFor, type Rig } from './helpers.js';

let rig: Rig;
let csvPath: string;
let dir: string;
before(async () => {
  // Real time (scale 1): the CDR times the simulator writes are wall-clock times.
  dir = join((await import('node:os')).tmpdir(), `ab24-cdr-${process.pid}-${Date.now()}`);
  csvPath = join(dir, 'cdr-csv', 'Master.csv');
  rig = await startRig(LAB_PORTAL, 1, { cdrCsv: { path: csvPath } });
});
after(async () => {
  await rig?.close();
  if (dir) (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<Connector> {
  const conn = await startConnector(rig.config({
    store: { path: join(rig.dir, 'cdr.sqlite') }, cdr: { csvPath }, recordings: { dirs: [join(rig.dir, 'monitor')], convertToMp3: false, stableMs: 100 },
  } as never), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
  return conn;
}

const finishedCalls = () => inspect(rig.emu).calls.filter((c) => c.finishedAt !== null);

test('calls made while the connector was stopped are registered late from Master.csv, once', async () => {
  const first = await start();
  const seen = await first.store.getValue<number>(AMI_ALIVE_KEY);
  assert.ok(seen !== undefined, 'the connector keeps the last time it heard AMI');
  await first.close();
  const before = new Set(inspect(rig.emu).calls.map((c) => c.callId));
  const regsBefore = inspect(rig.emu).registrations.length;
  const cardsBefore = inspect(rig.emu).cardHistory.length;

  // The connector is down: three calls come and go.
  const specs = [
    { type: 'inbound', from: '+4930555001', did: '5551000', to: '101', outcome: 'answered', ringMs: 300, talkMs: 2000 },
    { type: 'inbound', from: '+4930555002', did: '5551000', to: '102', outcome: 'noanswer', dialTimeoutMs: 800 },
    { type: 'queue', from: '+4930555003', did: '5551001', strategy: 'ringall', members: ['101', '102', '103'], answeredBy: '103', outcome: 'answered', ringMs: 300, talkMs: 1000 },
  ];
  const results = await Promise.all(specs.map((s) => rig.sim.startCall(s).done));
  assert.deepEqual(results, ['completed', 'completed', 'completed']);
  await new Promise((r) => setTimeout(r, 1_100)); // CDR times have whole seconds
  assert.ok(existsSync(csvPath) && readFileSync(csvPath, 'utf8').includes('+4930555003'), 'Asterisk (the simulator) wrote the CDRs');
  // The answered call was recorded; as FreePBX does, the file name carries the call's uniqueid.
  const uid = /"\+4930555001".*"(\d+\.\d+)",""$/m.exec(readFileSync(csvPath, 'utf8'))?.[1];
  assert.ok(uid, 'the uniqueid column');
  mkdirSync(join(rig.dir, 'monitor'), { recursive: true });
  await writeWav(join(rig.dir, 'monitor', `in-101-+4930555001-20261122-000000-${uid}.wav`), 2);

  const second = await start();
  try {
    const calls = await waitFor('three calls finished from the CDR', async () => {
      await second.idle();
      await second.sender.drain();
      const fresh = finishedCalls().filter((c) => !before.has(c.callId));
      return fresh.length >= 3 ? fresh : undefined;
    }, 20_000);
    const byPhone = (p: string) => calls.find((c) => c.phoneNumber?.endsWith(p.slice(1)))!;
    const regs = inspect(rig.emu).registrations.slice(regsBefore);
    assert.equal(regs.length, 3, 'one registration per call');
    for (const r of regs) assert.equal(Number(r.params['SHOW'] ?? 0), 0, 'registered without a card');
    assert.equal(inspect(rig.emu).cardHistory.length, cardsBefore, 'no card popped for calls long over');

    const answered = byPhone('+4930555001');
    assert.equal(answered.userId, 1, 'extension 101 → user 1');
    const finishes = inspect(rig.emu).finishes;
    const fin = (callId: string) => finishes.find((f) => f.callId === callId)!;
    assert.equal(fin(answered.callId).params['STATUS_CODE'], '200');
    assert.ok(Number(fin(answered.callId).params['DURATION']) >= 1, 'talk time from the CDR');
    assert.match(String(regs.find((r) => r.callId === answered.callId)!.params['CALL_START_DATE']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$/);
    assert.equal(fin(byPhone('+4930555002').callId).params['STATUS_CODE'], '304');
    const queued = byPhone('+4930555003');
    assert.equal(fin(queued.callId).params['STATUS_CODE'], '200');
    assert.equal(Number(fin(queued.callId).params['USER_ID']), 3, 'the agent who answered (103 → user 3)');
    const record = await waitFor('the recording found by the call id', () => inspect(rig.emu).records.find((r) => r.callId === answered.callId), 10_000);
    assert.equal(record.format, 'wav');
    assert.equal(inspect(rig.emu).records.filter((r) => r.callId === byPhone('+4930555002').callId).length, 0, 'no file, no record');
    assert.match(await second.metrics.text(), /^asterisk_b24_cdr_backfilled_calls_total 3$/m);
    const detail = await second.panel.call(answered.externalCallId!);
    assert.ok(detail?.timeline.some((e) => e.notes.some((n) => n.startsWith('rebuilt from the CDR'))), 'the panel says where the call came from');
  } finally {
    await second.close();
  }

  // A third start finds nothing new: each call stays registered once.
  const third = await start();
  try {
    await new Promise((r) => setTimeout(r, 500));
    await third.idle();
    await third.sender.drain();
    assert.equal(inspect(rig.emu).registrations.length, regsBefore + 3);
  } finally {
    await third.close();
  }
});

test('a call answered before the stop and ended during it is finished with its real talk time from the CDR', async () => {
  const first = await start();
  const regsBefore = inspect(rig.emu).registrations.length;
  const handle = rig.sim.startCall({ type: 'inbound', from: '+4930555010', did: '5551000', to: '102', outcome: 'answered', ringMs: 300, talkMs: 3000 });
  const callId = await waitFor('registered and answered', async () => {
    await first.idle();
    await first.sender.drain();
    const c = inspect(rig.emu).calls.find((x) => x.phoneNumber?.endsWith('4930555010'));
    const open = (await first.store.listOpenCalls()).find((r) => (r.state as { summary?: { answeredAt?: number } }).summary?.answeredAt !== undefined);
    return c && open ? c.callId : undefined;
  }, 10_000);
  await first.close(); // stopped while the call is up
  assert.equal(await handle.done, 'completed');
  await new Promise((r) => setTimeout(r, 3_000)); // the connector stays down a while after the call ended

  const second = await start();
  try {
    const fin = await waitFor('finished', async () => {
      await second.idle();
      await second.sender.drain();
      return inspect(rig.emu).finishes.find((f) => f.callId === callId);
    }, 15_000);
    assert.equal(inspect(rig.emu).registrations.length, regsBefore + 1, 'registered once, before the stop');
    assert.equal(fin.params['STATUS_CODE'], '200');
    const duration = Number(fin.params['DURATION']);
    assert.ok(duration >= 2 && duration <= 4, `talk time ${duration} s from the CDR, not until the restart (≥ 6 s)`);
    assert.equal(Number(fin.params['USER_ID']), 2);
    assert.equal(inspect(rig.emu).finishes.filter((f) => f.callId === callId).length, 1);
  } finally {
    await second.close();
  }
});
