import type { AccessStage } from "../access/index.js";
import { modelRows, type AgentStage } from "../agent/index.js";
import {
  channelDegradations,
  channelHealth,
  channelMethods,
  webLoginMethods,
  channelSummary,
  createChannelService,
  type ChannelService,
  type WhatsAppConnector,
} from "../channels/index.js";
import { createWebChat } from "../channels/webchat/index.js";
import { commandRows, type ChatCommandRegistry } from "../commands/index.js";
import type { AgentRoster } from "../config/index.js";
import type { GatewayPorts, HealthRegistry, PublicRoutes, StatusRegistry } from "../gateway/index.js";
import type { Router } from "../routing/index.js";
import type { SecretsStage } from "../secrets/index.js";
import type { SessionStore } from "../sessions/index.js";
import type { ToolStage } from "../tools/index.js";
import type { StateStore } from "../store/index.js";
import type { AppContext } from "./context.js";

/** What the channel stage is wired with besides the context. */
export interface ChannelWiring {
  readonly roster: AgentRoster;
  readonly sessions: SessionStore;
  readonly access: AccessStage;
  readonly router: Router;
  readonly agent: Pick<AgentStage, "runs" | "catalog" | "modelRefsOrNone" | "modelDefaults">;
  readonly commands: ChatCommandRegistry;
  readonly tools: Pick<ToolStage, "saveMedia">;
  readonly secrets: Pick<SecretsStage, "guardOutbound" | "guardRunEvent">;
  /**
   * WebChat's methods and events, the `channels.*` methods, the channels' webhook routes (served before
   * gateway auth), and the accounts' state as status and health facts and a health check.
   */
  readonly gateway: GatewayPorts & {
    readonly routes: Pick<PublicRoutes, "add">;
    readonly status: Pick<StatusRegistry, "add">;
    readonly healthFacts: Pick<StatusRegistry, "add">;
    readonly health: Pick<HealthRegistry, "add">;
  };
  /** Each account's durable inbound queue and outbox, and the run ledger. */
  readonly state: StateStore;
  /** How WhatsApp sockets are made (Baileys when absent; a fake of WhatsApp in a test process). */
  readonly whatsappConnector?: WhatsAppConnector;
}

/**
 * The channel stage: the configured accounts (Telegram, Slack, Discord) over access control and
 * routing into the agent's runs, their webhook routes, `channels.status` / `channels.logout`, WhatsApp
 * linking (`web.login.start` / `web.login.wait`), the
 * `channels` status fact and health check, and WebChat on the gateway socket. Receiving starts with `start()` after
 * the gateway listens (webhooks need the HTTP server).
 * @throws HoldfastError HF_CHANNEL_CONFIG for unusable channel settings.
 */
export async function wireChannels(ctx: AppContext, w: ChannelWiring): Promise<ChannelService> {
  const channels = await createChannelService({
    config: ctx.config,
    secrets: ctx.secrets,
    env: ctx.env,
    stateDir: ctx.paths.stateDir,
    log: ctx.log.child({ stage: "channels" }),
    clock: ctx.clock,
    trail: ctx.trail,
    access: w.access,
    router: w.router,
    runs: w.agent.runs,
    state: w.state,
    commands: w.commands,
    agent: (agentId) => w.roster.entry(agentId),
    saveMedia: (target, bytes, ext) => w.tools.saveMedia(target, bytes, ext),
    guardOutbound: w.secrets.guardOutbound,
    ...(w.whatsappConnector ? { whatsappConnector: w.whatsappConnector } : {}),
  });
  w.gateway.routes.add((app) => channels.publicRoutes(app));
  w.gateway.methods.register(...channelMethods(channels.manager), ...webLoginMethods(channels.webLogin));
  w.gateway.status.add("channels", () => channels.status());
  w.gateway.status.add("channelSummary", () => channelSummary(channels.status()));
  w.gateway.health.add("channels", () => channelDegradations(channels.status()));
  w.gateway.healthFacts.add("channels", () => channelHealth(channels.status()).channels);
  w.gateway.healthFacts.add("channelOrder", () => channelHealth(channels.status()).channelOrder);
  w.gateway.healthFacts.add("channelLabels", () => channelHealth(channels.status()).channelLabels);
  createWebChat({
    gateway: w.gateway,
    runs: w.agent.runs,
    sessions: w.sessions,
    agentIds: () => w.roster.ids(),
    commands: w.commands,
    metadata: {
      models: () =>
        modelRows({
          config: ctx.config,
          roster: w.roster,
          catalog: w.agent.catalog,
          modelRefs: w.agent.modelRefsOrNone,
        }),
      commands: () => commandRows(w.commands),
      defaults: (agentId) => w.agent.modelDefaults(agentId),
    },
    guardRunEvent: w.secrets.guardRunEvent,
    now: () => ctx.clock.now(),
  });
  return channels;
}
