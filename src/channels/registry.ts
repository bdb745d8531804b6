import { resolveDiscordAccounts } from "./discord/settings.js";
import type { ChannelSettingsSource } from "./plugin-types.js";
import type { RunnableChannel } from "./plugins.js";
import { resolveSlackAccounts } from "./slack/settings.js";
import { resolveTelegramAccounts } from "./telegram/settings.js";

/** A credential a channel account needs, as the onboarding asks for it. */
export interface ChannelCredential {
  /** Key in the channel block (`botToken`). */
  readonly key: string;
  /** The environment variable the onboarding suggests for an env reference (`TELEGRAM_BOT_TOKEN`). */
  readonly env: string;
  /** What to ask the user for. */
  readonly prompt: string;
}

/** A channel holdfast runs (has an adapter for). */
export interface ChannelInfo {
  readonly id: RunnableChannel;
  readonly label: string;
  /** Credentials of one account, asked for by `holdfast onboard`. */
  readonly credentials: readonly ChannelCredential[];
  /** Where to get them (shown by the onboarding). */
  readonly setupHint: string;
  /**
   * Checks every configured account's settings the way the channel stage does when it is built;
   * returns how many accounts would run. A gateway start precondition.
   * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path.
   */
  check(src: ChannelSettingsSource): Promise<number>;
}

/**
 * The channels onboarding offers and the start preconditions check, in the order they are offered
 * (which channels run at all is `RUNNABLE_CHANNELS`). WebChat is built in (no credentials) and not
 * listed; WhatsApp, Signal and BlueBubbles are not listed yet.
 */
export const CHANNELS: readonly ChannelInfo[] = [
  {
    id: "telegram",
    label: "Telegram",
    credentials: [{ key: "botToken", env: "TELEGRAM_BOT_TOKEN", prompt: "Telegram bot token (from @BotFather)" }],
    setupHint: "Create a bot with @BotFather in Telegram (/newbot) and copy its token.",
    check: async (src) => (await resolveTelegramAccounts(src)).length,
  },
  {
    id: "slack",
    label: "Slack",
    credentials: [
      { key: "botToken", env: "SLACK_BOT_TOKEN", prompt: "Slack bot token (xoxb-…)" },
      { key: "appToken", env: "SLACK_APP_TOKEN", prompt: "Slack app-level token for Socket Mode (xapp-…)" },
    ],
    setupHint:
      "Create a Slack app (api.slack.com/apps), enable Socket Mode, add the bot scopes from docs/channels.md, install it to the workspace and copy the bot token (xoxb-) and an app-level token with connections:write (xapp-).",
    check: async (src) => resolveSlackAccounts(src).length,
  },
  {
    id: "discord",
    label: "Discord",
    credentials: [{ key: "token", env: "DISCORD_BOT_TOKEN", prompt: "Discord bot token" }],
    setupHint:
      "Create an application in the Discord developer portal, add a bot, turn on the Message Content intent and copy the bot token.",
    check: async (src) => resolveDiscordAccounts(src).length,
  },
];

/** The channel with this id, or undefined. */
export function channelInfo(id: string): ChannelInfo | undefined {
  return CHANNELS.find((c) => c.id === id);
}

/**
 * Checks every channel's settings (a gateway start precondition): the accounts that would run, per
 * channel. @throws HoldfastError HF_CHANNEL_CONFIG for the first unusable account.
 */
export async function checkChannelSettings(src: ChannelSettingsSource): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of CHANNELS) out[c.id] = await c.check(src);
  return out;
}
