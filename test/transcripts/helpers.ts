/** Transcriber programs for the tests: small Node scripts run as `node FILE`, like a user's STT wrapper. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KvStore } from '../../src/outbox/store-port.js';
import type { TranscriberSettings } from '../../src/adapters/recordings/transcriber.js';

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'ab24-transcripts-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/**
 * A program that reads its job, waits `delayMs`, appends the job to `<dir>/jobs.log`, and prints
 * `reply` (a JS expression over `job`) — or does what `body` says instead.
 */
export function program(dir: string, name: string, o: { reply?: string; delayMs?: number; body?: string }): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `import { appendFileSync } from 'node:fs';
let text = '';
process.stdin.on('data', (c) => { text += c; });
process.stdin.on('end', () => setTimeout(() => {
  const job = JSON.parse(text);
  appendFileSync(${JSON.stringify(join(dir, 'jobs.log'))}, JSON.stringify(job) + '\\n');
  ${o.body ?? `process.stdout.write(JSON.stringify(${o.reply ?? '{ MESSAGES: [] }'}));`}
}, ${o.delayMs ?? 0}));
`);
  return file;
}

/** The reply of a transcriber that heard two utterances. */
export const TWO_LINES = `{ MESSAGES: [
  { SIDE: 'User', START_TIME: 0.2, STOP_TIME: 1.5, MESSAGE: 'Good afternoon, ' + job.extension },
  { SIDE: 'Client', START_TIME: 1.8, STOP_TIME: 3.2, MESSAGE: 'Hello from ' + job.clientNumber },
] }`;

export function settingsFor(file: string, o: Partial<TranscriberSettings> = {}): TranscriberSettings {
  return { command: process.execPath, args: [file], timeoutMs: 10_000, waitMs: 5_000, concurrency: 1, ...o };
}

export class MemoryKv implements KvStore {
  readonly map = new Map<string, unknown>();
  async getValue<T>(key: string): Promise<T | undefined> {
    return this.map.get(key) as T | undefined;
  }
  async setValue(key: string, value: unknown): Promise<void> {
    this.map.set(key, structuredClone(value));
  }
  async deleteValue(key: string): Promise<boolean> {
    return this.map.delete(key);
  }
}
