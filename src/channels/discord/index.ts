import { HoldfastError } from "../../errors/index.js";
import type { ChannelPlugin } from "../plugin-types.js";
import { DiscordAdapter } from "./adapter.js";
import { createDiscordRest, DiscordRest } from "./rest.js";
import { resolveDiscordAccounts } from "./settings.js";

export { DiscordAdapter } from "./adapter.js";
export { normalizeDiscordMessage, type DiscordMessageFacts } from "./normalize.js";
export { resolveDiscordAccounts, type DiscordAccountSettings, DISCORD_TEXT_LIMIT } from "./settings.js";

/** The Discord channel (discord.js), loaded by the channel stage when `channels.discord` is configured. */
export const discordPlugin: ChannelPlugin = {
  async createAdapters(src, deps) {
    return resolveDiscordAccounts(src).map((settings) => ({
      settings: settings.access,
      adapter: new DiscordAdapter(settings, {
        ...deps,
        log: deps.log.child({ channel: "discord", accountId: settings.accountId }),
      }),
    }));
  },
  async sendNotice(src, { accountId, userId, text }, clock) {
    const account = resolveDiscordAccounts(src).find((a) => a.accountId === accountId);
    if (!account)
      throw new HoldfastError(
        "HF_CHANNEL_UNKNOWN",
        `no Discord account "${accountId}" is configured (channels.discord)`,
      );
    const rest = new DiscordRest(createDiscordRest(account.token, account.apiRoot), clock);
    await rest.send({ chatId: `user:${userId}`, text }, account.textLimit);
  },
};
