import { promises as fsp } from "node:fs";
import { recoverInterruptedRuns } from "../agent/index.js";
import { stateFileEvents, writeJsonAtomic, type CorruptStateFile } from "../infra/index.js";
import { assertWritable, openStateStore, type StateStore } from "../store/index.js";
import { wireAgent, type AgentStage, type AgentWiringOptions } from "./agent-wiring.js";
import { bootstrap, type BootstrapOptions } from "./bootstrap.js";
import type { AppContext } from "./context.js";
import { channelOutbound, wireChannels, type ChannelsStage } from "./wire-channels.js";
import { wireCommands } from "./wire-commands.js";
import { wireDevices } from "./wire-devices.js";
import { wireDiscovery, type DiscoveryStage } from "./wire-discovery.js";
import { wireExposure, type ExposureOptions, type ExposureStage } from "./wire-exposure.js";
import { wireGateway, type GatewayStage } from "./wire-gateway.js";
import { wireNodes } from "./wire-nodes.js";
import { wireSecrets } from "./wire-secrets.js";

/** Command-line overrides of `holdfast gateway`. */
export interface GatewayStartOptions extends BootstrapOptions, AgentWiringOptions, ExposureOptions {
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
  readonly channels: ChannelsStage;
  readonly exposure: ExposureStage;
  readonly discovery: DiscoveryStage;
  /** Stops accepting, finishes or aborts runs, flushes stores, closes clients. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root. Order: config + secrets + logging (bootstrap) → gateway exposure (bind, auth,
 * TLS, Tailscale; refuses unsafe exposure before anything listens) → agent (providers, tools,
 * sessions, runs) → chat commands → secrets (reload, outbound leak scan) → channels → devices →
 * gateway (methods, events, server) → listen → channels start receiving → Tailscale route → mDNS.
 * Stages are wired here and only here; each has its own wire-*.ts.
 */
export async function startGateway(opts: GatewayStartOptions = {}): Promise<RunningGateway> {
  const ctx = await bootstrap(opts);
  const exposure = await wireExposure(ctx, opts);
  await assertWritable([ctx.paths.agentsDir, ctx.paths.credentialsDir, ctx.paths.devicesDir]);
  const state = await openStateStore({
    stateDir: ctx.paths.stateDir,
    agentsDir: ctx.paths.agentsDir,
    log: ctx.log.child({ stage: "store" }),
    now: () => ctx.clock.now(),
  });
  try {
    return await startOnState(ctx, exposure, state, opts);
  } catch (err) {
    state.close();
    throw err;
  }
}

async function startOnState(
  ctx: AppContext,
  exposure: ExposureStage,
  state: StateStore,
  opts: GatewayStartOptions,
): Promise<RunningGateway> {
  const onCorrupt = (c: CorruptStateFile) =>
    state.db.reportCorrupt({
      file: c.file,
      ...(c.movedTo ? { movedTo: c.movedTo } : {}),
      problem: c.problem,
      fix: "the gateway started this store empty (access it granted must be granted again); inspect the moved file and delete it when done",
    });
  stateFileEvents.on("corrupt", onCorrupt);
  const agent = wireAgent(ctx, state, opts);
  const interrupted = await recoverInterruptedRuns({
    ledger: state.runs,
    store: agent.store,
    now: () => ctx.clock.now(),
    log: ctx.log.child({ stage: "runs" }),
  });
  const commands = wireCommands(agent);
  const secrets = wireSecrets(ctx, agent);
  const channels = await wireChannels(ctx, agent, commands, state);
  agent.toolStage.setOutbound(channelOutbound(channels));
  const devices = wireDevices(ctx);
  const gateway = wireGateway(ctx, agent, {
    exposure,
    devices,
    commands,
    publicRoutes: channels.publicRoutes,
    guardRunEvent: secrets.guardRunEvent,
    storage: state.health,
    interrupted: interrupted.filter((r) => (r.origin as { channel?: unknown } | undefined)?.channel === "webchat"),
  });
  gateway.methods.register(...secrets.methods);
  agent.toolStage.attach(gateway, commands);
  const nodes = wireNodes(ctx, gateway, agent.toolStage.approvals);
  const pidInfo = { pid: process.pid, startedAt: new Date(ctx.clock.now()).toISOString() };
  // All or nothing: a state dir that cannot take the PID file stops the start before anything listens.
  await writeJsonAtomic(ctx.paths.pidFile, { ...pidInfo, port: null });
  const { port } = await gateway.server.start();
  gateway.setListening(port);
  await channels.start();
  await exposure.tailscale?.start(port, exposure.tls !== undefined).catch(async (err: unknown) => {
    await gateway.server.stop();
    throw err;
  });
  const discovery = await wireDiscovery(ctx, exposure, port);
  gateway.addStatus("discovery", () => ({ mdns: discovery.mode }));
  const hosts = exposure.plan.hosts;
  await writeJsonAtomic(ctx.paths.pidFile, {
    ...pidInfo,
    port,
    hosts,
    ...(exposure.tls ? { tls: true, tlsFingerprint: exposure.tls.fingerprint256 } : {}),
  }).catch(async (err: unknown) => {
    await gateway.server.stop();
    throw err;
  });
  ctx.log.info(
    { hosts, port, auth: exposure.plan.authMode, tls: exposure.tls !== undefined, tailscale: exposure.plan.tailscale },
    "gateway listening",
  );
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ctx.log.info("gateway stopping");
      gateway.server.stopAccepting();
      nodes.stop();
      await channels.stop();
      await discovery.stop();
      await exposure.tailscale?.stop();
      await agent.toolStage.stop();
      await agent.runs.shutdown(opts.shutdownGraceMs ?? 5_000);
      await channels.flush();
      await gateway.server.stop();
      await agent.store.close().catch((err: unknown) => ctx.log.error({ err }, "transcripts not fully flushed"));
      stateFileEvents.off("corrupt", onCorrupt);
      state.close();
      secrets.stop();
      await fsp.rm(ctx.paths.pidFile, { force: true });
      ctx.log.info("gateway stopped");
      ctx.log.flush();
    })());
  return { ctx, port, hosts, agent, gateway, channels, exposure, discovery, stop };
}
