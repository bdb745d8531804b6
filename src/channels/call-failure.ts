import { HoldfastError } from "../errors/index.js";
import { backoffDelayMs, type Clock } from "../infra/index.js";
import type { RetryVerdict } from "./reconnect.js";

/**
 * How a failed platform call should be treated, and the catalogue code it ends with: the platform
 * answered with an error (`HF_CHANNEL_AUTH`; `HF_CHANNEL_CONFLICT` when another process receives the
 * account's updates, retried since it may stop; `HF_CHANNEL_REFUSED`), the platform was not reached (`HF_CHANNEL_NETWORK`), or something else failed locally
 * (`HF_CHANNEL_SEND`). `detail` is a short platform description, never a request payload or token.
 */
export type CallFailure =
  | { readonly kind: "fatal"; readonly code: "HF_CHANNEL_AUTH"; readonly detail: string }
  | {
      readonly kind: "retry";
      readonly code: "HF_CHANNEL_REFUSED" | "HF_CHANNEL_NETWORK" | "HF_CHANNEL_CONFLICT";
      /** What the platform said, when it answered (a 409's description, a 5xx status). */
      readonly detail?: string;
      readonly afterMs?: number;
    }
  | { readonly kind: "reject"; readonly code: "HF_CHANNEL_REFUSED" | "HF_CHANNEL_SEND"; readonly detail: string };

/** A platform's error classifier. */
export type Classify = (err: unknown) => CallFailure;

/** Attempts per platform call that fails transiently (429, 5xx, network). */
export const SEND_ATTEMPTS = 3;
/** Longest wait honoured from a 429 `retry_after` (ms). */
export const MAX_RETRY_AFTER_MS = 30_000;

/** A classifier as a reconnect verdict: retry transient failures only. */
export function retryVerdictOf(classify: Classify): (err: unknown) => RetryVerdict {
  return (err) => {
    const f = classify(err);
    return f.kind === "retry"
      ? { retry: true, ...(f.afterMs !== undefined ? { afterMs: f.afterMs } : {}) }
      : { retry: false };
  };
}

/** The message of a local failure, without anything that could be a payload (first line, 200 chars). */
export function localDetail(err: unknown): string {
  return err instanceof Error ? (err.message.split("\n")[0] ?? "").slice(0, 200) : "unknown error";
}

/**
 * Calls `call`, retrying transient failures ({@link SEND_ATTEMPTS} attempts, the platform's
 * `retry_after` or backoff through `clock`).
 * @throws HoldfastError with the failure's code and `"<what> failed: <detail>"` as message.
 */
export async function withRetries<T>(
  { clock, what, classify }: { clock: Clock; what: string; classify: Classify },
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const f = classify(err);
      if (f.kind !== "retry" || attempt + 1 >= SEND_ATTEMPTS) {
        const detail = f.kind === "retry" ? "gave up after retries" : f.detail;
        throw new HoldfastError(f.code, `${what} failed: ${detail}`);
      }
      await clock.sleep(f.afterMs ?? backoffDelayMs(attempt));
    }
  }
}

/**
 * Calls `call` once, without retries: for best-effort calls that are made again anyway (a typing
 * indicator, refreshed while a run works).
 * @throws HoldfastError with the failure's code and `"<what> failed: <detail>"` as message.
 */
export async function callOnce<T>(
  { what, classify }: { what: string; classify: Classify },
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const f = classify(err);
    const detail = f.detail ?? (f.code === "HF_CHANNEL_NETWORK" ? "not reached" : "busy or failing");
    throw new HoldfastError(f.code, `${what} failed: ${detail}`);
  }
}
