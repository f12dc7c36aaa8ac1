/** Test helpers: a portal on a per-test fake clock, auth contexts, and error assertions. */
import assert from 'node:assert/strict';
import { B24ApiError, type InvokeContext, type MethodResult, type PortalSeed } from '../../contract.js';
import { Portal, type PortalOptions } from '../portal.js';
import { docExampleSeed } from '../seeds.js';

/** 2026-03-10T11:19:38+03:00 — the moment of the doc's register example. */
export const T0 = Date.UTC(2026, 2, 10, 8, 19, 38);

export class FakeClock {
  constructor(public ms: number = T0) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Harness {
  readonly portal: Portal;
  readonly clock: FakeClock;
  /** OAuth call as the app (client "app.test") on behalf of `userId` (default 1). */
  app(method: string, params?: Record<string, unknown>, userId?: number): MethodResult;
  /** Incoming-webhook call of `userId` (default 1). */
  hook(method: string, params?: Record<string, unknown>, userId?: number): MethodResult;
}

export function oauth(clock: FakeClock, userId = 1): InvokeContext {
  return { authType: 'oauth', userId, clientId: 'app.test', now: clock.now() };
}

export function webhook(clock: FakeClock, userId = 1): InvokeContext {
  return { authType: 'webhook', userId, now: clock.now() };
}

export function harness(seed: PortalSeed = docExampleSeed(), options: Partial<PortalOptions> = {}): Harness {
  const clock = new FakeClock();
  const portal = new Portal(seed, { now: clock.now, ...options });
  return {
    portal,
    clock,
    app: (m, p = {}, u = 1) => portal.invoke(m, p, oauth(clock, u)),
    hook: (m, p = {}, u = 1) => portal.invoke(m, p, webhook(clock, u)),
  };
}

export function expectB24(fn: () => unknown, error: string, description: string, status = 400): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof B24ApiError, `expected B24ApiError, got ${String(err)}`);
    assert.equal(err.error, error);
    assert.equal(err.description, description);
    assert.equal(err.status, status);
    return true;
  });
}

/** `result` of a MethodResult as a record (test convenience). */
export function rec(r: MethodResult): Record<string, unknown> {
  return r.result as Record<string, unknown>;
}

/** JSON round trip: what the HTTP layer would serialise. */
export function wire(v: unknown): string {
  return JSON.stringify(v);
}
