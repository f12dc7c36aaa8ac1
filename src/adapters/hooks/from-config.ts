/**
 * Builds the runner from the `hooks` section of the settings (src/config/schema.ts hooksSchema):
 * the noop runner when neither a folder nor a URL is configured, so absent hooks cost nothing —
 * unless the runner must accept new settings later (the connector: the admin panel can add hooks).
 */
import type { Logger } from '../../log.js';
import { createHookRunner, noopHookRunner, type HookRunner, type HookRunnerOptions, type HookRunnerSettings } from './runner.js';

/** The shape of `config.hooks` (structural, so this module does not depend on the config code). */
export interface HookSettings {
  readonly dir?: string;
  readonly urls: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly timeouts: Readonly<Record<string, number>>;
  readonly disabled: readonly string[];
}

/** `config.hooks` in the runner's terms (also what `HookRunner.reconfigure` takes). */
export function runnerSettingsOf(settings: HookSettings): HookRunnerSettings {
  return {
    dir: settings.dir,
    urls: settings.urls,
    timeouts: { defaultMs: settings.timeoutMs, perPoint: settings.timeouts },
    disabled: settings.disabled,
  };
}

export function hookRunnerFromSettings(
  settings: HookSettings,
  deps: { logger: Logger } & Pick<HookRunnerOptions, 'clock' | 'env' | 'interpreters' | 'resourceLimits' | 'maxOutputBytes'>,
  options: { readonly reconfigurable?: boolean } = {},
): HookRunner {
  if (!options.reconfigurable && settings.dir === undefined && Object.keys(settings.urls).length === 0) return noopHookRunner;
  const s = runnerSettingsOf(settings);
  return createHookRunner({ ...deps, ...(s.dir !== undefined ? { dir: s.dir } : {}), urls: s.urls ?? {}, timeouts: s.timeouts ?? {}, disabled: s.disabled ?? [] });
}
