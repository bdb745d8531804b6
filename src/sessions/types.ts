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
      /**
       * The model failed (or the run was aborted) after streaming this text: it is what the client was
       * shown, not a finished answer. Absent on complete replies.
       */
      readonly partial?: true;
    }
  | {
      readonly role: "tool";
      readonly toolCallId: string;
      readonly name: string;
      readonly content: string;
      readonly isError?: boolean;
      readonly timestamp: number;
    };

/** Index entry for one session (`sessions.json`). Times are ms since the epoch. */
export interface SessionMeta {
  readonly key: string;
  readonly sessionId: string;
  readonly agentId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly messageCount: number;
  /** Where the session's messages come from (`webchat`, `telegram`, ...), when known. */
  readonly channel?: string;
  readonly chatType?: "direct" | "group";
  readonly displayName?: string;
}
