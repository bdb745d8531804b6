import { webApi } from "@slack/bolt";
import { HoldfastError } from "../../errors/index.js";
import type { Clock } from "../../infra/index.js";
import type { Logger } from "../../logging/index.js";
import type { OutboundMessage, OutboundTarget } from "../adapter.js";
import { localDetail, MAX_RETRY_AFTER_MS, retryVerdictOf, withRetries, type CallFailure } from "../call-failure.js";
import { chunkText } from "../chunk.js";

type WebClient = InstanceType<typeof webApi.WebClient>;
export type { WebClient };

/** Web API errors that mean the token itself is unusable. */
const AUTH_ERRORS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
]);

/**
 * A logger for the Slack libraries (Bolt, the Web API and Socket Mode clients): everything goes to
 * `log` at debug, because the libraries' debug output includes payloads and holdfast logs what
 * matters itself; nothing is printed to the console.
 */
export function slackLibraryLogger(log: Logger): webApi.Logger {
  let level = webApi.LogLevel.ERROR;
  const out =
    (lvl: string) =>
    (...msg: unknown[]) => {
      if (lvl === "debug") return;
      log.debug({ lib: "slack", level: lvl }, msg.map(String).join(" ").slice(0, 300));
    };
  return {
    debug: out("debug"),
    info: out("info"),
    warn: out("warn"),
    error: out("error"),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Web API client options for one account: the base URL, no retries inside the client (holdfast
 * retries through its clock, and reconnects with jittered backoff), rate-limited calls rejected with
 * their `Retry-After` so the retry loop honours them.
 */
export function slackClientOptions(apiUrl: string, logger: webApi.Logger): webApi.WebClientOptions {
  return {
    slackApiUrl: apiUrl,
    logger,
    logLevel: webApi.LogLevel.ERROR,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 30_000,
  };
}

/** A Web API client for one bot token. */
export function createSlackClient(token: string, options: webApi.WebClientOptions): WebClient {
  return new webApi.WebClient(token, options);
}

/**
 * Classifies a Web API error without exposing the request: token errors → fatal HF_CHANNEL_AUTH,
 * `ratelimited` → retry after `Retry-After`, 5xx → retry (HF_CHANNEL_REFUSED once retries run out),
 * network → retry (HF_CHANNEL_NETWORK), other platform errors (`channel_not_found`, ...) → reject
 * (HF_CHANNEL_REFUSED), anything else → HF_CHANNEL_SEND.
 */
export function classifySlackError(err: unknown): CallFailure {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === webApi.ErrorCode.PlatformError) {
    const e = (err as webApi.WebAPIPlatformError).data.error;
    if (AUTH_ERRORS.has(e)) return { kind: "fatal", code: "HF_CHANNEL_AUTH", detail: e };
    if (e === "ratelimited") return { kind: "retry", code: "HF_CHANNEL_REFUSED" };
    return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail: e.slice(0, 100) };
  }
  if (code === webApi.ErrorCode.RateLimitedError) {
    const after = (err as webApi.WebAPIRateLimitedError).retryAfter;
    return { kind: "retry", code: "HF_CHANNEL_REFUSED", afterMs: Math.min(after * 1000, MAX_RETRY_AFTER_MS) };
  }
  if (code === webApi.ErrorCode.HTTPError) {
    const status = (err as webApi.WebAPIHTTPError).statusCode;
    if (status >= 500 || status === 429) return { kind: "retry", code: "HF_CHANNEL_REFUSED" };
    if (status === 401 || status === 403) return { kind: "fatal", code: "HF_CHANNEL_AUTH", detail: `HTTP ${status}` };
    return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail: `HTTP ${status}` };
  }
  if (code === webApi.ErrorCode.RequestError) return { kind: "retry", code: "HF_CHANNEL_NETWORK" };
  return { kind: "reject", code: "HF_CHANNEL_SEND", detail: localDetail(err) };
}

/** {@link classifySlackError} as a reconnect verdict. */
export const slackRetryVerdict = retryVerdictOf(classifySlackError);

/**
 * Posts `msg` as messages of at most `limit` characters with `chat.postMessage`. A message in a thread
 * (`threadId`), or a reply (`replyTo`, the parent's `ts`), goes into that thread — every chunk, so a
 * long answer stays together. Transient failures are retried.
 * @returns the `ts` of each posted message.
 * @throws HoldfastError HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
 */
export async function sendSlackText(
  client: WebClient,
  msg: OutboundMessage,
  { limit, clock }: { limit: number; clock: Clock },
): Promise<string[]> {
  const thread = msg.threadId ?? msg.replyTo;
  const ids: string[] = [];
  for (const chunk of chunkText(msg.text, limit)) {
    const res = await withRetries({ clock, what: "slack chat.postMessage", classify: classifySlackError }, () =>
      client.chat.postMessage({
        channel: msg.chatId,
        text: chunk,
        ...(thread !== undefined ? { thread_ts: thread } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (typeof res.ts !== "string")
      throw new HoldfastError("HF_CHANNEL_SEND", "slack chat.postMessage failed: the answer carries no ts");
    ids.push(res.ts);
  }
  return ids;
}

/**
 * Resolves a Slack send target: `U…`/`W…` (also `user:`, `slack:` and `<@…>` forms) is that user's
 * DM; `D…` is looked up (`conversations.info`) to find its user; `C…`, `G…` (and `channel:<id>`) are
 * channels — a `G…` group DM stays a group.
 * @throws HoldfastError HF_CHANNEL_REFUSED (unknown conversation), HF_CHANNEL_NETWORK.
 */
export async function resolveSlackTarget(client: WebClient, to: string, clock: Clock): Promise<OutboundTarget> {
  const raw = to.trim().replace(/^slack:/i, "");
  const user = /^(?:user:)?<?@?([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>?$/i.exec(raw)?.[1]?.toUpperCase();
  if (user) return { recipient: { chatType: "direct", userId: user }, chatId: user };
  const id = raw.replace(/^channel:/i, "").toUpperCase();
  if (!id.startsWith("D")) return { recipient: { chatType: "group", chatId: id }, chatId: id };
  const info = await withRetries({ clock, what: "slack conversations.info", classify: classifySlackError }, () =>
    client.conversations.info({ channel: id }),
  );
  const dmUser = (info.channel as { is_im?: boolean; user?: string } | undefined)?.user;
  if (!dmUser) throw new HoldfastError("HF_CHANNEL_REFUSED", `slack conversation ${id} is not a DM with a user`);
  return { recipient: { chatType: "direct", userId: dmUser }, chatId: id };
}

/** Names of a Slack user, cached per adapter for an hour (misses for five minutes). */
export class SlackUserNames {
  private readonly cache = new Map<string, { at: number; names: { senderName?: string; senderUsername?: string } }>();

  constructor(
    private readonly client: WebClient,
    private readonly clock: Clock,
  ) {}

  /** Display name and handle of `userId` (`users.info`); empty when the lookup fails. */
  async of(userId: string): Promise<{ senderName?: string; senderUsername?: string }> {
    const hit = this.cache.get(userId);
    const now = this.clock.now();
    if (hit && now - hit.at < (hit.names.senderName ? 3_600_000 : 300_000)) return hit.names;
    const names = await this.client.users.info({ user: userId }).then(
      (r) => {
        const u = r.user as { name?: string; real_name?: string; profile?: { display_name?: string } } | undefined;
        const display = u?.profile?.display_name || u?.real_name || u?.name;
        return { ...(display ? { senderName: display } : {}), ...(u?.name ? { senderUsername: u.name } : {}) };
      },
      () => ({}),
    );
    if (this.cache.size > 5000) this.cache.clear();
    this.cache.set(userId, { at: now, names });
    return names;
  }
}
