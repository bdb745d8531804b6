import { HoldfastError } from "../errors/index.js";
import { backoffDelayMs, type Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import { ModelBoundGuard, type ModelBoundMask } from "./model-bound.js";
import { parseModelRef } from "./model-ref.js";
import type { ProviderCatalog } from "./providers/catalog.js";
import { ProviderError } from "./providers/errors.js";
import type { ModelRequest, StreamEvent } from "./providers/types.js";

/** Events of a chained call: provider events plus which model ended up answering. */
export type ChainEvent = StreamEvent | { readonly type: "model"; readonly ref: string };

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
}

/**
 * Calls models in order (primary, then fallbacks) with retry and failover. Source: the gateway issue
 * and seeds data-privacy-and-security-policies.md "Rate Limiting and Quotas":
 * - 429 / 5xx / network before any output: retry with exponential backoff 0.5 s → 8 s;
 * - 401 / 403, or retries exhausted: fail over to the next model;
 * - a failure after output has streamed is not retried (the reply would repeat).
 * Every request passes the model-bound leak scan first (`mask`): configured secrets never reach a
 * provider, whatever a tool returned.
 */
export class ModelChain {
  private readonly maxRetries: number;
  private readonly guard: ModelBoundGuard | undefined;

  constructor(private readonly opts: ModelChainOptions) {
    this.maxRetries = opts.maxRetries ?? 5;
    this.guard = opts.mask ? new ModelBoundGuard(opts.mask) : undefined;
  }

  /**
   * Streams from the first model that answers.
   * @throws HoldfastError HF_PROVIDER_AUTH | HF_PROVIDER_RATE_LIMIT | HF_PROVIDER_UNAVAILABLE (5xx) |
   *   HF_PROVIDER_REFUSED (other 4xx) | HF_PROVIDER_NETWORK | HF_PROVIDER_BAD_RESPONSE |
   *   HF_MODEL_REF_INVALID | HF_RUN_ABORTED.
   */
  async *stream(refs: readonly string[], unmasked: Omit<ModelRequest, "model">): AsyncIterable<ChainEvent> {
    const req = this.guard ? this.guard.request(unmasked) : unmasked;
    let last: ProviderError | undefined;
    for (const refText of refs) {
      const ref = parseModelRef(refText);
      const provider = this.opts.catalog.client(ref.provider);
      if (!provider) {
        last = new ProviderError(
          "auth",
          `provider "${ref.provider}" is not configured (no models.providers.${ref.provider} and no API key in the environment)`,
        );
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        let started = false;
        try {
          for await (const ev of provider.stream({ ...req, model: ref.model })) {
            if (!started) {
              started = true;
              yield { type: "model", ref: ref.ref };
            }
            yield ev;
          }
          return;
        } catch (err) {
          const e =
            err instanceof ProviderError
              ? err
              : new ProviderError("bad_response", (err as Error)?.message ?? "unknown provider failure");
          if (e.kind === "aborted" || req.signal.aborted) throw new HoldfastError("HF_RUN_ABORTED", "run aborted");
          last = e;
          if (started) throw toHoldfast(e);
          this.opts.log.warn({ model: ref.ref, kind: e.kind, status: e.status, attempt }, "model call failed");
          if (e.retryable && attempt < this.maxRetries) {
            await this.opts.clock.sleep(backoffDelayMs(attempt), req.signal).catch(() => undefined);
            if (req.signal.aborted) throw new HoldfastError("HF_RUN_ABORTED", "run aborted");
            continue;
          }
          if (e.failover) break;
          throw toHoldfast(e);
        }
      }
    }
    throw toHoldfast(last ?? new ProviderError("bad_response", "no model to call"));
  }
}

/** The chain's failure as a plain HoldfastError with the provider error's catalogue code and status. */
function toHoldfast(e: ProviderError): HoldfastError {
  return new HoldfastError(e.code, e.message, e.details ? { ...e.details } : undefined);
}
