/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts, whichever comes first.
 * The promise itself is not cancelled (whoever made it should get the signal too): this only stops
 * the caller from waiting on work that ignores its abort. A later rejection of `promise` is absorbed.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err as Error);
      },
    );
  });
}

/**
 * {@link abortable} for a sequence of waits on one signal (the events of a stream), with a single
 * abort listener for all of them instead of one added and removed per wait. Waits must not overlap:
 * each `next` is awaited before the following one. Call {@link AbortRace.dispose} when done.
 */
export class AbortRace {
  private pending: ((reason: Error) => void) | undefined;
  private readonly onAbort = () => this.pending?.(this.signal.reason as Error);

  constructor(private readonly signal: AbortSignal) {
    if (!signal.aborted) signal.addEventListener("abort", this.onAbort, { once: true });
  }

  /** `promise`, or a rejection with the signal's reason as soon as it aborts (before or during). */
  next<T>(promise: Promise<T>): Promise<T> {
    if (this.signal.aborted) {
      promise.catch(() => undefined);
      return Promise.reject(this.signal.reason as Error);
    }
    return new Promise<T>((resolve, reject) => {
      this.pending = reject;
      const settled = () => {
        if (this.pending === reject) this.pending = undefined;
      };
      promise.then(
        (v) => {
          settled();
          resolve(v);
        },
        (err: unknown) => {
          settled();
          reject(err as Error);
        },
      );
    });
  }

  /** Removes the abort listener. */
  dispose(): void {
    this.signal.removeEventListener("abort", this.onAbort);
    this.pending = undefined;
  }
}
