/**
 * Doctor checks on this host: recordings folders readable, ffmpeg present, the transcriber
 * executable, store path writable (a PostgreSQL store: doctor-store.ts), the CDR file (when the
 * backfill is on) readable and in the layout the config says (the CDR database: doctor-cdr.ts).
 */
import { spawn } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { access, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { DEFAULT_HOOK_ENV } from '../adapters/hooks/invoker.js';
import { readCdrTail } from '../adapters/cdr/master-csv.js';
import { cdrLayoutOf } from '../core/cdr/csv.js';
import { errorCode } from '../errors.js';
import { checkPostgresStore } from './doctor-store.js';
import { checkCdrDatabase } from './doctor-cdr.js';
import { fail, pass, runCheck, skip, warn, type CheckOutcome, type CheckResult, type ResolvedDoctorOptions } from './doctor-check.js';

async function checkRecordings(r: Config['recordings']): Promise<CheckOutcome> {
  if (!r.enabled) return skip('recordings.enabled is false');
  if (r.dirs.length === 0) return warn('recordings.dirs is empty', 'only files named by MIXMONITOR_FILENAME will be found; add the monitor folder', 'DOCTOR_REC_NO_DIRS');
  const problems: string[] = [];
  let hint = '';
  for (const dir of r.dirs) {
    try {
      const st = await stat(dir);
      if (!st.isDirectory()) {
        problems.push(`${dir} is not a folder`);
        hint ||= 'recordings.dirs must list folders (e.g. /var/spool/asterisk/monitor)';
        continue;
      }
      await access(dir, fsc.R_OK | fsc.X_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        problems.push(`${dir} does not exist`);
        hint ||= 'fix recordings.dirs (FreePBX: /var/spool/asterisk/monitor, files in YYYY/MM/DD), or set recordings.enabled = false';
      } else {
        problems.push(`${dir} is not readable (${code ?? 'error'})`);
        hint ||= 'add the service user to the asterisk group (usermod -aG asterisk asterisk-b24) and restart the service';
      }
    }
  }
  if (problems.length > 0) return fail(problems.join('; '), hint, 'DOCTOR_REC_DIR');
  return pass(`${r.dirs.join(', ')} readable`);
}

/** Runs `<ffmpeg> -version`; resolves with its first line, rejects on spawn error, exit ≠ 0 or timeout. */
export function ffmpegVersion(path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let settled = false;
    // Own timer: spawn's `timeout` option is not cleared when the spawn itself fails (ENOENT).
    const child = spawn(path, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(Object.assign(new Error(`no exit within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    const done = (err: Error | undefined): void => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolvePromise(out.split('\n')[0]?.trim() ?? '');
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => { if (out.length < 4096) out += c; });
    child.on('error', (e) => done(e));
    child.on('close', (codeOrNull, signal) => {
      if (signal) done(Object.assign(new Error(`killed by ${signal}`), { code: 'EKILLED' }));
      else if (codeOrNull !== 0) done(Object.assign(new Error(`exit code ${String(codeOrNull)}`), { code: 'EEXIT' }));
      else done(undefined);
    });
  });
}

async function checkFfmpeg(r: Config['recordings'], timeoutMs: number): Promise<CheckOutcome> {
  if (!r.enabled) return skip('recordings.enabled is false');
  if (!r.convertToMp3) return skip('recordings.convertToMp3 is false (wav is uploaded)');
  try {
    const v = await ffmpegVersion(r.ffmpegPath, Math.max(500, timeoutMs - 500));
    return pass(v || `${r.ffmpegPath} runs`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'ERROR';
    return warn(`${r.ffmpegPath} cannot run (${code}): recordings will be sent as wav`,
      'apt install ffmpeg (or dnf install ffmpeg), or set recordings.ffmpegPath to its full path', 'DOCTOR_FFMPEG_MISSING');
  }
}

/**
 * recordings.transcriber: the program can be executed. It is never run here (a speech-to-text run
 * may cost money); a bare name is looked up in the PATH the program will get, not the shell's.
 */
async function checkTranscriber(r: Config['recordings']): Promise<CheckOutcome> {
  const t = r.transcriber;
  if (!t) return skip('recordings.transcriber is not set: no transcripts');
  if (!r.enabled) return warn('recordings.transcriber is set but recordings.enabled is false: it never runs', 'set recordings.enabled = true, or remove recordings.transcriber', 'DOCTOR_TRANSCRIBER_UNUSED');
  const path = DEFAULT_HOOK_ENV['PATH'] ?? '';
  const candidates = t.command.includes('/') ? [resolve(t.command)] : path.split(':').filter(Boolean).map((d) => join(d, t.command));
  for (const file of candidates) {
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    try {
      await access(file, fsc.X_OK);
      return pass(`${file} is executable (not run by doctor)`);
    } catch {
      return fail(`${file} is not executable`, `chmod +x ${file} (with a shebang line), or set recordings.transcriber.command to its interpreter and args to the script`, 'DOCTOR_TRANSCRIBER_MISSING');
    }
  }
  return fail(t.command.includes('/') ? `${candidates[0]} does not exist` : `${t.command} is not in the PATH the program gets (${path})`,
    'set recordings.transcriber.command to the absolute path of the program', 'DOCTOR_TRANSCRIBER_MISSING');
}

async function checkStore(s: Config['store']): Promise<CheckOutcome> {
  if (s.path === ':memory:') return warn('store.path is :memory: — nothing survives a restart', 'set store.path to a file, e.g. /var/lib/asterisk-b24/asterisk-b24.sqlite', 'DOCTOR_STORE_MEMORY');
  const file = resolve(s.path);
  const dir = dirname(file);
  try {
    const st = await stat(file).catch(() => undefined);
    if (st) await access(file, fsc.R_OK | fsc.W_OK);
    const existing = await nearestExisting(dir);
    if (existing !== dir) {
      // The connector creates missing folders; the nearest existing one must be writable.
      await access(existing, fsc.W_OK | fsc.X_OK);
      return pass(`${file} can be created (${existing} is writable)`);
    }
    // SQLite also creates -wal and -shm files next to the database: the folder must be writable.
    const probe = join(dir, `.asterisk-b24-doctor-${process.pid}`);
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
    return pass(`${file} ${st ? 'exists and is writable' : 'can be created'}`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'ERROR';
    return fail(`${file} is not writable (${code})`,
      `create ${dir} and give it to the service user (chown asterisk-b24: ${dir}), or set store.path`, 'DOCTOR_STORE_NOT_WRITABLE');
  }
}

/** cdr.csvPath: readable, and its newest lines parse with the configured cdr.conf [csv] flags. */
async function checkCdr(c: Config['cdr']): Promise<CheckOutcome> {
  if (!c.csvPath) return skip('cdr.csvPath is not set: calls made while the connector is down are not backfilled');
  let tail;
  try {
    tail = await readCdrTail(c.csvPath, 0, cdrLayoutOf(c), 256 * 1024);
  } catch (e) {
    const cause = (e as { cause?: NodeJS.ErrnoException }).cause?.code ?? errorCode(e);
    return fail(`${c.csvPath} cannot be read (${cause})`,
      'enable cdr_csv ([csv] in cdr.conf with loguniqueid=yes) and let the service user read the file (usermod -aG asterisk asterisk-b24)', 'DOCTOR_CDR_UNREADABLE');
  }
  const bad = tail.bad[0];
  if (bad && tail.records.length === 0) {
    return fail(`${c.csvPath}: ${bad.reason}`, 'copy usegmtime / loguniqueid / loguserfield / newcdrcolumns from cdr.conf [csv] into the cdr section', 'DOCTOR_CDR_LAYOUT');
  }
  if (tail.records.length === 0) return warn(`${c.csvPath} is readable but empty`, 'make a test call and check that Asterisk appends a line to it', 'DOCTOR_CDR_EMPTY');
  const last = tail.records.at(-1)!;
  return pass(`${c.csvPath} readable; last record ${new Date(last.end).toISOString()} (${tail.records.length} recent records understood${bad ? `, ${tail.bad.length} not` : ''})`);
}

async function nearestExisting(dir: string): Promise<string> {
  let d = dir;
  for (;;) {
    if (await stat(d).then(() => true, () => false)) return d;
    const up = dirname(d);
    if (up === d) return d;
    d = up;
  }
}

/** The local group: results in display order. */
export async function localChecks(config: Config, o: ResolvedDoctorOptions): Promise<CheckResult[]> {
  return Promise.all([
    runCheck('local.recordings', 'Recordings folder', o.timeoutMs, () => checkRecordings(config.recordings)),
    runCheck('local.ffmpeg', 'ffmpeg', o.timeoutMs, () => checkFfmpeg(config.recordings, o.timeoutMs)),
    runCheck('local.transcriber', 'Transcriber', o.timeoutMs, () => checkTranscriber(config.recordings)),
    config.store.driver === 'postgres'
      ? runCheck('local.store', 'Store (PostgreSQL)', o.timeoutMs, () => checkPostgresStore(config.store, o.timeoutMs))
      : runCheck('local.store', 'Store path', o.timeoutMs, () => checkStore(config.store)),
    config.cdr.source !== 'csv'
      ? runCheck('local.cdr', 'CDR database (calls made while down)', o.timeoutMs, () => checkCdrDatabase(config.cdr))
      : runCheck('local.cdr', 'CDR file (calls made while down)', o.timeoutMs, () => checkCdr(config.cdr)),
  ]);
}
