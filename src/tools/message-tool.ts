import { z } from "zod";
import type { ToolDefinition } from "./types.js";

/** What became of a channel send: sent, or refused by the channel's access policy (nothing was sent). */
export type ChannelSendResult =
  | { readonly sent: true; readonly messageId?: string }
  | { readonly sent: false; readonly reason: string; readonly detail?: string };

/**
 * Sending through a channel (the channel stage implements it). `channels()` lists the channel ids
 * that can send now.
 */
export interface ChannelOutbound {
  channels(): readonly string[];
  /**
   * Sends `text` to `to` on `channel` (account `accountId` or the default), if the channel's DM policy
   * and allowlists admit the recipient.
   */
  send(channel: string, accountId: string | undefined, to: string, text: string): Promise<ChannelSendResult>;
}

const MessageArgs = z.strictObject({
  text: z.string().min(1).max(20_000).describe("Message text"),
  to: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe("Chat id to send to (default: the chat this conversation came from)"),
  channel: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("Channel id, e.g. telegram (default: this conversation's channel)"),
  accountId: z.string().max(64).optional(),
});

/**
 * `message`: sends a message via a channel. When no channel can send, or not the one asked for, or the
 * channel's access policy refuses the recipient (a DM to a user the DM policy does not admit), it says
 * so as an error result (it never reports a send that did not happen).
 */
export function messageTool(out: ChannelOutbound): ToolDefinition<z.infer<typeof MessageArgs>> {
  return {
    name: "message",
    description: "Send a message to a chat through a messaging channel.",
    parameters: MessageArgs,
    async execute(args, ctx) {
      const available = out.channels();
      if (available.length === 0)
        return { content: "message not sent: no messaging channel is available in this gateway.", isError: true };
      const channel = args.channel ?? ctx.sender?.channel;
      if (!channel)
        return {
          content: `message not sent: say which channel to use (available: ${available.join(", ")}).`,
          isError: true,
        };
      if (!available.includes(channel))
        return {
          content: `message not sent: channel "${channel}" is not available (available: ${available.join(", ")}).`,
          isError: true,
        };
      const to = args.to ?? (ctx.sender?.channel === channel ? (ctx.sender.chatId ?? ctx.sender.id) : undefined);
      if (!to) return { content: "message not sent: say which chat to send to (to).", isError: true };
      const accountId = args.accountId ?? (ctx.sender?.channel === channel ? ctx.sender.accountId : undefined);
      const r = await out.send(channel, accountId, to, args.text);
      if (!r.sent)
        return {
          content: `message not sent: ${channel} refuses to send to ${to} (${r.reason}${r.detail ? `: ${r.detail}` : ""}).`,
          isError: true,
        };
      return { content: `Sent to ${channel}:${to}${r.messageId ? ` (message ${r.messageId})` : ""}.` };
    },
  };
}
