import path from "node:path";
import {
  AgentLoop,
  buildSystemPrompt,
  describeImage,
  ModelChain,
  probeOllama,
  ProviderCatalog,
  resolveModelRefs,
  RunManager,
  type AgentRunRequest,
  type OllamaProbe,
} from "../agent/index.js";
import type { AgentEntry } from "../config/index.js";
import { expandHome } from "./paths-util.js";
import { SessionStore } from "../sessions/index.js";
import type { StateStore } from "../store/index.js";
import type { AnyToolDefinition, ToolRuntime } from "../tools/index.js";
import type { AppContext } from "./context.js";
import { wireTools, type ToolStage } from "./wire-tools.js";

/** The agent stage as wired for the gateway. */
export interface AgentStage {
  readonly catalog: ProviderCatalog;
  readonly store: SessionStore;
  readonly tools: ToolRuntime;
  /** Tool policy, exec approvals, elevated mode and the sandbox. */
  readonly toolStage: ToolStage;
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
 * Builds providers → model chain → sessions → tools (wire-tools: policy gate, approvals, sandbox) →
 * agent loop → run manager.
 * @throws HoldfastError HF_CONFIG_INVALID for tool or sandbox settings that fail their checks.
 */
export function wireAgent(ctx: AppContext, state: StateStore, opts: AgentWiringOptions = {}): AgentStage {
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
  const store = new SessionStore({
    agentsDir: ctx.paths.agentsDir,
    clock: ctx.clock,
    state,
    log: ctx.log.child({ stage: "sessions" }),
    redact: (text) => ctx.redactor.redact(text),
  });
  const probe = opts.probe ?? probeOllama;
  const modelRefs = (agentId: string) => resolveModelRefs(config, agent(agentId), catalog, probe, ctx.paths.configPath);
  const late: { runs?: RunManager } = {};
  const toolStage = wireTools(ctx, {
    store,
    runs: () => late.runs as RunManager,
    agentIds: ids,
    workspaceOf,
    describeImage: async (r) => describeImage(chain, await modelRefs(r.agentId), r),
    ...(opts.extraTools ? { extraTools: opts.extraTools } : {}),
  });
  const tools = toolStage.runtime;
  const loop = new AgentLoop({
    store,
    chain,
    tools,
    clock: ctx.clock,
    log: ctx.log.child({ stage: "agent" }),
    modelRefs,
    systemPrompt: (agentId, toolNames) =>
      buildSystemPrompt({
        agentName: agent(agentId)?.identity?.name ?? agent(agentId)?.name ?? "holdfast",
        toolNames,
        custom: agent(agentId)?.systemPrompt ?? config.agents?.defaults?.systemPrompt,
        now: new Date(ctx.clock.now()),
      }),
    workspaceFor: (req: AgentRunRequest) => toolStage.workspaceFor(req),
    maxIterations: config.agents?.defaults?.maxToolIterations ?? 12,
  });
  const runs = new RunManager({
    loop,
    now: () => ctx.clock.now(),
    log: ctx.log.child({ stage: "runs" }),
    ledger: state.runs,
    redact: (text) => ctx.redactor.redact(text),
  });
  late.runs = runs;
  return { catalog, store, tools, toolStage, loop, runs, agentIds: ids, agent, workspaceOf };
}
