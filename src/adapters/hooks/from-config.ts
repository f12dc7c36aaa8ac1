/**
 * Builds the runner from the `hooks` section of the settings (src/config/schema.ts hooksSchema):
 * the noop runner when neither a folder nor a URL is configured, so absent hooks cost nothing.
 */
import type { Logger } from '../../log.js';
import { createHookRunner, noopHookRunner, type HookRunner, type HookRunnerOptions } from './runner.js';

/** The shape of `config.hooks` (structural, so this module does not depend on the config code). */
export interface HookSettings {
  readonly dir?: string;
  readonly urls: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly timeouts: Readonly<Record<string, number>>;
  readonly disabled: readonly string[];
}

export function hookRunnerFromSettings(
  settings: HookSettings,
  deps: { logger: Logger } & Pick<HookRunnerOptions, 'clock' | 'env' | 'interpreters' | 'resourceLimits' | 'maxOutputBytes'>,
): HookRunner {
  if (settings.dir === undefined && Object.keys(settings.urls).length === 0) return noopHookRunner;
  return createHookRunner({
    ...deps,
    dir: settings.dir,
    urls: settings.urls,
    timeouts: { defaultMs: settings.timeoutMs, perPoint: settings.timeouts },
    disabled: settings.disabled,
  });
}
