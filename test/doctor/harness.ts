/**
 * A healthy installation for doctor tests: the AMI simulator, the Bitrix24 emulator with our event
 * bound and a line registered, a recordings folder, a fake ffmpeg and a store path — plus a config
 * built from them that each test may bend.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { startAmiSim } from '../../tools/ami-sim/index.js';
import type { AmiSim } from '../../tools/ami-sim/index.js';
import { startEmulator } from '../../tools/b24-emu/index.js';
import type { Emulator } from '../../tools/b24-emu/index.js';
import { connectorOAuthConfig } from '../../tools/b24-emu/connector-config.js';

export const PUBLIC_URL = 'https://connector.example.com';
export const LINE = '74951234567';

export interface Lab {
  readonly sim: AmiSim;
  readonly emu: Emulator;
  readonly dir: string;
  readonly input: ConfigInput;
  /** The healthy config with `patch` applied per section (shallow merge of each section). */
  config(patch?: Partial<Record<keyof ConfigInput, Record<string, unknown>>>): Config;
  /** Emits call and agent class events every 40 ms (an idle PBX shows neither); returns stop(). */
  traffic(): () => void;
  close(): Promise<void>;
}

const SEED = {
  users: [{ ID: 1, NAME: 'Ann', LAST_NAME: 'Admin', ACTIVE: true, UF_PHONE_INNER: '101' }],
  lines: [{ NUMBER: LINE, NAME: 'Main trunk', CRM_AUTO_CREATE: 'Y' }],
};

export async function startLab(): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'b24-doctor-'));
  const sim = await startAmiSim({ secret: 'sim-secret', timeScale: 0, authFailDelayMs: 30 });
  // The Enterprise bucket (250 / 5 per s): these tests run doctor a dozen times in a row and are not about the limit.
  const emu = await startEmulator({ port: 0, portal: SEED, limits: { capacity: 250, drainPerSec: 5 } });
  await mkdir(join(dir, 'monitor'));
  const ffmpeg = join(dir, 'ffmpeg');
  await writeFile(ffmpeg, '#!/bin/sh\necho "ffmpeg version 6.1-doctor-test"\n');
  await chmod(ffmpeg, 0o755);
  // A Master.csv as cdr_csv writes it with the sample cdr.conf (one real lab22 record).
  const cdr = join(dir, 'cdr-csv', 'Master.csv');
  await mkdir(join(dir, 'cdr-csv'));
  await writeFile(cdr, `"","+4930123456","5551000","from-trunk","""External Caller"" <+4930123456>","PJSIP/trunk-00000036","PJSIP/101-00000037","Dial","PJSIP/101,8","2026-11-22 04:49:53","2026-11-22 04:49:56","2026-11-22 04:50:01",8,5,"ANSWERED","DOCUMENTATION","1795322993.66",""\n`);
  const bind = new URLSearchParams({ auth: emu.app.access_token, event: 'ONEXTERNALCALLSTART', handler: `${PUBLIC_URL}/bitrix/events` });
  const res = await fetch(`${emu.app.client_endpoint}event.bind.json`, { method: 'POST', body: bind });
  if (res.status !== 200) throw new Error(`event.bind failed: ${res.status} ${await res.text()}`);

  const input: ConfigInput = {
    ami: { host: sim.host, port: sim.port, username: sim.username, secret: sim.secret },
    bitrix: {
      auth: 'oauth',
      oauth: connectorOAuthConfig(emu),
    },
    pbx: { trunks: [{ endpoint: 'trunk', line: LINE }] },
    recordings: { dirs: [join(dir, 'monitor')], ffmpegPath: ffmpeg, transcriber: { command: 'sh', args: ['-c', `echo '{"MESSAGES":[]}'`] } },
    store: { path: join(dir, 'data', 'asterisk-b24.sqlite') },
    http: { publicUrl: PUBLIC_URL },
    cdr: { csvPath: cdr },
  };
  return {
    sim, emu, dir, input,
    config(patch = {}) {
      const merged: Record<string, unknown> = { ...input };
      for (const [k, v] of Object.entries(patch)) merged[k] = { ...(merged[k] as Record<string, unknown> | undefined), ...v };
      return parseConfig(merged);
    },
    traffic() {
      const timer = setInterval(() => {
        sim.startEvents([
          { atMs: 0, fields: [['Event', 'Newexten'], ['Privilege', 'dialplan,all'], ['Channel', 'PJSIP/101-00000001']] },
          { atMs: 0, fields: [['Event', 'Hangup'], ['Privilege', 'call,all'], ['Channel', 'PJSIP/101-00000001']] },
          { atMs: 0, fields: [['Event', 'QueueMemberStatus'], ['Privilege', 'agent,all'], ['Queue', 'sales']] },
        ]);
      }, 40);
      return () => clearInterval(timer);
    },
    async close() {
      await Promise.all([sim.close(), emu.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Result of one check by id (fails the test when absent). */
export function byId<T extends { id: string }>(checks: readonly T[], id: string): T {
  const c = checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${checks.map((x) => x.id).join(', ')}`);
  return c;
}
