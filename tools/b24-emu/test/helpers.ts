/** Shared helpers for the emulator's HTTP tests: start with a stub portal and a manual clock. */
import { startEmulator } from '../index.js';
import type { Emulator, EmulatorOptions } from '../index.js';
import { createManualClock } from '../http/clock.js';
import { stubFactory } from './stub-portal.js';
import type { StubPortal } from './stub-portal.js';

/** 2026-03-10T08:19:38Z: the doc examples' epoch (start 1773130778). */
export const T0 = 1_773_130_778_000;

export async function startStub(options: EmulatorOptions = {}): Promise<{ emu: Emulator; stub: () => StubPortal }> {
  const { factory, built } = stubFactory();
  const emu = await startEmulator({
    clock: createManualClock(T0),
    idSeed: 'test',
    webhookSecret: 'hooksecret123456',
    portalFactory: factory,
    ...options,
  });
  return { emu, stub: () => built[built.length - 1] as StubPortal };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export async function postJson(url: string, body: unknown = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function postForm(url: string, form: string): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function getJson(url: string): Promise<Answer> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
