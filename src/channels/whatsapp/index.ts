import { HoldfastError } from "../../errors/index.js";
import type { ChannelPlugin } from "../plugin-types.js";
import { WhatsAppAdapter } from "./adapter.js";
import { resolveWhatsAppAccounts } from "./settings.js";
import { baileysConnector } from "./socket.js";

export { WhatsAppAdapter, type WhatsAppAdapterDeps } from "./adapter.js";
export { openWhatsAppAuth, whatsappAuthDir, isLinked, CREDS_FILE } from "./auth-store.js";
export { linkWhatsApp, unlinkWhatsApp, type UnlinkOutcome } from "./login.js";
export { normalizeWhatsAppMessage, jidToE164, e164ToJid, type WhatsAppSelf } from "./normalize.js";
export { resolveWhatsAppAccounts, type WhatsAppAccountSettings, WHATSAPP_TEXT_LIMIT } from "./settings.js";
export { baileysConnector, type WhatsAppConnector, type WhatsAppSocket } from "./socket.js";

const NOTICE_REFUSAL =
  "--notify is not supported for WhatsApp: the notice would need a second connection with the linked device's credentials, which takes over the running gateway's session (WhatsApp allows one); approve without --notify and tell the sender yourself, or let them simply write again";

/** The WhatsApp channel (Baileys 7), loaded by the channel stage when `channels.whatsapp` is configured. */
export const whatsappPlugin: ChannelPlugin = {
  async createAdapters(src, deps) {
    if (src.stateDir === undefined)
      throw new HoldfastError("HF_INTERNAL", "the WhatsApp channel needs the state directory");
    return resolveWhatsAppAccounts(src, src.stateDir).map((settings) => ({
      settings: settings.access,
      adapter: new WhatsAppAdapter(settings, {
        ...deps,
        log: deps.log.child({ channel: "whatsapp", accountId: settings.accountId }),
        connector: src.whatsappConnector ?? baileysConnector,
      }),
    }));
  },
  noticeRefusal: NOTICE_REFUSAL,
  async sendNotice() {
    throw new HoldfastError("HF_CHANNEL_UNKNOWN", NOTICE_REFUSAL);
  },
};
