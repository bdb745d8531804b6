import type { Api } from "grammy";
import type { Update } from "grammy/types";
import { HoldfastError } from "../../errors/index.js";
import { abortable, type Clock } from "../../infra/index.js";
import { untilSuccess } from "../reconnect.js";
import { grammySignal, retryVerdict } from "./bot-api.js";

/** How long after the client's own request timeout the watchdog gives up on a `getUpdates` (ms). */
export const POLL_WATCHDOG_GRACE_MS = 10_000;

/** What the polling loop needs from its account. */
export interface PollingContext {
  readonly api: Api;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Long-poll timeout (s). */
  readonly timeoutSec: number;
  /** The Bot API client's request timeout (s); the watchdog fires {@link POLL_WATCHDOG_GRACE_MS} later. */
  readonly requestTimeoutSec: number;
  /** Next `getUpdates` offset (one past the last queued update). */
  readonly offset: () => number | undefined;
  /** Takes a batch (queues it durably, then hands it over); awaited before the next poll confirms it. */
  readonly accept: (updates: readonly Update[]) => Promise<void>;
  readonly onRetry: (attempt: number, delayMs: number, err: unknown) => void;
  /** A `getUpdates` succeeded: the account receives (again). */
  readonly onRunning: () => void;
}

/**
 * Long polling with `getUpdates` (only `message` updates). Removes a webhook first (Telegram refuses
 * getUpdates while one is set). Network failures, timeouts, 429, 5xx and 409 (another poller or a
 * webhook set elsewhere: it may go away) are retried with backoff, 0.5 s doubling to 30 s; a 401 or
 * another refusal is rethrown to the caller, which stops the account. Each `getUpdates` is watched:
 * one still hanging {@link POLL_WATCHDOG_GRACE_MS} after the client's request timeout is abandoned
 * and counts as a network failure. Returns when `signal` aborts.
 */
export async function pollUpdates(p: PollingContext): Promise<void> {
  const opts = { signal: p.signal, clock: p.clock, onRetry: p.onRetry, verdict: retryVerdict };
  await untilSuccess((signal) => p.api.deleteWebhook({}, grammySignal(signal)), opts);
  const watchdogMs = p.requestTimeoutSec * 1000 + POLL_WATCHDOG_GRACE_MS;
  while (!p.signal.aborted) {
    const offset = p.offset();
    const updates = await untilSuccess(
      (signal) =>
        watched(p.clock, watchdogMs, signal, (s) =>
          p.api.getUpdates(
            { ...(offset !== undefined ? { offset } : {}), timeout: p.timeoutSec, allowed_updates: ["message"] },
            grammySignal(s),
          ),
        ),
      opts,
    );
    if (updates === undefined) return;
    p.onRunning();
    if (p.signal.aborted) return;
    await p.accept(updates);
  }
}

/**
 * Runs `call` with a signal that aborts when `outer` does or after `ms` on `clock`; in the second
 * case the call is abandoned (even if it ignores its signal) with HF_CHANNEL_NETWORK.
 */
async function watched<T>(
  clock: Clock,
  ms: number,
  outer: AbortSignal,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  const onOuter = () => ctl.abort(outer.reason);
  if (outer.aborted) onOuter();
  else outer.addEventListener("abort", onOuter, { once: true });
  const timer = new AbortController();
  void clock.sleep(ms, timer.signal).then(
    () =>
      ctl.abort(new HoldfastError("HF_CHANNEL_NETWORK", `getUpdates did not answer within ${Math.round(ms / 1000)} s`)),
    () => undefined,
  );
  try {
    return await abortable(call(ctl.signal), ctl.signal);
  } finally {
    timer.abort();
    outer.removeEventListener("abort", onOuter);
    ctl.abort();
  }
}
