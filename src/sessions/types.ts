import type { SessionIndexEntry } from "../store/index.js";

/** A tool call the model asked for. `arguments` is the parsed JSON object the model sent. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/** Who sent a user message, when it came from a channel. */
export interface MessageSender {
  readonly channel: string;
  readonly id: string;
  readonly name?: string;
}

/**
 * One message of a conversation, as stored in a transcript and handed to model providers.
 * `timestamp` is ms since the epoch.
 */
export type ChatMessage =
  | { readonly role: "user"; readonly content: string; readonly timestamp: number; readonly sender?: MessageSender }
  | {
      readonly role: "assistant";
      readonly content: string;
      readonly toolCalls?: readonly ToolCall[];
      readonly timestamp: number;
      readonly model?: string;
      readonly stopReason?: string;
    }
  | {
      readonly role: "tool";
      readonly toolCallId: string;
      readonly name: string;
      readonly content: string;
      readonly isError?: boolean;
      readonly timestamp: number;
    };

/** Index entry for one session (a row of the state database's session index). Times are ms since the epoch. */
export type SessionMeta = SessionIndexEntry;
