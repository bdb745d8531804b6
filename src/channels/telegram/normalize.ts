import type { Message, MessageEntity, Update, UserFromGetMe } from "grammy/types";
import type { InboundMessage, MediaRef } from "../adapter.js";

/**
 * Turns a Telegram update into an {@link InboundMessage}, or undefined when it is not a person's
 * message in a private chat, group or supergroup (edits, channel posts, bots — including this one —
 * service updates). Mentions: a `mention` entity equal to `@<bot username>` (case-insensitive) or a
 * `text_mention` of the bot; a reply to one of the bot's messages sets `replyToBot`.
 */
export function normalizeTelegramUpdate(
  update: Update,
  me: UserFromGetMe,
  accountId: string,
  now: number,
): InboundMessage | undefined {
  const m = update.message;
  if (!m?.from || m.from.is_bot) return undefined;
  const chatType =
    m.chat.type === "private"
      ? "direct"
      : m.chat.type === "group" || m.chat.type === "supergroup"
        ? "group"
        : undefined;
  if (!chatType) return undefined;
  const text = m.text ?? m.caption ?? "";
  const mentions = detectMentions(text, m.entities ?? m.caption_entities ?? [], me);
  const reply = m.reply_to_message;
  const replyIsTopicHeader = m.is_topic_message === true && reply?.forum_topic_created !== undefined;
  const senderName = [m.from.first_name, m.from.last_name].filter(Boolean).join(" ") || m.from.username;
  return {
    channel: "telegram",
    accountId,
    chatType,
    chatId: String(m.chat.id),
    senderId: String(m.from.id),
    ...(senderName ? { senderName } : {}),
    text,
    mentionsBot: mentions.bot,
    hasAnyMention: mentions.any,
    replyToBot: !replyIsTopicHeader && reply?.from?.id === me.id,
    ...(commandForOtherBot(text, me) ? { commandForOtherBot: true } : {}),
    ...(reply && !replyIsTopicHeader
      ? { replyTo: { messageId: String(reply.message_id), ...(reply.from ? { senderId: String(reply.from.id) } : {}) } }
      : {}),
    media: mediaOf(m),
    messageId: String(m.message_id),
    updateId: String(update.update_id),
    ...(m.is_topic_message && m.message_thread_id !== undefined ? { threadId: String(m.message_thread_id) } : {}),
    receivedAt: now,
  };
}

/** `/cmd@some_bot ...` where `some_bot` is not this bot. */
function commandForOtherBot(text: string, me: UserFromGetMe): boolean {
  const target = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(text.trim())?.[1];
  return target !== undefined && target.toLowerCase() !== me.username.toLowerCase();
}

function detectMentions(
  text: string,
  entities: readonly MessageEntity[],
  me: UserFromGetMe,
): { bot: boolean; any: boolean } {
  const handle = `@${me.username}`.toLowerCase();
  let bot = false;
  let any = false;
  for (const e of entities) {
    if (e.type === "mention") {
      any = true;
      if (text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) bot = true;
    } else if (e.type === "text_mention") {
      any = true;
      if (e.user.id === me.id) bot = true;
    }
  }
  return { bot, any };
}

function ref(
  kind: MediaRef["kind"],
  f: { file_id: string; file_size?: number; mime_type?: string; file_name?: string },
): MediaRef {
  return {
    kind,
    fileId: f.file_id,
    ...(f.file_size !== undefined ? { sizeBytes: f.file_size } : {}),
    ...(f.mime_type ? { mimeType: f.mime_type } : {}),
    ...(f.file_name ? { fileName: f.file_name } : {}),
  };
}

/** Media refs of a message; for photos the largest size only; an animation is not also counted as a document. */
function mediaOf(m: Message): MediaRef[] {
  const out: MediaRef[] = [];
  const largest = m.photo?.reduce((a, b) =>
    (b.file_size ?? b.width * b.height) > (a.file_size ?? a.width * a.height) ? b : a,
  );
  if (largest) out.push(ref("photo", largest));
  if (m.animation) out.push(ref("animation", m.animation));
  else if (m.document) out.push(ref("document", m.document));
  if (m.video) out.push(ref("video", m.video));
  if (m.audio) out.push(ref("audio", m.audio));
  if (m.voice) out.push(ref("voice", m.voice));
  if (m.video_note) out.push(ref("video_note", m.video_note));
  if (m.sticker) out.push(ref("sticker", m.sticker));
  return out;
}
