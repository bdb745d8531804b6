import { createAgentStage, type AgentStage, type OllamaProbe } from "../agent/index.js";
import type { AgentRoster } from "../config/index.js";
import type { MethodRegistrar, StatusRegistry } from "../gateway/index.js";
import { sessionMethods, type SessionStore } from "../sessions/index.js";
import type { ToolStage } from "../tools/index.js";
import type { RunLedger } from "../store/index.js";
import type { AppContext } from "./context.js";

/** What the agent stage is wired with besides the context. */
export interface AgentWiring {
  readonly roster: AgentRoster;
  readonly sessions: SessionStore;
  readonly tools: Pick<ToolStage, "runtime" | "workspaceFor">;
  readonly gateway: { readonly methods: MethodRegistrar; readonly status: Pick<StatusRegistry, "add"> };
  /** The run ledger (ack commit point, idempotency keys). */
  readonly ledger: RunLedger;
  readonly probe?: OllamaProbe;
  /** The model-bound leak scan (secrets stage). */
  readonly maskForModel: (text: string) => string;
}

/**
 * The agent stage (providers, model chain, loop, runs), the `sessions.*` methods (deleting a session
 * aborts its runs), and its status facts: agents, session count, active runs, providers.
 */
export function wireAgent(ctx: AppContext, w: AgentWiring): AgentStage {
  const agent = createAgentStage({
    config: ctx.config,
    configPath: ctx.paths.configPath,
    secrets: ctx.secrets,
    env: ctx.env,
    clock: ctx.clock,
    log: ctx.log,
    roster: w.roster,
    sessions: w.sessions,
    tools: w.tools,
    ledger: w.ledger,
    redact: (text) => ctx.redactor.redact(text),
    ...(w.probe ? { probe: w.probe } : {}),
    maskForModel: w.maskForModel,
  });
  const { catalog, runs } = agent;
  w.gateway.methods.register(...sessionMethods(w.sessions, (key) => runs.abort({ sessionKey: key })));
  const { status } = w.gateway;
  status.add("agents", () => w.roster.ids());
  status.add("sessions", async () => ({ count: (await w.sessions.list()).length }));
  status.add("runs", () => ({ active: runs.active() }));
  status.add("providers", () =>
    catalog.all().map((p) => ({ id: p.id, api: p.api, keySource: p.keySource, usable: catalog.usable(p.id) })),
  );
  return agent;
}
