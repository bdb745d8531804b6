import type { ChatMessage, SessionMeta } from "../sessions/index.js";

/** Formats of `sessions export`. */
export const EXPORT_FORMATS = ["json", "html", "md"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

function who(m: ChatMessage): string {
  if (m.role === "user") return m.sender ? `${m.sender.name ?? m.sender.id} (${m.sender.channel})` : "user";
  if (m.role === "tool") return `tool ${m.name}${m.isError ? " (error)" : ""}`;
  return m.toolCalls?.length ? `assistant → ${m.toolCalls.map((c) => c.name).join(", ")}` : "assistant";
}

/**
 * Renders a session for export: `json` (`{format, version, session, messages}`, every field kept),
 * `md` (one heading per message) or `html` (a self-contained page, all text escaped, no scripts).
 */
export function renderSession(meta: SessionMeta, messages: readonly ChatMessage[], format: ExportFormat): string {
  if (format === "json")
    return `${JSON.stringify({ format: "holdfast-session-export", version: 1, session: meta, messages }, null, 2)}\n`;
  const time = (m: ChatMessage) => new Date(m.timestamp).toISOString();
  if (format === "md")
    return [
      `# ${meta.key}`,
      "",
      `${messages.length} messages · created ${new Date(meta.createdAt).toISOString()}`,
      "",
      ...messages.flatMap((m) => [`## ${who(m)} · ${time(m)}`, "", m.content, ""]),
    ].join("\n");
  const rows = messages
    .map(
      (m) =>
        `<article class="${m.role}"><header>${escapeHtml(who(m))} · <time>${time(m)}</time></header><pre>${escapeHtml(m.content)}</pre></article>`,
    )
    .join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(meta.key)}</title>
<style>body{font:14px system-ui;max-width:50rem;margin:2rem auto}article{border-top:1px solid #ccc;padding:.5rem 0}header{color:#555}pre{white-space:pre-wrap}.user pre{font-weight:600}</style>
</head><body><h1>${escapeHtml(meta.key)}</h1><p>${messages.length} messages</p>
${rows}
</body></html>
`;
}

/** The file name prefix of a session's exports in the exports dir (`/export-session`). */
export function exportFilePrefix(sessionKey: string): string {
  return `${sessionKey.replace(/[^A-Za-z0-9_-]+/g, "_")}-`;
}
