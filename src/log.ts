/**
 * Logging port. Components receive a Logger (a child per component / per call); only the
 * composition root creates the real pino instance. Secrets are redacted by path and by pattern,
 * and logging never throws into the caller.
 */
export interface Logger {
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything (tests, pure replays). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** Keys whose values are never written to a log, wherever they appear. */
export const SECRET_KEYS = [
  'secret', 'password', 'passwordHash', 'access_token', 'refresh_token', 'client_secret',
  'application_token', 'auth', 'webhookUrl', 'webhook', 'Secret', 'Key', 'token',
];

/** Masks secrets inside a URL such as a Bitrix24 webhook (`/rest/1/abcdef…/`) or `?auth=…`. */
export function redactUrl(url: string): string {
  return url
    .replace(/(\/rest\/\d+\/)[^/?#]+/g, '$1***')
    .replace(/([?&](?:auth|access_token|refresh_token|client_secret)=)[^&#]+/gi, '$1***');
}

/** Deep copy with every SECRET_KEYS value replaced by '***' (for logging params and payloads). */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.includes(k) ? '***' : redact(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string' && value.includes('/rest/')) return redactUrl(value);
  return value;
}
