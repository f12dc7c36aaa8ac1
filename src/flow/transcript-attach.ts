/**
 * The `local.attachTranscription` step (recordings.transcriber): after the recording is attached,
 * the call's transcript goes to Bitrix24 with `telephony.call.attachTranscription` (reference §6.6).
 *
 * The step never holds the outbox for the length of a speech-to-text run: it starts the program and
 * waits at most `waitMs`; while the program runs, the step fails with REC_TRANSCRIPT_PENDING
 * (retryable, not an outage) and the outbox comes back after its backoff (at least `waitMs`). Being an outbox command,
 * it is durable (a restart runs it again), ordered after the finish and the recording, shown in the
 * call's timeline, and a failed program leaves it dead with the program's error, to retry by hand.
 */
import type { B24Client } from '../adapters/bitrix/types.js';
import type { Transcriber, TranscriptionJob } from '../adapters/recordings/transcriber.js';
import type { CallSummary } from '../core/call/model.js';
import { ConnectorError } from '../errors.js';

export const ATTACH_TRANSCRIPTION_METHOD = 'telephony.call.attachTranscription';

export interface TranscriptAttachDeps {
  readonly client: Pick<B24Client, 'call'>;
  readonly transcriber: Pick<Transcriber, 'kept' | 'forget' | 'request'>;
}

/** The job a finished, recorded call gives the transcriber (without the CALL_ID, known later). */
export function transcriptionJobOf(call: CallSummary, file: string): Omit<TranscriptionJob, 'callId'> {
  const talked = call.conversations.filter((c) => c.acceptedAt !== undefined);
  const last = talked.at(-1);
  return {
    callKey: call.callKey, file, direction: call.direction,
    ...(call.clientNumber ? { clientNumber: call.clientNumber } : {}),
    ...(last ? { extension: last.extension } : {}),
    startedAt: new Date(call.startedAt).toISOString(),
    ...(call.answeredAt !== undefined && call.endedAt !== undefined ? { talkSeconds: Math.max(0, Math.round((call.endedAt - call.answeredAt) / 1000)) } : {}),
  };
}

export function transcriptAttachExecutor(d: TranscriptAttachDeps): (params: Record<string, unknown>) => Promise<unknown> {
  return async (params) => {
    const callId = String(params['CALL_ID'] ?? '');
    const job = { ...(params['job'] as Omit<TranscriptionJob, 'callId'>), callId };
    let transcript = await d.transcriber.kept(job.callKey);
    if (!transcript) {
      const state = await d.transcriber.request(job);
      if (state.kind === 'running') {
        throw new ConnectorError('REC_TRANSCRIPT_PENDING', 'the transcriber is still running; the step comes back later', {
          retryable: true, details: { retryAfterMs: state.pollMs },
        });
      }
      if (state.kind === 'failed') {
        throw new ConnectorError(state.code, state.message, { retryable: false, ...(state.log ? { details: { log: state.log } } : {}) });
      }
      transcript = state.transcript;
    }
    if (transcript.MESSAGES.length === 0) {
      await d.transcriber.forget(job.callKey);
      return { TRANSCRIPT_ID: null, messages: 0, note: 'the transcriber heard nothing: nothing attached' };
    }
    const result = await d.client.call<Record<string, unknown>>(ATTACH_TRANSCRIPTION_METHOD, { CALL_ID: callId, ...transcript });
    await d.transcriber.forget(job.callKey);
    return { ...result, messages: transcript.MESSAGES.length };
  };
}
