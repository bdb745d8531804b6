import { promises as fsp } from "node:fs";
import { toGatewayEvent, webChatMethods } from "../channels/webchat/index.js";
import {
  assertBindAllowed, Broadcaster, GatewayServer, MAX_BUFFERED_BYTES, MAX_FRAME_BYTES, MethodRegistry, PROTOCOL_VERSION, resolveBindHosts,
  SharedSecretAuthenticator, TICK_INTERVAL_MS, type BindMode,
} from "../gateway/index.js";
import { writeJsonAtomic } from "../infra/index.js";
import { sessionMethods } from "../sessions/index.js";
import { wireAgent, type AgentStage, type AgentWiringOptions } from "./agent-wiring.js";
import { bootstrap, type BootstrapOptions } from "./bootstrap.js";
import type { AppContext } from "./context.js";
import { coreMethods } from "./core-methods.js";
import { resolveSharedSecret } from "./gateway-auth.js";
import { VERSION } from "./version.js";

/** Command-line overrides of `holdfast gateway`. */
export interface GatewayStartOptions extends BootstrapOptions, AgentWiringOptions {
  readonly port?: number;
  readonly bind?: BindMode;
  /** Grace period for running turns on shutdown before they are aborted (ms). Default 5000. */
  readonly shutdownGraceMs?: number;
}

/** A running gateway. */
export interface RunningGateway {
  readonly ctx: AppContext;
  readonly port: number;
  readonly hosts: readonly string[];
  readonly agent: AgentStage;
  /** Stops accepting, finishes or aborts runs, flushes stores, closes clients. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root: config → secrets → logging → agent (providers, tools, sessions) → gateway
 * (auth, methods, WebChat) → listen. Stages are wired here and only here.
 */
export async function startGateway(opts: GatewayStartOptions = {}): Promise<RunningGateway> {
  const ctx = await bootstrap(opts);
  const secret = await resolveSharedSecret(ctx);
  const mode = opts.bind ?? ctx.config.gateway?.bind ?? "loopback";
  const hosts = resolveBindHosts({ mode, ...(ctx.config.gateway?.customBindHost ? { customBindHost: ctx.config.gateway.customBindHost } : {}) });
  assertBindAllowed(mode, hosts, { mode: secret.mode, hasSecret: secret.mode !== "none" && !secret.generatedFile });
  const agent = wireAgent(ctx, opts);
  const started = ctx.clock.now();
  const methods = new MethodRegistry();
  const broadcaster = new Broadcaster();
  const status = async () => ({
    version: VERSION,
    uptimeMs: ctx.clock.now() - started,
    gateway: { bind: mode, hosts, port: boundPort, auth: { mode: secret.mode } },
    agents: agent.agentIds(),
    sessions: { count: (await agent.store.list()).length },
    runs: { active: agent.runs.active() },
    providers: agent.catalog.all().map((p) => ({ id: p.id, api: p.api, keySource: p.keySource, usable: agent.catalog.usable(p.id) })),
    connections: broadcaster.size,
  });
  methods.register(...coreMethods(() => ctx.clock.now(), status));
  methods.register(...webChatMethods({ runs: agent.runs, store: agent.store, agentIds: agent.agentIds }));
  methods.register(...sessionMethods(agent.store, (key) => agent.runs.abort({ sessionKey: key })));
  agent.runs.onEvent((ev) => {
    const out = toGatewayEvent(ev, ctx.clock.now());
    if (out) broadcaster.broadcast(out.event, out.payload);
  });
  let boundPort = opts.port ?? ctx.config.gateway?.port ?? 18789;
  const server = new GatewayServer({
    hosts,
    port: boundPort,
    authenticator: new SharedSecretAuthenticator(() => secret),
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
  boundPort = (await server.start()).port;
  await writeJsonAtomic(ctx.paths.pidFile, { pid: process.pid, port: boundPort, hosts, startedAt: new Date(started).toISOString() });
  ctx.log.info({ hosts, port: boundPort, auth: secret.mode }, "gateway listening");
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ctx.log.info("gateway stopping");
      server.stopAccepting();
      await agent.runs.shutdown(opts.shutdownGraceMs ?? 5_000);
      await server.stop();
      await agent.store.flush();
      await fsp.rm(ctx.paths.pidFile, { force: true });
      ctx.log.info("gateway stopped");
      ctx.log.flush();
    })());
  return { ctx, port: boundPort, hosts, agent, stop };
}
