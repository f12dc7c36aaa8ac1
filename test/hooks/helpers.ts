/** Test helpers for the hook tests: a logger that records lines, temp hook folders. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/log.js';
import { captureLogger as captureJsonLogger } from '../bitrix/capture-logger.js';

/** The project's capturing logger (test/bitrix), plus the warn lines parsed, for assertions on codes. */
export function captureLogger(): { logger: Logger; warns: () => Record<string, unknown>[] } {
  const logger = captureJsonLogger();
  const warns = (): Record<string, unknown>[] =>
    logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'warn');
  return { logger, warns };
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
