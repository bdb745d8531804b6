import { mediaKindOf } from "../download.js";
import type { InboundMessage, MediaRef } from "../adapter.js";

/** A Slack `message` event as the Events API delivers it (the fields holdfast reads). */
export interface SlackMessageEvent {
  readonly type: string;
  readonly subtype?: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly app_id?: string;
  readonly text?: string;
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly parent_user_id?: string;
  readonly channel?: string;
  readonly channel_type?: string;
  readonly files?: readonly SlackFile[];
}

/** A file shared in a message. */
export interface SlackFile {
  readonly id?: string;
  readonly name?: string;
  readonly mimetype?: string;
  readonly size?: number;
  readonly url_private?: string;
  readonly url_private_download?: string;
}

/** Who the bot is, and the sender's names (looked up with `users.info`). */
export interface SlackNormalizeContext {
  readonly accountId: string;
  /** The bot's user id (`auth.test` `user_id`). */
  readonly botUserId: string;
  /** The bot's bot id (`auth.test` `bot_id`). */
  readonly botId?: string;
  readonly now: number;
  readonly senderName?: string;
  readonly senderUsername?: string;
}

/** Subtypes that are a person's message (everything else is an edit, a join, a bot or service message). */
const PERSON_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast"]);
const USER_MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
const BROADCAST = /<!(?:here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>/;

/**
 * Turns a Slack `message` event into an {@link InboundMessage}, or undefined when it is not a person's
 * message (bot messages — this bot's own included —, edits, deletions, joins and other subtypes).
 * DMs are `channel_type: "im"` (or a `D…` channel); channels, private channels and group DMs are
 * groups. A native mention is `<@BOTUSERID>`; a reply in a thread the bot started is `replyToBot`;
 * `<!here>`/`<!channel>` count as mentions of someone (not of the bot). The update id is
 * `<channel>:<ts>`: the same for a retried delivery and for an `app_mention` of the same message.
 */
export function normalizeSlackEvent(ev: SlackMessageEvent, ctx: SlackNormalizeContext): InboundMessage | undefined {
  if (ev.type !== "message" || !PERSON_SUBTYPES.has(ev.subtype)) return undefined;
  if (ev.bot_id !== undefined || !ev.user || ev.user === ctx.botUserId) return undefined;
  if (!ev.channel || !ev.ts) return undefined;
  const direct = ev.channel_type === "im" || (ev.channel_type === undefined && ev.channel.startsWith("D"));
  const raw = ev.text ?? "";
  const mentioned = [...raw.matchAll(USER_MENTION)].map((m) => m[1]);
  const inThread = ev.thread_ts !== undefined && ev.thread_ts !== ev.ts;
  return {
    channel: "slack",
    accountId: ctx.accountId,
    chatType: direct ? "direct" : "group",
    chatId: ev.channel,
    senderId: ev.user,
    ...(ctx.senderName ? { senderName: ctx.senderName } : {}),
    ...(ctx.senderUsername ? { senderUsername: ctx.senderUsername } : {}),
    text: decodeEntities(raw),
    mentionsBot: mentioned.includes(ctx.botUserId),
    hasAnyMention: mentioned.length > 0 || BROADCAST.test(raw),
    replyToBot: inThread && ev.parent_user_id === ctx.botUserId,
    ...(inThread
      ? {
          replyTo: {
            messageId: ev.thread_ts as string,
            ...(ev.parent_user_id ? { senderId: ev.parent_user_id } : {}),
          },
          threadId: ev.thread_ts as string,
        }
      : {}),
    media: (ev.files ?? []).flatMap(mediaRef),
    messageId: ev.ts,
    updateId: `${ev.channel}:${ev.ts}`,
    receivedAt: ctx.now,
  };
}

/** Slack escapes `&`, `<` and `>` in message text (mention tokens such as `<@U…>` stay as written). */
function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function mediaRef(f: SlackFile): MediaRef[] {
  if (!f.id) return [];
  const mime = f.mimetype ?? "";
  const kind = mediaKindOf(mime);
  const url = f.url_private_download ?? f.url_private;
  return [
    {
      kind,
      fileId: f.id,
      ...(typeof f.size === "number" ? { sizeBytes: f.size } : {}),
      ...(mime ? { mimeType: mime } : {}),
      ...(f.name ? { fileName: f.name } : {}),
      ...(url ? { url } : {}),
    },
  ];
}
