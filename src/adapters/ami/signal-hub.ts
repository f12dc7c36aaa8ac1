/**
 * A tiny typed listener registry. Unlike EventEmitter it has no special `error` signal and isolates
 * listeners: one that throws is reported through `onListenerError` and the others still run.
 */
type AnyListener = (...args: unknown[]) => void;

export class SignalHub<M extends Record<keyof M, unknown[]>> {
  private readonly listeners = new Map<keyof M, AnyListener[]>();

  constructor(private readonly onListenerError: (signal: keyof M, err: unknown) => void) {}

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof M>(signal: K, listener: (...args: M[K]) => void): () => void {
    const list = this.listeners.get(signal) ?? [];
    list.push(listener as unknown as AnyListener);
    this.listeners.set(signal, list);
    return () => this.off(signal, listener);
  }

  off<K extends keyof M>(signal: K, listener: (...args: M[K]) => void): void {
    const list = this.listeners.get(signal);
    const i = list ? list.indexOf(listener as unknown as AnyListener) : -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  /** Calls every listener of `signal` in subscription order (a snapshot: changes apply next time). */
  emit<K extends keyof M>(signal: K, ...args: M[K]): void {
    const list = this.listeners.get(signal);
    if (!list) return;
    for (const fn of [...list]) {
      try {
        fn(...args);
      } catch (err) {
        this.onListenerError(signal, err);
      }
    }
  }
}
