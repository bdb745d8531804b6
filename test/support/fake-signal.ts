/**
 * A protocol-faithful fake of `signal-cli daemon --http` on 127.0.0.1 (signal-cli-jsonrpc(5)):
 * `POST /api/v1/rpc` (JSON-RPC 2.0: `send`, `sendTyping`, `listGroups`, `getUserStatus`,
 * `getAttachment`; an unknown `account` param is refused as signal-cli does), `GET /api/v1/events`
 * (an SSE stream of `receive` events `{envelope, account}` with ids `<start>-<seq>`; the last 1000
 * are kept and replayed after a `Last-Event-ID`, all of them for an unknown id) and
 * `GET /api/v1/check`. Tests play Signal users (by number, or uuid only), drop the stream and refuse
 * reconnects.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { closeServer, listenLoopback, readBody, replyJson, SentLog, until } from "./fake-platform.js";

/** A Signal user: `number` absent for a user who hides it (uuid-only sender). */
export interface FakeSignalUser {
  readonly uuid: string;
  readonly number?: string;
  readonly name: string;
}

/** A group the bot's account is in. */
export interface FakeSignalGroup {
  readonly id: string;
  readonly name: string;
  readonly members: readonly string[];
}

/** What a user's message carries. */
export interface SignalUserMessage {
  readonly from: FakeSignalUser;
  readonly text: string;
  readonly groupId?: string;
  /** Users mentioned (the text gets one U+FFFC per mention, at the start). */
  readonly mentions?: readonly FakeSignalUser[];
  /** Quote a message: its timestamp and author (number or uuid). */
  readonly quote?: { readonly timestamp: number; readonly author: FakeSignalUser };
  readonly attachment?: { readonly filename: string; readonly contentType: string; readonly bytes: Buffer };
}

/** One `send` the bot made. */
export interface SignalSent {
  readonly recipient?: string;
  readonly groupId?: string;
  readonly message: string;
  readonly quoteTimestamp?: number;
  readonly quoteAuthor?: string;
  readonly timestamp: number;
}

/** One `sendTyping` the bot made (signal-cli `sendTyping`: `recipient` list and/or `groupId`, `stop`). */
export interface SignalTyping {
  readonly recipient?: string;
  readonly groupId?: string;
  readonly stop: boolean;
}

type Envelope = Record<string, unknown>;

export class FakeSignal {
  readonly sent = new SentLog<SignalSent>((s) => ({ to: s.recipient ?? s.groupId, text: s.message.slice(0, 60) }));
  /** Every `sendTyping` the daemon accepted, in order (`stop` for a typing STOP message). */
  readonly typing: SignalTyping[] = [];
  /** Event streams opened (200 answers). */
  connections = 0;
  private readonly idPrefix = `${Date.now()}-`;
  private seq = 0;
  private clock = Date.now();
  private readonly events: { seq: number; data: string }[] = [];
  private readonly streams = new Set<ServerResponse>();
  private readonly attachments = new Map<string, Buffer>();
  private refuse = 0;
  private last: Envelope | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly bot: FakeSignalUser & { readonly number: string },
    private readonly groups: readonly FakeSignalGroup[],
  ) {}

  static async start(
    bot: FakeSignalUser & { number: string },
    groups: readonly FakeSignalGroup[],
  ): Promise<FakeSignal> {
    const at: { fake?: FakeSignal } = {};
    const server = createServer((req, res) => void at.fake?.route(req, res));
    at.fake = new FakeSignal(server, await listenLoopback(server), bot, groups);
    return at.fake;
  }

  close(): Promise<void> {
    for (const s of this.streams) s.destroy();
    return closeServer(this.server);
  }

  /** Resolves once `n` event streams were opened in all. */
  waitConnected(n = 1): Promise<void> {
    return until(() => this.connections >= n && this.streams.size > 0, `signal event stream #${n} not opened`);
  }

  /** A user's message arrives at the bot's account; returns its envelope. */
  userSends(m: SignalUserMessage): Envelope {
    const timestamp = this.nextTimestamp();
    const mentions = (m.mentions ?? []).map((u, i) => ({
      name: u.number ?? u.uuid,
      number: u.number ?? null,
      uuid: u.uuid,
      start: i,
      length: 1,
    }));
    const attachments = m.attachment ? [this.storeAttachment(m.attachment, timestamp)] : [];
    const env: Envelope = {
      ...this.source(m.from),
      timestamp,
      serverReceivedTimestamp: timestamp + 3,
      serverDeliveredTimestamp: timestamp + 4,
      dataMessage: {
        timestamp,
        message: `${"\uFFFC".repeat(mentions.length)}${m.text}`,
        expiresInSeconds: 0,
        viewOnce: false,
        mentions,
        attachments,
        contacts: [],
        ...(m.groupId
          ? { groupInfo: { groupId: m.groupId, groupName: this.groupName(m.groupId), revision: 3, type: "DELIVER" } }
          : {}),
        ...(m.quote
          ? {
              quote: {
                id: m.quote.timestamp,
                author: m.quote.author.number ?? m.quote.author.uuid,
                authorNumber: m.quote.author.number ?? null,
                authorUuid: m.quote.author.uuid,
                text: "quoted",
                attachments: [],
              },
            }
          : {}),
      },
    };
    this.last = env;
    this.emit(env);
    return env;
  }

  /** Any other envelope (sync messages, typing, receipts), as signal-cli would emit it. */
  emitEnvelope(env: Envelope): void {
    this.emit(env);
  }

  /** The last user message again, as a new event (a replay after the daemon restarted). */
  redeliverLast(): void {
    if (this.last) this.emit(this.last);
  }

  /** Ends every event stream (a network failure); the next `refuse` stream requests get 503. */
  drop(refuse: number): void {
    this.refuse = refuse;
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  private source(u: FakeSignalUser): Envelope {
    return {
      source: u.number ?? u.uuid,
      sourceNumber: u.number ?? null,
      sourceUuid: u.uuid,
      sourceName: u.name,
      sourceDevice: 1,
    };
  }

  private nextTimestamp(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  private groupName(id: string): string {
    return this.groups.find((g) => g.id === id)?.name ?? "group";
  }

  private storeAttachment(a: NonNullable<SignalUserMessage["attachment"]>, ts: number) {
    const id = `${ts.toString(36)}AtTaCh.${a.filename.split(".").pop() ?? "bin"}`;
    this.attachments.set(id, a.bytes);
    return { contentType: a.contentType, filename: a.filename, id, size: a.bytes.length, width: null, height: null };
  }

  private emit(envelope: Envelope): void {
    const ev = { seq: ++this.seq, data: JSON.stringify({ envelope, account: this.bot.number }) };
    this.events.push(ev);
    if (this.events.length > 1000) this.events.shift();
    for (const s of this.streams) this.write(s, ev);
  }

  private write(res: ServerResponse, ev: { seq: number; data: string }): void {
    res.write(`id:${this.idPrefix}${ev.seq}\nevent:receive\ndata:${ev.data}\n\n`);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    if (req.method === "GET" && url.pathname === "/api/v1/check") return void res.writeHead(200).end();
    if (req.method === "GET" && url.pathname === "/api/v1/events") return this.openStream(req, res, url);
    if (req.method === "POST" && url.pathname === "/api/v1/rpc") return this.rpc(req, res);
    res.writeHead(404).end();
  }

  private openStream(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const account = url.searchParams.get("account");
    if (account !== null && account !== this.bot.number) return void res.writeHead(400).end("Invalid account");
    if (this.refuse > 0) {
      this.refuse--;
      return void res.writeHead(503).end();
    }
    this.connections++;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(":\n\n");
    const lastId = req.headers["last-event-id"];
    if (typeof lastId === "string") {
      const after = lastId.startsWith(this.idPrefix) ? Number(lastId.slice(this.idPrefix.length)) || 0 : 0;
      for (const ev of this.events) if (ev.seq > after) this.write(res, ev);
    }
    this.streams.add(res);
    res.on("close", () => this.streams.delete(res));
  }

  private async rpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: { jsonrpc?: string; method?: string; id?: unknown; params?: Record<string, unknown> };
    try {
      body = JSON.parse((await readBody(req)).toString("utf8")) as typeof body;
    } catch {
      return replyJson(res, 200, { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
    }
    const { method, id } = body;
    const params = { ...(body.params ?? {}) };
    const error = (code: number, message: string) =>
      replyJson(res, 200, { jsonrpc: "2.0", error: { code, message, data: null }, id: id ?? null });
    const result = (r: unknown) => replyJson(res, 200, { jsonrpc: "2.0", result: r, id });
    if (!method) return error(-32600, "method field must be set");
    if (params.account !== undefined && params.account !== this.bot.number)
      return error(-32602, "Specified account does not exist");
    switch (method) {
      case "send":
        return result(this.recordSend(params));
      case "sendTyping":
        return this.recordTyping(params, result, error);
      case "listGroups":
        return result(
          this.groups.map((g) => ({ id: g.id, name: g.name, isMember: true, isBlocked: false, members: g.members })),
        );
      case "getUserStatus": {
        const rec = [params.recipient].flat().map(String);
        return result(
          rec.map((r) => ({
            recipient: r,
            number: r === this.bot.number ? r : null,
            uuid: r === this.bot.number ? this.bot.uuid : null,
            isRegistered: true,
          })),
        );
      }
      case "getAttachment": {
        const data = this.attachments.get(String(params.id));
        return data ? result({ data: data.toString("base64") }) : error(-1, "Attachment file not found");
      }
      default:
        return error(-32601, "Method not implemented");
    }
  }

  /**
   * `sendTyping` as signal-cli answers it: no recipient and no group is a user error ("No recipients
   * given"), a group the account is not in fails the send; else one typing message per recipient and
   * group, and the send results with the typing message's timestamp.
   */
  private recordTyping(
    p: Record<string, unknown>,
    result: (r: unknown) => void,
    error: (code: number, message: string) => void,
  ): void {
    const recipients = p.recipient === undefined ? [] : [p.recipient].flat().map(String);
    const groups = p.groupId === undefined ? [] : [p.groupId].flat().map(String);
    if (recipients.length === 0 && groups.length === 0) return error(-1, "No recipients given");
    const unknown = groups.find((g) => !this.groups.some((x) => x.id === g));
    if (unknown !== undefined) return error(-1, `Failed to send to group: Group not found: ${unknown}`);
    const stop = p.stop === true;
    for (const recipient of recipients) this.typing.push({ recipient, stop });
    for (const groupId of groups) this.typing.push({ groupId, stop });
    const members = groups.flatMap((g) => this.groups.find((x) => x.id === g)?.members ?? []);
    const results = [...recipients, ...members].map((r) => ({ recipientAddress: { number: r }, type: "SUCCESS" }));
    result({ results, timestamp: this.nextTimestamp() });
  }

  private recordSend(p: Record<string, unknown>): { timestamp: number } {
    const timestamp = this.nextTimestamp();
    const recipient = p.recipient !== undefined ? String([p.recipient].flat()[0]) : undefined;
    this.sent.push({
      ...(recipient !== undefined ? { recipient } : {}),
      ...(typeof p.groupId === "string" ? { groupId: p.groupId } : {}),
      message: String(p.message ?? ""),
      ...(typeof p.quoteTimestamp === "number" ? { quoteTimestamp: p.quoteTimestamp } : {}),
      ...(typeof p.quoteAuthor === "string" ? { quoteAuthor: p.quoteAuthor } : {}),
      timestamp,
    });
    return { timestamp };
  }
}
