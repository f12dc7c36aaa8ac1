/**
 * The one Bitrix24 error table: portal `error` strings and HTTP statuses → stable B24_ codes,
 * `retryable` and a short hint. Every failure of the REST client, the OAuth refresh, batch
 * sub-commands and the event intake is built here, so the outbox only ever looks at `retryable`.
 *
 * Never match on `error_description` (texts differ between EN pages, RU pages and the server).
 * Messages carry the method, the portal's code and status — never a URL, token or secret.
 */
import { ConnectorError } from '../../errors.js';
import { redactUrl } from '../../log.js';

export interface B24ErrorSpec {
  readonly code: string;
  readonly retryable: boolean;
  readonly hint: string;
}

interface TableRow extends B24ErrorSpec {
  /** Portal / OAuth server `error` strings (compared case-insensitively). */
  readonly errors: readonly string[];
  /** HTTP status the docs give for them (informational; matching is by `error`). */
  readonly status?: number;
}

/** Portal and OAuth-server errors, by `error` string. Order matters only for the docs. */
export const B24_ERROR_TABLE: readonly TableRow[] = [
  { errors: ['QUERY_LIMIT_EXCEEDED'], status: 503, code: 'B24_QUERY_LIMIT', retryable: true,
    hint: 'request rate above the leaky bucket; not executed, safe to resend after a pause' },
  { errors: ['OPERATION_TIME_LIMIT'], status: 429, code: 'B24_OPERATION_TIME_LIMIT', retryable: true,
    hint: 'method blocked by its operating-time budget; resend after operating_reset_at' },
  { errors: ['expired_token'], status: 401, code: 'B24_TOKEN_EXPIRED', retryable: true,
    hint: 'access token expired; the client refreshes once and retries' },
  { errors: ['invalid_token'], status: 401, code: 'B24_TOKEN_INVALID', retryable: true,
    hint: 'access token rejected; the client refreshes once and retries' },
  { errors: ['NO_AUTH_FOUND'], status: 401, code: 'B24_NO_AUTH', retryable: false,
    hint: 'wrong access token or webhook code; check the webhook URL or reinstall the app' },
  { errors: ['INVALID_CREDENTIALS'], status: 403, code: 'B24_INVALID_CREDENTIALS', retryable: false,
    hint: 'the webhook/token user lacks rights for this method' },
  { errors: ['insufficient_scope', 'invalid_scope'], status: 403, code: 'B24_INSUFFICIENT_SCOPE',
    retryable: false, hint: 'add the missing scope to the webhook or application' },
  { errors: ['WRONG_AUTH_TYPE'], status: 403, code: 'B24_WRONG_AUTH_TYPE', retryable: false,
    hint: 'method needs an application (OAuth) context; webhooks are refused' },
  { errors: ['ACCESS_DENIED'], status: 403, code: 'B24_ACCESS_DENIED', retryable: false,
    hint: 'access denied (plan without REST, missing admin rights or permission)' },
  { errors: ['user_access_error'], status: 403, code: 'B24_USER_ACCESS_DENIED', retryable: false,
    hint: 'the user has no access to the application' },
  { errors: ['ERROR_METHOD_NOT_FOUND'], status: 404, code: 'B24_METHOD_NOT_FOUND', retryable: false,
    hint: 'unknown method (typo, or module not installed on the portal)' },
  { errors: ['INVALID_REQUEST', 'invalid_request'], status: 400, code: 'B24_INVALID_REQUEST',
    retryable: false, hint: 'malformed request (the cloud also says this for plain HTTP)' },
  { errors: ['NOT_FOUND', 'ERROR_NOT_FOUND', 'OWNER_NOT_FOUND'], status: 404, code: 'B24_NOT_FOUND',
    retryable: false, hint: 'the referenced object does not exist' },
  { errors: ['ERROR_CORE'], status: 400, code: 'B24_METHOD_ERROR', retryable: false,
    hint: 'the method rejected its parameters; see error_description' },
  { errors: ['INVALID_ARGUMENT', 'INVALID_ARG_VALUE', 'ERROR_ARGUMENT', '100'], status: 400,
    code: 'B24_INVALID_ARGUMENT', retryable: false, hint: 'a parameter is missing or has a wrong type' },
  { errors: ['INTERNAL_SERVER_ERROR', 'ERROR_UNEXPECTED_ANSWER'], status: 500, code: 'B24_SERVER_ERROR',
    retryable: true, hint: 'portal-side fault; resend later' },
  { errors: ['PAYMENT_REQUIRED'], status: 402, code: 'B24_PAYMENT_REQUIRED', retryable: false,
    hint: 'the application or plan is not paid' },
  { errors: ['OVERLOAD_LIMIT'], status: 503, code: 'B24_OVERLOAD_LIMIT', retryable: true,
    hint: 'REST blocked by support for overload; resend with a long backoff, contact support' },
  { errors: ['PORTAL_DELETED'], status: 500, code: 'B24_PORTAL_DELETED', retryable: false,
    hint: 'the portal was deleted or its public part closed' },
  { errors: ['ERROR_BATCH_LENGTH_EXCEEDED'], status: 400, code: 'B24_BATCH_TOO_LARGE', retryable: false,
    hint: 'more than 50 commands in one batch' },
  { errors: ['ERROR_BATCH_METHOD_NOT_ALLOWED'], status: 405, code: 'B24_BATCH_METHOD_NOT_ALLOWED',
    retryable: false, hint: 'this method cannot run inside batch; call it alone' },
  { errors: ['ERROR_MANIFEST_IS_NOT_AVAILABLE'], status: 404, code: 'B24_MANIFEST_NOT_AVAILABLE',
    retryable: false, hint: 'manifest is not available' },
  { errors: ['ERROR_EVENT_NOT_FOUND'], status: 400, code: 'B24_EVENT_NOT_FOUND', retryable: false,
    hint: 'event.bind: unknown event name' },
  { errors: ['ERROR_HANDLER_ALREADY_EXIST'], status: 400, code: 'B24_HANDLER_ALREADY_EXISTS',
    retryable: false, hint: 'event.bind: the handler is already bound (harmless)' },
  { errors: ['invalid_grant'], status: 400, code: 'B24_OAUTH_INVALID_GRANT', retryable: false,
    hint: 'refresh token expired or revoked; reinstall / re-authorize the application' },
  { errors: ['invalid_client'], status: 401, code: 'B24_OAUTH_INVALID_CLIENT', retryable: false,
    hint: 'wrong client_id/client_secret or the application is not installed' },
];

/** Codes that are not a portal `error` string: transport, shape and local checks. */
export const B24_LOCAL_ERRORS = {
  network: { code: 'B24_NETWORK', retryable: true,
    hint: 'connection failed (DNS, refused, reset); the request may not have reached the portal' },
  timeout: { code: 'B24_TIMEOUT', retryable: true,
    hint: 'no answer within the cap (60 s); the request may have executed — resend only idempotent work' },
  aborted: { code: 'B24_ABORTED', retryable: true, hint: 'cancelled by the caller (shutdown); send later' },
  serverUnavailable: { code: 'B24_SERVER_UNAVAILABLE', retryable: true,
    hint: '5xx without a Bitrix24 error body (proxy, maintenance); resend later' },
  badResponse: { code: 'B24_BAD_RESPONSE', retryable: false,
    hint: 'answer is not a Bitrix24 envelope (not JSON, or neither result nor error)' },
  unauthorized: { code: 'B24_UNAUTHORIZED', retryable: false, hint: 'HTTP 401 without an error code' },
  forbidden: { code: 'B24_FORBIDDEN', retryable: false, hint: 'HTTP 403 without an error code' },
  httpNotFound: { code: 'B24_HTTP_NOT_FOUND', retryable: false,
    hint: 'HTTP 404 without an error code: wrong portal URL or REST path' },
  rateLimitedHttp: { code: 'B24_QUERY_LIMIT', retryable: true,
    hint: 'HTTP 429 without an error code; treated as the rate limit' },
  unknown: { code: 'B24_UNKNOWN', retryable: false,
    hint: 'undocumented error; retryable only when the HTTP status is 5xx' },
  batchTooLarge: { code: 'B24_BATCH_TOO_LARGE', retryable: false, hint: 'more than 50 commands in one batch' },
  batchBadKey: { code: 'B24_BATCH_BAD_KEY', retryable: false,
    hint: 'batch keys must be unique and made of letters, digits and _' },
  batchBadRef: { code: 'B24_BATCH_BAD_REF', retryable: false,
    hint: 'a $result reference must point at an earlier command of the same batch' },
  badMethod: { code: 'B24_BAD_METHOD', retryable: false,
    hint: 'method names are letters, digits, dots and _ (e.g. telephony.externalcall.register)' },
  config: { code: 'B24_CONFIG', retryable: false, hint: 'invalid client configuration (webhook URL, endpoint)' },
  noRefreshToken: { code: 'B24_OAUTH_NO_REFRESH', retryable: false,
    hint: 'token rejected and no refresh token/client secret is configured; reinstall the app' },
  refreshFailed: { code: 'B24_OAUTH_REFRESH_FAILED', retryable: true,
    hint: 'the OAuth server answered something unusable; try again later' },
  eventForged: { code: 'B24_EVENT_FORGED', retryable: false,
    hint: 'event without the stored application_token: rejected with 401' },
  eventBadPayload: { code: 'B24_EVENT_BAD_PAYLOAD', retryable: false,
    hint: 'event body could not be parsed or misses required data' },
  eventQueueFull: { code: 'B24_EVENT_QUEUE_FULL', retryable: true,
    hint: 'the in-memory event queue is full (consumer stalled); the event was not taken' },
} as const satisfies Record<string, B24ErrorSpec>;

export type B24LocalErrorKind = keyof typeof B24_LOCAL_ERRORS;

const byError = new Map<string, TableRow>();
for (const row of B24_ERROR_TABLE) for (const e of row.errors) byError.set(e.toLowerCase(), row);

/** What a failed answer looked like on the wire. */
export interface B24ErrorInput {
  /** HTTP status, when there was an HTTP answer (batch sub-errors have none). */
  readonly status?: number;
  /** The portal's `error` string, when the body had one. */
  readonly error?: string;
  readonly description?: string;
  /** The REST method, for the message and details. */
  readonly method?: string;
  readonly cause?: unknown;
}

/** Looks up the table entry for a portal answer (error string first, then HTTP status). */
export function lookupB24Error(input: { status?: number; error?: string }): B24ErrorSpec {
  const e = input.error?.trim();
  if (e) {
    const row = byError.get(e.toLowerCase());
    if (row) return row;
  }
  const s = input.status;
  // CRM classic methods put the text only in error_description (error ""): a method error.
  if (e === '' && s !== undefined && s >= 400 && s < 500) return lookupB24Error({ error: 'ERROR_CORE' });
  if (e === undefined && s !== undefined) {
    if (s === 401) return B24_LOCAL_ERRORS.unauthorized;
    if (s === 403) return B24_LOCAL_ERRORS.forbidden;
    if (s === 404) return B24_LOCAL_ERRORS.httpNotFound;
    if (s === 429) return B24_LOCAL_ERRORS.rateLimitedHttp;
    if (s >= 500) return B24_LOCAL_ERRORS.serverUnavailable;
  }
  const u = B24_LOCAL_ERRORS.unknown;
  return { code: u.code, hint: u.hint, retryable: s !== undefined && s >= 500 };
}

/** Builds the ConnectorError for a portal / OAuth-server error answer. */
export function b24Error(input: B24ErrorInput): ConnectorError {
  const spec = lookupB24Error(input);
  const what = input.error ? input.error : `HTTP ${input.status ?? '?'}`;
  const desc = input.description ? `: ${redactUrl(input.description).slice(0, 200)}` : '';
  const where = input.method ? `${input.method}: ` : '';
  return new ConnectorError(spec.code, `Bitrix24 ${where}${what}${desc}`, {
    retryable: spec.retryable,
    cause: input.cause,
    details: {
      method: input.method,
      status: input.status,
      error: input.error,
      description: input.description === undefined ? undefined : redactUrl(input.description),
      hint: spec.hint,
    },
  });
}

/** Builds one of the local (non-portal) errors. */
export function b24LocalError(
  kind: B24LocalErrorKind,
  message: string,
  extra: { cause?: unknown; details?: Record<string, unknown> } = {},
): ConnectorError {
  const spec = B24_LOCAL_ERRORS[kind];
  return new ConnectorError(spec.code, redactUrl(message), {
    retryable: spec.retryable,
    cause: extra.cause,
    details: { ...extra.details, hint: spec.hint },
  });
}

/** True for the two errors after which an OAuth client refreshes and retries once. */
export function isTokenRejection(e: unknown): boolean {
  return e instanceof ConnectorError && (e.code === 'B24_TOKEN_EXPIRED' || e.code === 'B24_TOKEN_INVALID');
}
