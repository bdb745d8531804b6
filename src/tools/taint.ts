import path from "node:path";
import type { HoldfastConfig } from "../config/index.js";
import { redactUrl } from "../infra/index.js";
import { OWNER, type Provenance } from "../sessions/index.js";
import { parsePatch } from "./patch-parse.js";
import type { GateCall } from "./gate.js";
import type { ToolContext } from "./types.js";

export { TurnTaint, approvalTaint } from "./turn-taint.js";

/** `tools.taint.mode` (see docs/tools.md "Untrusted content"). Default `approve`. */
export type TaintMode = "approve" | "deny" | "warn" | "off";

/** The workspace folder a tainted turn may still write to without approval: `<workspace>/scratch`. */
export const SCRATCH_DIR = "scratch";

/** `agents.list[].tools.taint.mode`, else `tools.taint.mode`, else `approve`. */
export function taintModeFor(config: HoldfastConfig, agentId: string): TaintMode {
  const agent = (config.agents?.list ?? []).find((a) => a.id === agentId);
  return agent?.tools?.taint?.mode ?? config.tools?.taint?.mode ?? "approve";
}

/**
 * What makes a call dangerous after untrusted content was read, or undefined when it is not:
 * `exec` (any command, allowlisted or not); `write`/`edit`/`apply_patch` touching a path outside
 * `<workspace>/scratch`; `message` to a chat other than the one the turn belongs to; `sessions_send`;
 * node tools (`nodes`, `node*`). The text is shown to the approver ("write notes.txt outside scratch/").
 */
export function dangerousCall(call: GateCall, ctx: ToolContext): string | undefined {
  const a = call.arguments;
  switch (call.name) {
    case "exec":
      return `exec ${String(a.command ?? "").slice(0, 500)}`;
    case "write":
    case "edit": {
      const p = String(a.path ?? "");
      return inScratch(p, ctx.workspaceDir) ? undefined : `${call.name} ${p.slice(0, 300)} outside ${SCRATCH_DIR}/`;
    }
    case "apply_patch":
      return patchOutsideScratch(String(a.input ?? a.patch ?? ""), ctx.workspaceDir);
    case "message":
      return newRecipient(a, ctx);
    case "sessions_send":
      return `sessions_send to ${String(a.sessionKey ?? "").slice(0, 200)}`;
    default:
      return /^nodes?([._].*)?$/.test(call.name) ? call.name : undefined;
  }
}

/** True when `p` (relative to the workspace, `/workspace/...`, or the host workspace path) is inside scratch. */
export function inScratch(p: string, workspaceDir: string): boolean {
  if (p.includes("\0")) return false;
  const roots = ["/workspace", workspaceDir];
  const abs = path.posix.isAbsolute(p) ? path.posix.normalize(p) : path.posix.join("/workspace", p);
  return roots.some((r) => abs.startsWith(`${path.posix.join(r, SCRATCH_DIR)}/`));
}

function patchOutsideScratch(patch: string, workspaceDir: string): string | undefined {
  let paths: string[];
  try {
    paths = parsePatch(patch).flatMap((op) => [op.path, ...(op.kind === "update" && op.moveTo ? [op.moveTo] : [])]);
  } catch {
    return "apply_patch (a patch that does not parse)";
  }
  const outside = paths.filter((p) => !inScratch(p, workspaceDir));
  return outside.length ? `apply_patch ${outside.slice(0, 5).join(", ")} outside ${SCRATCH_DIR}/` : undefined;
}

/** `message` to a chat other than the turn's own (its sender's chat on its channel). */
function newRecipient(a: Record<string, unknown>, ctx: ToolContext): string | undefined {
  const s = ctx.sender;
  const channel = typeof a.channel === "string" ? a.channel : s?.channel;
  const to = typeof a.to === "string" ? a.to : s && channel === s.channel ? (s.chatId ?? s.id) : undefined;
  const own = s !== undefined && channel === s.channel && (to === (s.chatId ?? s.id) || to === s.id);
  return own ? undefined : `message to ${channel ?? "?"}:${to ?? "?"} (not in this conversation)`;
}

/** Paths of inbound files as the session's jail sees them. */
const INBOX = "/inbox/";

/**
 * The provenance of a tool result that is untrusted content, or undefined: `web_fetch` (the URL,
 * query values redacted),
 * `web_search` (the query), `browser` (its URL), and `read`/`image` of an inbound file (`/inbox/...`).
 */
export function resultProvenance(call: GateCall): Provenance | undefined {
  const a = call.arguments;
  if (call.name === "web_fetch") return { kind: "web", source: redactUrl(String(a.url ?? "")).slice(0, 500) };
  if (call.name === "browser")
    return { kind: "web", source: typeof a.url === "string" ? redactUrl(a.url).slice(0, 500) : "a browser page" };
  if (call.name === "web_search")
    return { kind: "web", source: `a web search for "${String(a.query ?? "").slice(0, 200)}"` };
  if ((call.name === "read" || call.name === "image") && typeof a.path === "string") {
    const p = path.posix.normalize(a.path);
    if (p.startsWith(INBOX)) return { kind: "file", source: p.slice(0, 300) };
  }
  return undefined;
}

/**
 * The provenance of a message a turn sends or spawns into another session (`sessions_send`,
 * `sessions_spawn`): the owner's when the turn read nothing untrusted, else `relay` naming what it
 * read, so the taint follows the text into the other session's turn.
 */
export function relayProvenance(ctx: Pick<ToolContext, "taint">): Provenance {
  const t = ctx.taint;
  return t?.tainted ? { kind: "relay", source: t.sources.slice(0, 3).join(", ").slice(0, 500) } : OWNER;
}
