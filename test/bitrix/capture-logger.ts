/** A Logger that keeps every line as JSON text, to assert on what would reach the log. */
import type { Logger } from '../../src/log.js';

export function captureLogger(lines: string[] = [], bindings: Record<string, unknown> = {}): Logger & { lines: string[] } {
  const write = (level: string) => (obj: Record<string, unknown>, msg?: string): void => {
    lines.push(JSON.stringify({ level, ...bindings, ...obj, msg }));
  };
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (b) => captureLogger(lines, { ...bindings, ...b }),
  };
}
