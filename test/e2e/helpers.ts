/** Shared set-up for connector tests: the AMI simulator, the Bitrix24 emulator and a config for both. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAmiSim, loadGenerator, type AmiSim, type AmiSimOptions } from '../../tools/ami-sim/index.js';
import { startEmulator, type Emulator } from '../../tools/b24-emu/index.js';
import type { PortalSeed } from '../../tools/b24-emu/contract.js';
import type { PortalInspection } from '../../tools/b24-emu/portal/portal.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config, ConfigInput } from '../../src/config/schema.js';
import { connectorOAuthConfig } from '../../tools/b24-emu/connector-config.js';

export const LAB_PORTAL: PortalSeed = {
  users: [
    { ID: 1, NAME: 'Alice', LAST_NAME: 'A', UF_PHONE_INNER: '101', ACTIVE: true },
    { ID: 2, NAME: 'Bob', LAST_NAME: 'B', UF_PHONE_INNER: '102', ACTIVE: true },
    { ID: 3, NAME: 'Carol', LAST_NAME: 'C', UF_PHONE_INNER: '103', ACTIVE: true },
    { ID: 9, NAME: 'Missed', LAST_NAME: 'Calls', UF_PHONE_INNER: '', ACTIVE: true },
  ],
  contacts: [{ ID: 11, NAME: 'Known', LAST_NAME: 'Client', PHONE: [{ VALUE: '+4930123456', VALUE_TYPE: 'WORK' }], ASSIGNED_BY_ID: 2 }],
  leads: [],
  companies: [],
};

export interface Rig {
  readonly sim: AmiSim;
  readonly emu: Emulator;
  readonly dir: string;
  config(extra?: Partial<ConfigInput>): Config;
  rawConfig(extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startRig(portal: PortalSeed = LAB_PORTAL, timeScale = 0.05, simOptions: Partial<AmiSimOptions> = {}): Promise<Rig> {
  const sim = await startAmiSim({ generator: await loadGenerator(), timeScale, ...simOptions });
  const emu = await startEmulator({ portal });
  const dir = mkdtempSync(join(tmpdir(), 'ab24-e2e-'));
  const rawConfig = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    ami: { host: sim.host, port: sim.port, username: sim.username, secret: sim.secret, reconnectMaxMs: 500 },
    bitrix: {
      auth: 'oauth',
      oauth: connectorOAuthConfig(emu),
      timezoneOffset: '+03:00',
    },
    store: { path: join(dir, 'connector.sqlite') },
    http: { host: '127.0.0.1', port: 0 },
    calls: { missedUserId: 9 },
    ...extra,
  });
  return {
    sim, emu, dir, rawConfig,
    config: (extra = {}) => parseConfig(rawConfig(extra as Record<string, unknown>)),
    async close() {
      await sim.close();
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined/false) or the time runs out. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The emulator's inspector, typed (the HTTP layer sees the portal through a narrower port). */
export function inspect(emu: Emulator): PortalInspection {
  return emu.portal.inspect() as PortalInspection;
}
