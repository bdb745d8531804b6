import { toGatewayEvent, webChatMethods } from "../channels/webchat/index.js";
import type { RunEvent } from "../agent/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import {
  Broadcaster, GatewayServer, MAX_BUFFERED_BYTES, MAX_FRAME_BYTES, MethodRegistry, PROTOCOL_VERSION, SharedSecretAuthenticator, TICK_INTERVAL_MS,
  type GatewayAuthenticator, type SharedSecret,
} from "../gateway/index.js";
import { sessionMethods } from "../sessions/index.js";
import type { AgentStage } from "./agent-wiring.js";
import type { AppContext } from "./context.js";
import { coreMethods } from "./core-methods.js";
import { VERSION } from "./version.js";

/** The gateway stage as wired: methods and events are registered; `server` is not listening yet. */
export interface GatewayStage {
  readonly methods: MethodRegistry;
  readonly broadcaster: Broadcaster;
  readonly server: GatewayServer;
  readonly authenticator: GatewayAuthenticator;
  /** Fills in facts only known after listening (for status). */
  setListening(port: number): void;
}

/** Inputs of {@link wireGateway}. */
export interface GatewayWiring {
  readonly hosts: readonly string[];
  readonly port: number;
  readonly bindMode: string;
  readonly secret: SharedSecret;
  readonly commands: ChatCommandRegistry;
  /** Outbound filter for agent run events (leak scan, redaction); undefined drops the event. */
  readonly guardRunEvent?: (ev: RunEvent) => RunEvent | undefined;
}

/**
 * Builds the gateway: authenticator, method table (health, status, chat.*, sessions.*), the `chat`
 * event fan-out from agent runs, and the HTTP+WS server.
 */
export function wireGateway(ctx: AppContext, agent: AgentStage, w: GatewayWiring): GatewayStage {
  const started = ctx.clock.now();
  let port = w.port;
  const methods = new MethodRegistry();
  const broadcaster = new Broadcaster();
  const authenticator = new SharedSecretAuthenticator(() => w.secret);
  const status = async () => ({
    version: VERSION,
    uptimeMs: ctx.clock.now() - started,
    gateway: { bind: w.bindMode, hosts: w.hosts, port, auth: { mode: authenticator.mode } },
    agents: agent.agentIds(),
    sessions: { count: (await agent.store.list()).length },
    runs: { active: agent.runs.active() },
    providers: agent.catalog.all().map((p) => ({ id: p.id, api: p.api, keySource: p.keySource, usable: agent.catalog.usable(p.id) })),
    connections: broadcaster.size,
  });
  const announce = (runId: string, sessionKey: string, agentId: string, text: string) =>
    broadcaster.broadcast("chat", { runId, sessionKey, agentId, seq: 1, state: "final", stopReason: "command", message: { role: "assistant", content: [{ type: "text", text }], timestamp: ctx.clock.now() } });
  methods.register(...coreMethods(() => ctx.clock.now(), status));
  methods.register(...webChatMethods({ runs: agent.runs, store: agent.store, agentIds: agent.agentIds, commands: w.commands, announce }));
  methods.register(...sessionMethods(agent.store, (key) => agent.runs.abort({ sessionKey: key })));
  agent.runs.onEvent((raw) => {
    const ev = w.guardRunEvent ? w.guardRunEvent(raw) : raw;
    const out = ev && toGatewayEvent(ev, ctx.clock.now());
    if (out) broadcaster.broadcast(out.event, out.payload);
  });
  const server = new GatewayServer({
    hosts: w.hosts,
    port: w.port,
    authenticator,
    methods,
    broadcaster,
    log: ctx.log.child({ stage: "gateway" }),
    now: () => ctx.clock.now(),
    status,
    hello: (conn) => ({
      protocol: PROTOCOL_VERSION,
      server: { version: VERSION, connId: conn.connId },
      features: { methods: methods.names(), events: ["connect.challenge", "chat", "agent"] },
      snapshot: { agents: agent.agentIds(), defaultAgentId: agent.agentIds()[0] },
      policy: { maxPayload: MAX_FRAME_BYTES, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs: TICK_INTERVAL_MS },
    }),
  });
  return { methods, broadcaster, server, authenticator, setListening: (p) => (port = p) };
}
