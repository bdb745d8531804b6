import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { guildObject, userObject, type FakeDiscordUser, type FakeGuild } from "./fake-discord-payloads.js";

export type { FakeDiscordUser, FakeGuild } from "./fake-discord-payloads.js";
import { closeServer, listenLoopback, readBody, replyJson, SentLog, until } from "./fake-platform.js";

/** A message the bot posted (REST). */
export interface DiscordSent {
  readonly channelId: string;
  readonly content: string;
  readonly id: string;
  readonly replyTo?: string;
}

/** What a test user posts. */
export interface DiscordUserMessage {
  readonly author: FakeDiscordUser;
  /** A guild channel or thread id; default: the author's DM with the bot. */
  readonly channelId?: string;
  readonly content: string;
  /** Replies to this message (the fake knows who wrote it). */
  readonly replyTo?: string;
  readonly mentionEveryone?: boolean;
  readonly attachments?: readonly { id: string; filename: string; contentType: string; bytes: Buffer }[];
}

interface Session {
  readonly id: string;
  seq: number;
  /** Every dispatch of the session, for RESUME replay. */
  readonly log: { s: number; t: string; d: unknown }[];
  ws: WebSocket | undefined;
}

const EPOCH = 1_420_070_400_000n;

/**
 * A protocol-faithful fake of Discord on 127.0.0.1 for the real discord.js client. REST (`/api/v10`,
 * `Authorization: Bot <token>`): `GET /gateway/bot` (its `url` points at the fake gateway), `GET
 * /users/@me`, `GET /channels/:id`, `POST /channels/:id/messages` (2000-char limit; the bot's own
 * message is dispatched back, as on Discord), `POST /channels/:id/typing` (204, recorded in `typing`),
 * `POST /users/@me/channels`, attachment downloads.
 * Gateway (JSON, v10): HELLO → IDENTIFY (token checked, close 4004; Message Content refusable, close
 * 4014) → READY + GUILD_CREATE, heartbeats answered with ACKs, MESSAGE_CREATE dispatches with
 * sequence numbers, RESUME replaying what was missed then RESUMED (INVALID_SESSION for unknown
 * sessions), and dropped connections (`drop`) with refused reconnects.
 */
export class FakeDiscord {
  readonly sent = new SentLog<DiscordSent>((s) => ({ channelId: s.channelId, content: s.content.slice(0, 60) }));
  readonly heartbeats: number[] = [];
  readonly identifies: { intents: number }[] = [];
  readonly resumes: { sessionId: string; seq: number }[] = [];
  url = "";
  /** Channel ids of every typing indicator the bot triggered, in order. */
  readonly typing: string[] = [];
  /** Answer typing requests 403 Missing Permissions (a channel the bot may read but not post in). */
  refuseTyping = false;
  /** Refuse IDENTIFY with 4014 when the client asks for Message Content. */
  disallowMessageContent = false;
  private server!: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly users = new Map<string, FakeDiscordUser>();
  private readonly dms = new Map<string, string>();
  private readonly authors = new Map<string, string>();
  private readonly files = new Map<string, Buffer>();
  private refuse = 0;
  private counter = 0n;
  connections = 0;

  private constructor(
    readonly bot: FakeDiscordUser & { readonly token: string },
    readonly guilds: readonly FakeGuild[],
    readonly heartbeatMs: number,
  ) {}

  /** Starts the fake on a free port. */
  static async start(opts: {
    bot: FakeDiscordUser & { token: string };
    users: readonly FakeDiscordUser[];
    guilds: readonly FakeGuild[];
    heartbeatMs?: number;
  }): Promise<FakeDiscord> {
    const fake = new FakeDiscord({ ...opts.bot, bot: true }, opts.guilds, opts.heartbeatMs ?? 41_250);
    for (const u of [fake.bot, ...opts.users]) fake.users.set(u.id, u);
    fake.server = createServer((req, res) => void fake.route(req, res));
    fake.server.on("upgrade", (req, socket, head) => fake.upgrade(req, socket, head));
    fake.url = await listenLoopback(fake.server);
    return fake;
  }

  /** The REST base for discord.js `rest.api` (`channels.discord.apiRoot`). */
  get apiRoot(): string {
    return `${this.url}/api`;
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.ws?.terminate();
    this.wss.close();
    await closeServer(this.server);
  }

  /** The DM channel id of `userId` with the bot (created on first use). */
  dmOf(userId: string): string {
    let id = this.dms.get(userId);
    if (!id) this.dms.set(userId, (id = this.snowflake()));
    return id;
  }

  /** True while a session is identified and connected. */
  get connected(): boolean {
    return [...this.sessions.values()].some((s) => s.ws !== undefined);
  }

  /** Resolves once a session is connected and `n` connections were accepted in total. */
  waitConnected(n = 1, timeoutMs = 15_000): Promise<void> {
    return until(() => this.connected && this.connections >= n, `no gateway session #${n}`, timeoutMs);
  }

  /** Drops every gateway connection abruptly (no close frame); the next `refuse` connections get HTTP 503. */
  drop(refuse = 0): void {
    this.refuse = refuse;
    for (const s of this.sessions.values()) {
      s.ws?.terminate();
      s.ws = undefined;
    }
  }

  /** A user posts a message: dispatched as MESSAGE_CREATE (buffered for RESUME while disconnected). */
  userSends(m: DiscordUserMessage): Record<string, unknown> {
    const msg = this.message(m.author, m);
    this.dispatch("MESSAGE_CREATE", msg);
    return msg;
  }

  /** Dispatches `msg` (a message {@link userSends} returned) again, as a RESUME replay can. */
  redispatch(msg: Record<string, unknown>): void {
    this.dispatch("MESSAGE_CREATE", msg);
  }

  private snowflake(): string {
    this.counter += 1n;
    return String(((BigInt(Date.now()) - EPOCH) << 22n) + this.counter);
  }

  private where(channelId: string): { guildId?: string; type: number; parentId?: string } {
    for (const g of this.guilds) {
      if (g.channels.some((c) => c.id === channelId)) return { guildId: g.id, type: 0 };
      const t = g.threads?.find((x) => x.id === channelId);
      if (t) return { guildId: g.id, type: 11, parentId: t.parentId };
    }
    return { type: 1 };
  }

  private message(author: FakeDiscordUser, m: Omit<DiscordUserMessage, "author">): Record<string, unknown> {
    const channelId = m.channelId ?? this.dmOf(author.id);
    const at = this.where(channelId);
    const id = this.snowflake();
    this.authors.set(id, author.id);
    const mentioned = [...m.content.matchAll(/<@!?(\d+)>/g)].flatMap((x) => {
      const u = this.users.get(x[1] as string);
      return u ? [userObject(u)] : [];
    });
    const refAuthor = m.replyTo ? this.users.get(this.authors.get(m.replyTo) ?? "") : undefined;
    return {
      id,
      type: m.replyTo ? 19 : 0,
      channel_id: channelId,
      channel_type: at.type,
      ...(at.guildId ? { guild_id: at.guildId, member: { roles: [], joined_at: new Date().toISOString() } } : {}),
      author: userObject(author),
      content: m.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: m.mentionEveryone === true,
      mentions: mentioned,
      mention_roles: [...m.content.matchAll(/<@&(\d+)>/g)].map((x) => x[1]),
      attachments: (m.attachments ?? []).map((a) => {
        this.files.set(a.id, a.bytes);
        const url = `${this.url}/attachments/${channelId}/${a.id}/${encodeURIComponent(a.filename)}`;
        return {
          id: a.id,
          filename: a.filename,
          size: a.bytes.length,
          url,
          proxy_url: url,
          content_type: a.contentType,
        };
      }),
      embeds: [],
      pinned: false,
      ...(m.replyTo
        ? {
            message_reference: {
              message_id: m.replyTo,
              channel_id: channelId,
              ...(at.guildId ? { guild_id: at.guildId } : {}),
            },
            referenced_message: refAuthor
              ? {
                  id: m.replyTo,
                  type: 0,
                  channel_id: channelId,
                  author: userObject(refAuthor),
                  content: "",
                  timestamp: new Date().toISOString(),
                  edited_timestamp: null,
                  tts: false,
                  mention_everyone: false,
                  mentions: [],
                  mention_roles: [],
                  attachments: [],
                  embeds: [],
                  pinned: false,
                }
              : null,
          }
        : {}),
    };
  }

  private dispatch(t: string, d: unknown): void {
    for (const s of this.sessions.values()) {
      const ev = { s: ++s.seq, t, d };
      s.log.push(ev);
      s.ws?.send(JSON.stringify({ op: 0, ...ev }));
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== "/gateway" || url.searchParams.get("encoding") !== "json") {
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      return;
    }
    if (this.refuse > 0) {
      this.refuse--;
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatMs } }));
    ws.on("message", (data) =>
      this.onFrame(ws, JSON.parse(data.toString()) as { op: number; d: Record<string, unknown> }),
    );
    ws.on("close", () => {
      for (const s of this.sessions.values()) if (s.ws === ws) s.ws = undefined;
    });
  }

  private onFrame(ws: WebSocket, f: { op: number; d: Record<string, unknown> }): void {
    if (f.op === 1) {
      this.heartbeats.push(Date.now());
      return ws.send(JSON.stringify({ op: 11 }));
    }
    if (f.op === 2) return this.identify(ws, f.d);
    if (f.op === 6) return this.resume(ws, f.d);
  }

  private identify(ws: WebSocket, d: Record<string, unknown>): void {
    if (d.token !== this.bot.token) return ws.close(4004, "Authentication failed.");
    const intents = Number(d.intents);
    this.identifies.push({ intents });
    if (this.disallowMessageContent && (intents & (1 << 15)) !== 0) return ws.close(4014, "Disallowed intent(s).");
    for (const s of this.sessions.values()) s.ws?.terminate();
    this.sessions.clear();
    const session: Session = { id: `session-${this.snowflake()}`, seq: 0, log: [], ws };
    this.sessions.set(session.id, session);
    this.connections++;
    const wsUrl = `${this.url.replace("http", "ws")}/gateway`;
    this.dispatch("READY", {
      v: 10,
      user: { ...userObject(this.bot), bot: true, verified: true, mfa_enabled: false, flags: 0 },
      guilds: this.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: wsUrl,
      shard: [0, 1],
      application: { id: this.bot.id, flags: 0 },
    });
    for (const g of this.guilds) this.dispatch("GUILD_CREATE", guildObject(g, this.bot));
  }

  private resume(ws: WebSocket, d: Record<string, unknown>): void {
    const session = this.sessions.get(String(d.session_id));
    this.resumes.push({ sessionId: String(d.session_id), seq: Number(d.seq) });
    if (!session || d.token !== this.bot.token) return ws.send(JSON.stringify({ op: 9, d: false }));
    session.ws = ws;
    this.connections++;
    for (const ev of session.log.filter((e) => e.s > Number(d.seq))) ws.send(JSON.stringify({ op: 0, ...ev }));
    const ev = { s: ++session.seq, t: "RESUMED", d: {} };
    session.log.push(ev);
    ws.send(JSON.stringify({ op: 0, ...ev }));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const file = /^\/attachments\/\d+\/(\d+)\//.exec(url.pathname);
    if (file) return this.download(file[1] as string, res);
    const m = /^\/api\/v10(\/.*)$/.exec(url.pathname);
    if (!m) return replyJson(res, 404, { message: "404: Not Found", code: 0 });
    if (req.headers.authorization !== `Bot ${this.bot.token}`)
      return replyJson(res, 401, { message: "401: Unauthorized", code: 0 });
    const body = (await readBody(req)).toString("utf8");
    const params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    return this.rest(req.method ?? "GET", m[1] as string, params, res);
  }

  private rest(method: string, path: string, p: Record<string, unknown>, res: ServerResponse): void {
    const wsUrl = `${this.url.replace("http", "ws")}/gateway`;
    if (method === "GET" && path === "/gateway/bot")
      return replyJson(res, 200, {
        url: wsUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      });
    if (method === "GET" && path === "/users/@me") return replyJson(res, 200, { ...userObject(this.bot), bot: true });
    if (method === "POST" && path === "/users/@me/channels") {
      const user = this.users.get(String(p.recipient_id));
      if (!user) return replyJson(res, 400, { message: "Invalid Recipient(s)", code: 50033 });
      return replyJson(res, 200, { id: this.dmOf(user.id), type: 1, recipients: [userObject(user)] });
    }
    const ch = /^\/channels\/(\d+)(\/messages|\/typing)?$/.exec(path);
    if (!ch) return replyJson(res, 404, { message: "404: Not Found", code: 0 });
    const channelId = ch[1] as string;
    const known = this.where(channelId);
    const dmUser = [...this.dms].find(([, c]) => c === channelId)?.[0];
    if (known.type === 1 && !dmUser) return replyJson(res, 404, { message: "Unknown Channel", code: 10003 });
    if (method === "GET" && !ch[2])
      return replyJson(res, 200, {
        id: channelId,
        type: known.type,
        ...(known.guildId ? { guild_id: known.guildId } : {}),
        ...(known.parentId ? { parent_id: known.parentId } : {}),
        ...(dmUser ? { recipients: [userObject(this.users.get(dmUser) as FakeDiscordUser)] } : {}),
      });
    if (method === "POST" && ch[2] === "/typing") return this.postTyping(channelId, res);
    if (method === "POST" && ch[2]) return this.postMessage(channelId, p, res);
    return replyJson(res, 405, { message: "405: Method Not Allowed", code: 0 });
  }

  private postMessage(channelId: string, p: Record<string, unknown>, res: ServerResponse): void {
    const content = String(p.content ?? "");
    if (content.trim() === "" || content.length > 2000)
      return replyJson(res, 400, { message: "Invalid Form Body", code: 50035, errors: { content: {} } });
    const ref = (p.message_reference as { message_id?: string } | undefined)?.message_id;
    const msg = this.message(this.bot, { channelId, content, ...(ref ? { replyTo: ref } : {}) });
    this.sent.push({ channelId, content, id: String(msg.id), ...(ref ? { replyTo: ref } : {}) });
    this.dispatch("MESSAGE_CREATE", msg);
    replyJson(res, 200, msg);
  }

  private postTyping(channelId: string, res: ServerResponse): void {
    if (this.refuseTyping) return replyJson(res, 403, { message: "Missing Permissions", code: 50013 });
    this.typing.push(channelId);
    res.writeHead(204).end();
  }

  private download(id: string, res: ServerResponse): void {
    const bytes = this.files.get(id);
    if (!bytes) return replyJson(res, 404, { message: "Not Found" });
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
    res.end(bytes);
  }
}
