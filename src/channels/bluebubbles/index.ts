import { HoldfastError } from "../../errors/index.js";
import { chunkText } from "../chunk.js";
import type { ChannelPlugin } from "../plugin-types.js";
import { BlueBubblesAdapter } from "./adapter.js";
import { BlueBubblesRest } from "./rest.js";
import { resolveBlueBubblesAccounts } from "./settings.js";
import { resolveBlueBubblesTarget } from "./target.js";

export { BlueBubblesAdapter, type BlueBubblesAdapterOptions } from "./adapter.js";
export { normalizeBlueBubblesEvent, normalizeHandle, type BlueBubblesEvent } from "./normalize.js";
export {
  resolveBlueBubblesAccounts,
  webhookPathFile,
  isStrongSecret,
  type BlueBubblesAccountSettings,
  BLUEBUBBLES_WEBHOOK_BASE,
} from "./settings.js";
export { webhookPathMatches, mountBlueBubblesWebhook } from "./webhook-route.js";
export { resolveBlueBubblesTarget } from "./target.js";

/** iMessage through a BlueBubbles server, loaded by the channel stage when `channels.bluebubbles` is configured. */
export const blueBubblesPlugin: ChannelPlugin = {
  async createAdapters(src, deps) {
    return (await resolveBlueBubblesAccounts(src)).map((settings) => ({
      settings: settings.access,
      adapter: new BlueBubblesAdapter(settings, {
        ...deps,
        log: deps.log.child({ channel: "bluebubbles", accountId: settings.accountId }),
      }),
    }));
  },
  async sendNotice(src, { accountId, userId, text }, clock) {
    const account = (await resolveBlueBubblesAccounts(src, { persist: false })).find((a) => a.accountId === accountId);
    if (!account)
      throw new HoldfastError(
        "HF_CHANNEL_UNKNOWN",
        `no BlueBubbles account "${accountId}" is configured (channels.bluebubbles)`,
      );
    const rest = new BlueBubblesRest(account.serverUrl, account.password, clock);
    const chat = resolveBlueBubblesTarget(userId).chatId;
    for (const chunk of chunkText(text, account.textLimit)) await rest.sendText(chat, chunk);
  },
};
