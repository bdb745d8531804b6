import { promises as fsp } from "node:fs";
import { assertBindAllowed, resolveBindHosts, type BindMode } from "../gateway/index.js";
import { writeJsonAtomic } from "../infra/index.js";
import { wireAgent, type AgentStage, type AgentWiringOptions } from "./agent-wiring.js";
import { bootstrap, type BootstrapOptions } from "./bootstrap.js";
import type { AppContext } from "./context.js";
import { resolveSharedSecret } from "./gateway-auth.js";
import { wireCommands } from "./wire-commands.js";
import { wireGateway, type GatewayStage } from "./wire-gateway.js";

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
  readonly gateway: GatewayStage;
  /** Stops accepting, finishes or aborts runs, flushes stores, closes clients. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root. Order: config + secrets + logging (bootstrap) → gateway exposure (bind, auth)
 * → agent (providers, tools, sessions, runs) → chat commands → gateway (methods, events, server) →
 * listen. Stages are wired here and only here; each has its own wire-*.ts.
 */
export async function startGateway(opts: GatewayStartOptions = {}): Promise<RunningGateway> {
  const ctx = await bootstrap(opts);
  const secret = await resolveSharedSecret(ctx);
  const bindMode = opts.bind ?? ctx.config.gateway?.bind ?? "loopback";
  const hosts = resolveBindHosts({ mode: bindMode, ...(ctx.config.gateway?.customBindHost ? { customBindHost: ctx.config.gateway.customBindHost } : {}) });
  assertBindAllowed(bindMode, hosts, { mode: secret.mode, hasSecret: secret.mode !== "none" && !secret.generatedFile });
  const agent = wireAgent(ctx, opts);
  const commands = wireCommands(agent);
  const gateway = wireGateway(ctx, agent, { hosts, port: opts.port ?? ctx.config.gateway?.port ?? 18789, bindMode, secret, commands });
  agent.toolStage.attach(gateway, commands);
  const { port } = await gateway.server.start();
  gateway.setListening(port);
  await writeJsonAtomic(ctx.paths.pidFile, { pid: process.pid, port, hosts, startedAt: new Date(ctx.clock.now()).toISOString() });
  ctx.log.info({ hosts, port, auth: secret.mode }, "gateway listening");
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ctx.log.info("gateway stopping");
      gateway.server.stopAccepting();
      await agent.toolStage.stop();
      await agent.runs.shutdown(opts.shutdownGraceMs ?? 5_000);
      await gateway.server.stop();
      await agent.store.flush();
      await fsp.rm(ctx.paths.pidFile, { force: true });
      ctx.log.info("gateway stopped");
      ctx.log.flush();
    })());
  return { ctx, port, hosts, agent, gateway, stop };
}
