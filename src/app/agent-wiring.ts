import path from "node:path";
import {
  AgentLoop, buildSystemPrompt, ModelChain, probeOllama, ProviderCatalog, resolveModelRefs, RunManager, type AgentRunRequest, type OllamaProbe,
} from "../agent/index.js";
import type { AgentEntry } from "../config/index.js";
import { ensurePrivateDir, expandHome } from "./paths-util.js";
import { SessionStore } from "../sessions/index.js";
import { hostRunner } from "../sandbox/index.js";
import { editTool, execTool, readTool, ToolRuntime, workspaceGate, writeTool, type AnyToolDefinition } from "../tools/index.js";
import type { AppContext } from "./context.js";

/** The agent stage as wired for the gateway. */
export interface AgentStage {
  readonly catalog: ProviderCatalog;
  readonly store: SessionStore;
  readonly tools: ToolRuntime;
  readonly loop: AgentLoop;
  readonly runs: RunManager;
  /** Agent ids, default agent first. */
  readonly agentIds: () => string[];
  readonly agent: (id: string) => AgentEntry | undefined;
  /** Host workspace directory of an agent. */
  readonly workspaceOf: (agentId: string) => string;
}

/** Options for {@link wireAgent} (tests swap the Ollama probe). */
export interface AgentWiringOptions {
  readonly probe?: OllamaProbe;
  readonly extraTools?: readonly AnyToolDefinition[];
}

/**
 * Builds providers → model chain → tools → sessions → agent loop → run manager. The tool gate is the
 * minimal workspace gate; the tool-policy stage replaces it with `tools.setGate`.
 */
export function wireAgent(ctx: AppContext, opts: AgentWiringOptions = {}): AgentStage {
  const { config } = ctx;
  const list = config.agents?.list ?? [];
  const ids = () => {
    const def = list.find((a) => a.default)?.id ?? list[0]?.id ?? "main";
    return [def, ...list.map((a) => a.id).filter((id) => id !== def)];
  };
  const agent = (id: string) => list.find((a) => a.id === id);
  const workspaceOf = (id: string) => {
    const configured = agent(id)?.workspace ?? config.agents?.defaults?.workspace;
    if (configured) return path.resolve(expandHome(configured));
    return id === ids()[0] ? ctx.paths.workspaceDir : path.join(ctx.paths.stateDir, `workspace-${id}`);
  };
  const catalog = new ProviderCatalog(config, ctx.secrets, ctx.env);
  const chain = new ModelChain({ catalog, clock: ctx.clock, log: ctx.log.child({ stage: "agent" }) });
  const store = new SessionStore({ agentsDir: ctx.paths.agentsDir, clock: ctx.clock, redact: (text) => ctx.redactor.redact(text) });
  const tools = new ToolRuntime([readTool, writeTool, editTool, execTool(() => hostRunner), ...(opts.extraTools ?? [])], workspaceGate, { bash: "exec", "apply-patch": "apply_patch" });
  const probe = opts.probe ?? probeOllama;
  const ensured = new Set<string>();
  const loop = new AgentLoop({
    store,
    chain,
    tools,
    clock: ctx.clock,
    log: ctx.log.child({ stage: "agent" }),
    modelRefs: (agentId) => resolveModelRefs(config, agent(agentId), catalog, probe, ctx.paths.configPath),
    systemPrompt: (agentId, toolNames) =>
      buildSystemPrompt({ agentName: agent(agentId)?.identity?.name ?? agent(agentId)?.name ?? "holdfast", toolNames, custom: agent(agentId)?.systemPrompt ?? config.agents?.defaults?.systemPrompt, now: new Date(ctx.clock.now()) }),
    workspaceFor: async (req: AgentRunRequest) => {
      const dir = workspaceOf(req.agentId);
      if (!ensured.has(dir)) {
        await ensurePrivateDir(dir);
        ensured.add(dir);
      }
      return dir;
    },
    maxIterations: config.agents?.defaults?.maxToolIterations ?? 12,
  });
  const runs = new RunManager(loop, () => ctx.clock.now(), ctx.log.child({ stage: "runs" }));
  return { catalog, store, tools, loop, runs, agentIds: ids, agent, workspaceOf };
}
