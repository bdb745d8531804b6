/**
 * A fake of WhatsApp as a Baileys socket sees it: {@link FakeWhatsApp} plays WhatsApp's servers and the
 * phones of its users, and hands out {@link FakeBaileysSocket}s through a {@link WhatsAppConnector}.
 * Every event is one of Baileys' own shapes (`BaileysEventMap`): `connection.update` with `qr`,
 * `connecting`, `open` and `close` (a `Boom` with `DisconnectReason` as `output.statusCode`, as Baileys
 * emits it), `creds.update` (the socket merges it into the auth state's creds first, as Baileys does),
 * and `messages.upsert` (`notify` for what users write, `append` for the socket's own sends). A socket
 * that opens replaces an older open one of the same device (440), as WhatsApp does. Chat states the
 * bot sends (`sendPresenceUpdate`) are recorded in `presence`.
 */
import { randomBytes } from "node:crypto";
import { Boom } from "@hapi/boom";
import {
  BufferJSON,
  DisconnectReason,
  initAuthCreds,
  type AnyMessageContent,
  type AuthenticationCreds,
  type AuthenticationState,
  type BaileysEventMap,
  type Contact,
  type MiscMessageGenerationOptions,
  type proto,
  type WAMessage,
  type WAMessageKey,
  type WAPresence,
} from "baileys";
import { HoldfastError } from "../../src/errors/index.js";
import type { WhatsAppConnector, WhatsAppSocket } from "../../src/channels/whatsapp/index.js";

type Listener = (arg: never) => void;

/** The linked device of the bot in the fake. */
export const WA_BOT = {
  number: "+15550000001",
  jid: "15550000001@s.whatsapp.net",
  deviceJid: "15550000001:7@s.whatsapp.net",
  lid: "90000000001@lid",
  deviceLid: "90000000001:7@lid",
  name: "holdfast",
} as const;

/** A person on WhatsApp. */
export interface FakeWaUser {
  readonly number: string;
  readonly name: string;
  /** Their LID (Baileys 7 addresses some chats by LID, with the phone number as `…Alt`). */
  readonly lid?: string;
}

/** What a fake user writes. */
export interface FakeWaMessage {
  readonly from: FakeWaUser;
  readonly text?: string;
  /** A group jid (`…@g.us`); a DM otherwise. */
  readonly group?: string;
  /** Jids in `contextInfo.mentionedJid`. */
  readonly mentions?: readonly string[];
  /** Quote this message (an id and its author's jid). */
  readonly quote?: { readonly id: string; readonly participant: string };
  readonly file?: { readonly name: string; readonly mimeType: string; readonly bytes: Buffer };
  /** Address the chat by the sender's LID with the phone number as `remoteJidAlt`/`participantAlt`. */
  readonly byLid?: boolean;
}

/** One message the bot sent. */
export interface FakeWaSent {
  readonly jid: string;
  readonly text: string;
  readonly id: string;
  readonly quotedId?: string;
}

export const jidOf = (number: string) => `${number.replace(/\D/g, "")}@s.whatsapp.net`;
const boom = (status: number, message: string) => new Boom(message, { statusCode: status });
const messageId = () => `3EB0${randomBytes(8).toString("hex").toUpperCase()}`;

/** Linked credentials for the bot, as `creds.json` holds them after a scan. */
export function linkedCreds(): AuthenticationCreds {
  return {
    ...initAuthCreds(),
    me: { id: WA_BOT.deviceJid, lid: WA_BOT.deviceLid, name: WA_BOT.name },
    registered: true,
  };
}

/** `creds.json` text of {@link linkedCreds} (Baileys' JSON form). */
export function linkedCredsJson(): string {
  return JSON.stringify(linkedCreds(), BufferJSON.replacer);
}

/** One socket the adapter (or `channels login`) opened. */
export class FakeBaileysSocket implements WhatsAppSocket {
  private readonly listeners = new Map<string, Set<Listener>>();
  state: "connecting" | "open" | "closed" = "connecting";
  loggedOut = false;
  readonly ev: WhatsAppSocket["ev"] = {
    on: (event, listener) => {
      const set = this.listeners.get(event) ?? new Set<Listener>();
      set.add(listener as Listener);
      this.listeners.set(event, set);
    },
    off: (event, listener) => void this.listeners.get(event)?.delete(listener as Listener),
  };

  constructor(
    private readonly wa: FakeWhatsApp,
    readonly auth: AuthenticationState,
  ) {}

  /** Baileys' `sock.user`: the linked account from the creds, once known. */
  get user(): Contact | undefined {
    const me = this.auth.creds.me;
    return me ? { id: me.id, ...(me.lid ? { lid: me.lid } : {}), ...(me.name ? { name: me.name } : {}) } : undefined;
  }

  emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (a: BaileysEventMap[T]) => void)(arg);
  }

  /** Closes the socket as Baileys does: `connection.update` close with the Boom. */
  close(status: number, message: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.emit("connection.update", {
      connection: "close",
      lastDisconnect: { error: boom(status, message), date: new Date() },
    });
  }

  sendMessage = async (
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined> => {
    if (this.state !== "open") throw boom(DisconnectReason.connectionClosed, "Connection Closed");
    const text = "text" in content && typeof content.text === "string" ? content.text : "";
    const id = messageId();
    const quotedId = options?.quoted?.key.id ?? undefined;
    this.wa.sent.push({ jid, text, id, ...(quotedId ? { quotedId } : {}) });
    const msg: WAMessage = {
      key: { remoteJid: jid, fromMe: true, id },
      message: quotedId
        ? {
            extendedTextMessage: {
              text,
              contextInfo: { stanzaId: quotedId, participant: options?.quoted?.key.participant ?? jid },
            },
          }
        : { conversation: text },
      messageTimestamp: Math.floor(Date.now() / 1000),
    };
    setImmediate(() => this.emit("messages.upsert", { messages: [msg], type: "append" }));
    return msg;
  };

  /** Chat states (`composing`, …) as Baileys sends them; `FakeWhatsApp.failPresence` loses them (428). */
  sendPresenceUpdate = async (type: WAPresence, jid?: string): Promise<void> => {
    if (this.state !== "open" || this.wa.failPresence)
      throw boom(DisconnectReason.connectionClosed, "Connection Closed");
    this.wa.presence.push({ type, ...(jid ? { jid } : {}) });
  };

  readMessages = async (keys: WAMessageKey[]): Promise<void> => {
    this.wa.read.push(...keys.map((k) => k.id ?? ""));
  };

  logout = async (): Promise<void> => {
    if (this.state !== "open") throw boom(DisconnectReason.connectionClosed, "Connection Closed");
    this.loggedOut = true;
    this.wa.linked = false;
    this.close(DisconnectReason.loggedOut, "Intentional Logout");
  };

  end = async (): Promise<void> => {
    if (this.state === "closed") return;
    this.state = "closed";
    this.emit("connection.update", {
      connection: "close",
      lastDisconnect: { error: boom(DisconnectReason.connectionClosed, "Connection Closed"), date: new Date() },
    });
  };
}

/** WhatsApp's servers and its users' phones, for the adapter under test. */
export class FakeWhatsApp {
  readonly sockets: FakeBaileysSocket[] = [];
  readonly sent: FakeWaSent[] = [];
  readonly read: string[] = [];
  /** Every chat state the bot sent (`sendPresenceUpdate`), in order. */
  readonly presence: { type: WAPresence; jid?: string }[] = [];
  /** Presence updates fail as on a socket that just dropped, while messages still go out. */
  failPresence = false;
  /** Whether the bot's device is linked on WhatsApp's side (logout/unlink on the phone clears it). */
  linked = true;
  /** Sockets still to refuse (closed with `connectionClosed` right after connecting). */
  private refuse = 0;
  /** Messages written while no socket was open (WhatsApp holds them for the device). */
  private readonly offline: WAMessage[] = [];
  private readonly media = new Map<string, Buffer>();
  private lastDelivered: WAMessage | undefined;
  private qrCount = 0;

  readonly connector: WhatsAppConnector = {
    connect: ({ auth }) => this.connect(auth),
    downloadMedia: async (m, maxBytes) => {
      const bytes = this.media.get(m.key.id ?? "");
      if (!bytes) throw new HoldfastError("HF_CHANNEL_MEDIA", "whatsapp media download failed");
      if (bytes.length > maxBytes)
        throw new HoldfastError("HF_CHANNEL_MEDIA", "whatsapp media too large", { tooLarge: true });
      return new Uint8Array(bytes);
    },
  };

  get connections(): number {
    return this.sockets.length;
  }

  /** The newest socket that is open. */
  current(): FakeBaileysSocket | undefined {
    return [...this.sockets].reverse().find((s) => s.state === "open");
  }

  private connect(auth: AuthenticationState): FakeBaileysSocket {
    const sock = new FakeBaileysSocket(this, auth);
    this.sockets.push(sock);
    setImmediate(() => {
      sock.emit("connection.update", { connection: "connecting" });
      if (this.refuse > 0) {
        this.refuse -= 1;
        return sock.close(DisconnectReason.connectionClosed, "Connection Failure");
      }
      if (!auth.creds.me) return sock.emit("connection.update", { qr: this.nextQr() });
      if (!this.linked) return sock.close(DisconnectReason.loggedOut, "Stream Errored (conflict)");
      this.opened(sock);
    });
    return sock;
  }

  private opened(sock: FakeBaileysSocket): void {
    for (const old of this.sockets)
      if (old !== sock && old.state === "open")
        old.close(DisconnectReason.connectionReplaced, "Stream Errored (conflict)");
    sock.state = "open";
    sock.emit("connection.update", { connection: "open", receivedPendingNotifications: true });
    const held = this.offline.splice(0);
    if (held.length) sock.emit("messages.upsert", { messages: held, type: "notify" });
  }

  private nextQr(): string {
    this.qrCount += 1;
    return `2@${randomBytes(12).toString("base64")},${randomBytes(16).toString("base64")},${this.qrCount}`;
  }

  /** The phone scans the QR of the newest linking socket: creds arrive, then WhatsApp asks for a restart (515). */
  scan(): void {
    const sock = [...this.sockets].reverse().find((s) => s.state === "connecting" && !s.auth.creds.me);
    if (!sock) throw new Error("no socket is showing a QR code");
    const update: Partial<AuthenticationCreds> = {
      me: { id: WA_BOT.deviceJid, lid: WA_BOT.deviceLid, name: WA_BOT.name },
      registered: true,
      platform: "android",
    };
    Object.assign(sock.auth.creds, update);
    this.linked = true;
    sock.emit("creds.update", update);
    sock.close(DisconnectReason.restartRequired, "Stream Errored (restart required)");
  }

  /** WhatsApp rotates the pairing code: the newest linking socket emits a new `qr` (about every 20 s in real life). */
  rotateQr(): void {
    const sock = [...this.sockets].reverse().find((s) => s.state === "connecting" && !s.auth.creds.me);
    if (!sock) throw new Error("no socket is showing a QR code");
    sock.emit("connection.update", { qr: this.nextQr() });
  }

  /** A linking socket's QR runs out: Baileys closes it with `timedOut` (408). */
  qrExpires(): void {
    const sock = [...this.sockets].reverse().find((s) => s.state === "connecting");
    sock?.close(DisconnectReason.timedOut, "QR refs attempts ended");
  }

  /** Builds the `WAMessage` a user's phone sends. */
  shape(m: FakeWaMessage): WAMessage {
    const id = messageId();
    const pn = jidOf(m.from.number);
    const byLid = m.byLid === true && m.from.lid !== undefined;
    const key: WAMessageKey = m.group
      ? {
          remoteJid: m.group,
          fromMe: false,
          id,
          participant: byLid ? m.from.lid : pn,
          ...(byLid ? { participantAlt: pn } : {}),
        }
      : { remoteJid: byLid ? m.from.lid : pn, fromMe: false, id, ...(byLid ? { remoteJidAlt: pn } : {}) };
    const contextInfo: proto.IContextInfo | undefined =
      m.mentions || m.quote
        ? {
            ...(m.mentions ? { mentionedJid: [...m.mentions] } : {}),
            ...(m.quote
              ? { stanzaId: m.quote.id, participant: m.quote.participant, quotedMessage: { conversation: "…" } }
              : {}),
          }
        : undefined;
    let message: proto.IMessage;
    if (m.file) {
      this.media.set(id, m.file.bytes);
      message = {
        documentMessage: {
          fileName: m.file.name,
          mimetype: m.file.mimeType,
          fileLength: m.file.bytes.length,
          caption: m.text ?? "",
          url: "https://mmg.whatsapp.net/fake",
          mediaKey: randomBytes(32),
          ...(contextInfo ? { contextInfo } : {}),
        },
      };
    } else
      message = contextInfo
        ? { extendedTextMessage: { text: m.text ?? "", contextInfo } }
        : { conversation: m.text ?? "" };
    return { key, message, pushName: m.from.name, messageTimestamp: Math.floor(Date.now() / 1000) };
  }

  /** Delivers `msg` as WhatsApp does: a `notify` upsert on the open socket, else held until one opens. */
  deliver(msg: WAMessage): void {
    this.lastDelivered = msg;
    const sock = this.current();
    if (!sock) return void this.offline.push(msg);
    sock.emit("messages.upsert", { messages: [msg], type: "notify" });
  }

  /** A user writes. @returns the message as delivered. */
  userSends(m: FakeWaMessage): WAMessage {
    const msg = this.shape(m);
    this.deliver(msg);
    return msg;
  }

  /** The same message again (Baileys re-emits after a retry receipt or an offline resync). */
  redeliverLast(): void {
    if (this.lastDelivered) this.deliver(this.lastDelivered);
  }

  /** The owner writes from their phone: in the chat with their own number, or to someone else. */
  ownerWrites(text: string, chatJid: string = WA_BOT.jid): WAMessage {
    const msg: WAMessage = {
      key: { remoteJid: chatJid, fromMe: true, id: messageId() },
      message: { conversation: text },
      pushName: WA_BOT.name,
      messageTimestamp: Math.floor(Date.now() / 1000),
    };
    this.deliver(msg);
    return msg;
  }

  /** A status update or a broadcast list message. */
  broadcast(from: FakeWaUser, text: string, jid = "status@broadcast"): void {
    this.deliver({
      key: { remoteJid: jid, fromMe: false, id: messageId(), participant: jidOf(from.number) },
      message: { conversation: text },
      pushName: from.name,
    });
  }

  /** Drops the open socket (`connectionLost`); the next `refuse` connects are refused. */
  drop(refuse: number): void {
    this.refuse = refuse;
    this.current()?.close(DisconnectReason.connectionLost, "Connection Lost");
  }

  /** The phone removes the linked device, or WhatsApp bans the number: the open socket closes with `status`. */
  kick(status: number = DisconnectReason.loggedOut): void {
    if (status === DisconnectReason.loggedOut) this.linked = false;
    this.current()?.close(status, "Stream Errored (conflict)");
  }

  /** Resolves once a socket is open. */
  async waitOpen(timeoutMs = 10_000): Promise<void> {
    const start = Date.now();
    while (!this.current()) {
      if (Date.now() - start > timeoutMs) throw new Error("timed out waiting for an open WhatsApp socket");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  sentTo(jid: string): FakeWaSent[] {
    return this.sent.filter((s) => s.jid === jid);
  }
}
