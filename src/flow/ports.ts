/**
 * Ports the flows use, so each flow can be tested with fakes and wired for real only in the
 * composition root (src/main.ts).
 */

/** One run of a customization hook (see docs/hooks.md). Never throws; failures give the defaults. */
export interface HookOutcome {
  /** The effective reply data: the hook's validated reply merged over the defaults, or the defaults. */
  readonly data: Record<string, unknown>;
  /** 'hook' when a hook ran and its reply was used; 'default' otherwise. */
  readonly source: 'hook' | 'default';
  readonly ok: boolean;
  readonly code?: string;
  readonly durationMs: number;
}

export interface HookPort {
  /** Runs `point` with `input` (the defaults are the input's own writable fields). */
  run(point: string, input: Record<string, unknown>): Promise<HookOutcome>;
  /** Is a hook installed and enabled for this point (absent hooks cost nothing)? */
  has(point: string): boolean;
}

/** A HookPort with no hooks: every run returns the defaults at once. */
export const noHooks: HookPort = {
  async run(_point, input) {
    return { data: { ...input }, source: 'default', ok: true, durationMs: 0 };
  },
  has() {
    return false;
  },
};
