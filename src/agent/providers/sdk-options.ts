import { modelFetch } from "./model-fetch.js";
import type { ModelRequest } from "./types.js";

/**
 * Client options shared by the official `openai` and `@anthropic-ai/sdk` clients, so the chain is the
 * one retry and timeout policy: no SDK retries (each would retry 429/5xx/timeouts twice, honouring
 * `retry-after`, before the chain saw anything), a request timeout that each call replaces with the
 * chain's bound (see {@link sdkRequestOptions}), a silent SDK logger (it would print unparsable
 * stream data to the console, outside the redacting log), and {@link modelFetch} as the HTTP client.
 */
export function sdkClientOptions(opts: {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly headers?: Record<string, string> | undefined;
}) {
  return {
    apiKey: opts.apiKey,
    baseURL: opts.baseUrl,
    maxRetries: 0,
    defaultHeaders: opts.headers,
    timeout: 600_000,
    logLevel: "off" as const,
    fetch: modelFetch,
  };
}

/** Per-request options: the call's signal, no retries, and the chain's bound as the SDK's timeout. */
export function sdkRequestOptions(req: Pick<ModelRequest, "signal" | "timeoutMs">) {
  return { signal: req.signal, maxRetries: 0, ...(req.timeoutMs ? { timeout: req.timeoutMs } : {}) };
}
