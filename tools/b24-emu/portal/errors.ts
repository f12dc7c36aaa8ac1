/**
 * The documented REST error answers the portal raises (reference bitrix24-rest.md §1.3–1.4, §6, §8).
 * Only `B24ApiError` crosses the portal boundary; texts are the server/RU strings (§11 item 10).
 */
import { B24ApiError } from '../contract.js';

/** Method error without a specific code: `ERROR_CORE`, HTTP 400 (§1.3). */
export function errorCore(description: string): B24ApiError {
  return new B24ApiError('ERROR_CORE', description, 400);
}

/** CRM classic methods put the text only in `error_description`; `error` is "" (§8.3). */
export function crmError(description: string): B24ApiError {
  return new B24ApiError('', description, 400);
}

export function wrongAuthType(): B24ApiError {
  return new B24ApiError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403);
}

/**
 * §1.4: documented (for REST 3.0 paths) without a text; "Method not found!" is what the classic
 * REST server answers (unverified against the docs, see README).
 */
export function methodNotFound(): B24ApiError {
  return new B24ApiError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404);
}

export function accessDenied(description = 'Access denied!'): B24ApiError {
  return new B24ApiError('ACCESS_DENIED', description, 403);
}

export function invalidArgument(description: string): B24ApiError {
  return new B24ApiError('INVALID_ARGUMENT', description, 400);
}

export { B24ApiError };
