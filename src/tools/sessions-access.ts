import type { HoldfastConfig } from "../config/index.js";
import type { ChatMessage, Provenance, SessionMeta } from "../sessions/index.js";
import type { SessionsAccess, SessionsPolicy } from "./sessions-tools.js";
import type { ToolContext } from "./types.js";

/** Reading sessions (the sessions stage's store). */
export interface SessionsReader {
  list(): Promise<SessionMeta[]>;
  get(key: string): Promise<SessionMeta | undefined>;
  history(key: string, limit: number): Promise<ChatMessage[]>;
}

/** How a session run ends, as the sessions tools see its events. */
export type SessionRunEvent =
  | { readonly type: "final"; readonly text: string }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "status" | "delta" | "tool" };

/** Starting a run in a session (the agent stage's run manager). */
export interface SessionRunStarter {
  start(input: {
    readonly agentId: string;
    readonly sessionKey: string;
    readonly message: string;
    readonly provenance: Provenance;
    readonly sender: { readonly channel: string; readonly id: string };
    readonly origin: { readonly channel: string };
    readonly onEvent: (ev: { readonly event: SessionRunEvent }) => void;
  }): { readonly done: Promise<void> };
}

/**
 * The sessions tools' access to sessions and runs. A run started by a session carries the sender
 * `{channel: "session", id: <from key>}`, so it never passes channel allowlists or elevated gates.
 */
export function sessionsAccess(store: SessionsReader, runs: SessionRunStarter): SessionsAccess {
  return {
    list: () => store.list(),
    get: (key) => store.get(key),
    history: (key, limit) => store.history(key, limit),
    async run(input, waitMs, signal) {
      let state: "final" | "error" | "running" = "running";
      let text = "";
      const started = runs.start({
        agentId: input.agentId,
        sessionKey: input.sessionKey,
        message: input.message,
        provenance: input.provenance,
        sender: { channel: "session", id: input.fromSessionKey },
        origin: { channel: "session" },
        onEvent: (ev) => {
          if (ev.event.type === "final") [state, text] = ["final", ev.event.text];
          else if (ev.event.type === "error") [state, text] = ["error", ev.event.message];
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await Promise.race([started.done.catch(() => undefined), waited]);
      clearTimeout(timer);
      return { state, text };
    },
  };
}

/** holdfast's `tools.sessions.visibility` when none is configured (the reference's default is "all"). */
export const DEFAULT_SESSIONS_VISIBILITY = "tree";

/**
 * `tools.sessions.visibility` (holdfast default "tree": a session sees itself and the sub-sessions it
 * spawned, so one peer never reads or drives another peer's conversation unless the operator opens it
 * with "agent" or "all", whatever the sandbox mode), clamped to "tree" for sandboxed sessions unless
 * `sandbox.sessionToolsVisibility: "all"`; `tools.agentToAgent` (default off).
 */
export function sessionsPolicy(
  config: HoldfastConfig,
  sandbox: { isSandboxed(agentId: string, sessionKey: string): boolean },
): SessionsPolicy {
  return {
    visibility(ctx: ToolContext) {
      const configured = config.tools?.sessions?.visibility ?? DEFAULT_SESSIONS_VISIBILITY;
      if (!sandbox.isSandboxed(ctx.agentId, ctx.sessionKey)) return configured;
      const sbv =
        config.agents?.list?.find((a) => a.id === ctx.agentId)?.sandbox?.sessionToolsVisibility ??
        config.agents?.defaults?.sandbox?.sessionToolsVisibility ??
        "spawned";
      return sbv === "all" || configured === "self" ? configured : "tree";
    },
    agentToAgent: {
      enabled: config.tools?.agentToAgent?.enabled === true,
      allow: config.tools?.agentToAgent?.allow ?? [],
    },
  };
}
