/** Test helpers for the hook tests: a logger that records lines, temp hook folders. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/log.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at = (level: LogLine['level']) => (obj: Record<string, unknown>, msg?: string) => {
      lines.push({ level, obj: { ...bindings, ...obj }, msg });
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return { logger: make({}), lines: lines as LogLine[] };
}

/** A temp folder with the given files (name → content; a `#!` first line makes it executable). */
export function hookDir(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'b24-hooks-'));
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    writeFileSync(p, text);
    if (text.startsWith('#!')) chmodSync(p, 0o755);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
