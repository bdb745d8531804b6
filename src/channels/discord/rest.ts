import { DiscordAPIError, HTTPError, RateLimitError, REST, Routes } from "discord.js";
import { HoldfastError, isHoldfastError } from "../../errors/index.js";
import type { Clock } from "../../infra/index.js";
import type { OutboundMessage, OutboundTarget } from "../adapter.js";
import {
  callOnce,
  localDetail,
  MAX_RETRY_AFTER_MS,
  retryVerdictOf,
  withRetries,
  type CallFailure,
} from "../call-failure.js";
import { chunkText } from "../chunk.js";

/** Error codes of failed connections (Node, undici) that mean "Discord was not reached". */
const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR_.*)$/;

/** Channel types that are threads (announcement, public, private). */
const THREAD_TYPES = new Set([10, 11, 12]);

/**
 * A discord.js REST client for one bot on `apiRoot` (tests and proxies override it). holdfast retries
 * through its clock, so the client's own retries are off; Discord's rate limits are still honoured by
 * the client's queue.
 */
export function createDiscordRest(token: string, apiRoot: string): REST {
  return new REST({ api: apiRoot, retries: 0, timeout: 15_000 }).setToken(token);
}

/**
 * Classifies a REST failure without exposing the request: 401 → fatal HF_CHANNEL_AUTH, rate limits and
 * 5xx → retry (HF_CHANNEL_REFUSED once retries run out), network failures and timeouts → retry
 * (HF_CHANNEL_NETWORK), other API errors (missing access, unknown channel, ...) → reject
 * (HF_CHANNEL_REFUSED), anything else → HF_CHANNEL_SEND.
 */
export function classifyDiscordError(err: unknown): CallFailure {
  if (err instanceof DiscordAPIError) {
    const detail = `${err.status} ${String(err.code)} ${err.message}`.slice(0, 200);
    if (err.status === 401) return { kind: "fatal", code: "HF_CHANNEL_AUTH", detail };
    if (err.status === 429 || err.status >= 500) return { kind: "retry", code: "HF_CHANNEL_REFUSED" };
    return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail };
  }
  if (err instanceof RateLimitError)
    return { kind: "retry", code: "HF_CHANNEL_REFUSED", afterMs: Math.min(err.retryAfter, MAX_RETRY_AFTER_MS) };
  if (err instanceof HTTPError) {
    if (err.status === 401) return { kind: "fatal", code: "HF_CHANNEL_AUTH", detail: `HTTP ${err.status}` };
    return err.status >= 500
      ? { kind: "retry", code: "HF_CHANNEL_REFUSED" }
      : { kind: "reject", code: "HF_CHANNEL_REFUSED", detail: `HTTP ${err.status}` };
  }
  if (isNetworkError(err)) return { kind: "retry", code: "HF_CHANNEL_NETWORK" };
  if ((err as { code?: unknown } | null)?.code === "TokenInvalid")
    return { kind: "fatal", code: "HF_CHANNEL_AUTH", detail: "the bot token was rejected" };
  return { kind: "reject", code: "HF_CHANNEL_SEND", detail: localDetail(err) };
}

/** {@link classifyDiscordError} as a reconnect verdict. */
export const discordRetryVerdict = retryVerdictOf(classifyDiscordError);

function isNetworkError(err: unknown): boolean {
  if (isHoldfastError(err, "HF_CHANNEL_NETWORK")) return true;
  const e = err as { name?: unknown; code?: unknown; cause?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "AbortError" || e.name === "TimeoutError" || e.name === "ConnectTimeoutError") return true;
  if (typeof e.code === "string" && NETWORK_CODES.test(e.code)) return true;
  if (e.message === "fetch failed") return true;
  return e.cause !== undefined && e.cause !== err && isNetworkError(e.cause);
}

/** Sends, resolves targets and opens DMs through one bot's REST client. */
export class DiscordRest {
  private readonly dmChannels = new Map<string, string>();

  constructor(
    readonly rest: REST,
    private readonly clock: Clock,
  ) {}

  private call<T>(what: string, fn: () => Promise<unknown>): Promise<T> {
    return withRetries(
      { clock: this.clock, what: `discord ${what}`, classify: classifyDiscordError },
      fn,
    ) as Promise<T>;
  }

  /**
   * Resolves a send target: `user:<id>`, `<@id>`, `<@!id>` (also `discord:`-prefixed) are that user's
   * DM; `channel:<id>` or a bare id is fetched — a DM channel is its recipient's DM, a thread belongs
   * to its parent channel, any other channel is a group of its guild.
   * @throws HoldfastError HF_CHANNEL_REFUSED (unknown channel), HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH.
   */
  async resolveTarget(to: string): Promise<OutboundTarget> {
    const raw = to.trim().replace(/^discord:/i, "");
    const user = /^(?:user:(?:<@!?)?|<@!?)(\d{5,20})>?$/.exec(raw)?.[1];
    if (user) return { recipient: { chatType: "direct", userId: user }, chatId: `user:${user}` };
    const id = raw.replace(/^channel:/i, "");
    if (!/^\d{5,20}$/.test(id))
      throw new HoldfastError("HF_CHANNEL_REFUSED", `"${id.slice(0, 40)}" is not a Discord channel or user target`);
    const ch = await this.call<{ type: number; guild_id?: string; parent_id?: string; recipients?: { id: string }[] }>(
      "GET /channels/:id",
      () => this.rest.get(Routes.channel(id)),
    );
    const recipient = ch.recipients?.[0]?.id;
    if (ch.type === 1 && recipient) return { recipient: { chatType: "direct", userId: recipient }, chatId: id };
    if (THREAD_TYPES.has(ch.type) && ch.parent_id)
      return {
        recipient: { chatType: "group", chatId: ch.parent_id, guildId: ch.guild_id },
        chatId: ch.parent_id,
        threadId: id,
      };
    return { recipient: { chatType: "group", chatId: id, guildId: ch.guild_id }, chatId: id };
  }

  /**
   * Sends `msg` as messages of at most `limit` characters into its channel — a thread when `threadId`
   * is set, the user's DM for `user:<id>` — the first as a reply to `replyTo` (kept when that message
   * is gone). No mention in the text pings anyone (`allowed_mentions.parse: []`).
   * @returns the sent message ids. @throws HoldfastError HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK,
   *   HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
   */
  async send(msg: OutboundMessage, limit: number): Promise<string[]> {
    const channel = msg.threadId ?? (await this.channelOf(msg.chatId));
    const ids: string[] = [];
    for (const [i, chunk] of chunkText(msg.text, limit).entries()) {
      const replyTo = i === 0 ? msg.replyTo : undefined;
      const sent = await this.call<{ id: string }>("POST /channels/:id/messages", () =>
        this.rest.post(Routes.channelMessages(channel), {
          body: {
            content: chunk,
            allowed_mentions: { parse: [], replied_user: true },
            ...(replyTo ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}),
          },
        }),
      );
      ids.push(sent.id);
    }
    return ids;
  }

  /**
   * Shows "typing…" in a chat — its thread when `threadId` is set, the user's DM for `user:<id>` — for
   * 10 s or until the bot's next message (`POST /channels/:id/typing`, as discord.js
   * `channel.sendTyping()`). One attempt: the reply path shows it again while the run works.
   * @throws HoldfastError HF_CHANNEL_REFUSED, HF_CHANNEL_NETWORK, HF_CHANNEL_AUTH, HF_CHANNEL_SEND.
   */
  async sendTyping(target: { readonly chatId: string; readonly threadId?: string }): Promise<void> {
    const channel = target.threadId ?? (await this.channelOf(target.chatId));
    await callOnce({ what: "discord typing", classify: classifyDiscordError }, () =>
      this.rest.post(Routes.channelTyping(channel)),
    );
  }

  /** The channel id a chat id names: itself, or the DM channel of `user:<id>` (opened once, cached). */
  private async channelOf(chatId: string): Promise<string> {
    const user = /^user:(\d{5,20})$/.exec(chatId)?.[1];
    if (!user) return chatId;
    const known = this.dmChannels.get(user);
    if (known) return known;
    const dm = await this.call<{ id: string }>("POST /users/@me/channels", () =>
      this.rest.post(Routes.userChannels(), { body: { recipient_id: user } }),
    );
    this.dmChannels.set(user, dm.id);
    return dm.id;
  }
}
