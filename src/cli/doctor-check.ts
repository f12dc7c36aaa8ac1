/**
 * Shared shapes of `asterisk-b24 doctor`: one CheckResult per line, the options every check group
 * receives, and the per-check deadline (a dead host must never hang the doctor).
 */
import { ConnectorError, errorCode } from '../errors.js';
import type { Logger } from '../log.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable id, e.g. `ami.login`; also the order of the printed lines. */
  readonly id: string;
  /** Short human title, e.g. `AMI login`. */
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found, one sentence. */
  readonly message: string;
  /** How to fix it (for warn and fail; sometimes for pass). */
  readonly hint?: string;
  /** Error code behind a warn/fail: a DOCTOR_* code or the adapter's (AMI_*, B24_* …). */
  readonly code?: string;
  readonly durationMs: number;
}

export interface DoctorOptions {
  /** Deadline of each check, ms. Default 5000 (the brief's bound). */
  readonly timeoutMs?: number;
  /** How long the AMI session listens for events to learn the read classes, ms. Default 1500. */
  readonly observeMs?: number;
  readonly logger?: Logger;
  /** Only the groups named here run (default all): `ami`, `bitrix`, `local`. */
  readonly groups?: ReadonlyArray<'ami' | 'bitrix' | 'local'>;
  /** Injected fetch for the Bitrix24 client and the reachability probe (tests). */
  readonly fetch?: typeof globalThis.fetch;
}

export interface ResolvedDoctorOptions {
  readonly timeoutMs: number;
  readonly observeMs: number;
  readonly logger: Logger | undefined;
  readonly fetch: typeof globalThis.fetch;
}

export function resolveDoctorOptions(o: DoctorOptions = {}): ResolvedDoctorOptions {
  return {
    timeoutMs: o.timeoutMs ?? 5_000,
    observeMs: o.observeMs ?? 1_500,
    logger: o.logger,
    fetch: o.fetch ?? globalThis.fetch,
  };
}

/** What a check body returns; `run` adds id, title and the duration. */
export type CheckOutcome = Omit<CheckResult, 'id' | 'title' | 'durationMs'>;

export const pass = (message: string, hint?: string): CheckOutcome => ({ status: 'pass', message, ...(hint ? { hint } : {}) });
export const warn = (message: string, hint: string, code?: string): CheckOutcome =>
  ({ status: 'warn', message, hint, ...(code ? { code } : {}) });
export const fail = (message: string, hint: string, code?: string): CheckOutcome =>
  ({ status: 'fail', message, hint, ...(code ? { code } : {}) });
export const skip = (message: string): CheckOutcome => ({ status: 'skip', message });

/** Resolves with `p`, or rejects with DOCTOR_TIMEOUT after `ms` (the timer never outlives the race). */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectorError('DOCTOR_TIMEOUT', `${what}: no answer within ${ms} ms`, { retryable: true })), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs one check under the deadline. A thrown error becomes a fail line (the check body should map
 * the errors it expects; this is the safety net), so one broken check never stops the others.
 */
export async function runCheck(id: string, title: string, timeoutMs: number, body: () => Promise<CheckOutcome>): Promise<CheckResult> {
  const started = Date.now();
  let outcome: CheckOutcome;
  try {
    outcome = await withDeadline(body(), timeoutMs, title);
  } catch (e) {
    const code = errorCode(e);
    outcome = code === 'DOCTOR_TIMEOUT'
      ? fail(`no answer within ${timeoutMs / 1000} s`, 'the host is unreachable or too slow; check the address, firewall and that the service runs', code)
      : fail(e instanceof Error ? e.message : String(e), 'unexpected error; run with log level debug and report it', code);
  }
  return { id, title, ...outcome, durationMs: Date.now() - started };
}

/** A result for a check that could not run because an earlier one failed. */
export function skipped(id: string, title: string, because: string): CheckResult {
  return { id, title, status: 'skip', message: `skipped: ${because}`, durationMs: 0 };
}

