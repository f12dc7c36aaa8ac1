/**
 * The running configuration, replaceable while the connector runs (the admin panel's settings
 * editor). Components that honour live changes subscribe; `set` tells them which sections changed.
 *
 * What applies how (docs/admin-panel.md, "Settings"): a change is taken by the NEXT step of every
 * call — a call in progress keeps the decisions already made (registered or not, its transfer
 * mode) and uses the new values for what is still to come (task, recording, lines, hooks).
 */
import type { Config } from './schema.js';

export type ConfigSection = keyof Config;

export type LiveConfigListener = (next: Config, changed: ReadonlySet<ConfigSection>, prev: Config) => void;

/** Sections whose JSON differs between two configs (key order inside a section is significant). */
export function changedSections(prev: Config, next: Config): Set<ConfigSection> {
  const out = new Set<ConfigSection>();
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)] as ConfigSection[]);
  for (const k of keys) if (JSON.stringify(prev[k]) !== JSON.stringify(next[k])) out.add(k);
  return out;
}

export class LiveConfig {
  private current: Config;
  private readonly listeners = new Set<LiveConfigListener>();

  constructor(initial: Config) {
    this.current = initial;
  }

  get(): Config {
    return this.current;
  }

  /** Subscribes; returns the unsubscribe function. */
  onChange(fn: LiveConfigListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Replaces the configuration and tells every listener (a throwing listener does not stop the
   * others; its error is returned). Returns the sections that changed.
   */
  set(next: Config): { changed: ReadonlySet<ConfigSection>; errors: readonly unknown[] } {
    const prev = this.current;
    const changed = changedSections(prev, next);
    this.current = next;
    const errors: unknown[] = [];
    if (changed.size === 0) return { changed, errors };
    for (const fn of this.listeners) {
      try {
        fn(next, changed, prev);
      } catch (e) {
        errors.push(e);
      }
    }
    return { changed, errors };
  }
}
