/**
 * The `local.attachRecord` executor: after the finish, the recording goes to Bitrix24 either as a
 * file (attachRecord: base64 or the two-step upload) or, in link mode (`recordings.mode: link`, with a
 * public base URL), as an audio player in the call's CRM activity: the file is published, hook 14
 * `customize_attach_record_url` may change the activity fields, and `crm.activity.update` sets them.
 */
import type { B24Client } from '../adapters/bitrix/types.js';
import type { RecordingPipeline, PreparedRecording } from '../adapters/recordings/index.js';
import type { Config } from '../config/schema.js';
import type { HookPort } from './ports.js';
import { activityInput } from './missed-call-task.js';

export interface RecordAttachDeps {
  /** The running config (read at each attachment: the mode may change from the admin panel). */
  readonly config: () => Pick<Config, 'recordings'>;
  readonly client: Pick<B24Client, 'call'>;
  readonly recordings: Pick<RecordingPipeline, 'upload' | 'link'>;
  readonly hooks: HookPort;
  /** The stored result of a step of a call (the finish carries CRM_ACTIVITY_ID). */
  readonly stepResult: (callKey: string, step: string) => Promise<unknown>;
}

export function recordAttachExecutor(d: RecordAttachDeps): (params: Record<string, unknown>) => Promise<unknown> {
  return async (params) => {
    const callId = String(params['CALL_ID']);
    const prepared = params['prepared'] as PreparedRecording;
    if (d.config().recordings.mode !== 'link') return d.recordings.upload(callId, prepared);
    const link = await d.recordings.link(prepared);
    const finish = (await d.stepResult(prepared.callKey, 'finish')) as Record<string, unknown> | undefined;
    const activityId = Number(finish?.['CRM_ACTIVITY_ID'] ?? 0);
    if (!activityId) return { link: link.url, activity: null };
    const raw = await d.client.call('crm.activity.get', { id: activityId });
    const out = await d.hooks.run('customize_attach_record_url', {
      DESCRIPTION: link.DESCRIPTION,
      DESCRIPTION_TYPE: link.DESCRIPTION_TYPE,
      activity: activityInput(raw, activityId),
    });
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(out.data)) if (k !== 'activity' && k !== 'call_full') fields[k] = v;
    await d.client.call('crm.activity.update', { id: activityId, fields });
    return { link: link.url, activity: activityId };
  };
}
