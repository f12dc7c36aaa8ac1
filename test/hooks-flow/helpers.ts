/**
 * Hooks-flow tests: the AMI simulator + the connector in-process + the Bitrix24 emulator, with a
 * hooks folder written by the test (JS module hooks, one file per point).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConnector, type Connector } from '../../src/main.js';
import type { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { silentLogger } from '../../src/log.js';
import type { StoredCallState } from '../../src/flow/call-to-crm.js';
import { inspect, waitFor, type Rig } from '../e2e/helpers.js';

/** Writes `name.mjs` files (point name → module source) into a fresh folder under the rig's dir. */
export function writeHooks(rig: Rig, name: string, hooks: Record<string, string>): string {
  const dir = join(rig.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [point, src] of Object.entries(hooks)) writeFileSync(join(dir, `${point}.mjs`), src);
  return dir;
}

/** A module hook answering `data` computed by the body (an expression of `input`). */
export function hook(body: string): string {
  return `export default async function (input) { return { data: ${body}, state: 'success' }; }\n`;
}

export async function startWith(rig: Rig, extra: Record<string, unknown>): Promise<Connector> {
  const conn = await startConnector(rig.config(extra as never), silentLogger);
  await conn.hooks.ready();
  await waitFor('AMI login', () => conn.ami.ready);
  return conn;
}

export interface CallResult {
  readonly externalCallId: string;
  readonly callId: string;
  readonly state: StoredCallState;
}

/** Runs one simulated call to its end; resolves when Bitrix24 has it finished. */
export async function runCall(rig: Rig, conn: Connector, spec: Record<string, unknown>): Promise<CallResult> {
  const before = new Set(inspect(rig.emu).calls.map((c) => c.callId));
  const handle = rig.sim.startCall(spec);
  assert.equal(await handle.done, 'completed');
  await conn.idle();
  await conn.sender.drain();
  const call = await waitFor('the call finished in Bitrix24', () => inspect(rig.emu).calls.find((c) => !before.has(c.callId) && c.finishedAt !== null));
  const externalCallId = call.externalCallId!;
  return { externalCallId, callId: call.callId, state: await storedState(conn, externalCallId) };
}

export async function storedState(conn: Connector, callKey: string): Promise<StoredCallState> {
  await conn.idle();
  const rec = await conn.store.getCall(callKey);
  assert.ok(rec, `call ${callKey} stored`);
  return rec.state as StoredCallState;
}

/** REST calls the emulator executed for `method` (batch commands included). */
export function restCalls(rig: Rig, method: string): Array<Record<string, unknown>> {
  return rig.emu.requests.list()
    .filter((e) => e.kind === 'rest' && e.method.toLowerCase() === method.toLowerCase() && e.status < 400)
    .map((e) => e.params as Record<string, unknown>);
}

/** Waits until the outbox has nothing left to send for the call, then settles the flow. */
export async function settle(conn: Connector): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await conn.idle();
    await conn.sender.drain();
    await new Promise((r) => setTimeout(r, 20));
  }
  await conn.idle();
}

/** Stored calls whose client number (as the tracker saw it) is `number`. */
export function callsFrom(conn: Connector, number: string): Array<{ callKey: string; state: StoredCallState }> {
  // These tests run the connector on SQLite; the synchronous read keeps the callers simple.
  const rows = (conn.store as SqliteStore).db.prepare('SELECT call_key, state FROM calls ORDER BY created_at').all() as Array<{ call_key: string; state: string }>;
  return rows.map((r) => ({ callKey: r.call_key, state: JSON.parse(r.state) as StoredCallState }))
    .filter((r) => r.state.summary?.clientNumber === number);
}
