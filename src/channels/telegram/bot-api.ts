import { Api, GrammyError, HttpError } from "grammy";
import { errorMessage, HoldfastError, isHoldfastError } from "../../errors/index.js";
import { backoffDelayMs, type Clock } from "../../infra/index.js";
import { chunkText } from "../chunk.js";
import type { MediaRef, OutboundMessage } from "../adapter.js";

/** Attempts per Bot API call that fails transiently (429, 5xx, network). */
const SEND_ATTEMPTS = 3;
/** Longest wait honoured from a 429 `retry_after` (ms). */
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * A grammY API client for one bot on `apiRoot` (tests and self-hosted Bot API servers override it).
 * Every call is bounded by `timeoutSeconds` (grammY's own default is 500 s): for long polling it must
 * exceed the long-poll time, see `TelegramAccountSettings.requestTimeoutSec`.
 */
export function createBotApi(token: string, apiRoot: string, timeoutSeconds = 60): Api {
  return new Api(token, { apiRoot, timeoutSeconds });
}

/** grammY types its AbortSignal parameter with a polyfill's type; the runtime accepts Node's. */
export type GrammySignal = NonNullable<Parameters<Api["getMe"]>[0]>;

/** Node's AbortSignal as grammY's parameter type. */
export function grammySignal(signal: AbortSignal): GrammySignal {
  return signal as unknown as GrammySignal;
}

/**
 * How a failed Bot API call should be treated, and the catalogue code it ends with: the platform
 * answered with an error (grammY's GrammyError: `HF_CHANNEL_AUTH`, `HF_CHANNEL_CONFLICT`,
 * `HF_CHANNEL_REFUSED`), the platform was not reached (HttpError: `HF_CHANNEL_NETWORK`), or something
 * else failed locally (`HF_CHANNEL_SEND`).
 */
export type CallFailure =
  | { readonly kind: "fatal"; readonly code: "HF_CHANNEL_AUTH"; readonly detail: string }
  | {
      readonly kind: "retry";
      readonly code: "HF_CHANNEL_REFUSED" | "HF_CHANNEL_NETWORK" | "HF_CHANNEL_CONFLICT";
      readonly detail: string;
      readonly afterMs?: number;
    }
  | { readonly kind: "reject"; readonly code: "HF_CHANNEL_REFUSED" | "HF_CHANNEL_SEND"; readonly detail: string };

/**
 * Classifies a grammY error without exposing the request payload (which may hold message text) or the
 * request URL (which holds the token): 401 → fatal HF_CHANNEL_AUTH; 409 (another poller, or a webhook
 * set elsewhere) → retry HF_CHANNEL_CONFLICT; 429/5xx → retry (HF_CHANNEL_REFUSED once retries run
 * out); network or a timed-out call → retry (HF_CHANNEL_NETWORK); other 4xx → reject (HF_CHANNEL_REFUSED).
 */
export function classifyCallError(err: unknown): CallFailure {
  if (err instanceof GrammyError) {
    const detail = `${err.method}: ${err.error_code} ${err.description}`.slice(0, 300);
    if (err.error_code === 401) return { kind: "fatal", code: "HF_CHANNEL_AUTH", detail };
    if (err.error_code === 409) return { kind: "retry", code: "HF_CHANNEL_CONFLICT", detail };
    if (err.error_code === 429)
      return {
        kind: "retry",
        code: "HF_CHANNEL_REFUSED",
        detail,
        ...(err.parameters.retry_after !== undefined
          ? { afterMs: Math.min(err.parameters.retry_after * 1000, MAX_RETRY_AFTER_MS) }
          : {}),
      };
    if (err.error_code >= 500) return { kind: "retry", code: "HF_CHANNEL_REFUSED", detail };
    return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail };
  }
  if (err instanceof HttpError) return { kind: "retry", code: "HF_CHANNEL_NETWORK", detail: networkDetail(err) };
  if (isHoldfastError(err, "HF_CHANNEL_NETWORK"))
    return { kind: "retry", code: "HF_CHANNEL_NETWORK", detail: err.message };
  return {
    kind: "reject",
    code: "HF_CHANNEL_SEND",
    detail: err instanceof Error ? err.message.slice(0, 200) : "unknown error",
  };
}

/** grammY's message (never the URL) plus the system error code underneath, e.g. `ECONNREFUSED`. */
function networkDetail(err: HttpError): string {
  let inner: unknown = err.error;
  for (let i = 0; i < 4 && inner; i++) {
    const code = (inner as { code?: unknown }).code;
    if (typeof code === "string") return `${err.message} (${code})`;
    inner = (inner as { cause?: unknown }).cause;
  }
  const timedOut = /timed out after \d+ seconds/.exec(errorMessage(err.error));
  return timedOut ? `${err.message} (${timedOut[0]})` : err.message;
}

/** {@link classifyCallError} as a reconnect verdict: retry transient failures only. */
export function retryVerdict(err: unknown): { retry: true; afterMs?: number } | { retry: false } {
  const f = classifyCallError(err);
  return f.kind === "retry"
    ? { retry: true, ...(f.afterMs !== undefined ? { afterMs: f.afterMs } : {}) }
    : { retry: false };
}

/**
 * Sends `msg` as one or more messages of at most `limit` characters; the first replies to
 * `msg.replyTo` (kept even if that message is gone). Transient failures are retried
 * ({@link SEND_ATTEMPTS} attempts, `retry_after` or backoff).
 * @returns the sent message ids.
 * @throws HoldfastError HF_CHANNEL_REFUSED (Telegram answered with an error), HF_CHANNEL_NETWORK (not
 *   reached), HF_CHANNEL_AUTH / HF_CHANNEL_CONFLICT (401 / 409), HF_CHANNEL_SEND (another failure).
 */
export async function sendTelegramText(api: Api, msg: OutboundMessage, limit: number, clock: Clock): Promise<string[]> {
  const ids: string[] = [];
  const chunks = chunkText(msg.text, limit);
  for (const [i, chunk] of chunks.entries()) {
    const replyTo = i === 0 && msg.replyTo !== undefined ? Number(msg.replyTo) : undefined;
    const sent = await withRetries(clock, "sendMessage", () =>
      api.sendMessage(msg.chatId, chunk, {
        ...(replyTo !== undefined && Number.isSafeInteger(replyTo)
          ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
          : {}),
        ...(msg.threadId !== undefined ? { message_thread_id: Number(msg.threadId) } : {}),
      }),
    );
    ids.push(String(sent.message_id));
  }
  return ids;
}

async function withRetries<T>(clock: Clock, what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const f = classifyCallError(err);
      if (f.kind !== "retry" || attempt + 1 >= SEND_ATTEMPTS) {
        const detail = f.kind === "retry" ? "gave up after retries" : f.detail;
        throw new HoldfastError(f.code, `telegram ${what} failed: ${detail}`);
      }
      await clock.sleep(f.afterMs ?? backoffDelayMs(attempt));
    }
  }
}

function tooLarge(maxBytes: number): HoldfastError {
  return new HoldfastError("HF_CHANNEL_MEDIA", `telegram file exceeds the ${maxBytes}-byte limit`, { tooLarge: true });
}

/**
 * Downloads a file: announced size check, `getFile`, size check again, then the download from
 * `<apiRoot>/file/bot<token>/<file_path>` counting bytes and aborting past `maxBytes`. Error messages
 * never contain the URL (it holds the token).
 * @throws HoldfastError HF_CHANNEL_MEDIA (`details.tooLarge` when the limit was the reason).
 */
export async function downloadTelegramFile(
  { api, token, apiRoot }: { api: Api; token: string; apiRoot: string },
  ref: MediaRef,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; extension?: string }> {
  if (ref.sizeBytes !== undefined && ref.sizeBytes > maxBytes) throw tooLarge(maxBytes);
  const file = await api.getFile(ref.fileId).catch((err: unknown) => {
    const f = classifyCallError(err);
    throw new HoldfastError("HF_CHANNEL_MEDIA", `telegram getFile failed${f.kind === "retry" ? "" : `: ${f.detail}`}`);
  });
  if (file.file_size !== undefined && file.file_size > maxBytes) throw tooLarge(maxBytes);
  if (!file.file_path) throw new HoldfastError("HF_CHANNEL_MEDIA", "telegram getFile returned no file_path");
  const res = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`, {
    signal: AbortSignal.timeout(120_000),
  }).catch(() => {
    throw new HoldfastError("HF_CHANNEL_MEDIA", "telegram file download failed (network)");
  });
  if (!res.ok || !res.body)
    throw new HoldfastError("HF_CHANNEL_MEDIA", `telegram file download failed (HTTP ${res.status})`);
  if (Number(res.headers.get("content-length") ?? 0) > maxBytes) {
    await res.body.cancel();
    throw tooLarge(maxBytes);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    parts.push(value);
  }
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(file.file_path)?.[1]?.toLowerCase();
  return { bytes: Buffer.concat(parts), ...(ext ? { extension: ext } : {}) };
}
