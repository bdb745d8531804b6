import { agentMethods, createAgentStage, type AgentStage, type OllamaProbe } from "../agent/index.js";
import type { AgentRoster } from "../config/index.js";
import type { GatewayConnections, MethodRegistrar, StatusRegistry } from "../gateway/index.js";
import { healthSessions, SessionEvents, sessionMethods, statusSessions, type SessionStore } from "../sessions/index.js";
import type { ToolStage } from "../tools/index.js";
import type { RunLedger } from "../store/index.js";
import type { AppContext } from "./context.js";

/** What the agent stage is wired with besides the context. */
export interface AgentWiring {
  readonly roster: AgentRoster;
  readonly sessions: SessionStore;
  readonly tools: Pick<ToolStage, "runtime" | "workspaceFor">;
  readonly gateway: {
    readonly methods: MethodRegistrar;
    readonly status: Pick<StatusRegistry, "add">;
    readonly healthFacts: Pick<StatusRegistry, "add">;
    /** Session events go to the connections that subscribed. */
    readonly broadcaster: Pick<GatewayConnections, "send" | "watch">;
  };
  /** The run ledger (ack commit point, idempotency keys). */
  readonly ledger: RunLedger;
  readonly probe?: OllamaProbe;
  /** The model-bound leak scan (secrets stage). */
  readonly maskForModel: (text: string) => string;
}

/**
 * The agent stage (providers, model chain, loop, runs); its methods (`agents.list`,
 * `agent.identity.get`, `models.list`) and the `sessions.*` methods (deleting a session aborts its
 * runs); its status facts (agents, sessions, runs, providers; heartbeat and queued system events,
 * which holdfast does not have) and health facts (agents with their sessions).
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
  const isActive = (key: string) => runs.sessionActive(key);
  const events = new SessionEvents({
    store: w.sessions,
    connections: w.gateway.broadcaster,
    isActive,
    now: () => ctx.clock.now(),
  });
  runs.onEvent((ev) => {
    if (ev.seq === 1) void events.runChanged(ev.sessionKey, "agent.run.started");
    if (ev.event.type === "final" || ev.event.type === "error")
      setImmediate(() => void events.runChanged(ev.sessionKey, "agent.run.ended"));
  });
  w.gateway.methods.register(
    ...sessionMethods({
      store: w.sessions,
      agentIds: () => w.roster.ids(),
      abortSession: (key) => runs.abort({ sessionKey: key }),
      isActive,
      defaults: (agentId) => agent.modelDefaults(agentId),
      events,
      now: () => ctx.clock.now(),
    }),
    ...agentMethods({ config: ctx.config, roster: w.roster, catalog, modelRefs: (id) => agent.modelRefsOrNone(id) }),
  );
  const summary = { store: w.sessions, agentIds: () => w.roster.ids(), now: () => ctx.clock.now() };
  const { status, healthFacts: health } = w.gateway;
  status.add("agents", () => w.roster.ids());
  status.add("sessions", async (view) => {
    const [primary] = await agent.modelRefsOrNone(w.roster.ids()[0] ?? "main");
    return statusSessions(summary, view, { model: primary ?? null, contextTokens: null });
  });
  status.add("heartbeat", () => ({
    defaultAgentId: w.roster.ids()[0] ?? "main",
    agents: w.roster.ids().map((agentId) => ({ agentId, enabled: false, every: "disabled", everyMs: null })),
  }));
  status.add("queuedSystemEvents", () => []);
  status.add("runs", () => ({ active: runs.active() }));
  status.add("providers", () =>
    catalog.all().map((p) => ({ id: p.id, api: p.api, keySource: p.keySource, usable: catalog.usable(p.id) })),
  );
  health.add("defaultAgentId", () => w.roster.ids()[0] ?? "main");
  health.add("agents", async (view) => (await healthSessions(summary, view)).agents);
  health.add("sessions", async (view) => (await healthSessions(summary, view)).sessions);
  health.add("heartbeatSeconds", () => 0);
  return agent;
}
