import { HoldfastError } from "../../errors/index.js";
import { silentLogger } from "../../logging/index.js";
import type { ChannelPlugin } from "../plugin-types.js";
import { SlackAdapter } from "./adapter.js";
import { resolveSlackAccounts } from "./settings.js";
import { createSlackClient, sendSlackText, slackClientOptions, slackLibraryLogger } from "./web-api.js";

export { SlackAdapter } from "./adapter.js";
export { normalizeSlackEvent, type SlackMessageEvent } from "./normalize.js";
export { slackSignature, SLACK_MAX_SKEW_SEC } from "./events-route.js";
export { resolveSlackAccounts, type SlackAccountSettings, SLACK_TEXT_MAX, SLACK_CHUNK_DEFAULT } from "./settings.js";

/** The Slack channel (`@slack/bolt`), loaded by the channel stage when `channels.slack` is configured. */
export const slackPlugin: ChannelPlugin = {
  async createAdapters(src, deps) {
    return resolveSlackAccounts(src).map((settings) => ({
      settings: settings.access,
      adapter: new SlackAdapter(settings, {
        ...deps,
        log: deps.log.child({ channel: "slack", accountId: settings.accountId }),
      }),
    }));
  },
  async sendNotice(src, { accountId, userId, text }, clock) {
    const account = resolveSlackAccounts(src).find((a) => a.accountId === accountId);
    if (!account)
      throw new HoldfastError("HF_CHANNEL_UNKNOWN", `no Slack account "${accountId}" is configured (channels.slack)`);
    const lib = slackLibraryLogger(silentLogger());
    const client = createSlackClient(account.botToken, slackClientOptions(account.apiUrl, lib));
    await sendSlackText(client, { chatId: userId, text }, { limit: account.textLimit, clock });
  },
};
