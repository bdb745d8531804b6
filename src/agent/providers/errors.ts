import { HoldfastError, type ErrorCode } from "../../errors/index.js";

/** Why a provider call failed, as the retry/failover logic sees it. */
export type ProviderFailureKind =
  "auth" | "rate_limit" | "server" | "network" | "bad_request" | "bad_response" | "timeout" | "aborted";

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
  timeout: "HF_PROVIDER_TIMEOUT",
  aborted: "HF_RUN_ABORTED",
} as const satisfies Record<ProviderFailureKind, ErrorCode>;

/** What a {@link ProviderError} knows besides its kind and message. */
export interface ProviderErrorInfo {
  /** The HTTP status of the provider's answer. */
  readonly status?: number;
  /** How long the provider asked to wait before retrying (`retry-after-ms` / `Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  /** The system or client error code of a network failure: `ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, ... */
  readonly errno?: string;
}

/**
 * A failed provider call: a HoldfastError whose code follows its {@link ProviderFailureKind}, with
 * `details.status` for an HTTP answer and `details.errno` for a network failure. `message` is safe to
 * show: it names the provider and its base URL (without credentials or query), never the API key or
 * the request.
 */
export class ProviderError extends HoldfastError {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly errno: string | undefined;

  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    info: ProviderErrorInfo = {},
  ) {
    const details = {
      ...(info.status !== undefined ? { status: info.status } : {}),
      ...(info.errno !== undefined ? { errno: info.errno } : {}),
    };
    super(CODE_FOR[kind], message, Object.keys(details).length > 0 ? details : undefined);
    this.name = "ProviderError";
    this.status = info.status;
    this.retryAfterMs = info.retryAfterMs;
    this.errno = info.errno;
  }

  /** 429, 5xx and network failures are worth retrying on the same model (before any output streamed). */
  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "server" || this.kind === "network";
  }

  /**
   * Moving on to the next model can help: rejected credentials, exhausted retries, a timeout, an
   * unusable answer. A refused request (400, 404) or an abort ends the chain.
   */
  get failover(): boolean {
    return this.kind !== "bad_request" && this.kind !== "aborted";
  }
}

/** Who was called, for messages: the provider id and its base URL. */
export interface ProviderEndpoint {
  readonly providerId: string;
  readonly baseUrl: string;
}

/**
 * `<id> at <url>` with the URL reduced to scheme, host and path: user info, query and fragment can
 * hold credentials and are never shown.
 */
export function describeEndpoint(e: ProviderEndpoint): string {
  try {
    const u = new URL(e.baseUrl);
    return `${e.providerId} at ${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return `${e.providerId} (baseUrl is not a valid URL)`;
  }
}

/** Longest wait honoured from a provider's `Retry-After` (ms); asked for longer, the chain fails over. */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * The wait a provider asked for: `retry-after-ms` (milliseconds, OpenAI), else `Retry-After` as
 * delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or unparsable; never negative.
 */
export function retryAfterMs(headers: unknown, now: number): number | undefined {
  const get = (name: string): string | undefined => {
    const h = headers as { get?: (n: string) => string | null } | Record<string, unknown> | undefined;
    if (!h) return undefined;
    if (typeof (h as { get?: unknown }).get === "function")
      return (h as { get: (n: string) => string | null }).get(name) ?? undefined;
    const v = (h as Record<string, unknown>)[name];
    return typeof v === "string" ? v : undefined;
  };
  const ms = get("retry-after-ms")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.max(0, Math.round(Number(ms)));
  const ra = get("retry-after")?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.max(0, Math.round(Number(ra) * 1000));
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Converts an SDK error (OpenAI/Anthropic `APIError` with `status` and `headers`, Ollama
 * `ResponseError` with `status_code`, fetch/connection errors with a `cause` chain, JSON parse errors
 * from a malformed stream) into a {@link ProviderError} that names the endpoint.
 */
export function toProviderError(
  err: unknown,
  at: ProviderEndpoint & {
    readonly signal?: AbortSignal;
    /** Recognizes the SDK's own request-timeout error. */
    readonly isTimeout?: (err: unknown) => boolean;
  },
): ProviderError {
  if (err instanceof ProviderError) return err;
  const who = describeEndpoint(at);
  const name = (err as { name?: unknown })?.name;
  if (at.signal?.aborted || name === "AbortError" || name === "APIUserAbortError")
    return new ProviderError("aborted", "request aborted");
  if (at.isTimeout?.(err)) return new ProviderError("timeout", `${who} did not answer in time`);
  const status = statusOf(err);
  if (status !== undefined) {
    const wait = retryAfterMs((err as { headers?: unknown }).headers, Date.now());
    return new ProviderError(kindForStatus(status), `${who} answered HTTP ${status}${reasonFor(status)}`, {
      status,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  }
  const chain = causeChain(err);
  if (chain.some((e) => e instanceof SyntaxError))
    return new ProviderError("bad_response", `${who} sent a malformed stream (an event is not valid JSON)`);
  const streamed = streamErrorType(err);
  if (streamed !== undefined) return streamError(who, streamed);
  const errno = errnoOf(chain);
  if (errno !== undefined || chain.some(looksLikeNetwork))
    return new ProviderError("network", `${who} could not be reached (${errno ?? "connection error"})`, {
      ...(errno !== undefined ? { errno } : {}),
    });
  const what = err instanceof Error ? err.message.replace(/\s+/g, " ").slice(0, 160) : "unknown failure";
  return new ProviderError("bad_response", `${who} sent an unusable response (${what})`);
}

/** A provider's error event inside a 200 stream (Anthropic `event: error`, an OpenAI `{"error":...}` chunk). */
function streamError(who: string, type: string): ProviderError {
  const label = type.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 60) || "error";
  const kind: ProviderFailureKind = /rate_limit/.test(label)
    ? "rate_limit"
    : /overloaded|api_error|server_error|internal/.test(label)
      ? "server"
      : "bad_response";
  return new ProviderError(kind, `${who} reported an error in the stream (${label})`);
}

function streamErrorType(err: unknown): string | undefined {
  const body = (err as { error?: unknown })?.error;
  if (!body || typeof body !== "object") return undefined;
  const b = body as { type?: unknown; code?: unknown; error?: { type?: unknown } };
  const t = b.error?.type ?? b.type ?? b.code;
  return typeof t === "string" ? t : "error";
}

function causeChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 8) {
    const e = queue.shift();
    if (e === undefined || e === null || out.includes(e)) continue;
    out.push(e);
    const x = e as { cause?: unknown; errors?: unknown };
    if (x.cause !== undefined) queue.push(x.cause);
    if (Array.isArray(x.errors)) queue.push(...x.errors.slice(0, 2));
  }
  return out;
}

function errnoOf(chain: readonly unknown[]): string | undefined {
  for (const e of chain) {
    if (e instanceof HoldfastError) {
      // Our own network error (a body cut short: model-fetch.ts) carries the errno in its details.
      const errno = e.details?.errno;
      if (typeof errno === "string") return errno;
      continue;
    }
    const code = (e as { code?: unknown })?.code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return undefined;
}

function looksLikeNetwork(e: unknown): boolean {
  const name = (e as { name?: unknown })?.name;
  const message = (e as { message?: unknown })?.message;
  return (
    (typeof name === "string" && /Connection|Timeout|Socket/.test(name)) ||
    (e instanceof TypeError && typeof message === "string" && /fetch failed|terminated|network/i.test(message))
  );
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
