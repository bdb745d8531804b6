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
    /** `network`: where the call went and the system error code (`ECONNREFUSED`, `ENOTFOUND`, `timeout`). */
    readonly network?: { readonly url?: string; readonly errno: string },
  ) {
    const details = {
      ...(status !== undefined ? { status } : {}),
      ...(network?.url ? { url: network.url } : {}),
      ...(network ? { errno: network.errno } : {}),
    };
    super(CODE_FOR[kind], message, Object.keys(details).length ? details : undefined);
    this.name = "ProviderError";
  }

  /**
   * A network failure that retrying soon will not fix (nothing listens at the address, the name
   * does not exist): retried once, not five times, so the user hears about it in about a second.
   */
  get persistent(): boolean {
    return this.kind === "network" && PERSISTENT_ERRNO.has(this.network?.errno ?? "");
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
export function toProviderError(
  err: unknown,
  providerId: string,
  signal?: AbortSignal,
  baseUrl?: string,
): ProviderError {
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
  const errno = shortCause(err);
  const url = baseUrl ? shownUrl(baseUrl) : undefined;
  return new ProviderError(
    "network",
    `${providerId} could not be reached${url ? ` at ${url}` : ""} (${errno})`,
    undefined,
    {
      ...(url ? { url } : {}),
      errno,
    },
  );
}

/** A base URL as errors show it: without user info, query or fragment (they may carry credentials). */
function shownUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(invalid base URL)";
  }
}

/** Connection failures a retry within seconds does not fix. */
const PERSISTENT_ERRNO = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

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

/**
 * The system error code behind an SDK's connection error: SDKs wrap fetch's `TypeError("fetch
 * failed")`, which wraps undici's error, which carries the errno (or wraps it once more, as an
 * `AggregateError` for each address tried). Timeouts say `timeout`.
 */
export function shortCause(err: unknown): string {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  let timeout = false;
  while (queue.length > 0 && seen.size < 16) {
    const e = queue.shift() as { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown } | undefined;
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) return e.code;
    if (typeof e.name === "string" && /Timeout/i.test(e.name)) timeout = true;
    if (typeof e.code === "string" && /TIMEOUT/.test(e.code)) timeout = true;
    queue.push(e.cause, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : []));
  }
  if (timeout) return "timeout";
  const e = err as { name?: unknown };
  return typeof e?.name === "string" && e.name !== "Error" ? e.name : "connection error";
}
