/**
 * Stable codes of the hook subsystem (docs/hooks.md lists them too). Failures make the runner fall
 * back to the defaults; warnings keep the reply but record that something was dropped.
 */
export const HOOK_FAILURE_CODES = {
  HOOK_TIMEOUT: 'the hook did not answer within its timeout; it was stopped (worker terminated, process SIGKILLed, request aborted)',
  HOOK_THREW: 'the module threw or its promise rejected',
  HOOK_BAD_JSON: 'the reply is not JSON, or not a JSON object',
  HOOK_BAD_STATE: 'the reply\'s state is not "success"',
  HOOK_BAD_TYPES: 'a reply field has the wrong type or breaks a rule (name > 20 characters, bad task binding, data not an object)',
  HOOK_OUTPUT_TOO_LARGE: 'the reply (stdout, HTTP body or module result) exceeds the output cap (1 MiB by default)',
  HOOK_EXIT_NONZERO: 'the executable exited with a non-zero status or was killed by a signal',
  HOOK_INTERPRETER_MISSING: 'the interpreter (php, python3, sh) or the executable could not be started',
  HOOK_URL_FAILED: 'the hook URL answered with a non-2xx status, or the request failed',
  HOOK_LOAD_FAILED: 'the module could not be imported, or has no default export function',
  HOOK_TS_UNSUPPORTED: 'a .ts hook was found but the tsx loader is not available',
  HOOK_WORKER_LOST: 'the module\'s worker exited during the run (the hook called exit, or it was stopped for another run\'s timeout)',
  HOOK_OUT_OF_MEMORY: 'the module\'s worker exceeded its memory limit',
  HOOK_CLOSED: 'the runner was closed; defaults were used',
  HOOK_INTERNAL: 'an unexpected error inside the runner; defaults were used',
} as const;

export const HOOK_WARNING_CODES = {
  HOOK_READONLY_DROPPED: 'the reply changed read-only fields (CALL_ID, SHOW, from, user, ID …); they were dropped, the rest applied',
  HOOK_UNKNOWN_FIELDS_IGNORED: 'the reply had fields the point does not know; they were ignored',
  HOOK_BAD_INPUT: 'the connector passed an input that does not match the contract (a connector bug); the hook still ran',
} as const;

/** Problems found when discovering hooks (the hook is not loaded). */
export const HOOK_DISCOVERY_CODES = {
  HOOK_UNKNOWN_NAME: 'a file in the hooks folder, or a URL setting, is not named after one of the 14 points',
  HOOK_UNSUPPORTED_FILE: 'a file named after a point has an unsupported extension, or is extension-less but not executable',
  HOOK_DUPLICATE: 'several hooks for one point; the first by priority (module > executable > URL) is used',
  HOOK_BAD_URL: 'a URL setting is not an http(s) URL',
  HOOK_DIR_UNREADABLE: 'the hooks folder does not exist or cannot be read',
  HOOK_TIMEOUT_FIXED: 'a timeout setting for process_record_file_path is ignored: its timeout is fixed at 10 s',
  HOOK_TS_UNSUPPORTED: HOOK_FAILURE_CODES.HOOK_TS_UNSUPPORTED,
} as const;

export type HookFailureCode = keyof typeof HOOK_FAILURE_CODES;
export type HookWarningCode = keyof typeof HOOK_WARNING_CODES;
export type HookDiscoveryCode = keyof typeof HOOK_DISCOVERY_CODES;
