import { backoffDelayMs, type Clock } from "../infra/index.js";

/** Whether a failed attempt should be retried, and after how long (default: backoff). */
export type RetryVerdict = { readonly retry: true; readonly afterMs?: number } | { readonly retry: false };

/** Options of {@link untilSuccess}. */
export interface UntilSuccessOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly verdict: (err: unknown) => RetryVerdict;
  /** Called before each wait (for logging and status). */
  readonly onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  /** Backoff base and cap (ms); defaults 500 and 30 000. */
  readonly baseMs?: number;
  readonly maxMs?: number;
}

/**
 * Reconnect loop: calls `call` until it succeeds (→ its value), the signal aborts (→ undefined), or
 * `verdict` refuses a retry (→ the error is rethrown). Waits `retry.afterMs` or exponential backoff
 * between attempts (0.5 s doubling to 30 s by default, seeds "Rate Limiting and Quotas").
 */
export async function untilSuccess<T>(
  call: (signal: AbortSignal) => Promise<T>,
  opts: UntilSuccessOptions,
): Promise<T | undefined> {
  for (let attempt = 0; !opts.signal.aborted; attempt++) {
    try {
      return await call(opts.signal);
    } catch (err) {
      if (opts.signal.aborted) return undefined;
      const v = opts.verdict(err);
      if (!v.retry) throw err;
      const delay = v.afterMs ?? backoffDelayMs(attempt, opts.baseMs ?? 500, opts.maxMs ?? 30_000);
      opts.onRetry?.(attempt + 1, delay, err);
      try {
        await opts.clock.sleep(delay, opts.signal);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
