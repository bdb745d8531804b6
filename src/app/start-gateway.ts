import { promises as fsp } from "node:fs";
import type { AgentStage, OllamaProbe } from "../agent/index.js";
import type { ChannelService, WhatsAppConnector } from "../channels/index.js";
import { agentRoster } from "../config/index.js";
import { readMeta, resumeMigration } from "../crypt/index.js";
import type { DiscoveryStage } from "../discovery/index.js";
import { GatewayHub, type ExposureOptions, type GatewayExposure, type GatewayStage } from "../gateway/index.js";
import { isHoldfastError } from "../errors/index.js";
import { cliHint, writeJsonAtomic } from "../infra/index.js";
import { acquireInstanceLock, type InstanceLock } from "../store/index.js";
import type { SecretsStage } from "../secrets/index.js";
import type { AnyToolDefinition } from "../tools/index.js";
import { bootstrap, type BootstrapOptions } from "./bootstrap.js";
import type { AppContext } from "./context.js";
import { Port } from "./port.js";
import { assertStartPreconditions, explainListenFailure } from "./preconditions.js";
import { wireAccess } from "./wire-access.js";
import { wireAgent } from "./wire-agent.js";
import { wireChannels } from "./wire-channels.js";
import { wireCommands } from "./wire-commands.js";
import { wireControlUi } from "./wire-control-ui.js";
import { wireDevices } from "./wire-devices.js";
import { wireDiscovery } from "./wire-discovery.js";
import { wireExposure } from "./wire-exposure.js";
import { wireGateway } from "./wire-gateway.js";
import { wireHooks } from "./wire-hooks.js";
import { wireLifecycle } from "./wire-lifecycle.js";
import { wireNodes } from "./wire-nodes.js";
import { wireRouting } from "./wire-routing.js";
import { wireSandbox } from "./wire-sandbox.js";
import { wireSecrets } from "./wire-secrets.js";
import { wireSessions } from "./wire-sessions.js";
import { wireStore, type StoreStage } from "./wire-store.js";
import { wireTools } from "./wire-tools.js";

/** Command-line overrides of `holdfast gateway`, and test seams. */
export interface GatewayStartOptions extends BootstrapOptions, ExposureOptions {
  /** Grace period for running turns on shutdown before they are aborted (ms). Default 5000. */
  readonly shutdownGraceMs?: number;
  /** The local Ollama probe (default: `GET 127.0.0.1:11434/api/tags`). */
  readonly probe?: OllamaProbe;
  /** Tools besides the built-in ones. */
  readonly extraTools?: readonly AnyToolDefinition[];
  /** The CLI arguments that started it (`["gateway", "--port", "0"]`), kept in the PID file for `gateway restart`. */
  readonly argv?: readonly string[];
  /** How WhatsApp sockets are made (default Baileys' `makeWASocket`); a test process passes a fake of WhatsApp. */
  readonly whatsappConnector?: WhatsAppConnector;
}

/** A running gateway. */
export interface RunningGateway {
  readonly ctx: AppContext;
  readonly port: number;
  readonly hosts: readonly string[];
  readonly agent: AgentStage;
  readonly gateway: GatewayStage;
  readonly channels: ChannelService;
  readonly exposure: GatewayExposure;
  readonly discovery: DiscoveryStage;
  /** Stops accepting, finishes or aborts runs, flushes stores, closes clients. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root. Every stage is built here, by name and in pipeline order, each through its
 * `wire-<stage>.ts` and with the narrow ports it needs; then the stages start in order. Nothing
 * listens, receives or runs a timer before the start phase, and the gateway hub (methods, events,
 * webhook routes, status facts) refuses registrations once the gateway started (HF_STAGE_STARTED).
 */
export async function startGateway(opts: GatewayStartOptions = {}): Promise<RunningGateway> {
  // Build.
  const ctx = await bootstrap({ ...opts, encryptionKey: "required" }); // config, logging, secrets; refuses a missing or wrong encryption key
  await assertStartPreconditions({ ctx, opts }); // the refusals doctor reports too: log, exposure, storage, sandbox, channels, port
  const hub = new GatewayHub(); // what stages plug into the gateway; sealed when it starts
  const secrets = wireSecrets(ctx, hub); // secrets.reload, the outbound leak guards
  const exposure = await wireExposure(ctx, opts); // refuses unsafe exposure before anything is built
  const lock = acquireInstanceLock(ctx.paths.stateDir); // one gateway per state dir, before any state is touched
  let store: StoreStage | undefined;
  try {
    await finishEncryptionMigration(ctx); // an enable/disable/rotate a crash interrupted, before any store opens
    store = await wireStore(ctx, hub); // the state database; refuses one it cannot open or write
    return await startOnStore(ctx, { opts, hub, secrets, exposure, store, lock });
  } catch (err) {
    store?.close();
    lock.release();
    throw err;
  }
}

async function finishEncryptionMigration(ctx: AppContext): Promise<void> {
  const done = await resumeMigration(ctx.paths.stateDir, readMeta);
  if (done) ctx.log.warn({ ...done }, "finished an interrupted encryption-at-rest migration");
}

async function startOnStore(
  ctx: AppContext,
  b: {
    readonly opts: GatewayStartOptions;
    readonly hub: GatewayHub;
    readonly secrets: SecretsStage;
    readonly exposure: GatewayExposure;
    readonly store: StoreStage;
    readonly lock: InstanceLock;
  },
): Promise<RunningGateway> {
  const { opts, hub, secrets, exposure, store, lock } = b;
  const roster = agentRoster(ctx.config, ctx.paths);
  const sessions = wireSessions(ctx, store.state, secrets);
  const sandbox = await wireSandbox(ctx, { roster, sessions });
  // The pipeline's two runtime cycles go through ports, bound as soon as the stage exists: tools start
  // runs and describe images through the agent (whose loop runs the tools), and send through the
  // channels (which start runs).
  const agentPort = new Port<AgentStage>("agent");
  const channelsPort = new Port<ChannelService>("channels");
  const tools = wireTools(ctx, {
    roster,
    sessions,
    sandbox,
    runs: { start: (input) => agentPort.get().runs.start(input) },
    describeImage: (req) => agentPort.get().describeImage(req),
    channels: {
      channels: () => channelsPort.get().outbound.channels(),
      send: (channel, accountId, chatId, text) => channelsPort.get().outbound.send(channel, accountId, chatId, text),
    },
    gateway: hub,
    leaks: secrets.leaks,
    ...(opts.extraTools ? { extraTools: opts.extraTools } : {}),
  });
  const agent = wireAgent(ctx, {
    roster,
    sessions,
    tools,
    gateway: hub,
    maskForModel: secrets.maskForModel,
    ledger: store.state.runs,
    ...(opts.probe ? { probe: opts.probe } : {}),
  });
  agentPort.bind(agent);
  const lifecycle = wireLifecycle(ctx, {
    roster,
    sessions,
    state: store.state,
    media: sandbox.jails.media,
    sandboxes: sandbox.manager,
    abortSession: (key) => agent.runs.abort({ sessionKey: key }),
    methods: hub.methods,
  });
  const commands = wireCommands({ roster, sessions, agent, tools, lifecycle, gateway: hub });
  const access = wireAccess(ctx);
  const router = wireRouting(ctx, roster);
  const channels = await wireChannels(ctx, {
    roster,
    sessions,
    access,
    router,
    agent,
    commands,
    tools,
    secrets,
    gateway: hub,
    state: store.state,
    ...(opts.whatsappConnector ? { whatsappConnector: opts.whatsappConnector } : {}),
  });
  channelsPort.bind(channels);
  wireHooks(ctx, { roster, agent, channels, exposure, gateway: hub }); // webhook ingress, when hooks.enabled
  const devices = wireDevices(ctx);
  const gateway = wireGateway(ctx, { hub, exposure, devices, roster, store });
  const nodes = wireNodes(ctx, { gateway: hub, approvals: tools.approvals });
  const discovery = wireDiscovery(ctx, { exposure, status: hub.status });
  wireControlUi(ctx, { access, hub, channels, roster }); // pairing, audit, logs and status of the Control UI
  // Start, in order.
  agentPort.seal();
  channelsPort.seal();
  await sandbox.start();
  await store.recover(sessions); // runs the previous process left open are marked interrupted
  lifecycle.start(); // retention sweep now, then every 10 minutes
  const pidInfo = {
    pid: process.pid,
    startedAt: new Date(ctx.clock.now()).toISOString(),
    ...(opts.argv ? { argv: opts.argv } : {}),
  };
  // All or nothing: a state dir that cannot take the PID file stops the start before anything listens.
  await writeJsonAtomic(ctx.paths.pidFile, { ...pidInfo, port: null });
  const { port } = await gateway.start().catch(async (err: unknown) => {
    throw await explainListenFailure(ctx, err);
  });
  await channels.start();
  await exposure.tailscale?.start(port, exposure.tls !== undefined).catch(async (err: unknown) => {
    await gateway.server.stop();
    throw err;
  });
  await discovery.start(port);
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
  await sayWhenNoModel(ctx, agent, roster.ids()[0] ?? "main");
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ctx.log.info("gateway stopping");
      gateway.server.stopAccepting();
      nodes.stop();
      await channels.stop();
      await discovery.stop();
      await exposure.tailscale?.stop();
      tools.stop();
      await lifecycle.stop();
      await agent.runs.shutdown(opts.shutdownGraceMs ?? 5_000);
      await channels.flush();
      await gateway.server.stop();
      await sandbox.stop();
      await sessions.close().catch((err: unknown) => ctx.log.error({ err }, "transcripts not fully flushed"));
      store.close();
      await fsp.rm(ctx.paths.pidFile, { force: true });
      await ctx.trail.flush();
      lock.release();
      ctx.log.info("gateway stopped");
      ctx.log.flush();
    })());
  return { ctx, port, hosts, agent, gateway, channels, exposure, discovery, stop };
}

/** On a start without any model, tells the operator's terminal how to set one up (replies say so too). */
async function sayWhenNoModel(ctx: AppContext, agent: AgentStage, agentId: string): Promise<void> {
  try {
    await agent.modelRefs(agentId);
  } catch (err) {
    if (!isHoldfastError(err, "HF_NO_MODEL")) return;
    ctx.log.warn({ agentId }, "no model configured");
    ctx.say(`No model is configured yet, so replies cannot be answered. Set one up with: ${cliHint("onboard")}`);
  }
}
