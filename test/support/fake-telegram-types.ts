/** The shapes the Telegram Bot API fake (fake-telegram.ts) records and takes. */

/** A bot the fake knows. */
export interface FakeBot {
  readonly token: string;
  readonly id: number;
  readonly username: string;
}

/** A message the bot sent (sendMessage), as recorded by the fake. */
export interface SentMessage {
  readonly token: string;
  readonly chatId: string;
  readonly text: string;
  readonly messageId: number;
  readonly replyTo?: number;
  readonly threadId?: number;
}

/** What a test user sends. */
export interface UserMessageInput {
  readonly from: { id: number; first_name?: string; username?: string; is_bot?: boolean };
  /** Default: the private chat with `from`. */
  readonly chat?: { id: number; type: "private" | "group" | "supergroup"; title?: string };
  readonly text?: string;
  readonly caption?: string;
  readonly entities?: readonly { type: string; offset: number; length: number; user?: unknown }[];
  readonly replyToMessageId?: number;
  /** Makes `reply_to_message.from` the bot. */
  readonly replyToBot?: boolean;
  readonly document?: { file_id: string; file_size?: number; file_name?: string; mime_type?: string };
  readonly photo?: readonly { file_id: string; file_size?: number; width: number; height: number }[];
}
