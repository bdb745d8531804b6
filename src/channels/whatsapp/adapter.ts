import { BufferJSON, jidNormalizedUser, type BaileysEventMap, type WAMessage } from "baileys";
import { HoldfastError } from "../../errors/index.js";
import type { Logger } from "../../logging/index.js";
import type {
  AdapterStatus,
  ChannelAdapter,
  InboundSink,
  MediaRef,
  OutboundMessage,
  OutboundTarget,
} from "../adapter.js";
import { callOnce, localDetail, withRetries, type CallFailure } from "../call-failure.js";
import { chunkText } from "../chunk.js";
import { extensionOf, refuseOversized } from "../download.js";
import { DurableInbound } from "../durable-inbound.js";
import { AdapterHealth } from "../health.js";
import type { AdapterDeps } from "../plugin-types.js";
import { jitteredDelayMs } from "../reconnect.js";
import { openWhatsAppAuth, type WhatsAppAuth } from "./auth-store.js";
import { closeVerdict, notLinked, type SessionEnd } from "./close.js";
import { e164ToJid, jidToE164, normalizeWhatsAppMessage, type WhatsAppSelf } from "./normalize.js";
import type { WhatsAppAccountSettings } from "./settings.js";
import type { WhatsAppConnector, WhatsAppSocket } from "./socket.js";

/** How long the socket stays open after `stop()` for replies of runs that end during shutdown (ms). */
export const SEND_GRACE_MS = 15_000;
/** Recent messages kept for quoting replies and downloading media (by message id). */
const RECENT_MAX = 500;

/** {@link WhatsAppAdapter}'s dependencies: the adapter's, plus how sockets are made. */
export type WhatsAppAdapterDeps = AdapterDeps & { readonly connector: WhatsAppConnector };

/**
 * One WhatsApp account (a linked device) on Baileys 7. Implements the {@link ChannelAdapter} contract:
 * the socket comes from a {@link WhatsAppConnector} (Baileys' `makeWASocket`, or a test fake); a
 * dropped connection is reopened with jittered backoff, `restartRequired` at once; a logged-out,
 * banned, replaced or unusable session — or a device that was never linked — stops the account with
 * one clear error (`HF_CHANNEL_AUTH`/`HF_CHANNEL_CONFLICT`) and no reconnect loop. Only `notify`
 * upserts are read (history and the socket's own echoes are `append`); every message meant for the
 * bot is queued in the durable inbound queue under `<chat jid>:<message id>` on receipt.
 */
export class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = "whatsapp";
  readonly accountId: string;
  readonly textLimit: number;
  private readonly health: AdapterHealth;
  private readonly controller = new AbortController();
  private readonly sentIds = new Set<string>();
  private readonly recent = new Map<string, WAMessage>();
  private socket: WhatsAppSocket | undefined;
  private open = false;
  private self: WhatsAppSelf | undefined;
  private inbound: DurableInbound | undefined;
  private sink: InboundSink | undefined;
  private loop: Promise<void> | undefined;
  /** True once the session loop ended (the account failed for good, or it was stopped). */
  private ended = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: WhatsAppAccountSettings,
    private readonly deps: WhatsAppAdapterDeps,
  ) {
    this.accountId = settings.accountId;
    this.textLimit = settings.textLimit;
    this.health = new AdapterHealth(deps.clock);
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.loop) return;
    this.sink = sink;
    this.inbound = new DurableInbound({
      queue: this.deps.queues(this.accountId).inbound,
      log: this.log,
      process: (payload) => this.handle(payload),
    });
    this.runLoop();
  }

  /** Starts the session loop again once it ended for good (no device was linked, logged out). */
  async resume(): Promise<void> {
    if (!this.loop || !this.ended || this.controller.signal.aborted) return;
    await this.loop;
    this.health.restarting();
    this.runLoop();
  }

  private runLoop(): void {
    this.ended = false;
    this.health.connecting();
    this.loop = this.run()
      .catch((err: unknown) =>
        this.fail(err instanceof HoldfastError ? err : new HoldfastError("HF_CHANNEL_SEND", localDetail(err))),
      )
      .finally(() => {
        this.ended = true;
      });
  }

  async stop(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    await this.loop;
    await this.inbound?.stop();
    this.health.stopped();
    const sock = this.socket;
    this.graceTimer = setTimeout(() => void sock?.end(undefined), SEND_GRACE_MS);
    this.graceTimer.unref();
  }

  async resolveTarget(to: string): Promise<OutboundTarget> {
    const t = to.trim();
    if (/^[0-9-]{5,40}@g\.us$/.test(t)) return { recipient: { chatType: "group", chatId: t }, chatId: t };
    const jid = t.endsWith("@s.whatsapp.net") ? jidNormalizedUser(t) : e164ToJid(t);
    const userId = jidToE164(jid);
    if (!jid || !userId)
      throw new HoldfastError(
        "HF_CHANNEL_REFUSED",
        `"${t.slice(0, 40)}" is not a WhatsApp number (E.164) or group jid`,
      );
    return { recipient: { chatType: "direct", userId }, chatId: jid };
  }

  async send(msg: OutboundMessage): Promise<string[]> {
    const { chatId: jid } = await this.resolveTarget(msg.chatId);
    const ids: string[] = [];
    try {
      for (const [i, text] of chunkText(msg.text, this.textLimit).entries()) {
        const quoted = i === 0 && msg.replyTo !== undefined ? this.recent.get(msg.replyTo) : undefined;
        const sent = await withRetries({ clock: this.deps.clock, what: "whatsapp send", classify: classifySend }, () =>
          this.connected().sendMessage(jid, { text }, quoted ? { quoted } : undefined),
        );
        const id = sent?.key.id;
        if (!id) throw new HoldfastError("HF_CHANNEL_SEND", "whatsapp send failed: no message id returned");
        this.sentIds.add(id);
        if (sent) this.remember(sent);
        ids.push(id);
      }
    } catch (err) {
      this.health.note(err);
      throw err;
    }
    return ids;
  }

  /**
   * Shows "typing…" in a chat (Baileys `sendPresenceUpdate("composing", jid)`; WhatsApp drops the chat
   * state after about 10 s or at the bot's next message). One attempt: the reply path shows it again
   * while the run works. @throws HoldfastError HF_CHANNEL_NETWORK (not connected), HF_CHANNEL_REFUSED.
   */
  async sendTyping(target: { readonly chatId: string }): Promise<void> {
    const { chatId: jid } = await this.resolveTarget(target.chatId);
    await callOnce({ what: "whatsapp typing", classify: classifySend }, () =>
      this.connected().sendPresenceUpdate("composing", jid),
    );
  }

  async fetchMedia(ref: MediaRef, maxBytes: number): Promise<{ bytes: Uint8Array; extension?: string }> {
    refuseOversized("whatsapp media", ref.sizeBytes, maxBytes);
    const m = this.recent.get(ref.fileId);
    if (!m) throw new HoldfastError("HF_CHANNEL_MEDIA", "whatsapp media is no longer available");
    const bytes = await this.deps.connector.downloadMedia(m, maxBytes);
    const ext = extensionOf(ref.fileName) ?? ref.mimeType?.split("/")[1]?.split(";")[0];
    return { bytes, ...(ext ? { extension: ext } : {}) };
  }

  status(): AdapterStatus {
    const number = jidToE164(this.self?.jid);
    return this.health.status({ mode: "web", ...(number ? { botUsername: number } : {}) });
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private connected(): WhatsAppSocket {
    if (!this.socket || !this.open)
      throw new HoldfastError("HF_CHANNEL_NETWORK", "whatsapp send failed: not connected to WhatsApp");
    return this.socket;
  }

  /** Opens sessions until stopped or one ends for good. */
  private async run(): Promise<void> {
    const auth = await openWhatsAppAuth(this.settings.authDir);
    if (!auth.linked()) return this.fail(notLinked(this.accountId));
    for (let attempt = 0; !this.controller.signal.aborted;) {
      const end = await this.session(auth);
      if (this.controller.signal.aborted) return;
      if (end.kind === "fatal") return this.fail(end.error);
      if (end.opened) attempt = 0;
      if (end.kind === "restart") continue;
      const delayMs = jitteredDelayMs(attempt++);
      this.health.retrying(end.why);
      if (attempt === 1 || attempt % 10 === 0)
        this.log.warn(
          { accountId: this.accountId, attempt, delayMs, err: end.why },
          "whatsapp connection lost; retrying",
        );
      try {
        await this.deps.clock.sleep(delayMs, this.controller.signal);
      } catch {
        return;
      }
    }
  }

  /** One socket, from connect to close. */
  private session(auth: WhatsAppAuth): Promise<SessionEnd> {
    return new Promise((resolve) => {
      let opened = false;
      const sock = this.deps.connector.connect({ auth: auth.state, log: this.log });
      this.socket = sock;
      this.open = false;
      const finish = (end: SessionEnd, closed = true) => {
        this.controller.signal.removeEventListener("abort", onAbort);
        if (closed && this.socket === sock) this.open = false;
        resolve(end);
      };
      // On stop the socket stays open for a grace period (replies of runs that end during shutdown).
      const onAbort = () => finish({ kind: "retry", opened, why: "stopped" }, false);
      this.controller.signal.addEventListener("abort", onAbort);
      sock.ev.on("creds.update", () => {
        auth.saveCreds().catch((err: unknown) => this.log.warn({ accountId: this.accountId, err: localDetail(err) }));
      });
      sock.ev.on("connection.update", (u) => {
        if (this.socket !== sock) return;
        if (u.connection === "close") this.open = false;
        if (this.controller.signal.aborted) return;
        if (u.qr) {
          void sock.end(undefined);
          return finish({ kind: "fatal", error: notLinked(this.accountId), opened });
        }
        if (u.connection === "open") {
          opened = true;
          this.open = true;
          this.self = selfOf(sock);
          this.health.running();
          this.inbound?.open();
          this.log.info({ accountId: this.accountId }, "whatsapp connected");
        }
        if (u.connection === "close") finish(closeVerdict(u.lastDisconnect?.error, opened, this.accountId));
      });
      sock.ev.on("messages.upsert", (up) => {
        if (this.socket === sock && !this.controller.signal.aborted) this.enqueue(up);
      });
    });
  }

  /** Queues each message meant for the bot (keyed by chat and message id); others are dropped here. */
  private enqueue(up: BaileysEventMap["messages.upsert"]): void {
    if (up.type !== "notify") return;
    for (const m of up.messages) {
      const r = this.normalize(m);
      if (!r) return;
      if ("drop" in r) {
        this.log.debug({ accountId: this.accountId, reason: r.drop }, "whatsapp message dropped");
        continue;
      }
      this.remember(m);
      const payload = JSON.parse(JSON.stringify(m, BufferJSON.replacer)) as unknown;
      this.inbound?.offer([{ updateId: r.msg.updateId, payload }], { bounded: true });
    }
  }

  /** Normalizes a queued message and hands it to the sink (rejects with the sink's failure). */
  private async handle(payload: unknown): Promise<void> {
    const m = JSON.parse(JSON.stringify(payload), BufferJSON.reviver) as WAMessage;
    const r = this.normalize(m);
    if (!r || !("msg" in r) || !this.sink) return;
    this.remember(m);
    await this.sink(r.msg);
    if (this.settings.sendReadReceipts && this.open) await this.socket?.readMessages([m.key]).catch(() => undefined);
  }

  private normalize(m: WAMessage) {
    if (!this.self) return undefined;
    return normalizeWhatsAppMessage(m, {
      self: this.self,
      accountId: this.accountId,
      now: this.deps.clock.now(),
      selfChatMode: this.settings.selfChatMode,
      sentByBot: (id) => this.sentIds.has(id),
    });
  }

  private remember(m: WAMessage): void {
    const id = m.key.id;
    if (!id) return;
    this.recent.delete(id);
    this.recent.set(id, m);
    if (this.recent.size > RECENT_MAX) this.recent.delete(this.recent.keys().next().value as string);
    if (this.sentIds.size > RECENT_MAX) this.sentIds.delete(this.sentIds.values().next().value as string);
  }

  private fail(err: HoldfastError): void {
    this.health.failed(err.code, err.message);
    this.log.error(
      { accountId: this.accountId, code: err.code },
      `whatsapp account "${this.accountId}" stopped: ${err.message}`,
    );
    void this.socket?.end(undefined);
  }
}

function selfOf(sock: WhatsAppSocket): WhatsAppSelf | undefined {
  const user = sock.user;
  if (!user?.id) return undefined;
  return { jid: jidNormalizedUser(user.id), ...(user.lid ? { lid: jidNormalizedUser(user.lid) } : {}) };
}

/** A failed `sendMessage`: not connected or a dropped socket is retried; anything else refused. */
function classifySend(err: unknown): CallFailure {
  const status = (err as { output?: { statusCode?: number } } | null)?.output?.statusCode;
  if (err instanceof HoldfastError && err.code === "HF_CHANNEL_NETWORK")
    return { kind: "retry", code: "HF_CHANNEL_NETWORK" };
  if (status === 428 || status === 408 || status === 503) return { kind: "retry", code: "HF_CHANNEL_NETWORK" };
  if (status === 401 || status === 403)
    return { kind: "reject", code: "HF_CHANNEL_REFUSED", detail: `WhatsApp refused the message (${status})` };
  return { kind: "reject", code: "HF_CHANNEL_SEND", detail: localDetail(err) };
}
