/**
 * `doctor` in-process against the AMI simulator and the Bitrix24 emulator: a healthy lab passes
 * every check; each broken piece fails (or warns) on its own line with its hint.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { runDoctorChecks } from '../../src/cli/doctor.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { byId, startLab, PUBLIC_URL, type Lab } from './harness.js';

const FAST = { observeMs: 250 };

describe('doctor against ami-sim and b24-emu', () => {
  let lab: Lab;
  before(async () => { lab = await startLab(); });
  after(async () => { await lab.close(); });

  test('healthy installation: every check passes, report ok', async () => {
    const stop = lab.traffic();
    try {
      const r = await runDoctorChecks(lab.config(), FAST);
      assert.deepEqual(r.checks.map((c) => `${c.id}:${c.status}`), [
        'ami.tcp:pass', 'ami.login:pass', 'ami.read:pass', 'ami.write:pass',
        'b24.reach:pass', 'b24.auth:pass', 'b24.scopes:pass', 'b24.app-only:pass', 'b24.events:pass', 'b24.lines:pass', 'b24.fmc:pass',
        'local.recordings:pass', 'local.ffmpeg:pass', 'local.transcriber:pass', 'local.store:pass', 'local.cdr:pass',
      ]);
      assert.equal(r.ok, true);
      assert.deepEqual(r.counts, { pass: 16, warn: 0, fail: 0, skip: 0 });
      assert.match(byId(r.checks, 'local.cdr').message, /Master\.csv readable; last record 2026-11-22T04:50:01\.000Z \(1 recent records understood\)$/);
      assert.equal(byId(r.checks, 'ami.tcp').message.endsWith('Asterisk Call Manager/11.0.0'), true);
      assert.equal(byId(r.checks, 'ami.read').message, 'events of agent,call,dialplan,system arrive');
      assert.equal(byId(r.checks, 'b24.events').message, `ONEXTERNALCALLSTART → ${PUBLIC_URL}/bitrix/events`);
      assert.equal(byId(r.checks, 'b24.lines').message, 'line(s) 74951234567 registered');
      assert.equal(byId(r.checks, 'local.ffmpeg').message, 'ffmpeg version 6.1-doctor-test');
      assert.match(byId(r.checks, 'b24.auth').message, /as user 1 \(Ann Admin\)/);
      assert.match(byId(r.checks, 'b24.fmc').message, /^off \(pbx\.fmc\.enabled\)/);
    } finally {
      stop();
    }
  });

  test('idle PBX: call and agent classes cannot be seen → read warns, nothing fails', async () => {
    const r = await runDoctorChecks(lab.config(), { ...FAST, groups: ['ami'] });
    const read = byId(r.checks, 'ami.read');
    assert.equal(read.status, 'warn');
    assert.equal(read.code, 'DOCTOR_AMI_READ_UNVERIFIED');
    assert.match(read.message, /^seen dialplan,system; call,agent not observed/);
    assert.equal(r.ok, true);
  });

  test('MD5 login is reported as such', async () => {
    const r = await runDoctorChecks(lab.config({ ami: { md5: true } }), { ...FAST, groups: ['ami'] });
    assert.equal(byId(r.checks, 'ami.login').status, 'pass');
    assert.match(byId(r.checks, 'ami.login').message, /^logged in as "crm" \(MD5\)/);
  });

  test('wrong AMI secret → login fails with the manager.conf hint; read/write skipped', async () => {
    const r = await runDoctorChecks(lab.config({ ami: { secret: 'wrong' } }), { ...FAST, groups: ['ami'] });
    const login = byId(r.checks, 'ami.login');
    assert.equal(login.status, 'fail');
    assert.equal(login.code, 'AMI_LOGIN_FAILED');
    assert.equal(login.message, 'login as "crm" refused: Authentication failed');
    assert.match(login.hint ?? '', /manager\.conf \(secret=\).*permit=\/deny=/);
    assert.equal(byId(r.checks, 'ami.read').status, 'skip');
    assert.equal(byId(r.checks, 'ami.write').status, 'skip');
    assert.equal(r.ok, false);
  });

  test('AMI port closed → TCP check fails fast with the manager.conf [general] hint', async () => {
    const closed = await freePort();
    const started = Date.now();
    const r = await runDoctorChecks(lab.config({ ami: { port: closed } }), { ...FAST, groups: ['ami'] });
    const tcp = byId(r.checks, 'ami.tcp');
    assert.equal(tcp.status, 'fail');
    assert.equal(tcp.code, 'DOCTOR_AMI_UNREACHABLE');
    assert.equal(tcp.message, `cannot connect to 127.0.0.1:${closed} (ECONNREFUSED)`);
    assert.match(tcp.hint ?? '', /enabled = yes/);
    assert.deepEqual(r.checks.map((c) => c.status), ['fail', 'skip', 'skip', 'skip']);
    assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
  });

  test('a host that accepts but never speaks → the check ends at its deadline', async () => {
    const { server, port, sockets } = await silentServer();
    try {
      const started = Date.now();
      const r = await runDoctorChecks(lab.config({ ami: { port } }), { timeoutMs: 300, observeMs: 100, groups: ['ami'] });
      const tcp = byId(r.checks, 'ami.tcp');
      assert.equal(tcp.status, 'fail');
      assert.equal(tcp.message, `cannot connect to 127.0.0.1:${port} (ETIMEDOUT)`);
      assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('Bitrix24 down → reach fails, the other Bitrix24 checks are skipped', async () => {
    lab.emu.faults.set({ down: 'refuse' });
    try {
      const r = await runDoctorChecks(lab.config(), { ...FAST, groups: ['bitrix'] });
      const reach = byId(r.checks, 'b24.reach');
      assert.equal(reach.status, 'fail');
      assert.equal(reach.code, 'DOCTOR_B24_UNREACHABLE');
      assert.match(reach.message, /^cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
      assert.deepEqual(r.checks.map((c) => c.status), ['fail', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip']);
    } finally {
      lab.emu.faults.set({ down: false });
      await untilListening(lab.emu.url);
    }
  });

  test('wrong OAuth client secret after an expired token → auth fails with the client hint', async () => {
    lab.emu.faults.set({ expireTokens: true });
    const cfg = lab.config({ bitrix: { oauth: { ...(lab.input.bitrix.oauth as Record<string, unknown>), clientSecret: 'nope' } } });
    const r = await runDoctorChecks(cfg, { ...FAST, groups: ['bitrix'] });
    const auth = byId(r.checks, 'b24.auth');
    assert.equal(auth.status, 'fail');
    assert.equal(auth.code, 'B24_OAUTH_INVALID_CLIENT');
    assert.match(auth.hint ?? '', /clientId \/ clientSecret/);
  });

  test('expired token → doctor refreshes and stores the rotated pair; the next run uses it', async () => {
    lab.emu.faults.set({ expireTokens: true });
    const cfg = lab.config();
    const r1 = await runDoctorChecks(cfg, { ...FAST, groups: ['bitrix'] });
    assert.equal(byId(r1.checks, 'b24.auth').status, 'pass');
    const store = openSqliteStore({ path: cfg.store.path });
    const saved = await store.getValue<{ refreshToken: string }>('bitrix.oauth.tokens');
    await store.close();
    assert.ok(saved && saved.refreshToken !== lab.emu.app.refresh_token, 'rotated pair stored');
    // The file's refresh token is now spent: only the stored pair can refresh again.
    lab.emu.faults.set({ expireTokens: true });
    const r2 = await runDoctorChecks(cfg, { ...FAST, groups: ['bitrix'] });
    assert.equal(byId(r2.checks, 'b24.auth').status, 'pass');
    assert.equal(r2.ok, true);
  });

  test('webhook mode: WRONG_AUTH_TYPE on the app-only probe → fail with the local-app hint', async () => {
    const cfg = lab.config({ bitrix: { auth: 'webhook', webhookUrl: lab.emu.webhook, oauth: undefined } });
    const r = await runDoctorChecks(cfg, { ...FAST, groups: ['bitrix'] });
    assert.equal(byId(r.checks, 'b24.auth').message, 'incoming webhook works as user 1 (Ann Admin)');
    const appOnly = byId(r.checks, 'b24.app-only');
    assert.equal(appOnly.status, 'fail');
    assert.equal(appOnly.code, 'B24_WRONG_AUTH_TYPE');
    assert.match(appOnly.hint ?? '', /local application.*bitrix\.auth = "oauth"/);
    assert.equal(byId(r.checks, 'b24.events').code, 'DOCTOR_B24_EVENTS_WEBHOOK');
    assert.equal(byId(r.checks, 'b24.lines').status, 'skip');
  });

  test('handler bound elsewhere → event binding fails naming both URLs; unknown line → warn', async () => {
    const cfg = lab.config({ http: { publicUrl: 'https://new-host.example.com' }, pbx: { trunks: [{ endpoint: 'trunk2', line: '999' }] } });
    const r = await runDoctorChecks(cfg, { ...FAST, groups: ['bitrix'] });
    const ev = byId(r.checks, 'b24.events');
    assert.equal(ev.status, 'fail');
    assert.equal(ev.code, 'DOCTOR_B24_EVENT_NOT_BOUND');
    assert.equal(ev.message, `ONEXTERNALCALLSTART is not bound online to https://new-host.example.com/bitrix/events; bound to ${PUBLIC_URL}/bitrix/events`);
    const lines = byId(r.checks, 'b24.lines');
    assert.equal(lines.status, 'warn');
    assert.equal(lines.message, 'line(s) not registered: 999 (trunk trunk2)');
  });

  test('FMC on: none of the employees has a mobile → warn; one number for two extensions → warn naming them', async () => {
    // Two runs only: every run spends ~8 requests of the emulated portal's 50-request bucket.
    const none = byId((await runDoctorChecks(lab.config({ pbx: { fmc: { enabled: true } } }), { ...FAST, groups: ['bitrix'] })).checks, 'b24.fmc');
    assert.deepEqual([none.status, none.code], ['warn', 'DOCTOR_FMC_NO_MOBILES']);
    assert.equal(none.message, 'FMC is on but no employee with an inner phone has a number in PERSONAL_MOBILE');
    const shared = byId((await runDoctorChecks(lab.config({ pbx: { fmc: { enabled: true, numbers: { '+79161234567': '101', '89161234567': '102' } } } }), { ...FAST, groups: ['bitrix'] })).checks, 'b24.fmc');
    assert.deepEqual([shared.status, shared.code, shared.message], ['warn', 'DOCTOR_FMC_SHARED_MOBILE', '1 mobile(s); shared by several extensions: …9161234567 (101, 102)']);
  });

  test('missing recordings folder → fail; bogus ffmpeg → warn with the apt hint', async () => {
    const r = await runDoctorChecks(lab.config({ recordings: { dirs: [`${lab.dir}/nope`], ffmpegPath: `${lab.dir}/bin/ffmpeg` } }), { ...FAST, groups: ['local'] });
    const rec = byId(r.checks, 'local.recordings');
    assert.equal(rec.status, 'fail');
    assert.equal(rec.code, 'DOCTOR_REC_DIR');
    assert.equal(rec.message, `${lab.dir}/nope does not exist`);
    const ff = byId(r.checks, 'local.ffmpeg');
    assert.equal(ff.status, 'warn');
    assert.equal(ff.code, 'DOCTOR_FFMPEG_MISSING');
    assert.equal(ff.message, `${lab.dir}/bin/ffmpeg cannot run (ENOENT): recordings will be sent as wav`);
    assert.match(ff.hint ?? '', /apt install ffmpeg/);
    assert.equal(r.ok, false);
  });

  test('CDR file: unreadable, layout not as configured, empty, or off', async () => {
    const cdr = (c: Record<string, unknown>) => runDoctorChecks(lab.config({ cdr: c } as never), { ...FAST, groups: ['local'] }).then((r) => byId(r.checks, 'local.cdr'));
    const missing = await cdr({ csvPath: `${lab.dir}/nope/Master.csv` });
    assert.deepEqual([missing.status, missing.code], ['fail', 'DOCTOR_CDR_UNREADABLE']);
    assert.match(missing.message, /cannot be read \(ENOENT\)/);
    const layout = await cdr({ csvPath: `${lab.dir}/cdr-csv/Master.csv`, loguserfield: false });
    assert.deepEqual([layout.status, layout.code], ['fail', 'DOCTOR_CDR_LAYOUT']);
    assert.match(layout.message, /18 columns where cdr\.conf \[csv\] as configured gives 17/);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${lab.dir}/empty.csv`, '');
    const empty = await cdr({ csvPath: `${lab.dir}/empty.csv` });
    assert.deepEqual([empty.status, empty.code], ['warn', 'DOCTOR_CDR_EMPTY']);
    assert.equal((await cdr({ csvPath: undefined })).status, 'skip');
  });

  test('transcriber: executable, missing, not executable, not in the program\'s PATH, unused, or off — never run', async () => {
    const { writeFile, chmod, mkdir } = await import('node:fs/promises');
    await mkdir(`${lab.dir}/stt`, { recursive: true });
    await writeFile(`${lab.dir}/stt/ok`, `#!/bin/sh\ntouch ${lab.dir}/stt/ran\n`);
    await chmod(`${lab.dir}/stt/ok`, 0o755);
    await writeFile(`${lab.dir}/stt/plain`, 'x');
    const check = (t: unknown, enabled = true) => runDoctorChecks(lab.config({ recordings: { enabled, dirs: [lab.dir], transcriber: t } } as never), { ...FAST, groups: ['local'] })
      .then((r) => byId(r.checks, 'local.transcriber'));
    const ok = await check({ command: `${lab.dir}/stt/ok` });
    assert.equal(ok.status, 'pass');
    assert.equal(existsSync(`${lab.dir}/stt/ran`), false, 'doctor never runs it');
    const missing = await check({ command: `${lab.dir}/stt/nope` });
    assert.deepEqual([missing.status, missing.code], ['fail', 'DOCTOR_TRANSCRIBER_MISSING']);
    const plain = await check({ command: `${lab.dir}/stt/plain` });
    assert.deepEqual([plain.status, plain.code], ['fail', 'DOCTOR_TRANSCRIBER_MISSING']);
    assert.match(plain.hint ?? '', /chmod \+x/);
    const notInPath = await check({ command: 'whisper-for-asterisk-b24' });
    assert.match(notInPath.message, /not in the PATH the program gets/);
    assert.equal((await check({ command: 'sh' })).status, 'pass', 'a name in the program\'s PATH');
    assert.deepEqual(await check({ command: `${lab.dir}/stt/ok` }, false).then((c) => [c.status, c.code]), ['warn', 'DOCTOR_TRANSCRIBER_UNUSED']);
    assert.equal((await check(undefined)).status, 'skip');
  });

  test('store under a file (not a folder) → not writable', async () => {
    const r = await runDoctorChecks(lab.config({ store: { path: `${lab.dir}/monitor/../harness-file/x.sqlite` }, recordings: { enabled: false } }), { ...FAST, groups: ['local'] });
    // harness-file does not exist: its parent (lab.dir) is writable, so it can be created.
    assert.equal(byId(r.checks, 'local.store').status, 'pass');
    assert.equal(byId(r.checks, 'local.recordings').status, 'skip');
    const r2 = await runDoctorChecks(lab.config({ store: { path: `${lab.dir}/ffmpeg/x.sqlite` } }), { ...FAST, groups: ['local'] });
    const store = byId(r2.checks, 'local.store');
    assert.equal(store.status, 'fail');
    assert.equal(store.code, 'DOCTOR_STORE_NOT_WRITABLE');
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => { sockets.push(s); s.on('error', () => {}); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

/** `down: false` re-listens asynchronously; closing the emulator before that leaks its server. */
async function untilListening(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/_emu/faults`).then((r) => r.body?.cancel().then(() => true), () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('emulator did not come back');
}
