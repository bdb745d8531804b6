import { randomUUID } from "node:crypto";
import { HoldfastError, isHoldfastError } from "../../errors/index.js";
import type { Clock } from "../../infra/index.js";
import { callOnce, localDetail, retryVerdictOf, withRetries, type CallFailure } from "../call-failure.js";

/** How long one REST call may take (ms). */
const REST_TIMEOUT_MS = 30_000;

/** A failed BlueBubbles call: `status` 0 when the server was not reached. Never carries the URL. */
export class BlueBubblesCallError extends HoldfastError {
  constructor(
    readonly what: string,
    readonly status: number,
  ) {
    super(
      status === 0 ? "HF_CHANNEL_NETWORK" : status === 401 ? "HF_CHANNEL_AUTH" : "HF_CHANNEL_REFUSED",
      status === 0 ? `bluebubbles ${what}: server not reachable` : `bluebubbles ${what}: HTTP ${status}`,
      { status },
    );
  }
}

/** 401 is a wrong password (fatal); not reached, 429 and 5xx are retried; other answers are refusals. */
export function classifyBlueBubblesError(err: unknown): CallFailure {
  if (err instanceof BlueBubblesCallError) {
    if (err.status === 401)
      return { kind: "fatal", code: "HF_CHANNEL_AUTH", detail: "the server rejected the password" };
    if (err.status === 0 || err.status === 429 || err.status >= 500)
      return { kind: "retry", code: err.status === 0 ? "HF_CHANNEL_NETWORK" : "HF_CHANNEL_REFUSED" };
    return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail: err.message };
  }
  if (isHoldfastError(err) && (err.code === "HF_CHANNEL_REFUSED" || err.code === "HF_CHANNEL_SEND"))
    return { kind: "reject", code: err.code, detail: err.message };
  return { kind: "reject", code: "HF_CHANNEL_SEND", detail: localDetail(err) };
}

export const blueBubblesRetryVerdict = retryVerdictOf(classifyBlueBubblesError);

/**
 * The BlueBubbles server REST API (`/api/v1/...`, the password as the `password` query parameter, as
 * the server requires). URLs are built here and never leave this class: errors name the endpoint only.
 */
export class BlueBubblesRest {
  constructor(
    private readonly serverUrl: string,
    private readonly password: string,
    private readonly clock: Clock,
  ) {}

  /** The full URL of an endpoint, password included (for downloads; never log it). */
  url(endpoint: string): string {
    return `${this.serverUrl}/api/v1/${endpoint}?password=${encodeURIComponent(this.password)}`;
  }

  /** One call; resolves with the response's `data`. @throws BlueBubblesCallError */
  async call<T>(method: "GET" | "POST", endpoint: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url(endpoint), {
        method,
        headers: body !== undefined ? { "content-type": "application/json" } : {},
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(REST_TIMEOUT_MS)])
          : AbortSignal.timeout(REST_TIMEOUT_MS),
      });
    } catch {
      throw new BlueBubblesCallError(endpoint, 0);
    }
    const text = await res.text().catch(() => "");
    if (res.status !== 200) throw new BlueBubblesCallError(endpoint, res.status);
    try {
      return (JSON.parse(text) as { data?: T }).data as T;
    } catch {
      throw new BlueBubblesCallError(endpoint, 502);
    }
  }

  /** Sends one text to a chat; the first chunk may quote a message (Private API). @returns the new message's guid */
  async sendText(chatGuid: string, message: string, replyTo?: string): Promise<string> {
    const base = { chatGuid, tempGuid: `temp-${randomUUID()}`, message };
    const body = replyTo ? { ...base, method: "private-api", selectedMessageGuid: replyTo, partIndex: 0 } : base;
    const data = await withRetries(
      { clock: this.clock, what: "bluebubbles send", classify: classifyBlueBubblesError },
      () => this.call<{ guid?: string }>("POST", "message/text", body),
    );
    if (typeof data?.guid !== "string")
      throw new HoldfastError("HF_CHANNEL_SEND", "bluebubbles send failed: the server returned no message guid");
    return data.guid;
  }

  /**
   * Shows "typing…" in a chat (`POST /api/v1/chat/<chatGuid>/typing`, Private API) until the bot's
   * next message in it. One attempt: the reply path shows it again while the run works.
   * @throws HoldfastError HF_CHANNEL_REFUSED (no Private API, unknown chat), HF_CHANNEL_NETWORK,
   *   HF_CHANNEL_AUTH.
   */
  async startTyping(chatGuid: string): Promise<void> {
    await callOnce({ what: "bluebubbles typing", classify: classifyBlueBubblesError }, () =>
      this.call("POST", `chat/${encodeURIComponent(chatGuid)}/typing`),
    );
  }
}
