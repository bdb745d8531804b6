/**
 * The text of a `chat.history` / `session.message` wire message: a user message's `content` string,
 * or the joined `text` parts of an assistant or tool-result message (reference shape).
 */
export function messageText(m: { content?: unknown }): string {
  if (typeof m.content === "string") return m.content;
  if (!Array.isArray(m.content)) return "";
  return m.content
    .map((p: { type?: unknown; text?: unknown }) => (p.type === "text" && typeof p.text === "string" ? p.text : ""))
    .join("");
}
