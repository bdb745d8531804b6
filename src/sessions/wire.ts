import { mainSessionKey } from "./session-key.js";
import type { ChatMessage, SessionMeta } from "./types.js";

type Part = { readonly type: "text"; readonly text: string } | Record<string, unknown>;

/**
 * A transcript message as gateway clients get it (reference chat.history / session.message shape):
 * a user message keeps its text `content`; an assistant message has `content` parts (`text`, then one
 * `toolCall` part per tool call); a tool result is `{role:"toolResult", toolCallId, toolName,
 * content:[{type:"text", text}], isError}`. `runId` names the run that wrote it; an assistant message
 * cut short carries `partial:true` and its `stopReason` (`interrupted`, `timeout`, ...). `seq` is its 1-based position in the transcript when known.
 */
export function toWireMessage(m: ChatMessage, seq?: number): Record<string, unknown> {
  const meta = seq !== undefined ? { __openclaw: { seq } } : {};
  switch (m.role) {
    case "user":
      return {
        role: "user",
        content: m.content,
        timestamp: m.timestamp,
        ...(m.sender ? { sender: m.sender } : {}),
        ...(m.runId ? { runId: m.runId } : {}),
        ...meta,
      };
    case "assistant": {
      const parts: Part[] = [
        ...(m.content ? [{ type: "text" as const, text: m.content }] : []),
        ...(m.toolCalls ?? []).map((c) => ({ type: "toolCall", id: c.id, name: c.name, arguments: c.arguments })),
      ];
      const [provider, ...model] = (m.model ?? "").split("/");
      return {
        role: "assistant",
        content: parts,
        timestamp: m.timestamp,
        ...(m.model ? { provider, model: model.join("/") || provider } : {}),
        ...(m.stopReason ? { stopReason: m.stopReason } : {}),
        ...(m.partial ? { partial: true } : {}),
        ...(m.runId ? { runId: m.runId } : {}),
        ...meta,
      };
    }
    case "tool":
      return {
        role: "toolResult",
        toolCallId: m.toolCallId,
        toolName: m.name,
        content: [{ type: "text", text: m.content }],
        isError: m.isError === true,
        timestamp: m.timestamp,
        ...meta,
      };
  }
}

/** Turns a page of the newest messages into wire messages numbered by their transcript position. */
export function toWireMessages(messages: readonly ChatMessage[], total: number): Record<string, unknown>[] {
  const first = total - messages.length + 1;
  return messages.map((m, i) => toWireMessage(m, first + i));
}

/** What a session row shows besides the stored meta. */
export interface RowFacts {
  /** True while a run of the session is queued or running. */
  readonly active: boolean;
  readonly lastMessagePreview?: string;
}

/**
 * A session as `sessions.list`, `sessions.describe` and `sessions.changed` show it: holdfast's index
 * entry plus the reference row fields clients read (`kind`, `status`, `isMain`, `lastActivityAt`,
 * `archived`, `pinned`, `unread`, ...).
 */
export function sessionRow(m: SessionMeta, facts: RowFacts): Record<string, unknown> {
  return {
    ...m,
    kind: m.chatType === "group" ? "group" : "direct",
    chatType: m.chatType ?? "direct",
    ...(m.displayName ? { label: m.displayName } : {}),
    isMain: m.key === mainSessionKey(m.agentId),
    lastActivityAt: m.updatedAt,
    status: facts.active ? "running" : "done",
    archived: false,
    pinned: false,
    unread: false,
    ...(facts.lastMessagePreview ? { lastMessagePreview: facts.lastMessagePreview } : {}),
  };
}

/** The text a row shows as its last message: the first 160 characters, whitespace collapsed. */
export function previewOf(m: ChatMessage | undefined): string | undefined {
  if (!m || m.role === "tool" || !m.content) return undefined;
  const text = m.content.replace(/\s+/g, " ").trim();
  return text.length > 160 ? `${text.slice(0, 159)}…` : text || undefined;
}
