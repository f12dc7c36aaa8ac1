/** Call recordings → mp3 → Bitrix24 (docs/recordings.md). */
export { REC_CODES, recError, type RecCode } from './errors.js';
export {
  AUDIO_EXTENSIONS, locateRecordings, recordingCandidates, dateFolders, datesInName, fileSize,
  type LocateInput, type LocateOptions, type LocatedRecording,
} from './locate.js';
export { waitForStable, realClock, type WaitClock, type WaitOptions, type WaitResult, type StableFile, type FileFinder } from './wait-stable.js';
export {
  convertToMp3, ffmpegAvailable, ffmpegArgs, isMp3, DEFAULT_CONVERT_TIMEOUT_MS,
  type ConvertOptions, type Converted, type FfmpegAvailability,
} from './convert.js';
export {
  attachRecord, recordFileName, ATTACH_RECORD_METHOD, DEFAULT_INLINE_MAX_BYTES,
  type AttachRecordOptions, type AttachRecordResult,
} from './upload.js';
export { isPrivateHost, recordPublicUrl, recordLinkFields, DESCRIPTION_TYPE_HTML, type RecordLinkFields } from './link.js';
export {
  RecordingPipeline, createRecordingPipeline, RECORD_FILE_PATH_HOOK,
  type RecordingCall, type PreparedRecording, type NoRecording, type NoRecordingReason,
  type RecordingPipelineOptions, type PrepareOptions, type RecordLink,
} from './pipeline.js';
export { NO_RECORDING_HINTS, noRecordingHint } from './hints.js';
