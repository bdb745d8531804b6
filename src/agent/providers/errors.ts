import { HoldfastError, type ErrorCode } from "../../errors/index.js";

/** Why a provider call failed, as the retry/failover logic sees it. */
export type ProviderFailureKind =
  "auth" | "rate_limit" | "server" | "network" | "bad_request" | "bad_response" | "aborted";

/**
 * The catalogue code of each kind. The provider refusing the request (`bad_request`: a 4xx answer) and
 * the provider not being reached (`network`) are distinct codes, like grammY's GrammyError and HttpError.
 */
const CODE_FOR = {
  auth: "HF_PROVIDER_AUTH",
  rate_limit: "HF_PROVIDER_RATE_LIMIT",
  server: "HF_PROVIDER_UNAVAILABLE",
  network: "HF_PROVIDER_NETWORK",
  bad_request: "HF_PROVIDER_REFUSED",
  bad_response: "HF_PROVIDER_BAD_RESPONSE",
  aborted: "HF_RUN_ABORTED",
} as const satisfies Record<ProviderFailureKind, ErrorCode>;

/**
 * A failed provider call: a HoldfastError whose code follows its {@link ProviderFailureKind}, with
 * `details.status` for an HTTP answer. `message` is safe to show: it never includes the API key or the
 * request.
 */
export class ProviderError extends HoldfastError {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(CODE_FOR[kind], message, status !== undefined ? { status } : undefined);
    this.name = "ProviderError";
  }

  /** 429, 5xx and network failures are worth retrying (before any output was streamed). */
  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "server" || this.kind === "network";
  }

  /** 401/403/429 (and exhausted server errors) move on to the next model in the fallback list. */
  get failover(): boolean {
    return this.kind === "auth" || this.kind === "rate_limit" || this.kind === "server" || this.kind === "network";
  }
}

/**
 * Converts an SDK error (OpenAI/Anthropic `APIError` with `status`, Ollama `ResponseError` with
 * `status_code`, fetch/connection errors) into a {@link ProviderError}.
 */
export function toProviderError(err: unknown, providerId: string, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (
    signal?.aborted ||
    (err as { name?: string })?.name === "AbortError" ||
    (err as { name?: string })?.name === "APIUserAbortError"
  ) {
    return new ProviderError("aborted", "request aborted");
  }
  const status = statusOf(err);
  if (status !== undefined)
    return new ProviderError(
      kindForStatus(status),
      `${providerId} answered HTTP ${status}${reasonFor(status)}`,
      status,
    );
  return new ProviderError("network", `${providerId} could not be reached (${shortCause(err)})`);
}

function statusOf(err: unknown): number | undefined {
  const e = err as { status?: unknown; status_code?: unknown };
  if (typeof e?.status === "number") return e.status;
  if (typeof e?.status_code === "number") return e.status_code;
  return undefined;
}

function kindForStatus(status: number): ProviderFailureKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 429) return "rate_limit";
  if (status >= 500) return "server";
  return "bad_request";
}

function reasonFor(status: number): string {
  if (status === 401 || status === 403) return " (credentials rejected: check the provider's apiKey)";
  if (status === 429) return " (rate limited)";
  if (status === 404) return " (model or endpoint not found: check the model id and baseUrl)";
  return "";
}

function shortCause(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  const code = typeof e?.code === "string" ? e.code : typeof e?.cause?.code === "string" ? e.cause.code : undefined;
  return code ?? (typeof e?.name === "string" ? e.name : "connection error");
}
