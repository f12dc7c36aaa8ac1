/**
 * One error type for the whole connector. Every failure that crosses a module boundary is a
 * ConnectorError with a stable code (listed in docs/errors.md), a retryable flag and the cause.
 * Codes are prefixed by area (AMI_, AGI_, B24_, HOOK_, OUTBOX_, CONFIG_, CLI_ …) and never reused.
 */
export class ConnectorError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: string,
    message: string,
    options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export function isConnectorError(e: unknown): e is ConnectorError {
  return e instanceof ConnectorError;
}

/** Best-effort code of any thrown value, for logs and counters. */
export function errorCode(e: unknown): string {
  if (e instanceof ConnectorError) return e.code;
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return 'INTERNAL';
}
