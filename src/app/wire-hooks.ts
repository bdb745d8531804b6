import type { AgentStage } from "../agent/index.js";
import type { ChannelService } from "../channels/index.js";
import type { AgentRoster } from "../config/index.js";
import type { GatewayExposure, GatewayHub } from "../gateway/index.js";
import { checkHooksSettings, createHooksStage, gmailSettings, hookSettings, type HooksStage } from "../hooks/index.js";
import type { AppContext } from "./context.js";

/** What the webhook stage is wired with. */
export interface HooksWiring {
  readonly roster: AgentRoster;
  readonly agent: Pick<AgentStage, "runs">;
  readonly channels: Pick<ChannelService, "outbound">;
  readonly exposure: Pick<GatewayExposure, "settings">;
  readonly gateway: Pick<GatewayHub, "routes">;
}

/**
 * Webhook ingress (`hooks.*`), only with `hooks.enabled`: its settings are checked again against the
 * gateway's effective credentials (the generated token included), then its routes join the public
 * (pre-auth) routes of the gateway port; runs go through the agent's run manager, replies out through
 * the channels' outbound port.
 * @throws HoldfastError HF_HOOKS_CONFIG (unusable settings, e.g. the hooks token equals the gateway token).
 */
export function wireHooks(ctx: AppContext, w: HooksWiring): HooksStage | undefined {
  const settings = hookSettings(ctx.config);
  if (!settings) return undefined;
  checkHooksSettings({
    config: ctx.config,
    secrets: ctx.secrets,
    gatewayCredentials: [w.exposure.settings.token, w.exposure.settings.password],
    agentIds: w.roster.ids(),
  });
  const gmail = gmailSettings(ctx.config.hooks?.gmail);
  const hooks = createHooksStage({
    settings,
    ...(typeof gmail === "object" ? { gmail } : {}),
    token: () => ctx.secrets.get("hooks.token"),
    runs: w.agent.runs,
    outbound: (channel, accountId, to, text) => w.channels.outbound.send(channel, accountId, to, text),
    agentIds: w.roster.ids(),
    log: ctx.log.child({ stage: "hooks" }),
    now: () => ctx.clock.now(),
    trail: ctx.trail,
  });
  w.gateway.routes.add((app, client) => hooks.mount(app, client));
  return hooks;
}
