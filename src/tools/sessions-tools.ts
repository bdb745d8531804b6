import { randomUUID } from "node:crypto";
import { z } from "zod";
import { deny, type Denied } from "../infra/index.js";
import { canonicalSessionKey, type ChatMessage, type Provenance, type SessionMeta } from "../sessions/index.js";
import { refusedResult } from "./refusal.js";
import { relayProvenance } from "./taint.js";
import type { ToolContext, ToolDefinition, ToolResult } from "./types.js";

/** What the sessions tools need (implemented with SessionStore + RunManager by the wiring). */
export interface SessionsAccess {
  list(): Promise<SessionMeta[]>;
  get(key: string): Promise<SessionMeta | undefined>;
  history(key: string, limit: number): Promise<ChatMessage[]>;
  /** Starts a run in `sessionKey` and waits up to `waitMs` for its answer. */
  run(
    input: { agentId: string; sessionKey: string; message: string; fromSessionKey: string; provenance: Provenance },
    waitMs: number,
    signal: AbortSignal,
  ): Promise<{ state: "final" | "error" | "running"; text: string }>;
}

/** `tools.sessions.visibility` + `tools.agentToAgent` + sandbox clamp, with holdfast defaults. */
export interface SessionsPolicy {
  /** Default "tree" (reference default "all"): other peers' sessions need an explicit "agent" or "all". */
  readonly visibility: (ctx: ToolContext) => "all" | "agent" | "tree" | "self";
  readonly agentToAgent: { readonly enabled: boolean; readonly allow: readonly string[] };
}

const MAX_SPAWN_DEPTH = 2;

/** Why a sessions tool refused a call (a decision handed to the model, never an exception). */
export type SessionsRefusal = "session_not_visible" | "session_send_self" | "agent_to_agent_off" | "spawn_too_deep";

/**
 * `sessions_list`, `sessions_history`, `session_status`, `sessions_send`, `sessions_spawn`
 * (reference §6.8). A session sees: `self` only itself; `tree` itself and sessions it spawned;
 * `agent` its agent's sessions; `all` every session. Sandboxed sessions are clamped to `tree`
 * unless the sandbox sets `sessionToolsVisibility: "all"`. Sending to another agent needs
 * `tools.agentToAgent.enabled` and the agent in `tools.agentToAgent.allow` (default: off).
 */
export function sessionsTools(access: SessionsAccess, policy: SessionsPolicy): ToolDefinition<never>[] {
  const parent = new Map<string, string>();
  const visible = (ctx: ToolContext, key: string): boolean => {
    const mode = policy.visibility(ctx);
    if (key === ctx.sessionKey || mode === "all") return true;
    if (mode === "agent") return canonicalSessionKey(key).agentId === ctx.agentId;
    if (mode === "tree") for (let k = parent.get(key); k; k = parent.get(k)) if (k === ctx.sessionKey) return true;
    return false;
  };
  /** The canonical key of a session this one may see, or the refusal. */
  const target = (ctx: ToolContext, raw: string): string | Denied<SessionsRefusal> => {
    const key = canonicalSessionKey(raw, ctx.agentId).key;
    if (!visible(ctx, key))
      return deny("session_not_visible", `session ${key} is not visible from this session (tools.sessions.visibility)`);
    return key;
  };
  /** Why `from` may not send to `key`, or undefined when it may. */
  const sendRefusal = (ctx: ToolContext, key: string): Denied<SessionsRefusal> | undefined => {
    if (key === ctx.sessionKey) return deny("session_send_self", "a session cannot send to itself");
    const agentId = canonicalSessionKey(key).agentId;
    if (agentId !== ctx.agentId && !(policy.agentToAgent.enabled && policy.agentToAgent.allow.includes(agentId)))
      return deny(
        "agent_to_agent_off",
        `sending to agent ${agentId} needs tools.agentToAgent.enabled and ${agentId} in tools.agentToAgent.allow`,
      );
    return undefined;
  };
  const wait = (s: number | undefined) => Math.min(s ?? 60, 300) * 1000;
  const tools = [
    def(
      "sessions_list",
      "List conversation sessions visible to this session.",
      z.strictObject({ limit: z.number().int().min(1).max(200).optional() }),
      async (a, ctx) => {
        const rows = (await access.list()).filter((s) => visible(ctx, s.key)).slice(0, a.limit ?? 50);
        return rows.length === 0
          ? "No sessions."
          : rows
              .map(
                (s) =>
                  `${s.key}  ${s.messageCount} messages  updated ${new Date(s.updatedAt).toISOString()}${s.channel ? `  ${s.channel}` : ""}`,
              )
              .join("\n");
      },
    ),
    def(
      "sessions_history",
      "Show the last messages of a visible session.",
      z.strictObject({ sessionKey: z.string().min(1).max(512), limit: z.number().int().min(1).max(100).optional() }),
      async (a, ctx) => {
        const key = target(ctx, a.sessionKey);
        if (typeof key !== "string") return key;
        const msgs = await access.history(key, a.limit ?? 20);
        return msgs.length === 0 ? "No messages." : msgs.map(renderMessage).join("\n");
      },
    ),
    def("session_status", "Show this session's key, agent and message count.", z.strictObject({}), async (_a, ctx) => {
      const meta = await access.get(ctx.sessionKey);
      return `Session ${ctx.sessionKey} · agent ${ctx.agentId} · ${meta ? `${meta.messageCount} messages` : "new"}${ctx.provider ? ` · provider ${ctx.provider}` : ""}`;
    }),
    def(
      "sessions_send",
      "Send a message to another visible session and wait for its reply.",
      z.strictObject({
        sessionKey: z.string().min(1).max(512),
        message: z.string().min(1).max(20_000),
        waitSeconds: z.number().int().min(0).max(300).optional(),
      }),
      async (a, ctx) => {
        const key = target(ctx, a.sessionKey);
        if (typeof key !== "string") return key;
        const refusal = sendRefusal(ctx, key);
        if (refusal) return refusal;
        const agentId = canonicalSessionKey(key).agentId;
        return renderRun(
          key,
          await access.run(
            {
              agentId,
              sessionKey: key,
              message: a.message,
              fromSessionKey: ctx.sessionKey,
              provenance: relayProvenance(ctx),
            },
            wait(a.waitSeconds),
            ctx.signal,
          ),
        );
      },
    ),
    def(
      "sessions_spawn",
      "Start a new sub-session of this agent with a task and wait for its answer.",
      z.strictObject({ task: z.string().min(1).max(20_000), waitSeconds: z.number().int().min(0).max(300).optional() }),
      async (a, ctx) => {
        let depth = 0;
        for (let k = parent.get(ctx.sessionKey); k; k = parent.get(k)) depth++;
        if (depth >= MAX_SPAWN_DEPTH)
          return deny("spawn_too_deep", `sub-sessions can nest at most ${MAX_SPAWN_DEPTH} levels`);
        const key = `agent:${ctx.agentId}:spawn:${randomUUID().slice(0, 8)}`;
        parent.set(key, ctx.sessionKey);
        return renderRun(
          key,
          await access.run(
            {
              agentId: ctx.agentId,
              sessionKey: key,
              message: a.task,
              fromSessionKey: ctx.sessionKey,
              provenance: relayProvenance(ctx),
            },
            wait(a.waitSeconds),
            ctx.signal,
          ),
        );
      },
    ),
  ];
  return tools as unknown as ToolDefinition<never>[];
}

/** A sessions tool whose `run` returns its text, or the refusal of the call. */
function def<A>(
  name: string,
  description: string,
  parameters: z.ZodType<A>,
  run: (a: A, ctx: ToolContext) => Promise<string | Denied<SessionsRefusal>>,
): ToolDefinition<A> {
  const execute = async (a: A, ctx: ToolContext): Promise<ToolResult> => {
    const out = await run(a, ctx);
    return typeof out === "string" ? { content: out } : refusedResult(name, out);
  };
  return { name, description, parameters, execute };
}

function renderRun(key: string, r: { state: string; text: string }): string {
  if (r.state === "running") return `Session ${key} is still working; check later with sessions_history.`;
  return r.state === "final" ? `Reply from ${key}:\n${r.text}` : `Session ${key} failed: ${r.text}`;
}

function renderMessage(m: ChatMessage): string {
  const body = m.content.length > 2000 ? `${m.content.slice(0, 2000)}…` : m.content;
  if (m.role === "tool") return `[tool ${m.name}${m.isError ? " error" : ""}] ${body}`;
  return `[${m.role}] ${body}`;
}
