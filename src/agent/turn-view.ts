import {
  isTrusted,
  taintLabel,
  wrapUntrusted,
  type ChatMessage,
  type MessageSender,
  type Provenance,
} from "../sessions/index.js";

/**
 * The provenance of a message that names none: the owner without a sender (WebChat, the CLI), else
 * an untrusted message from that sender (fail closed).
 */
export function defaultProvenance(sender: MessageSender | undefined): Provenance {
  return sender ? { kind: "dm", source: `${sender.channel}:${sender.id}` } : { kind: "owner" };
}

/**
 * The provenance of a message the model is given: a user message's own (older transcripts: the owner
 * without a sender, else an untrusted message from that sender), a tool result's when it is untrusted
 * content. Undefined for assistant messages and trusted tool results.
 */
export function provenanceOf(m: ChatMessage): Provenance | undefined {
  if (m.role === "user") return m.provenance ?? (m.sender ? defaultProvenance(m.sender) : undefined);
  return m.role === "tool" ? m.provenance : undefined;
}

/**
 * The messages as the model is shown them: every untrusted user message and tool result is wrapped
 * between boundaries carrying the turn's `marker` (one per turn; markers inside the content are
 * neutralised, see {@link wrapUntrusted}). The transcript keeps the text as it came.
 */
export function modelView(messages: readonly ChatMessage[], marker: string): ChatMessage[] {
  return messages.map((m) => {
    const p = provenanceOf(m);
    if (!p || isTrusted(p) || (m.role !== "user" && m.role !== "tool")) return m;
    return { ...m, content: wrapUntrusted(m.content, taintLabel(p) ?? p.kind, marker) };
  });
}
