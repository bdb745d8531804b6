import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { closeServer, listenLoopback, readBody, replyJson, SentLog, until } from "./fake-platform.js";

/** A workspace member the fake knows. */
export interface FakeSlackUser {
  readonly id: string;
  readonly name: string;
  readonly displayName?: string;
}

/** The app under test: its tokens and bot identity. */
export interface FakeSlackApp {
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly name: string;
}

/** A `chat.postMessage` the bot made. */
export interface SlackSent {
  readonly channel: string;
  readonly text: string;
  readonly ts: string;
  readonly threadTs?: string;
}

/** What a test user (or another bot) posts. */
export interface SlackUserMessage {
  readonly user: string;
  /** Default: the user's DM with the bot. */
  readonly channel?: string;
  readonly text: string;
  readonly threadTs?: string;
  /** Marks the parent of `threadTs` as the bot's message. */
  readonly parentIsBot?: boolean;
  readonly botId?: string;
  readonly subtype?: string;
  readonly files?: readonly { id: string; name: string; mimetype: string; bytes: Buffer }[];
}

/** An Events API envelope as Socket Mode sends it. */
interface Envelope {
  envelope_id: string;
  type: "events_api";
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
  payload: Record<string, unknown>;
}

/**
 * A protocol-faithful fake of Slack on 127.0.0.1 for the real `@slack/bolt` / `@slack/web-api` /
 * `@slack/socket-mode` clients. Web API (`POST /api/<method>`, form or JSON bodies, bearer tokens):
 * `auth.test`, `apps.connections.open` (app-level token; returns a one-time `ws://` URL),
 * `chat.postMessage` (a user id posts to their DM; 40 000-char limit; the bot's own message comes back
 * as an event, as on Slack), `conversations.info`, `users.info`; private file downloads with the bot
 * token. Socket Mode: `hello` on connect, `events_api` envelopes that must be acked
 * (`{envelope_id}`), unacked ones redelivered with `retry_attempt + 1` on the next connection, and
 * `disconnect` messages. In HTTP mode events are POSTed to `httpEndpoint`, signed like Slack does.
 */
export class FakeSlack {
  readonly sent = new SentLog<SlackSent>((s) => ({ channel: s.channel, text: s.text.slice(0, 60) }));
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  readonly acks: string[] = [];
  /** Where events are POSTed instead of the socket (HTTP mode). */
  httpEndpoint: { url: string; signingSecret: string } | undefined;
  url = "";
  private server!: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly tickets = new Set<string>();
  private readonly pending = new Map<string, Envelope>();
  private readonly users = new Map<string, FakeSlackUser>();
  private lastPayload: Envelope["payload"] | undefined;
  private readonly files = new Map<string, { name: string; bytes: Buffer }>();
  private readonly failures: { method: string; status?: number; error?: string }[] = [];
  private refuseConnections = 0;
  private seq = 0;
  connectionsOpened = 0;

  private constructor(readonly app: FakeSlackApp) {}

  /** Starts the fake on a free port. */
  static async start(app: FakeSlackApp, users: readonly FakeSlackUser[]): Promise<FakeSlack> {
    const fake = new FakeSlack(app);
    for (const u of users) fake.users.set(u.id, u);
    fake.server = createServer((req, res) => void fake.route(req, res));
    fake.server.on("upgrade", (req, socket, head) => fake.upgrade(req, socket, head));
    fake.url = await listenLoopback(fake.server);
    return fake;
  }

  /** The Web API base URL (`slackApiUrl`). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** The DM channel id of a user with the bot. */
  dmOf(userId: string): string {
    return `D${userId.slice(1)}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    await closeServer(this.server);
  }

  /** Open Socket Mode connections. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Makes the next call of `method` fail: a platform error (`ok:false`) or an HTTP status. */
  failNext(method: string, failure: { status?: number; error?: string }): void {
    this.failures.push({ method, ...failure });
  }

  /** Drops every socket abruptly; the next `refuse` `apps.connections.open` calls get HTTP 503. */
  dropSockets(refuse = 0): void {
    this.refuseConnections = refuse;
    for (const s of this.sockets) s.terminate();
  }

  /** Asks connected clients to reconnect, as Slack does before rotating a socket. */
  sendDisconnect(reason = "refresh_requested"): void {
    for (const s of this.sockets) s.send(JSON.stringify({ type: "disconnect", reason }));
  }

  /** Resolves once `n` Socket Mode connections were opened in total and one is open. */
  waitForSocket(n = 1, timeoutMs = 15_000): Promise<void> {
    return until(
      () => this.connectionsOpened >= n && this.sockets.size > 0,
      `no Socket Mode connection #${n}`,
      timeoutMs,
    );
  }

  /** Registers a private file; returns its `files` entry for {@link userSends}. */
  addFile(id: string, name: string, bytes: Buffer): void {
    this.files.set(id, { name, bytes });
  }

  /** A user posts a message; it is delivered as a `message` event. Returns the event and its envelope id. */
  async userSends(m: SlackUserMessage): Promise<{ event: Record<string, unknown>; eventId: string; status?: number }> {
    const channel = m.channel ?? this.dmOf(m.user);
    const event: Record<string, unknown> = {
      type: "message",
      channel,
      channel_type: channel.startsWith("D") ? "im" : channel.startsWith("G") ? "group" : "channel",
      user: m.user,
      text: m.text,
      ts: this.nextTs(),
      event_ts: "",
      ...(m.subtype ? { subtype: m.subtype } : {}),
      ...(m.botId ? { bot_id: m.botId } : {}),
      ...(m.threadTs
        ? { thread_ts: m.threadTs, parent_user_id: m.parentIsBot ? this.app.botUserId : "UNOBODY00" }
        : {}),
      ...(m.files ? { files: m.files.map((f) => this.fileEntry(f)), subtype: "file_share" } : {}),
    };
    event.event_ts = event.ts;
    return this.deliver(event);
  }

  /**
   * Delivers the last event callback again under its `event_id`, in a new envelope with
   * `retry_attempt: 1` (Slack's retry when it believes a delivery failed).
   */
  redeliverLast(): void {
    const payload = this.lastPayload;
    if (!payload) throw new Error("nothing was delivered yet");
    this.sendEnvelope(payload, 1, "timeout");
  }

  /** Delivers an event callback (socket envelope, or signed POST in HTTP mode). */
  async deliver(
    event: Record<string, unknown>,
  ): Promise<{ event: Record<string, unknown>; eventId: string; status?: number }> {
    const eventId = `Ev${String(++this.seq).padStart(8, "0")}`;
    const payload = (this.lastPayload = {
      token: "verification-token-unused",
      team_id: "T0FAKE",
      api_app_id: "A0FAKE",
      event,
      type: "event_callback",
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
    });
    if (this.httpEndpoint) {
      const res = await this.post(this.httpEndpoint.url, JSON.stringify(payload), {});
      return { event, eventId, status: res.status };
    }
    this.sendEnvelope(payload, 0, "");
    return { event, eventId };
  }

  /** Sends `payload` in a new `events_api` envelope to every socket; it waits for its ack. */
  private sendEnvelope(payload: Envelope["payload"], retryAttempt: number, retryReason: string): void {
    const env: Envelope = {
      envelope_id: randomUUID(),
      type: "events_api",
      accepts_response_payload: false,
      retry_attempt: retryAttempt,
      retry_reason: retryReason,
      payload,
    };
    this.pending.set(env.envelope_id, env);
    for (const s of this.sockets) s.send(JSON.stringify(env));
  }

  /**
   * POSTs `body` to `url` signed with the endpoint's signing secret, as Slack does; `timestampSec` and
   * `signature` override the headers (stale or forged requests). Returns the status and body text.
   */
  async post(
    url: string,
    body: string,
    over: { timestampSec?: number; signature?: string; secret?: string },
  ): Promise<{ status: number; text: string }> {
    const ts = String(over.timestampSec ?? Math.floor(Date.now() / 1000));
    const secret = over.secret ?? this.httpEndpoint?.signingSecret ?? "";
    const sig = over.signature ?? `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": sig },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  private nextTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, "0")}`;
  }

  private fileEntry(f: { id: string; name: string; mimetype: string; bytes: Buffer }): Record<string, unknown> {
    this.files.set(f.id, { name: f.name, bytes: f.bytes });
    const url = `${this.url}/files-pri/T0FAKE-${f.id}/${encodeURIComponent(f.name)}`;
    return {
      id: f.id,
      name: f.name,
      mimetype: f.mimetype,
      size: f.bytes.length,
      url_private: url,
      url_private_download: url,
    };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://x");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (url.pathname !== "/link/" || !this.tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    this.connectionsOpened++;
    ws.on("close", () => this.sockets.delete(ws));
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString()) as { envelope_id?: string };
      if (msg.envelope_id && this.pending.delete(msg.envelope_id)) this.acks.push(msg.envelope_id);
    });
    ws.send(
      JSON.stringify({ type: "hello", num_connections: this.sockets.size, connection_info: { app_id: "A0FAKE" } }),
    );
    for (const env of this.pending.values()) {
      env.retry_attempt += 1;
      env.retry_reason = "timeout";
      ws.send(JSON.stringify(env));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const file = /^\/files-pri\/T0FAKE-([^/]+)\//.exec(url.pathname);
    if (file) return this.download(req, file[1] as string, res);
    const m = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
    if (!m || req.method !== "POST") return replyJson(res, 404, { ok: false, error: "unknown_method" });
    const method = m[1] as string;
    const params = await parseParams(req);
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || String(params.token ?? "");
    this.calls.push({ method, params });
    const fail = this.failures.findIndex((f) => f.method === method);
    if (fail >= 0) {
      const f = this.failures.splice(fail, 1)[0] as (typeof this.failures)[number];
      if (f.status) return replyJson(res, f.status, { ok: false }, f.status === 429 ? { "retry-after": "1" } : {});
      return replyJson(res, 200, { ok: false, error: f.error });
    }
    if (method === "apps.connections.open") return this.connectionsOpen(token, res);
    if (token !== this.app.botToken) return replyJson(res, 200, { ok: false, error: "invalid_auth" });
    return replyJson(res, 200, this.call(method, params));
  }

  private connectionsOpen(token: string, res: ServerResponse): void {
    if (token !== this.app.appToken) return replyJson(res, 200, { ok: false, error: "invalid_auth" });
    if (this.refuseConnections > 0) {
      this.refuseConnections--;
      return replyJson(res, 503, { ok: false, error: "service_unavailable" });
    }
    const ticket = randomUUID();
    this.tickets.add(ticket);
    replyJson(res, 200, { ok: true, url: `${this.url.replace("http", "ws")}/link/?ticket=${ticket}&app_id=A0FAKE` });
  }

  private call(method: string, p: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.test/",
          team: "Fake",
          user: this.app.name,
          team_id: "T0FAKE",
          user_id: this.app.botUserId,
          bot_id: this.app.botId,
        };
      case "chat.postMessage":
        return this.postMessage(p);
      case "conversations.info": {
        const id = String(p.channel ?? "");
        if (id.startsWith("D")) return { ok: true, channel: { id, is_im: true, user: `U${id.slice(1)}` } };
        if (/^[CG]/.test(id)) return { ok: true, channel: { id, is_channel: id.startsWith("C"), is_mpim: false } };
        return { ok: false, error: "channel_not_found" };
      }
      case "users.info": {
        const u = this.users.get(String(p.user ?? ""));
        if (!u) return { ok: false, error: "user_not_found" };
        return {
          ok: true,
          user: {
            id: u.id,
            name: u.name,
            real_name: u.displayName ?? u.name,
            profile: { display_name: u.displayName ?? "" },
          },
        };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  private postMessage(p: Record<string, unknown>): Record<string, unknown> {
    const target = String(p.channel ?? "");
    const channel = /^[UW]/.test(target) ? this.dmOf(target) : target;
    const text = String(p.text ?? "");
    if (!/^[CDG]/.test(channel)) return { ok: false, error: "channel_not_found" };
    if (text.trim() === "") return { ok: false, error: "no_text" };
    if (text.length > 40_000) return { ok: false, error: "msg_too_long" };
    const ts = this.nextTs();
    const threadTs = p.thread_ts !== undefined ? String(p.thread_ts) : undefined;
    this.sent.push({ channel, text, ts, ...(threadTs ? { threadTs } : {}) });
    const own = { type: "message", channel, user: this.app.botUserId, bot_id: this.app.botId, text, ts };
    if (this.sockets.size > 0 && !this.httpEndpoint)
      void this.deliver({ ...own, ...(threadTs ? { thread_ts: threadTs } : {}) });
    return { ok: true, channel, ts, message: own };
  }

  private download(req: IncomingMessage, id: string, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${this.app.botToken}`) return replyJson(res, 403, { ok: false });
    const f = this.files.get(id);
    if (!f) return replyJson(res, 404, { ok: false });
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": f.bytes.length });
    res.end(f.bytes);
  }
}

async function parseParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = (await readBody(req)).toString("utf8");
  if (body === "") return {};
  if ((req.headers["content-type"] ?? "").includes("application/json"))
    return JSON.parse(body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(body));
}
