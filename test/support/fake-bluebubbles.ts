/**
 * A protocol-faithful fake of a BlueBubbles server on 127.0.0.1: the REST API under `/api/v1/`
 * (`ping`, `server/info`, `message/text`, `message/query`, `contact/query`, `chat/<guid>/typing`
 * (POST starts the typing bubble; Private API, else 500 as the server's middleware answers),
 * `attachment/<guid>/download`; every request needs the `password` query parameter, else 401, and
 * answers `{status, message, data}`), and webhooks: each new message (and typing indicators,
 * tapbacks, read updates) is POSTed as `{type, data}` to the registered webhook URL, once, without
 * retries, as the server does. `drop(n)` partitions the network: the next `n` REST requests fail at
 * the socket and webhooks are not delivered meanwhile (the messages stay in the server's database).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeServer, listenLoopback, readBody, replyJson, SentLog, until } from "./fake-platform.js";

/** A person on iMessage: a phone number or an Apple ID email. */
export interface FakeBlueBubblesUser {
  readonly address: string;
  readonly name: string;
}

/** One text the bot sent through `/api/v1/message/text`. */
export interface BlueBubblesSent {
  readonly chatGuid: string;
  readonly message: string;
  readonly selectedMessageGuid?: string;
  readonly guid: string;
  /** Request URL as received (tests check where the password went). */
  readonly url: string;
}

/** A person's message. */
export interface BlueBubblesUserMessage {
  readonly from: FakeBlueBubblesUser;
  readonly text: string;
  /** Group chat guid; default the DM with the sender. */
  readonly chatGuid?: string;
  /** Addresses mentioned (confirmed mentions in the attributed body). */
  readonly mentions?: readonly string[];
  /** Inline reply to this message guid. */
  readonly replyTo?: string;
  readonly attachment?: { readonly name: string; readonly mimeType: string; readonly bytes: Buffer };
  /** A tapback on this message guid instead of a text. */
  readonly tapbackOn?: string;
}

type Message = Record<string, unknown> & { guid: string; dateCreated: number };

export class FakeBlueBubbles {
  readonly sent = new SentLog<BlueBubblesSent>((s) => ({ chat: s.chatGuid, text: s.message.slice(0, 60) }));
  /** Webhook POSTs made, with the status the gateway answered (0: not reached). */
  readonly webhooks: { type: string; status: number }[] = [];
  /** Times the adapter reached the server after being away (the first ping, the first after a failure). */
  connections = 0;
  /** Chat guids the bot started typing in (`POST /api/v1/chat/<guid>/typing`), in order. */
  readonly typing: string[] = [];
  /** Whether the Private API helper is connected (typing needs it). */
  privateApi = true;
  /** Requests without the right password. */
  unauthorized = 0;
  webhookUrl: string | undefined;
  private readonly messages: Message[] = [];
  private readonly attachments = new Map<string, Buffer>();
  private refuse = 0;
  private failedSinceOk = true;
  private last: Message | undefined;
  private clock = Date.now();

  readonly password: string;
  readonly self: string;
  private readonly users: readonly FakeBlueBubblesUser[];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    o: { password: string; self: string; users: readonly FakeBlueBubblesUser[] },
  ) {
    this.password = o.password;
    this.self = o.self;
    this.users = o.users;
  }

  static async start(o: {
    password: string;
    self: string;
    users: readonly FakeBlueBubblesUser[];
  }): Promise<FakeBlueBubbles> {
    const at: { fake?: FakeBlueBubbles } = {};
    const server = createServer((req, res) => void at.fake?.route(req, res));
    at.fake = new FakeBlueBubbles(server, await listenLoopback(server), o);
    return at.fake;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  waitConnected(n = 1): Promise<void> {
    return until(() => this.connections >= n, `bluebubbles server not reached ${n} time(s)`);
  }

  /** DM chat guid with `u`. */
  dmOf(u: FakeBlueBubblesUser): string {
    return `iMessage;-;${u.address}`;
  }

  /** A message arrives in the Messages database; its webhook is POSTed (unless partitioned). */
  async userSends(m: BlueBubblesUserMessage): Promise<Message> {
    const dateCreated = this.tick();
    const chatGuid = m.chatGuid ?? this.dmOf(m.from);
    const attachments = m.attachment ? [this.store(m.attachment)] : [];
    const msg: Message = {
      guid: `${randomUUID().toUpperCase()}`,
      text: m.tapbackOn ? `Loved “${m.text}”` : m.text,
      isFromMe: false,
      handle: { address: m.from.address, service: "iMessage", country: "us" },
      chats: [
        {
          guid: chatGuid,
          displayName: chatGuid.includes(";+;") ? "contract group" : "",
          style: chatGuid.includes(";+;") ? 43 : 45,
        },
      ],
      attachments,
      associatedMessageGuid: m.tapbackOn ? `p:0/${m.tapbackOn}` : null,
      associatedMessageType: m.tapbackOn ? "love" : null,
      threadOriginatorGuid: m.replyTo ?? null,
      itemType: 0,
      dateCreated,
      attributedBody: [
        {
          string: m.text,
          runs: (m.mentions ?? []).map((a) => ({ range: [0, 1], attributes: { __kIMMentionConfirmedMention: a } })),
        },
      ],
    };
    this.messages.push(msg);
    if (!m.tapbackOn) this.last = msg;
    await this.post("new-message", msg);
    return msg;
  }

  /** The bot's own message (sent from the Mac) as the server reports it. */
  async botMessage(chatGuid: string, text: string): Promise<void> {
    const msg: Message = {
      guid: randomUUID().toUpperCase(),
      text,
      isFromMe: true,
      handle: null,
      chats: [{ guid: chatGuid }],
      attachments: [],
      itemType: 0,
      dateCreated: this.tick(),
    };
    this.messages.push(msg);
    await this.post("new-message", msg);
  }

  /** Any other webhook event (`typing-indicator`, `updated-message`, `chat-read-status-changed`). */
  event(type: string, data: Record<string, unknown>): Promise<void> {
    return this.post(type, data);
  }

  /** The last person's message's webhook again (a retry by a proxy, a duplicate delivery). */
  async redeliverLast(): Promise<void> {
    if (this.last) await this.post("new-message", this.last);
  }

  /** Partitions the network for the next `refuse` REST requests (webhooks are lost meanwhile). */
  drop(refuse: number): void {
    this.refuse = refuse;
  }

  private tick(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  private store(a: NonNullable<BlueBubblesUserMessage["attachment"]>) {
    const guid = randomUUID().toUpperCase();
    this.attachments.set(guid, a.bytes);
    return { guid, mimeType: a.mimeType, transferName: a.name, totalBytes: a.bytes.length, uti: "public.data" };
  }

  private async post(type: string, data: Record<string, unknown>): Promise<void> {
    if (!this.webhookUrl) return;
    if (this.refuse > 0) return void this.webhooks.push({ type, status: 0 });
    const status = await fetch(this.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type, data }),
    })
      .then(async (r) => {
        await r.body?.cancel();
        return r.status;
      })
      .catch(() => 0);
    this.webhooks.push({ type, status });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.refuse > 0) {
      this.refuse--;
      this.failedSinceOk = true;
      return void req.socket.destroy();
    }
    const url = new URL(req.url ?? "/", this.url);
    const ok = (data: unknown) => replyJson(res, 200, { status: 200, message: "Success", data });
    if (url.searchParams.get("password") !== this.password) {
      this.unauthorized++;
      return replyJson(res, 401, { status: 401, message: "Unauthorized", error: { type: "Unauthorized" } });
    }
    const body =
      req.method === "POST"
        ? (JSON.parse((await readBody(req)).toString("utf8") || "{}") as Record<string, unknown>)
        : {};
    const p = url.pathname;
    if (p === "/api/v1/ping") {
      if (this.failedSinceOk) this.connections++;
      this.failedSinceOk = false;
      return ok("pong");
    }
    if (p === "/api/v1/server/info")
      return ok({
        os_version: "14.5",
        server_version: "1.9.9",
        private_api: this.privateApi,
        detected_imessage: this.self,
        detected_icloud: this.self,
      });
    if (p === "/api/v1/message/text") return ok(this.recordSend(body, req.url ?? ""));
    if (p === "/api/v1/message/query") {
      const after = Number(body.after ?? 0);
      return ok(this.messages.filter((m) => m.dateCreated > after).slice(0, Number(body.limit ?? 100)));
    }
    if (p === "/api/v1/contact/query") {
      const wanted = [body.addresses ?? []].flat().map(String);
      return ok(
        this.users
          .filter((u) => wanted.includes(u.address))
          .map((u) => ({ displayName: u.name, phoneNumbers: [], emails: [] })),
      );
    }
    const typing = /^\/api\/v1\/chat\/([^/]+)\/typing$/.exec(p);
    if (typing && req.method === "POST") return this.startTyping(decodeURIComponent(typing[1] as string), res);
    const dl = /^\/api\/v1\/attachment\/([^/]+)\/download$/.exec(p);
    const bytes = dl ? this.attachments.get(decodeURIComponent(dl[1] as string)) : undefined;
    if (bytes)
      return void res
        .writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length })
        .end(bytes);
    replyJson(res, 404, { status: 404, message: "Not Found" });
  }

  private startTyping(chatGuid: string, res: ServerResponse): void {
    if (!this.privateApi)
      return replyJson(res, 500, {
        status: 500,
        message: "Please make sure you have completed the setup for the Private API, and your helper is connected!",
        error: { type: "iMessage Error", message: "iMessage Private API Helper is not connected!" },
      });
    this.typing.push(chatGuid);
    replyJson(res, 200, { status: 200, message: "Successfully started typing!" });
  }

  private recordSend(b: Record<string, unknown>, url: string): Record<string, unknown> {
    const guid = randomUUID().toUpperCase();
    this.sent.push({
      chatGuid: String(b.chatGuid ?? ""),
      message: String(b.message ?? ""),
      ...(typeof b.selectedMessageGuid === "string" ? { selectedMessageGuid: b.selectedMessageGuid } : {}),
      guid,
      url,
    });
    return { guid, text: b.message, isFromMe: true, tempGuid: b.tempGuid, dateCreated: this.tick() };
  }
}
