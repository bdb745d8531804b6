import { createChannelService, type ChannelService } from "../channels/index.js";
import { guardOutboundText } from "../secrets/index.js";
import type { ChannelOutbound } from "../tools/index.js";
import type { ChatCommandRegistry } from "../commands/index.js";
import type { AgentStage } from "./agent-wiring.js";
import type { AppContext } from "./context.js";
import type { StateStore } from "../store/index.js";

/** The channel stage as wired: accounts built, not receiving until `start()`. */
export type ChannelsStage = ChannelService;

/**
 * Builds the channel stage: the configured channel accounts (Telegram), access control with the
 * pairing stores in `<stateDir>/credentials/`, routing, and the inbound pipeline into the agent's run
 * manager. Receiving starts with `start()` after the gateway listens (webhooks need the HTTP server).
 * @throws HoldfastError HF_CHANNEL_CONFIG for unusable channel settings.
 */
export function wireChannels(
  ctx: AppContext,
  agent: AgentStage,
  commands: ChatCommandRegistry,
  state: StateStore,
): Promise<ChannelsStage> {
  return createChannelService({
    config: ctx.config,
    secrets: ctx.secrets,
    env: ctx.env,
    stateDir: ctx.paths.stateDir,
    credentialsDir: ctx.paths.credentialsDir,
    log: ctx.log.child({ stage: "channels" }),
    clock: ctx.clock,
    runs: agent.runs,
    state,
    commands,
    agentIds: agent.agentIds,
    agent: agent.agent,
    workspaceOf: (agentId, sessionKey) => agent.toolStage.workspaceFor({ agentId, sessionKey }),
    guardOutbound: (text) => {
      const verdict = guardOutboundText(text, ctx.secrets);
      if (verdict.blocked)
        ctx.log.warn(
          { stage: "channels", reason: "outbound_secret_blocked" },
          "a reply containing a configured secret was withheld",
        );
      return verdict.text;
    },
  });
}

/**
 * The channel stage as the `message` tool sees it: channels with a running account, and sending
 * through one (the default account when none is named). Texts pass the outbound leak scan inside
 * the channel stage.
 */
export function channelOutbound(channels: ChannelsStage): ChannelOutbound {
  return {
    channels: () => [...new Set(channels.status().map((s) => s.channel))],
    send: async (channel, accountId, chatId, text) => {
      const ids = await channels.send(channel, accountId ?? "default", chatId, text);
      return ids[0] !== undefined ? { messageId: ids[0] } : {};
    },
  };
}
