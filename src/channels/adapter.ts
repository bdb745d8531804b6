/**
 * The channel adapter contract. An adapter connects ONE account of a messaging platform (one bot) to
 * holdfast; a channel with several accounts (`channels.<ch>.accounts.<id>`) has one adapter per
 * account. The adapter only translates: it never decides who may talk to the bot (access control does,
 * in the inbound pipeline) and never talks to the agent.
 *
 * Lifecycle
 * - `start(sink)` returns once receiving has been set up; connecting runs in the background. The
 *   adapter reconnects by itself after network failures, waiting with exponential backoff
 *   (`backoffDelayMs`, 0.5 s doubling up to a cap), showing `state: "retrying"` with the error's code
 *   until it receives again (another process holding the bot's update stream is retried too: it may
 *   stop), and gives up — with one clear error in the log and `status().state === "failed"` — only
 *   when retrying cannot help (credentials rejected).
 * - `stop()` stops receiving and is idempotent. Sending keeps working after `stop` so replies of runs
 *   that finish during shutdown still go out.
 *
 * Inbound
 * - Every platform message becomes one {@link InboundMessage} passed to the sink, in platform order.
 *   The adapter awaits the sink (admission only: the sink never waits for the agent's answer), so a
 *   later message of a chat is never admitted before an earlier one.
 * - The adapter drops what is not a person's message (the bot's own or other bots' messages, edits,
 *   channel posts) and platform updates it has already handled (restart-safe deduplication).
 * - Delivery is durable: every delivery is queued through `DurableInbound` in the account's
 *   state-store queue (`AdapterDeps.queues`), keyed by the platform's own id for it, before the
 *   platform is told it arrived; queued deliveries are handed to the sink after a restart.
 * - Media are described, never downloaded, by the adapter; the pipeline calls `fetchMedia` only for
 *   admitted senders and only within `mediaMaxMb`.
 *
 * Outbound
 * - `resolveTarget` says who a send to a chat id reaches (a user's DM, or a group and its guild), so
 *   the channel stage can refuse a send its access policy does not admit before anything is sent.
 * - `send` splits text into chunks of at most `textLimit` characters (preferring paragraph, line, then
 *   word boundaries), threads the first chunk as a reply when `replyTo` is given, retries transient
 *   platform failures a bounded number of times, and otherwise throws a HoldfastError that says whether
 *   the platform refused (HF_CHANNEL_REFUSED, HF_CHANNEL_AUTH) or was not reached (HF_CHANNEL_NETWORK),
 *   or HF_CHANNEL_SEND for any other failure.
 */
import type { Hono } from "hono";
import type { OutboundRecipient } from "../access/index.js";

/** A media attachment as announced by the platform (nothing downloaded yet). */
export interface MediaRef {
  readonly kind: "photo" | "document" | "video" | "audio" | "voice" | "video_note" | "animation" | "sticker";
  /** Platform file id (Telegram `file_id`). */
  readonly fileId: string;
  /** Size the platform announced, in bytes (absent when the platform did not say). */
  readonly sizeBytes?: number;
  readonly mimeType?: string;
  /** Name the sender gave the file (display only; never used as a path). */
  readonly fileName?: string;
  /** Where the adapter downloads it from (Slack `url_private_download`, Discord CDN); never shown or logged. */
  readonly url?: string;
}

/** One inbound message, normalized. Ids are strings; text is the body or the media caption. */
export interface InboundMessage {
  /** Channel id: `telegram`, ... */
  readonly channel: string;
  /** Account id of the adapter (`default` for the top-level block). */
  readonly accountId: string;
  readonly chatType: "direct" | "group";
  readonly chatId: string;
  /** Platform sender id (normalized by access control). */
  readonly senderId: string;
  /** Display name (shown to the agent; never used for access unless `dangerouslyAllowNameMatching`). */
  readonly senderName?: string;
  /** Platform handle (Slack `name`, Discord `username`); only for `dangerouslyAllowNameMatching`. */
  readonly senderUsername?: string;
  readonly text: string;
  /** The platform marked a mention of this bot (e.g. `@bot_username` entity, text mention). */
  readonly mentionsBot: boolean;
  /** The message mentions anyone at all. */
  readonly hasAnyMention: boolean;
  /** The message replies to one of this bot's messages. */
  readonly replyToBot: boolean;
  /** The message is a command addressed to another bot (Telegram `/cmd@other_bot`): never run here. */
  readonly commandForOtherBot?: boolean;
  /** The message this one replies to. */
  readonly replyTo?: { readonly messageId: string; readonly senderId?: string };
  readonly media: readonly MediaRef[];
  /** Platform message id (reply threading). */
  readonly messageId: string;
  /**
   * Stable id of the message on its platform, the same on every redelivery (Telegram `update_id`, Slack
   * `<channel>:<ts>`, Discord message id). The inbound queue keys on the delivery's own id (Slack's
   * `event_id`); the run ledger keys on channel, account, chat and message id.
   */
  readonly updateId: string;
  /** Forum topic / thread inside a group (Telegram topic, Slack `thread_ts`, Discord thread channel). */
  readonly threadId?: string;
  /** Discord: the guild of a guild channel (its group allowlist is `guilds.<guildId>.channels.<chatId>`). */
  readonly guildId?: string;
  /** Milliseconds since the epoch. */
  readonly receivedAt: number;
}

/** One outbound message. */
export interface OutboundMessage {
  readonly chatId: string;
  readonly text: string;
  /** Platform message id to reply to (first chunk only). */
  readonly replyTo?: string;
  /** Forum topic / thread to post in. */
  readonly threadId?: string;
}

/** Where an adapter hands inbound messages; resolves once the message is admitted or dropped. */
export type InboundSink = (msg: InboundMessage) => Promise<void>;

/** A channel failure as status output shows it: catalogue code, a secret-free message, when (ms since the epoch). */
export interface ChannelError {
  readonly code: string;
  readonly message: string;
  readonly atMs: number;
}

/** Adapter health for status output. Nothing in it is a secret. */
export interface AdapterStatus {
  readonly state: "idle" | "connecting" | "running" | "retrying" | "stopped" | "failed";
  /**
   * Catalogue code of the problem the adapter is retrying through (`retrying`) or that stopped it
   * (`failed`); absent once it receives again.
   */
  readonly errorCode?: string;
  /** Since when that problem lasts (ms since the epoch). */
  readonly sinceMs?: number;
  /** The most recent failure, kept after recovery so `channels status` can show it. */
  readonly lastError?: ChannelError;
  /** A short note on the state, such as why the account was stopped (`logged out …`). */
  readonly detail?: string;
  readonly mode?: string;
  readonly botUsername?: string;
}

/** Who a send to a chat id reaches, as the adapter resolved it. */
export interface OutboundTarget {
  /** For the access decision: a user's DM, or a group (and its Discord guild). */
  readonly recipient: OutboundRecipient;
  /** Where to send (the adapter's form of the chat id). */
  readonly chatId: string;
  /** Thread to post in (a Discord thread inside `recipient`'s channel). */
  readonly threadId?: string;
}

/** A connected platform account. See the module comment for the contract. */
export interface ChannelAdapter {
  readonly channel: string;
  readonly accountId: string;
  /** Platform limit of one text message, in characters. */
  readonly textLimit: number;
  start(sink: InboundSink): Promise<void>;
  stop(): Promise<void>;
  /**
   * Starts receiving again after the account's credentials appeared (a WhatsApp device was linked
   * through the gateway) when the account had stopped for lack of them; a no-op while it runs, and
   * before `start` or after `stop`. Adapters whose credentials come from the config lack it.
   */
  resume?(): Promise<void>;
  /**
   * Resolves a send target: a chat id as the platform or the `message` tool names it (`user:<id>`,
   * `<@id>`, a channel id). @throws HoldfastError HF_CHANNEL_REFUSED (the platform does not know it),
   * HF_CHANNEL_NETWORK.
   */
  resolveTarget(to: string): Promise<OutboundTarget>;
  /**
   * Shows "typing…" in a chat while a run for it works (Signal's typing indicator, Telegram's chat
   * action, Discord's channel typing, the iMessage typing bubble through BlueBubbles, WhatsApp's
   * `composing` chat state); best effort: the reply path logs a failure at debug and goes on.
   */
  sendTyping?(target: { readonly chatId: string; readonly threadId?: string }): Promise<void>;
  /** Sends text (chunked, reply-threaded). @returns the platform ids of the sent messages. */
  send(msg: OutboundMessage): Promise<string[]>;
  /**
   * Downloads one attachment, refusing more than `maxBytes` (checks the announced size first, then
   * counts while streaming). @throws HoldfastError HF_CHANNEL_MEDIA.
   */
  fetchMedia?(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }>;
  /** HTTP routes served before gateway auth (platform webhooks); each authenticates its caller itself. */
  publicRoutes?(app: Hono): void;
  status(): AdapterStatus;
}
