/**
 * Calls made while the connector was stopped, backfilled from cdr_pgsql's table (cdr.source:
 * pgsql) in a real PostgreSQL. The AMI simulator writes each CDR to Master.csv as Asterisk does; the
 * test copies those records into the cdr table as cdr_pgsql would (calldate a timestamptz, written as
 * the PBX's Moscow wall clock in a Moscow session) — the connector itself reads only the database,
 * with no zone configured. After the restart each call is registered once, late (SHOW=0), and
 * finished once; a third start adds nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startConnector, type Connector } from '../../src/main.js';
import { silentLogger } from '../../src/log.js';
import { readCdrTail } from '../../src/adapters/cdr/master-csv.js';
import { SAMPLE_CDR_LAYOUT } from '../../src/core/cdr/csv.js';
import { freepbxRows } from '../cdr/freepbx-rows.js';
import { pgAvailable, stopSharedPgCluster } from '../store/pg-cluster.js';
import { createPgCdrDatabase, PG_SKIP, type PgCdrDatabase } from '../cdr/pgsql-cdr.js';
import { LAB_PORTAL, startRig, inspect, waitFor, type Rig } from './helpers.js';

const skip = pgAvailable() ? false : PG_SKIP;
const TZ = 'Europe/Moscow';
let rig: Rig;
let db: PgCdrDatabase;
let csvPath: string;
let dir: string;
before(async () => {
  if (skip) return;
  dir = join(tmpdir(), `ab24-cdr-pg-${process.pid}-${Date.now()}`);
  csvPath = join(dir, 'Master.csv');
  rig = await startRig(LAB_PORTAL, 1, { cdrCsv: { path: csvPath } });
  db = await createPgCdrDatabase();
});
after(async () => {
  await rig?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await stopSharedPgCluster();
});

async function start(): Promise<Connector> {
  const conn = await startConnector(rig.config({
    store: { path: join(rig.dir, 'cdr-pgsql.sqlite') }, cdr: { source: 'pgsql', pgsql: { url: db.url } }, recordings: { enabled: false },
  } as never), silentLogger);
  await waitFor('AMI login', () => conn.ami.ready);
  return conn;
}

test('calls made while the connector was stopped are registered late from the cdr_pgsql table, once', { skip }, async () => {
  const first = await start();
  await first.close();
  const before = new Set(inspect(rig.emu).calls.map((c) => c.callId));
  const regsBefore = inspect(rig.emu).registrations.length;
  const cardsBefore = inspect(rig.emu).cardHistory.length;

  const specs = [
    { type: 'inbound', from: '+4930555101', did: '5551000', to: '101', outcome: 'answered', ringMs: 300, talkMs: 2000 },
    { type: 'inbound', from: '+4930555102', did: '5551000', to: '102', outcome: 'noanswer', dialTimeoutMs: 800 },
    { type: 'queue', from: '+4930555103', did: '5551001', strategy: 'ringall', members: ['101', '102', '103'], answeredBy: '103', outcome: 'answered', ringMs: 300, talkMs: 1000 },
  ];
  assert.deepEqual(await Promise.all(specs.map((s) => rig.sim.startCall(s).done)), ['completed', 'completed', 'completed']);
  await new Promise((r) => setTimeout(r, 1_100)); // CDR times have whole seconds
  assert.ok(existsSync(csvPath));
  // cdr_pgsql writes the same CDRs into its table (the connector is not configured to read Master.csv).
  const { records } = await readCdrTail(csvPath, 0, SAMPLE_CDR_LAYOUT);
  await db.insert(freepbxRows(records, TZ), TZ);

  const second = await start();
  try {
    const calls = await waitFor('three calls finished from the CDR database', async () => {
      await second.idle();
      await second.sender.drain();
      const fresh = inspect(rig.emu).calls.filter((c) => c.finishedAt !== null && !before.has(c.callId));
      return fresh.length >= 3 ? fresh : undefined;
    }, 20_000);
    const byPhone = (p: string) => calls.find((c) => c.phoneNumber?.endsWith(p.slice(1)))!;
    const regs = inspect(rig.emu).registrations.slice(regsBefore);
    assert.equal(regs.length, 3, 'one registration per call');
    for (const r of regs) assert.equal(Number(r.params['SHOW'] ?? 0), 0, 'registered without a card');
    assert.equal(inspect(rig.emu).cardHistory.length, cardsBefore, 'no card popped for calls long over');
    const finishes = inspect(rig.emu).finishes;
    const fin = (callId: string) => finishes.find((f) => f.callId === callId)!;
    const answered = byPhone('+4930555101');
    assert.equal(answered.userId, 1);
    assert.equal(fin(answered.callId).params['STATUS_CODE'], '200');
    assert.ok(Number(fin(answered.callId).params['DURATION']) >= 1, 'talk time from the CDR');
    // calldate a timestamptz: the real start, with no zone configured.
    const started = Date.parse(String(regs.find((r) => r.callId === answered.callId)!.params['CALL_START_DATE']));
    const csvStart = records.find((r) => r.src === '+4930555101')!.start;
    assert.equal(started, csvStart, 'the start as Asterisk logged it');
    assert.equal(fin(byPhone('+4930555102').callId).params['STATUS_CODE'], '304');
    const queued = byPhone('+4930555103');
    assert.equal(fin(queued.callId).params['STATUS_CODE'], '200');
    assert.equal(Number(fin(queued.callId).params['USER_ID']), 3, 'the agent who answered (103 → user 3)');
    for (const c of calls) assert.equal(finishes.filter((f) => f.callId === c.callId).length, 1, 'finished once');
    assert.match(await second.metrics.text(), /^asterisk_b24_cdr_backfilled_calls_total 3$/m);
  } finally {
    await second.close();
  }

  const third = await start();
  try {
    await new Promise((r) => setTimeout(r, 500));
    await third.idle();
    await third.sender.drain();
    assert.equal(inspect(rig.emu).registrations.length, regsBefore + 3, 'a third start adds nothing');
  } finally {
    await third.close();
  }
});
