import { HoldfastError, type ErrorCode } from "../errors/index.js";
import { backoffDelayMs, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { boundedStream, type CallLimits } from "./bounded-stream.js";
import { ModelBoundGuard, type ModelBoundMask } from "./model-bound.js";
import { parseModelRef, type ModelRef } from "./model-ref.js";
import type { ProviderCatalog } from "./providers/catalog.js";
import { describeEndpoint, MAX_RETRY_AFTER_MS, ProviderError } from "./providers/errors.js";
import type { ModelProvider, ModelRequest, StreamEvent } from "./providers/types.js";

/**
 * Events of a chained call: provider events (without heartbeats), which model ended up answering, and
 * progress while the chain retries or fails over (for `chat` status events).
 */
export type ChainEvent =
  | Exclude<StreamEvent, { readonly type: "heartbeat" }>
  | { readonly type: "model"; readonly ref: string }
  | {
      readonly type: "retry";
      readonly ref: string;
      /** This retry's number, from 1, and the most there will be. */
      readonly retry: number;
      readonly maxRetries: number;
      /** Wait before the retry (ms): the provider's `Retry-After`, else backoff. */
      readonly delayMs: number;
      readonly code: ErrorCode;
      readonly reason: string;
    }
  | { readonly type: "failover"; readonly from: string; readonly to: string; readonly code: ErrorCode };

/** Options for {@link ModelChain}. */
export interface ModelChainOptions {
  readonly catalog: ProviderCatalog;
  readonly clock: Clock;
  readonly log: Logger;
  /** Retries per model on 429/5xx/network before failing over. Default 5 (0.5 s, 1, 2, 4, 8 s). */
  readonly maxRetries?: number;
  /**
   * The model-bound leak scan, applied to every request before any provider sees it (the current
   * mask is read per call, so a secrets reload applies at once). Default: none (tests).
   */
  readonly mask?: () => ModelBoundMask;
  /** Bound on one model call (ms). Default 600 000 (`agents.defaults.timeoutSeconds`). */
  readonly timeoutMs?: number;
  /** Bound on silence once a reply streams (ms). Default 60 000 (`agents.defaults.streamIdleTimeoutSeconds`). */
  readonly idleTimeoutMs?: number;
  /** Longest `Retry-After` honoured (ms); a longer one fails over at once. Default 30 000. */
  readonly maxRetryAfterMs?: number;
}

/** Network failures that another second of waiting will not cure: retried once, not with the full backoff. */
const PERSISTENT_ERRNOS: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
]);

/** A model that failed for good, with how many attempts it got. */
interface Failure {
  readonly ref: string;
  readonly error: ProviderError;
  readonly attempts: number;
  readonly note?: string;
}

/** Default bounds: the reference's 600 s run timeout, and a minute of silence mid-stream. */
export const DEFAULT_CALL_LIMITS: CallLimits = { timeoutMs: 600_000, idleTimeoutMs: 60_000 };

/**
 * Calls models in order (primary, then fallbacks) with retry and failover. Source: the gateway issue
 * and seeds data-privacy-and-security-policies.md "Rate Limiting and Quotas":
 * - each call is bounded ({@link CallLimits}); a timeout fails over at once (no retry of a model that hangs);
 * - 429 / 5xx / network before any output: retry after the provider's `Retry-After` (up to
 *   `maxRetryAfterMs`; a longer wait fails over) or with exponential backoff 0.5 s → 8 s;
 * - 401 / 403, retries exhausted, a timeout or an unusable answer (empty, malformed): the next model;
 * - a failure after output has streamed is not retried (the reply would repeat).
 * Every request passes the model-bound leak scan first (`mask`): configured secrets never reach a
 * provider, whatever a tool returned.
 */
export class ModelChain {
  private readonly maxRetries: number;
  private readonly guard: ModelBoundGuard | undefined;
  private readonly limits: CallLimits;

  constructor(private readonly opts: ModelChainOptions) {
    this.maxRetries = opts.maxRetries ?? 5;
    this.guard = opts.mask ? new ModelBoundGuard(opts.mask) : undefined;
    this.limits = {
      timeoutMs: opts.timeoutMs ?? DEFAULT_CALL_LIMITS.timeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_CALL_LIMITS.idleTimeoutMs,
    };
  }

  /**
   * Streams from the first model that answers.
   * @throws HoldfastError HF_PROVIDER_AUTH | HF_PROVIDER_RATE_LIMIT | HF_PROVIDER_UNAVAILABLE (5xx) |
   *   HF_PROVIDER_REFUSED (other 4xx) | HF_PROVIDER_NETWORK | HF_PROVIDER_BAD_RESPONSE |
   *   HF_PROVIDER_TIMEOUT | HF_MODEL_REF_INVALID | HF_RUN_ABORTED. The message names the model, the
   *   endpoint, the cause (status, errno) and the number of attempts.
   */
  async *stream(refs: readonly string[], unmasked: Omit<ModelRequest, "model">): AsyncIterable<ChainEvent> {
    const req = this.guard ? this.guard.request(unmasked) : unmasked;
    const failures: Failure[] = [];
    for (const refText of refs) {
      const ref = parseModelRef(refText);
      const previous = failures.at(-1);
      if (previous) yield { type: "failover", from: previous.ref, to: ref.ref, code: previous.error.code };
      const failure = yield* this.tryModel(ref, req);
      if (!failure) return;
      failures.push(failure);
      if (!failure.error.failover) break;
    }
    throw finalError(failures);
  }

  /** All attempts on one model: undefined once it answered, else why it failed for good. */
  private async *tryModel(
    ref: ModelRef,
    req: Omit<ModelRequest, "model">,
  ): AsyncGenerator<ChainEvent, Failure | undefined> {
    const provider = this.opts.catalog.client(ref.provider);
    if (!provider) {
      const error = new ProviderError(
        "auth",
        `provider "${ref.provider}" is not configured (no models.providers.${ref.provider} and no API key in the environment)`,
      );
      return { ref: ref.ref, error, attempts: 0 };
    }
    const endpoint = describeEndpoint({
      providerId: ref.provider,
      baseUrl: this.opts.catalog.get(ref.provider)?.baseUrl ?? "",
    });
    for (let attempt = 0; ; attempt++) {
      const failed = yield* this.attempt({ provider, ref, req, endpoint });
      if (!failed) return undefined;
      const e = failed.error;
      if (failed.streamed) throw finalError([{ ref: ref.ref, error: e, attempts: attempt + 1 }]);
      this.opts.log.warn(
        { model: ref.ref, code: e.code, status: e.status, errno: e.errno, attempt: attempt + 1 },
        "model call failed",
      );
      const plan = this.retryPlan(e, attempt);
      if ("stop" in plan) return { ref: ref.ref, error: e, attempts: attempt + 1, ...plan.stop };
      yield {
        type: "retry",
        ref: ref.ref,
        retry: attempt + 1,
        maxRetries: this.maxRetries,
        delayMs: plan.delayMs,
        code: e.code,
        reason: e.message,
      };
      await this.opts.clock.sleep(plan.delayMs, req.signal).catch(() => undefined);
      if (req.signal.aborted) throw new HoldfastError("HF_RUN_ABORTED", "run aborted");
    }
  }

  /** Whether to retry after `e` on attempt `attempt` (0-based), and after how long. */
  private retryPlan(e: ProviderError, attempt: number): { delayMs: number } | { stop: { note?: string } } {
    // Nothing listening, or no such host: one more try (a restarting server), not 16 s of backoff.
    const limit =
      e.errno !== undefined && PERSISTENT_ERRNOS.has(e.errno) ? Math.min(1, this.maxRetries) : this.maxRetries;
    if (!e.retryable || attempt >= limit) return { stop: {} };
    if (e.retryAfterMs === undefined) return { delayMs: backoffDelayMs(attempt) };
    if (e.retryAfterMs > (this.opts.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS))
      return { stop: { note: `it asked to retry after ${Math.ceil(e.retryAfterMs / 1000)} s` } };
    return { delayMs: e.retryAfterMs };
  }

  /** One bounded call: undefined when it completed, else its failure and whether output had streamed. */
  private async *attempt(a: {
    provider: ModelProvider;
    ref: ModelRef;
    req: Omit<ModelRequest, "model">;
    endpoint: string;
  }): AsyncGenerator<ChainEvent, { error: ProviderError; streamed: boolean } | undefined> {
    let content = false;
    let announced = false;
    try {
      const events = boundedStream({
        provider: a.provider,
        request: { ...a.req, model: a.ref.model },
        limits: this.limits,
        clock: this.opts.clock,
        endpoint: a.endpoint,
      });
      for await (const ev of events) {
        if (ev.type === "heartbeat") continue;
        if (ev.type === "done" && !content)
          throw new ProviderError(
            "bad_response",
            `${a.endpoint} answered with an empty reply (no text and no tool call; stop reason ${ev.stopReason})`,
          );
        if (!announced) {
          announced = true;
          yield { type: "model", ref: a.ref.ref };
        }
        if (ev.type === "text" || ev.type === "tool_call") content = true;
        yield ev;
      }
      if (!content) throw new ProviderError("bad_response", `${a.endpoint} ended the stream without a reply`);
      return undefined;
    } catch (err) {
      const e =
        err instanceof ProviderError
          ? err
          : new ProviderError("bad_response", `${a.endpoint} failed: ${(err as Error)?.message ?? "unknown failure"}`);
      if (e.kind === "aborted" || a.req.signal.aborted) throw new HoldfastError("HF_RUN_ABORTED", "run aborted");
      return { error: e, streamed: content };
    }
  }
}

/**
 * The chain's failure as a plain HoldfastError with the last model's catalogue code and details: its
 * message names that model, its cause and attempts, and the models tried before it.
 */
function finalError(failures: readonly Failure[]): HoldfastError {
  const last = failures.at(-1);
  if (!last) return new HoldfastError("HF_PROVIDER_BAD_RESPONSE", "no model to call");
  const describe = (f: Failure) =>
    `${f.ref}: ${f.error.message}${f.attempts > 1 ? ` after ${f.attempts} attempts` : ""}${f.note ? ` (${f.note})` : ""}`;
  const earlier = failures.slice(0, -1).map((f) => `${f.ref} (${f.error.code})`);
  const message = `${describe(last)}${earlier.length > 0 ? `; also tried ${earlier.join(", ")}` : ""}`;
  return new HoldfastError(last.error.code, message, last.error.details ? { ...last.error.details } : undefined);
}
