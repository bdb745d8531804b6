import type { Transform } from "node:stream";
import {
  Browsers,
  downloadMediaMessage,
  makeCacheableSignalKeyStore,
  makeWASocket,
  type AuthenticationState,
  type BaileysEventEmitter,
  type WAMessage,
  type WASocket,
} from "baileys";
import { HoldfastError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import { refuseOversized } from "../download.js";

/**
 * The part of a Baileys socket (`makeWASocket`) holdfast uses, with Baileys' own types: its events
 * (`connection.update`, `creds.update`, `messages.upsert`), the linked account (`user`), sending,
 * chat states ("typing…", `sendPresenceUpdate`), read receipts, unlinking (`logout`) and closing (`end`). A test drives the adapter with a fake that
 * implements exactly this and emits Baileys' event shapes.
 */
export interface WhatsAppSocket {
  readonly ev: Pick<BaileysEventEmitter, "on" | "off">;
  readonly user: WASocket["user"];
  sendMessage: WASocket["sendMessage"];
  sendPresenceUpdate: WASocket["sendPresenceUpdate"];
  readMessages: WASocket["readMessages"];
  logout: WASocket["logout"];
  end: WASocket["end"];
}

/** How the adapter and `channels login` reach WhatsApp: a socket for an auth state, and media downloads. */
export interface WhatsAppConnector {
  /** Opens a socket for `auth` (connecting runs in the background; events say how it goes). */
  connect(opts: { readonly auth: AuthenticationState; readonly log: Logger }): WhatsAppSocket;
  /**
   * Downloads and decrypts the media of `message`, refusing more than `maxBytes` while streaming.
   * @throws HoldfastError HF_CHANNEL_MEDIA (`details.tooLarge` when over the limit).
   */
  downloadMedia(message: WAMessage, maxBytes: number): Promise<Uint8Array>;
}

/**
 * A Baileys logger that forwards only warnings and errors, as short texts: Baileys' debug and trace
 * objects carry message content and key material, which never reach holdfast's log.
 */
function baileysLogger(log: Logger): Parameters<typeof makeWASocket>[0]["logger"] {
  const text = (obj: unknown, msg?: string) =>
    msg ?? (obj instanceof Error ? obj.message : typeof obj === "string" ? obj : "baileys event");
  const l = {
    level: "warn",
    child: () => l,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj: unknown, msg?: string) => log.warn({ source: "baileys" }, text(obj, msg).slice(0, 200)),
    error: (obj: unknown, msg?: string) => log.warn({ source: "baileys" }, text(obj, msg).slice(0, 200)),
  };
  return l as unknown as Parameters<typeof makeWASocket>[0]["logger"];
}

/** The real connector: Baileys' `makeWASocket` against WhatsApp's servers. */
export const baileysConnector: WhatsAppConnector = {
  connect({ auth, log }) {
    const logger = baileysLogger(log);
    return makeWASocket({
      auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, logger) },
      logger,
      browser: Browsers.ubuntu("holdfast"),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
    });
  },
  async downloadMedia(message, maxBytes) {
    const stream: Transform = await downloadMediaMessage(message, "stream", {}).catch(() => {
      throw new HoldfastError("HF_CHANNEL_MEDIA", "whatsapp media download failed");
    });
    const parts: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of stream) {
        total += (chunk as Buffer).length;
        refuseOversized("whatsapp media", total, maxBytes);
        parts.push(chunk as Buffer);
      }
    } finally {
      stream.destroy();
    }
    return new Uint8Array(Buffer.concat(parts));
  },
};
