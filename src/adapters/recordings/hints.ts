/**
 * One-line operator hints per "no recording" reason, for logs, the admin panel and doctor
 * (docs/recordings.md § Troubleshooting has the long form).
 */
import type { NoRecordingReason } from './pipeline.js';

export const NO_RECORDING_HINTS: Readonly<Record<NoRecordingReason, string>> = {
  disabled: 'recordings.enabled is false',
  'not-recorded': 'no MIXMONITOR_FILENAME was seen for the call: record with MixMonitor (or FreePBX call recording), '
    + 'and make sure the AMI user sees VarSet events (read = dialplan)',
  missing: 'the file named by MIXMONITOR_FILENAME was not found in time: add its folder to recordings.dirs '
    + '(a container may mount it elsewhere), check that the service user can read it, or raise calls.recordingWaitMs',
  timeout: 'the file kept growing until calls.recordingWaitMs ran out: raise it, or check that MixMonitor stops at hang-up',
  empty: 'the file holds no audio (the call was never bridged, or MixMonitor option b with an unanswered call)',
  'unsupported-format': 'Bitrix24 takes only wav and mp3: install ffmpeg (apt install ffmpeg) or record as wav',
  unreadable: 'the file exists but cannot be read: add the service user to the asterisk group',
};

export function noRecordingHint(reason: NoRecordingReason): string {
  return NO_RECORDING_HINTS[reason];
}
