import { backoffDelayMs, type Clock } from "../infra/index.js";

/** Whether a failed attempt should be retried, and after how long (default: backoff). */
export type RetryVerdict = { readonly retry: true; readonly afterMs?: number } | { readonly retry: false };

/** First reconnect step (ms): 0.5 s doubling (seeds "Rate Limiting and Quotas"). */
export const RECONNECT_BASE_MS = 500;
/** Longest reconnect step (ms). */
export const RECONNECT_MAX_MS = 30_000;

/**
 * The wait before reconnect attempt `attempt` (0-based): "equal jitter" over the exponential step
 * `min(max, base · 2^attempt)` — at least half the step plus a random part of the other half — so that
 * many clients dropped at once do not come back in lockstep. `random` returns [0, 1).
 */
export function jitteredDelayMs(
  attempt: number,
  { baseMs = RECONNECT_BASE_MS, maxMs = RECONNECT_MAX_MS, random = Math.random } = {},
): number {
  const step = backoffDelayMs(attempt, baseMs, maxMs);
  return Math.floor(step / 2 + random() * (step / 2));
}

/** The range {@link jitteredDelayMs} draws from for `attempt` with the default base and cap: [min, max). */
export function reconnectDelayBounds(attempt: number): { readonly min: number; readonly max: number } {
  const step = backoffDelayMs(attempt, RECONNECT_BASE_MS, RECONNECT_MAX_MS);
  return { min: Math.floor(step / 2), max: step };
}

/** Options of {@link untilSuccess}. */
export interface UntilSuccessOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly verdict: (err: unknown) => RetryVerdict;
  /** Called before each wait (for logging and status). */
  readonly onRetry?: (attempt: number, delayMs: number, err: unknown) => void;
  /** Backoff base and cap (ms); defaults {@link RECONNECT_BASE_MS} and {@link RECONNECT_MAX_MS}. */
  readonly baseMs?: number;
  readonly maxMs?: number;
}

/**
 * Reconnect loop: calls `call` until it succeeds (→ its value), the signal aborts (→ undefined), or
 * `verdict` refuses a retry (→ the error is rethrown). Waits `retry.afterMs` (a platform's
 * `retry_after`) or the jittered exponential backoff of {@link jitteredDelayMs} between attempts.
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
      const delay =
        v.afterMs ??
        jitteredDelayMs(attempt, {
          baseMs: opts.baseMs ?? RECONNECT_BASE_MS,
          maxMs: opts.maxMs ?? RECONNECT_MAX_MS,
        });
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
