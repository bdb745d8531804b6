import { toGatewayEvent, webChatMethods } from "../channels/webchat/index.js";
import type { RunEvent } from "../agent/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import { deviceMethods } from "../devices/index.js";
import {
  authWireError,
  Broadcaster,
  checkOrigin,
  GatewayServer,
  MAX_BUFFERED_BYTES,
  MAX_FRAME_BYTES,
  MethodRegistry,
  ORIGIN_NOT_ALLOWED,
  PROTOCOL_VERSION,
  resolveClientAddress,
  TICK_INTERVAL_MS,
  type ClientAddress,
  type GatewayAuthenticator,
  type GatewayServerOptions,
  type WireError,
} from "../gateway/index.js";
import { sessionMethods } from "../sessions/index.js";
import type { LedgerRun, StorageHealth } from "../store/index.js";
import type { AgentStage } from "./agent-wiring.js";
import type { AppContext } from "./context.js";
import { coreMethods } from "./core-methods.js";
import { VERSION } from "./version.js";
import type { DevicesStage } from "./wire-devices.js";
import { exposureAuthenticator, type ExposureStage } from "./wire-exposure.js";

/** The gateway stage as wired: methods and events are registered; `server` is not listening yet. */
export interface GatewayStage {
  readonly methods: MethodRegistry;
  readonly broadcaster: Broadcaster;
  readonly server: GatewayServer;
  readonly authenticator: GatewayAuthenticator;
  /** Fills in facts only known after listening (for status). */
  setListening(port: number): void;
  /** Adds facts to the status document (discovery mode, ...). */
  addStatus(key: string, value: () => unknown): void;
}

/** Inputs of {@link wireGateway}. */
export interface GatewayWiring {
  readonly exposure: ExposureStage;
  readonly devices: DevicesStage;
  readonly commands: ChatCommandRegistry;
  /** Routes served before gateway auth (channel webhooks that authenticate themselves). */
  readonly publicRoutes?: GatewayServerOptions["publicRoutes"];
  /** Outbound filter for agent run events (leak scan, redaction); undefined drops the event. */
  readonly guardRunEvent?: (ev: RunEvent) => RunEvent | undefined;
  /** Storage health (status, `health`, `/health`). */
  readonly storage: StorageHealth;
  /** WebChat runs the previous process never finished: told to every operator in `hello-ok`. */
  readonly interrupted: readonly LedgerRun[];
}

/**
 * Builds the gateway: the authenticator (exposure settings, rate limiter, devices, Tailscale
 * identity), browser-origin and proxy-attribution admission, the method table (health, status,
 * chat.*, sessions.*, device.*), the `chat` event fan-out from agent runs, and the HTTP+WS server
 * (TLS when configured).
 */
export function wireGateway(ctx: AppContext, agent: AgentStage, w: GatewayWiring): GatewayStage {
  const { exposure } = w;
  const started = ctx.clock.now();
  let port = exposure.port;
  const extraStatus = new Map<string, () => unknown>();
  const methods = new MethodRegistry();
  const broadcaster = new Broadcaster();
  const authenticator = exposureAuthenticator(ctx, exposure, w.devices.registry);
  const status = async () => ({
    version: VERSION,
    uptimeMs: ctx.clock.now() - started,
    gateway: {
      bind: exposure.plan.bindMode,
      hosts: exposure.plan.hosts,
      port,
      auth: { mode: authenticator.mode },
      tls: exposure.tls ? { enabled: true, fingerprint256: exposure.tls.fingerprint256 } : { enabled: false },
      tailscale: { mode: exposure.plan.tailscale },
    },
    agents: agent.agentIds(),
    sessions: { count: (await agent.store.list()).length },
    runs: { active: agent.runs.active(), interruptedAtStart: w.interrupted.length },
    storage: w.storage.snapshot(),
    providers: agent.catalog
      .all()
      .map((p) => ({ id: p.id, api: p.api, keySource: p.keySource, usable: agent.catalog.usable(p.id) })),
    connections: broadcaster.size,
    ...Object.fromEntries([...extraStatus].map(([k, f]) => [k, f()])),
  });
  const announce = (runId: string, sessionKey: string, agentId: string, text: string) =>
    broadcaster.broadcast("chat", {
      runId,
      sessionKey,
      agentId,
      seq: 1,
      state: "final",
      stopReason: "command",
      message: { role: "assistant", content: [{ type: "text", text }], timestamp: ctx.clock.now() },
    });
  const health = () => {
    const snap = w.storage.snapshot();
    return {
      ok: snap.ok,
      ...(snap.ok ? {} : { degraded: snap.degraded.map((d) => ({ store: d.store, code: d.code, since: d.since })) }),
    };
  };
  methods.register(...coreMethods(() => ctx.clock.now(), status, health));
  methods.register(
    ...webChatMethods({
      runs: agent.runs,
      store: agent.store,
      agentIds: agent.agentIds,
      commands: w.commands,
      announce,
    }),
  );
  methods.register(...sessionMethods(agent.store, (key) => agent.runs.abort({ sessionKey: key })));
  methods.register(
    ...deviceMethods(w.devices.store, (deviceId) =>
      server.disconnect((c) => c.deviceId === deviceId, 1008, "device revoked"),
    ),
  );
  agent.runs.onEvent((raw) => {
    const ev = w.guardRunEvent ? w.guardRunEvent(raw) : raw;
    const out = ev && toGatewayEvent(ev, ctx.clock.now());
    if (out) broadcaster.broadcast(out.event, out.payload);
  });
  const admitUpgrade = (client: ClientAddress): WireError | undefined => {
    if (client.unattributedProxy) return authWireError("proxy_attribution_required");
    return checkOrigin(client, exposure.origin).allow ? undefined : ORIGIN_NOT_ALLOWED;
  };
  const server: GatewayServer = new GatewayServer({
    hosts: exposure.plan.hosts,
    port: exposure.port,
    authenticator,
    methods,
    broadcaster,
    log: ctx.log.child({ stage: "gateway" }),
    now: () => ctx.clock.now(),
    status,
    health,
    ...(w.publicRoutes ? { publicRoutes: w.publicRoutes } : {}),
    clientAddress: (remote, headers) => resolveClientAddress(remote, headers, exposure.proxyTrust),
    admitUpgrade,
    ...(exposure.tls ? { tls: { cert: exposure.tls.cert, key: exposure.tls.key } } : {}),
    hello: (conn) => ({
      protocol: PROTOCOL_VERSION,
      server: { version: VERSION, connId: conn.connId },
      features: {
        methods: methods.names(),
        events: ["connect.challenge", "tick", "chat", "agent", "exec.approval.requested", "exec.approval.resolved"],
      },
      snapshot: {
        agents: agent.agentIds(),
        defaultAgentId: agent.agentIds()[0],
        interruptedRuns: w.interrupted.map((r) => ({
          runId: r.runId,
          sessionKey: r.sessionKey,
          acceptedAt: r.acceptedAt,
          errorCode: "HF_RUN_INTERRUPTED",
          errorMessage: r.outcome?.message,
        })),
      },
      policy: { maxPayload: MAX_FRAME_BYTES, maxBufferedBytes: MAX_BUFFERED_BYTES, tickIntervalMs: TICK_INTERVAL_MS },
    }),
  });
  return {
    methods,
    broadcaster,
    server,
    authenticator,
    setListening: (p) => (port = p),
    addStatus: (k, f) => extraStatus.set(k, f),
  };
}
