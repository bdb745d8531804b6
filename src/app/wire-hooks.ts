import type { AgentStage } from "../agent/index.js";
import type { ChannelService } from "../channels/index.js";
import type { AgentRoster } from "../config/index.js";
import type { GatewayExposure, GatewayHub } from "../gateway/index.js";
import path from "node:path";
import {
  checkHooksSettings,
  createHooksStage,
  gmailSettings,
  GmailTokenSource,
  hookSettings,
  HttpGmailApi,
  type HooksGmailDeps,
  type HooksStage,
} from "../hooks/index.js";
import type { AppContext } from "./context.js";

/** What the webhook stage is wired with. */
export interface HooksWiring {
  readonly roster: AgentRoster;
  readonly agent: Pick<AgentStage, "runs">;
  readonly channels: Pick<ChannelService, "replyLater">;
  readonly exposure: Pick<GatewayExposure, "settings">;
  readonly gateway: Pick<GatewayHub, "routes">;
}

/**
 * Webhook ingress (`hooks.*`), only with `hooks.enabled`: its settings are checked again against the
 * gateway's effective credentials (the generated token included), then its routes join the public
 * (pre-auth) routes of the gateway port; runs go through the agent's run manager, replies out through
 * the channels' durable outbox. With `hooks.gmail`, new mail is fetched from the Gmail API with the
 * configured OAuth credentials and its history cursor kept in `<stateDir>/hooks/gmail-history.json`.
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
  const gmail = gmailDeps(ctx);
  const hooks = createHooksStage({
    settings,
    ...(gmail ? { gmail } : {}),
    token: () => ctx.secrets.get("hooks.token"),
    runs: w.agent.runs,
    outbound: (channel, accountId, to) => w.channels.replyLater(channel, accountId ?? "default", to),
    agentIds: w.roster.ids(),
    log: ctx.log.child({ stage: "hooks" }),
    now: () => ctx.clock.now(),
    trail: ctx.trail,
  });
  w.gateway.routes.add((app, client) => hooks.mount(app, client));
  return hooks;
}

function gmailDeps(ctx: AppContext): HooksGmailDeps | undefined {
  const settings = gmailSettings(ctx.config.hooks?.gmail);
  if (typeof settings !== "object") return undefined;
  const tokens = new GmailTokenSource(
    settings.credentials,
    (p) => ctx.secrets.get(p),
    () => ctx.clock.now(),
  );
  return {
    settings,
    api: new HttpGmailApi(settings.apiBaseUrl, tokens),
    cursorFile: path.join(ctx.paths.stateDir, "hooks", "gmail-history.json"),
  };
}
