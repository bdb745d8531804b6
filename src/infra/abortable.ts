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
