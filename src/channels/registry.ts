import type { HoldfastConfig } from "../config/index.js";
import { resolveTelegramAccounts } from "./telegram/settings.js";

/** What checking a channel's settings reads: the config, its resolved secrets and the environment. */
export interface ChannelSettingsSource {
  readonly config: HoldfastConfig;
  readonly secrets: { get(path: string): string | undefined };
  readonly env: NodeJS.ProcessEnv;
}

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
  readonly id: string;
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
 * The channels holdfast runs, in the order they are offered: the one source of truth for the CLI
 * (`channels logout --channel`, onboarding) and the start preconditions. A new channel adds an entry.
 * WebChat is built in (no credentials) and not listed.
 */
export const CHANNELS: readonly ChannelInfo[] = [
  {
    id: "telegram",
    label: "Telegram",
    credentials: [{ key: "botToken", env: "TELEGRAM_BOT_TOKEN", prompt: "Telegram bot token (from @BotFather)" }],
    setupHint: "Create a bot with @BotFather in Telegram (/newbot) and copy its token.",
    check: async (src) => (await resolveTelegramAccounts(src)).length,
  },
];

/** The ids of {@link CHANNELS}. */
export const CHANNEL_IDS: readonly string[] = CHANNELS.map((c) => c.id);

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
