import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HoldfastConfig } from "../config/index.js";
import { silentLogger } from "../logging/index.js";
import type { ChatMessage, SessionMeta } from "../sessions/index.js";
import { sessionsPolicy } from "./sessions-access.js";
import { sessionsTools, type SessionsAccess } from "./sessions-tools.js";
import type { AnyToolDefinition, ToolContext } from "./types.js";

const peerKey = (id: string) => `agent:main:telegram:direct:${id}`;

const meta = (key: string): SessionMeta => ({
  key,
  sessionId: key,
  agentId: "main",
  createdAt: 0,
  updatedAt: 0,
  messageCount: 1,
});

/**
 * The invariant behind `tools.sessions.visibility`: one peer's session lists, reads or writes
 * another peer's conversation only when the operator set visibility "agent" or "all" — whatever the
 * sandbox mode (an unsandboxed session is not trusted more) — and a sandboxed session additionally
 * only with `sandbox.sessionToolsVisibility: "all"`.
 */
describe("cross-peer session access (property)", () => {
  const setting = fc.record({
    visibility: fc.constantFrom(undefined, "self", "tree", "agent", "all"),
    sandboxed: fc.boolean(),
    sessionToolsVisibility: fc.constantFrom(undefined, "spawned", "all"),
    tool: fc.constantFrom("sessions_list", "sessions_history", "sessions_send"),
    peers: fc.uniqueArray(fc.stringMatching(/^[1-9][0-9]{0,9}$/), { minLength: 2, maxLength: 2 }),
  });

  it("reaches another peer's session only with an explicit agent/all visibility", async () => {
    await fc.assert(
      fc.asyncProperty(setting, async ({ visibility, sandboxed, sessionToolsVisibility, tool, peers }) => {
        const [a, b] = peers.map(peerKey) as [string, string];
        const touched: string[] = [];
        const access: SessionsAccess = {
          list: async () => [meta(a), meta(b)],
          get: async (k) => meta(k),
          history: async (k): Promise<ChatMessage[]> => (
            touched.push(k),
            [{ role: "user", content: "x", timestamp: 0 }]
          ),
          run: async (input) => (touched.push(input.sessionKey), { state: "final", text: "ok" }),
        };
        const config: HoldfastConfig = {
          ...(visibility ? { tools: { sessions: { visibility } } } : {}),
          ...(sessionToolsVisibility ? { agents: { defaults: { sandbox: { sessionToolsVisibility } } } } : {}),
        };
        const tools = sessionsTools(access, sessionsPolicy(config, { isSandboxed: () => sandboxed }));
        const run = tools.find((t) => t.name === tool) as AnyToolDefinition;
        const ctx: ToolContext = {
          agentId: "main",
          sessionKey: a,
          runId: "r",
          workspaceDir: "/",
          signal: new AbortController().signal,
          log: silentLogger(),
        };
        const r = await run.execute(tool === "sessions_list" ? {} : { sessionKey: b, message: "hi" }, ctx);
        const reached =
          tool === "sessions_list"
            ? r.content.split("\n").some((line) => line.startsWith(`${b} `))
            : touched.includes(b);
        const open =
          (visibility === "agent" || visibility === "all") && (!sandboxed || sessionToolsVisibility === "all");
        expect(reached).toBe(open);
        if (!open && tool !== "sessions_list") expect(r.content).toContain("is not visible from this session");
      }),
      { numRuns: 300 },
    );
  });
});
