import path from "node:path";
import type { Logger } from "../logging/index.js";
import type { ChannelManager } from "./manager.js";
import type { WebLoginStart, WebLoginWait, WhatsAppWebLogin } from "./whatsapp/web-login.js";
import type { WhatsAppConnector } from "./whatsapp/socket.js";

export type { WebLoginStart, WebLoginWait } from "./whatsapp/web-login.js";

/** What the `web.login.*` methods call: WhatsApp linking in the running gateway. */
export interface WebLogin {
  start(accountId: string, opts: { force: boolean; qrTimeoutMs?: number }): Promise<WebLoginStart>;
  wait(accountId: string, timeoutMs?: number): Promise<WebLoginWait>;
  /** Cancels running linkings (gateway shutdown). */
  stop(): Promise<void>;
}

const RESUME_NOTES = {
  resumed: "the account is starting and receives messages once connected",
  not_configured: "add it to channels.whatsapp in the config and restart the gateway to start receiving",
  logged_out: "it was logged out in this gateway: restart the gateway to start receiving",
  not_started: "it starts receiving with the gateway's channels",
} as const;

/**
 * WhatsApp linking for the gateway, loaded on the first `web.login.*` call (Baileys is imported only
 * then): links on `connector` (the gateway's socket factory; Baileys when absent) into
 * `<stateDir>/credentials/whatsapp/<accountId>/`, then hot-starts the account's adapter.
 */
export function lazyWebLogin(o: {
  readonly stateDir: string;
  readonly connector?: WhatsAppConnector;
  readonly log: Logger;
  readonly manager: Pick<ChannelManager, "resume">;
}): WebLogin {
  let loaded: Promise<WhatsAppWebLogin> | undefined;
  const get = () =>
    (loaded ??= (async () => {
      const { WhatsAppWebLogin } = await import("./whatsapp/web-login.js");
      const connector = o.connector ?? (await import("./whatsapp/socket.js")).baileysConnector;
      return new WhatsAppWebLogin({
        credentialsDir: path.join(o.stateDir, "credentials"),
        connector,
        log: o.log,
        onLinked: async (accountId) => RESUME_NOTES[await o.manager.resume("whatsapp", accountId)],
      });
    })());
  return {
    start: async (accountId, opts) => (await get()).start(accountId, opts),
    wait: async (accountId, timeoutMs) => (await get()).wait(accountId, timeoutMs),
    stop: async () => {
      if (loaded) await (await loaded).stop();
    },
  };
}
