import type { HoldfastConfig } from "../config/index.js";
import type { ChannelPlugin } from "./plugin-types.js";

/** A channel holdfast runs, and how to load its implementation. */
interface ChannelModule {
  readonly id: RunnableChannel;
  readonly load: () => Promise<ChannelPlugin>;
}

/** The messaging channels holdfast runs (WebChat aside). */
export const RUNNABLE_CHANNELS = ["telegram", "slack", "discord", "signal", "bluebubbles", "whatsapp"] as const;
export type RunnableChannel = (typeof RUNNABLE_CHANNELS)[number];

/**
 * Each channel's implementation behind a dynamic import: grammY, Bolt and discord.js are loaded only
 * when their channel is configured (start-up latency; `dist/` keeps each in its own chunk).
 */
const MODULES: readonly ChannelModule[] = [
  { id: "telegram", load: async () => (await import("./telegram/index.js")).telegramPlugin },
  { id: "slack", load: async () => (await import("./slack/index.js")).slackPlugin },
  { id: "discord", load: async () => (await import("./discord/index.js")).discordPlugin },
  { id: "signal", load: async () => (await import("./signal/index.js")).signalPlugin },
  { id: "bluebubbles", load: async () => (await import("./bluebubbles/index.js")).blueBubblesPlugin },
  // WhatsApp (Baileys 7)
  { id: "whatsapp", load: async () => (await import("./whatsapp/index.js")).whatsappPlugin },
];

/** True when `channels.<id>` is present and not `enabled: false` (no module is loaded to tell). */
export function channelConfigured(config: HoldfastConfig, id: RunnableChannel): boolean {
  const block = config.channels?.[id];
  return block !== undefined && block.enabled !== false;
}

/** The runnable channels `config` configures, with their loaders. */
export function configuredChannels(config: HoldfastConfig): readonly ChannelModule[] {
  return MODULES.filter((m) => channelConfigured(config, m.id));
}

/** The implementation of a runnable channel, or undefined for one holdfast does not run. */
export async function loadChannel(id: string): Promise<ChannelPlugin | undefined> {
  return MODULES.find((m) => m.id === id)?.load();
}
