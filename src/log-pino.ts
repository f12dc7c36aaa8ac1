/**
 * The real logger: pino, JSON lines on stdout, with secrets redacted by path. Only the composition
 * root and the CLI create it; everything else receives the Logger port.
 */
import { pino } from 'pino';
import type { Logger } from './log.js';
import { SECRET_KEYS } from './log.js';

export function createPinoLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  const p = pino(
    { level, base: { app: 'asterisk-b24' }, redact: { paths, censor: '***' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? process.stdout,
  );
  return wrap(p);
}

function wrap(p: pino.Logger): Logger {
  const safe = (fn: (o: Record<string, unknown>, m?: string) => void) => (o: Record<string, unknown>, m?: string) => {
    try {
      fn(o, m);
    } catch {
      // logging must never throw into the caller
    }
  };
  return {
    debug: safe((o, m) => p.debug(o, m)),
    info: safe((o, m) => p.info(o, m)),
    warn: safe((o, m) => p.warn(o, m)),
    error: safe((o, m) => p.error(o, m)),
    child: (b) => wrap(p.child(b)),
  };
}
