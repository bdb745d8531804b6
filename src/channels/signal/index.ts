import { HoldfastError } from "../../errors/index.js";
import { chunkText } from "../chunk.js";
import type { ChannelPlugin } from "../plugin-types.js";
import { SignalAdapter } from "./adapter.js";
import { SignalRpc } from "./rpc.js";
import { sendSignalText } from "./send.js";
import { resolveSignalAccounts } from "./settings.js";

export { SignalAdapter } from "./adapter.js";
export { normalizeSignalEnvelope, signalSenderId, type SignalEnvelope } from "./normalize.js";
export {
  resolveSignalAccounts,
  type SignalAccountSettings,
  SIGNAL_HTTP_URL,
  SIGNAL_CHUNK_DEFAULT,
} from "./settings.js";
export { resolveSignalTarget } from "./send.js";
export { probeSignalDaemon, type SignalProbe } from "./probe.js";

/** Signal through signal-cli's HTTP daemon, loaded by the channel stage when `channels.signal` is configured. */
export const signalPlugin: ChannelPlugin = {
  async createAdapters(src, deps) {
    return resolveSignalAccounts(src).map((settings) => ({
      settings: settings.access,
      adapter: new SignalAdapter(settings, {
        ...deps,
        log: deps.log.child({ channel: "signal", accountId: settings.accountId }),
      }),
    }));
  },
  async sendNotice(src, { accountId, userId, text }, clock) {
    const account = resolveSignalAccounts(src).find((a) => a.accountId === accountId);
    if (!account)
      throw new HoldfastError("HF_CHANNEL_UNKNOWN", `no Signal account "${accountId}" is configured (channels.signal)`);
    const rpc = new SignalRpc(account.httpUrl, account.account, clock);
    await sendSignalText(rpc, { chatId: userId, chunks: chunkText(text, account.textLimit) });
  },
};
