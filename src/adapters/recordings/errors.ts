/**
 * REC_ error codes of the recordings adapter (listed with their meaning in docs/recordings.md).
 * Upload failures that come from the portal keep the B24_ codes of the Bitrix24 error table.
 */
import { ConnectorError } from '../../errors.js';

export const REC_CODES = {
  /** The ffmpeg binary could not be started (not installed, wrong recordings.ffmpegPath). */
  FFMPEG_MISSING: 'REC_FFMPEG_MISSING',
  /** ffmpeg ran but exited with an error (unreadable input, unknown format). */
  FFMPEG_FAILED: 'REC_FFMPEG_FAILED',
  /** ffmpeg did not finish within the conversion timeout and was killed. */
  FFMPEG_TIMEOUT: 'REC_FFMPEG_TIMEOUT',
  /** ffmpeg exited 0 but left no (or an empty) output file. */
  CONVERT_EMPTY: 'REC_CONVERT_EMPTY',
  /** The recording file exists but cannot be read (permissions, vanished). */
  FILE_UNREADABLE: 'REC_FILE_UNREADABLE',
  /** Bitrix24 takes only wav and mp3; the file is something else and cannot be converted. */
  UNSUPPORTED_FORMAT: 'REC_UNSUPPORTED_FORMAT',
  /** attachRecord with FILENAME only answered without an uploadUrl. */
  UPLOAD_NO_URL: 'REC_UPLOAD_NO_URL',
  /** The multipart POST to the uploadUrl failed in a way the Bitrix24 table does not cover. */
  UPLOAD_FAILED: 'REC_UPLOAD_FAILED',
  /** Link mode without recordings.publicBaseUrl. */
  LINK_NO_BASE_URL: 'REC_LINK_NO_BASE_URL',
  /** Link mode with a publicBaseUrl Bitrix24 cannot reach (loopback, private, link-local …). */
  LINK_PRIVATE_URL: 'REC_LINK_PRIVATE_URL',
  /** Link mode: the file could not be copied into publishDir (permissions, disk full). */
  PUBLISH_FAILED: 'REC_PUBLISH_FAILED',
  /** process_record_file_path returned a path that is unusable; the original file is kept. */
  HOOK_PATH_INVALID: 'REC_HOOK_PATH_INVALID',
  /** No file for the call's recording names appeared within calls.recordingWaitMs. */
  MISSING: 'REC_MISSING',
  /** The file was still growing when calls.recordingWaitMs ran out. */
  WAIT_TIMEOUT: 'REC_WAIT_TIMEOUT',
  /** RecordingPipeline.upload called on a pipeline built without a Bitrix24 client. */
  NO_CLIENT: 'REC_NO_CLIENT',
  /** The file is empty (or a bare wav header): nothing was recorded. */
  EMPTY: 'REC_EMPTY',
} as const;

export type RecCode = (typeof REC_CODES)[keyof typeof REC_CODES];

export function recError(
  code: RecCode,
  message: string,
  options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
): ConnectorError {
  return new ConnectorError(code, message, options);
}
