import type { Api } from "grammy";
import type { Update } from "grammy/types";
import type { Clock } from "../../infra/index.js";
import { untilSuccess } from "../reconnect.js";
import { grammySignal, retryVerdict } from "./bot-api.js";

/** What the polling loop needs from its account. */
export interface PollingContext {
  readonly api: Api;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Long-poll timeout (s). */
  readonly timeoutSec: number;
  /** Next `getUpdates` offset (one past the last queued update). */
  readonly offset: () => number | undefined;
  /** Takes a batch (queues it durably, then hands it over); awaited before the next poll confirms it. */
  readonly accept: (updates: readonly Update[]) => Promise<void>;
  readonly onRetry: (attempt: number, delayMs: number, err: unknown) => void;
  readonly onRunning: () => void;
}

/**
 * Long polling with `getUpdates` (only `message` updates). Removes a webhook first (Telegram refuses
 * getUpdates while one is set). Network failures, 429 and 5xx are retried with backoff; a 401 or 409
 * (another poller) — or any other refusal — is rethrown to the caller, which stops the account
 * instead of looping. Returns when `signal` aborts.
 */
export async function pollUpdates(p: PollingContext): Promise<void> {
  const opts = { signal: p.signal, clock: p.clock, onRetry: p.onRetry, verdict: retryVerdict };
  await untilSuccess((signal) => p.api.deleteWebhook({}, grammySignal(signal)), opts);
  while (!p.signal.aborted) {
    const offset = p.offset();
    const updates = await untilSuccess(
      (signal) =>
        p.api.getUpdates(
          { ...(offset !== undefined ? { offset } : {}), timeout: p.timeoutSec, allowed_updates: ["message"] },
          grammySignal(signal),
        ),
      opts,
    );
    if (updates === undefined) return;
    p.onRunning();
    if (p.signal.aborted) return;
    await p.accept(updates);
  }
}
