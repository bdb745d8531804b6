import type { AgentRoster, HoldfastConfig } from "../config/index.js";
import type { Clock } from "../infra/index.js";
import type { Logger } from "../logging/index.js";
import type { SecretsRuntime } from "../secrets/index.js";
import type { SessionStore } from "../sessions/index.js";
import type { ToolRuntime } from "../tools/index.js";
import { describeImage } from "./image.js";
import { AgentLoop } from "./loop.js";
import { ModelChain } from "./model-chain.js";
import { probeOllama, resolveModelRefs, type OllamaProbe } from "./model-selection.js";
import { ProviderCatalog } from "./providers/catalog.js";
import { RunManager, type RunJournal } from "./runs.js";
import { buildSystemPrompt } from "./system-prompt.js";

/** Dependencies of {@link createAgentStage}. */
export interface AgentStageDeps {
  readonly config: HoldfastConfig;
  /** Named in the "no model configured" help. */
  readonly configPath: string;
  /** The live secrets: provider keys follow a swapped snapshot (`secrets reload`). */
  readonly secrets: SecretsRuntime;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly log: Logger;
  readonly roster: Pick<AgentRoster, "entry">;
  readonly sessions: SessionStore;
  /** The gated tool runtime and where a run's tools work. */
  readonly tools: {
    readonly runtime: ToolRuntime;
    workspaceFor(req: { readonly agentId: string; readonly sessionKey: string }): Promise<string>;
  };
  /** The run ledger of the state store: the ack commit point and the idempotency keys. */
  readonly ledger: RunJournal;
  /** Applied to what the ledger stores (secret redaction). */
  readonly redact: (text: string) => string;
  /** Test seam: the local Ollama probe. */
  readonly probe?: OllamaProbe;
  /** The model-bound leak scan (the secrets stage's): every provider request passes it. */
  readonly maskForModel?: (text: string) => string;
}

/** The agent stage: providers, the loop and the runs. */
export interface AgentStage {
  readonly catalog: ProviderCatalog;
  readonly runs: RunManager;
  /**
   * The model chain of an agent (primary, then fallbacks; see `resolveModelRefs`).
   * @throws HoldfastError HF_NO_MODEL (with the help text) when none is configured or reachable.
   */
  modelRefs(agentId: string): Promise<string[]>;
  /** Asks the agent's model to describe an image (the `image` tool). */
  describeImage(req: {
    readonly agentId: string;
    readonly prompt: string;
    readonly image: { readonly mimeType: string; readonly dataBase64: string };
    readonly signal: AbortSignal;
  }): Promise<string>;
}

/**
 * The model-bound mask in force: one function object per set of secret values (the chain caches
 * masked messages per mask function, so a reload re-masks them).
 */
function maskFor(secrets: SecretsRuntime, mask: (text: string) => string): () => (text: string) => string {
  let values: readonly string[] | undefined;
  let current = mask;
  return () => {
    if (secrets.values() !== values) [values, current] = [secrets.values(), (text: string) => mask(text)];
    return current;
  };
}

/**
 * Builds providers (official SDKs, loaded on first use) → the model chain (retry and failover, the
 * model-bound leak scan; each call bounded by `agents.defaults.timeoutSeconds`, default 600, and
 * `streamIdleTimeoutSeconds`, default 60) → the agent loop (bounded by `agents.defaults.maxToolIterations`, default 12) → the run manager.
 */
export function createAgentStage(deps: AgentStageDeps): AgentStage {
  const { config, roster } = deps;
  const log = deps.log.child({ stage: "agent" });
  const catalog = new ProviderCatalog(config, deps.secrets, deps.env);
  deps.secrets.onSwap(() => catalog.reload(deps.secrets));
  const maskForModel = deps.maskForModel;
  const defaults = config.agents?.defaults;
  const chain = new ModelChain({
    catalog,
    clock: deps.clock,
    log,
    ...(maskForModel ? { mask: maskFor(deps.secrets, maskForModel) } : {}),
    ...(defaults?.timeoutSeconds ? { timeoutMs: defaults.timeoutSeconds * 1000 } : {}),
    ...(defaults?.streamIdleTimeoutSeconds ? { idleTimeoutMs: defaults.streamIdleTimeoutSeconds * 1000 } : {}),
  });
  const probe = deps.probe ?? probeOllama;
  const modelRefs = (agentId: string) =>
    resolveModelRefs({ config, agent: roster.entry(agentId), catalog, probe, configPath: deps.configPath });
  const loop = new AgentLoop({
    store: deps.sessions,
    chain,
    tools: deps.tools.runtime,
    clock: deps.clock,
    log,
    modelRefs,
    systemPrompt: (agentId, toolNames) =>
      buildSystemPrompt({
        agentName: roster.entry(agentId)?.identity?.name ?? roster.entry(agentId)?.name ?? "holdfast",
        toolNames,
        custom: roster.entry(agentId)?.systemPrompt ?? config.agents?.defaults?.systemPrompt,
        now: new Date(deps.clock.now()),
      }),
    workspaceFor: (req) => deps.tools.workspaceFor(req),
    maxIterations: config.agents?.defaults?.maxToolIterations ?? 12,
  });
  const runs = new RunManager({
    loop,
    now: () => deps.clock.now(),
    log: deps.log.child({ stage: "runs" }),
    ledger: deps.ledger,
    redact: deps.redact,
  });
  return {
    catalog,
    runs,
    modelRefs,
    describeImage: async (r) => describeImage(chain, await modelRefs(r.agentId), r),
  };
}
