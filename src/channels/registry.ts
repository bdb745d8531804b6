import { resolvePaths } from "../config/index.js";
import { resolveBlueBubblesAccounts } from "./bluebubbles/settings.js";
import { resolveDiscordAccounts } from "./discord/settings.js";
import type { ChannelSettingsSource } from "./plugin-types.js";
import { channelConfigured, type RunnableChannel } from "./plugins.js";
import { checkServiceUrl } from "./service-url.js";
import { isE164, resolveSignalAccounts, SIGNAL_HTTP_URL } from "./signal/settings.js";
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
  /** The flag of `holdfast onboard --non-interactive` that names the variable holding it (`--telegram-token-env`). */
  readonly flag: string;
}

/** A setting of a channel account that is not a secret (a number, a URL), written into the config as given. */
export interface ChannelSetting {
  readonly key: string;
  readonly prompt: string;
  /** The flag of `holdfast onboard --non-interactive` that gives it (`--signal-account`). */
  readonly flag: string;
  /** What the onboarding shows as an example, and uses when the answer is left empty (optional settings). */
  readonly placeholder: string;
  /** May be left out (the channel's default applies). */
  readonly optional?: boolean;
  /** Why `value` is not usable, or undefined when it is. */
  problem(value: string): string | undefined;
}

/** A channel holdfast runs (has an adapter for). */
export interface ChannelInfo {
  readonly id: RunnableChannel;
  readonly label: string;
  /** Credentials of one account, asked for by `holdfast onboard`. */
  readonly credentials: readonly ChannelCredential[];
  /** Other settings of one account the onboarding asks for. */
  readonly settings: readonly ChannelSetting[];
  /** The flag that sets the channel up when it takes no value (WhatsApp: `--whatsapp`). */
  readonly enableFlag?: string;
  /** Where to get the credentials (shown by the onboarding). */
  readonly setupHint: string;
  /** What is left to do after the onboarding wrote the config: a step and the holdfast command for it (its arguments). */
  readonly afterSetup?: { readonly step: string; readonly command: string };
  /**
   * Checks every configured account's settings the way the channel stage does when it is built;
   * returns how many accounts would run. A gateway start precondition: it writes nothing.
   * @throws HoldfastError HF_CHANNEL_CONFIG naming the key path.
   */
  check(src: ChannelSettingsSource): Promise<number>;
}

const E164_PROBLEM = (v: string) => (isE164(v.trim()) ? undefined : 'a phone number in E.164 form ("+15551234567")');

/** Why a service base URL is refused (the channel stage's own check), or undefined. */
function urlProblem(v: string): string | undefined {
  try {
    checkServiceUrl(v, "url");
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^url: /, "");
  }
}

/**
 * The channels onboarding offers and the start preconditions check, in the order they are offered
 * (which channels run at all is `RUNNABLE_CHANNELS`). WebChat is built in (no credentials) and not listed.
 */
export const CHANNELS: readonly ChannelInfo[] = [
  {
    id: "telegram",
    label: "Telegram",
    credentials: [
      {
        key: "botToken",
        env: "TELEGRAM_BOT_TOKEN",
        prompt: "Telegram bot token (from @BotFather)",
        flag: "--telegram-token-env",
      },
    ],
    settings: [],
    setupHint: "Create a bot with @BotFather in Telegram (/newbot) and copy its token.",
    check: async (src) => (await resolveTelegramAccounts(src)).length,
  },
  {
    id: "slack",
    label: "Slack",
    credentials: [
      {
        key: "botToken",
        env: "SLACK_BOT_TOKEN",
        prompt: "Slack bot token (xoxb-…)",
        flag: "--slack-bot-token-env",
      },
      {
        key: "appToken",
        env: "SLACK_APP_TOKEN",
        prompt: "Slack app-level token for Socket Mode (xapp-…)",
        flag: "--slack-app-token-env",
      },
    ],
    settings: [],
    setupHint:
      "Create a Slack app (api.slack.com/apps), enable Socket Mode, add the bot scopes from docs/channels.md, install it to the workspace and copy the bot token (xoxb-) and an app-level token with connections:write (xapp-).",
    check: async (src) => resolveSlackAccounts(src).length,
  },
  {
    id: "discord",
    label: "Discord",
    credentials: [{ key: "token", env: "DISCORD_BOT_TOKEN", prompt: "Discord bot token", flag: "--discord-token-env" }],
    settings: [],
    setupHint:
      "Create an application in the Discord developer portal, add a bot, turn on the Message Content intent and copy the bot token.",
    check: async (src) => resolveDiscordAccounts(src).length,
  },
  {
    id: "signal",
    label: "Signal",
    credentials: [],
    settings: [
      {
        key: "account",
        prompt: "The Signal number signal-cli is registered or linked with (E.164)",
        flag: "--signal-account",
        placeholder: "+15551234567",
        problem: E164_PROBLEM,
      },
      {
        key: "httpUrl",
        prompt: "URL of signal-cli daemon --http",
        flag: "--signal-http-url",
        placeholder: SIGNAL_HTTP_URL,
        optional: true,
        problem: urlProblem,
      },
    ],
    setupHint:
      "holdfast talks to a running signal-cli daemon (not bundled; it needs Java 21): register a number with signal-cli -a <number> register (or link it to your phone with signal-cli link -n holdfast), then run signal-cli -a <number> daemon --http 127.0.0.1:8080.",
    afterSetup: { step: "check that the signal-cli daemon answers", command: "doctor" },
    check: async (src) => resolveSignalAccounts(src).length,
  },
  {
    id: "bluebubbles",
    label: "iMessage (BlueBubbles)",
    credentials: [
      {
        key: "password",
        env: "BLUEBUBBLES_PASSWORD",
        prompt: "BlueBubbles server password",
        flag: "--bluebubbles-password-env",
      },
    ],
    settings: [
      {
        key: "serverUrl",
        prompt: "BlueBubbles server URL (https:// unless on this machine)",
        flag: "--bluebubbles-server-url",
        placeholder: "http://127.0.0.1:1234",
        problem: urlProblem,
      },
    ],
    setupHint:
      "Install the BlueBubbles server on a Mac signed in to iMessage, set a server password and note its URL. On its first start the gateway generates a secret webhook path (in credentials/bluebubbles/<account>/webhook-path); add it as a webhook in the BlueBubbles server (docs/channels.md).",
    check: async (src) => (await resolveBlueBubblesAccounts(src, { persist: false })).length,
  },
  {
    id: "whatsapp",
    label: "WhatsApp",
    credentials: [],
    settings: [],
    enableFlag: "--whatsapp",
    setupHint:
      "WhatsApp needs no token: holdfast links as a device of your WhatsApp account (best a number of its own), with a QR code you scan in WhatsApp → Linked devices once the config is written.",
    afterSetup: { step: "link the device (scan the QR code)", command: "channels login --channel whatsapp" },
    check: async (src) => {
      // Baileys is loaded only when WhatsApp is configured.
      if (!channelConfigured(src.config, "whatsapp")) return 0;
      const { resolveWhatsAppAccounts } = await import("./whatsapp/settings.js");
      return resolveWhatsAppAccounts(src, src.stateDir ?? resolvePaths(src.env).stateDir).length;
    },
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
