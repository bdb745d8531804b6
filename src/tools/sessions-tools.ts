import { randomUUID } from "node:crypto";
import { z } from "zod";
import { canonicalSessionKey, type ChatMessage, type SessionMeta } from "../sessions/index.js";
import type { ToolContext, ToolDefinition } from "./types.js";

/** What the sessions tools need (implemented with SessionStore + RunManager by the wiring). */
export interface SessionsAccess {
  list(): Promise<SessionMeta[]>;
  get(key: string): Promise<SessionMeta | undefined>;
  history(key: string, limit: number): Promise<ChatMessage[]>;
  /** Starts a run in `sessionKey` and waits up to `waitMs` for its answer. */
  run(
    input: { agentId: string; sessionKey: string; message: string; fromSessionKey: string },
    waitMs: number,
    signal: AbortSignal,
  ): Promise<{ state: "final" | "error" | "running"; text: string }>;
}

/** `tools.sessions.visibility` + `tools.agentToAgent` + sandbox clamp, with holdfast defaults. */
export interface SessionsPolicy {
  /** Default "agent" (reference default "all"). */
  readonly visibility: (ctx: ToolContext) => "all" | "agent" | "tree" | "self";
  readonly agentToAgent: { readonly enabled: boolean; readonly allow: readonly string[] };
}

const MAX_SPAWN_DEPTH = 2;

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
  const target = (ctx: ToolContext, raw: string) => {
    const key = canonicalSessionKey(raw, ctx.agentId).key;
    if (!visible(ctx, key))
      throw new Error(`session ${key} is not visible from this session (tools.sessions.visibility)`);
    return key;
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
        const msgs = await access.history(target(ctx, a.sessionKey), a.limit ?? 20);
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
        if (key === ctx.sessionKey) throw new Error("a session cannot send to itself");
        const agentId = canonicalSessionKey(key).agentId;
        if (agentId !== ctx.agentId && !(policy.agentToAgent.enabled && policy.agentToAgent.allow.includes(agentId)))
          throw new Error(
            `sending to agent ${agentId} needs tools.agentToAgent.enabled and ${agentId} in tools.agentToAgent.allow`,
          );
        return renderRun(
          key,
          await access.run(
            { agentId, sessionKey: key, message: a.message, fromSessionKey: ctx.sessionKey },
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
        if (depth >= MAX_SPAWN_DEPTH) throw new Error(`sub-sessions can nest at most ${MAX_SPAWN_DEPTH} levels`);
        const key = `agent:${ctx.agentId}:spawn:${randomUUID().slice(0, 8)}`;
        parent.set(key, ctx.sessionKey);
        return renderRun(
          key,
          await access.run(
            { agentId: ctx.agentId, sessionKey: key, message: a.task, fromSessionKey: ctx.sessionKey },
            wait(a.waitSeconds),
            ctx.signal,
          ),
        );
      },
    ),
  ];
  return tools as unknown as ToolDefinition<never>[];
}

function def<A>(
  name: string,
  description: string,
  parameters: z.ZodType<A>,
  run: (a: A, ctx: ToolContext) => Promise<string>,
): ToolDefinition<A> {
  return { name, description, parameters, execute: async (a, ctx) => ({ content: await run(a, ctx) }) };
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
