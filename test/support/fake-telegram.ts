import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody, replyJson as reply, until } from "./fake-platform.js";

export { mentionText } from "./telegram-mention.js";

import type { FakeBot, SentMessage, UserMessageInput } from "./fake-telegram-types.js";

export type { FakeBot, SentMessage, UserMessageInput } from "./fake-telegram-types.js";

type Update = { update_id: number; message: Record<string, unknown> };
type Waiter = { offset: number; limit: number; res: ServerResponse; timer: NodeJS.Timeout };

/**
 * A protocol-faithful fake of the Telegram Bot API on 127.0.0.1, for the real grammY client: `POST /bot<token>/<method>`
 * with JSON or form bodies, answers `{ok, result}` or `{ok:false, error_code, description}`. Methods: getMe, getUpdates
 * (long polling with offset confirmation; a newer poll terminates an older one with 409; 409 while a webhook is set;
 * `setConflict` and `hangNext` inject a lasting 409 or a call that never answers), sendMessage (4096-char limit), sendChatAction,
 * setWebhook/deleteWebhook (updates are then POSTed to the webhook with `X-Telegram-Bot-Api-Secret-Token`), getFile
 * and `/file/bot<token>/<path>` downloads.
 */
export class FakeTelegram extends EventEmitter {
  readonly sent: SentMessage[] = [];
  readonly calls: { token: string; method: string; params: Record<string, unknown> }[] = [];
  private readonly bots = new Map<string, FakeBot>();
  private readonly queues = new Map<string, Update[]>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly webhooks = new Map<string, { url: string; secret?: string }>();
  private readonly files = new Map<string, { path: string; bytes: Buffer }>();
  private readonly failures: { method: string; status: number; description: string; retryAfter?: number }[] = [];
  private readonly hangs: string[] = [];
  private conflict = false;
  readonly conflictAnswers: number[] = []; // when each 409 of `setConflict` was answered (epoch ms), oldest first
  private refusePolls = 0;
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private server!: Server;
  url = "";

  /** Starts the fake on a free port. */
  static async start(bots: readonly FakeBot[]): Promise<FakeTelegram> {
    const fake = new FakeTelegram();
    for (const b of bots) fake.bots.set(b.token, b);
    fake.server = createServer((req, res) => void fake.route(req, res));
    await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const w of this.waiters.values()) this.answer(w, []);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Makes the next call of `method` fail with this Bot API error. */
  failNext(method: string, status: number, description: string, retryAfter?: number): void {
    this.failures.push({ method, status, description, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  /** Makes the next call of `method` hang: no answer at all, whatever its `timeout` (until the fake closes). */
  hangNext(method: string): void {
    this.hangs.push(method);
  }

  /** While on, every getUpdates answers 409, as when another process polls the same token. */
  setConflict(on: boolean): void {
    this.conflict = on;
  }

  /** Registers a downloadable file for getFile. */
  addFile(fileId: string, bytes: Buffer, filePath = `documents/${fileId}.bin`): void {
    this.files.set(fileId, { path: filePath, bytes });
  }

  /** The webhook a bot registered, if any. */
  webhook(token: string): { url: string; secret?: string } | undefined {
    return this.webhooks.get(token);
  }

  /**
   * Drops the waiting long polls as a network failure would (the connection is reset, no answer), and
   * resets the next `refuse` getUpdates requests the same way.
   */
  dropPolls(refuse = 0): void {
    this.refusePolls = refuse;
    for (const [token, w] of this.waiters) {
      clearTimeout(w.timer);
      this.waiters.delete(token);
      w.res.socket?.destroy();
    }
  }

  /** True while a getUpdates long poll of `token` is waiting. */
  isPolling(token: string): boolean {
    return this.waiters.has(token);
  }

  /** A user message for `token`'s bot: queued for getUpdates, or POSTed to the webhook (returns its HTTP status). */
  async userSends(token: string, input: UserMessageInput): Promise<{ update: Update; webhookStatus?: number }> {
    const bot = this.bot(token);
    const chat = input.chat ?? { id: input.from.id, type: "private" as const, first_name: input.from.first_name };
    const message: Record<string, unknown> = {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { is_bot: false, first_name: "User", ...input.from },
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.caption !== undefined ? { caption: input.caption } : {}),
      ...(input.entities ? { [input.text !== undefined ? "entities" : "caption_entities"]: input.entities } : {}),
      ...(input.document ? { document: { file_unique_id: `u-${input.document.file_id}`, ...input.document } } : {}),
      ...(input.photo ? { photo: input.photo.map((p) => ({ file_unique_id: `u-${p.file_id}`, ...p })) } : {}),
    };
    if (input.replyToMessageId !== undefined) {
      message.reply_to_message = {
        message_id: input.replyToMessageId,
        date: 0,
        chat,
        from: input.replyToBot
          ? { id: bot.id, is_bot: true, first_name: "Bot", username: bot.username }
          : { id: 1, is_bot: false, first_name: "Someone" },
      };
    }
    const update: Update = { update_id: this.nextUpdateId++, message };
    return this.deliver(token, update);
  }

  /** Delivers an update again (a platform retry). */
  deliver(token: string, update: Update): Promise<{ update: Update; webhookStatus?: number }> {
    const hook = this.webhooks.get(token);
    if (hook) return this.postWebhook(hook, update);
    const q = this.queues.get(token) ?? [];
    q.push(update);
    this.queues.set(token, q);
    const w = this.waiters.get(token);
    if (w) this.flushTo(token, w);
    return Promise.resolve({ update });
  }

  /** Resolves with the first sent message (now or later) matching `pred`. */
  waitForSent(pred: (m: SentMessage) => boolean, timeoutMs = 15_000): Promise<SentMessage> {
    const hit = this.sent.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("sent", on);
        reject(
          new Error(
            `no matching sendMessage within ${timeoutMs} ms; sent: ${JSON.stringify(this.sent.map((s) => ({ chatId: s.chatId, text: s.text.slice(0, 60) })))}`,
          ),
        );
      }, timeoutMs);
      const on = (m: SentMessage) => {
        if (!pred(m)) return;
        clearTimeout(timer);
        this.off("sent", on);
        resolve(m);
      };
      this.on("sent", on);
    });
  }

  /** Resolves once a getUpdates long poll of `token` is waiting (the bot is connected and idle). */
  waitForPoll(token: string, timeoutMs = 15_000): Promise<void> {
    return until(() => this.isPolling(token), `bot ${token.split(":")[0]} never polled`, timeoutMs);
  }

  /** Resolves once `token`'s bot registered a webhook. */
  waitForWebhook(token: string, timeoutMs = 15_000): Promise<void> {
    return until(() => this.webhooks.has(token), `bot ${token.split(":")[0]} never set a webhook`, timeoutMs);
  }

  private bot(token: string): FakeBot {
    const b = this.bots.get(token);
    if (!b) throw new Error("unknown fake bot");
    return b;
  }

  private async postWebhook(
    hook: { url: string; secret?: string },
    update: Update,
  ): Promise<{ update: Update; webhookStatus: number }> {
    const res = await fetch(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(hook.secret ? { "x-telegram-bot-api-secret-token": hook.secret } : {}),
      },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return { update, webhookStatus: res.status };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.download(file[1] as string, file[2] as string, res);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const token = decodeURIComponent(m[1] as string);
    const method = m[2] as string;
    const params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
    if (!this.bots.has(token)) return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    this.calls.push({ token, method, params });
    const fail = this.failures.findIndex((f) => f.method === method);
    if (fail >= 0) {
      const f = this.failures.splice(fail, 1)[0] as (typeof this.failures)[number];
      return reply(res, f.status, {
        ok: false,
        error_code: f.status,
        description: f.description,
        ...(f.retryAfter !== undefined ? { parameters: { retry_after: f.retryAfter } } : {}),
      });
    }
    const hang = this.hangs.indexOf(method);
    if (hang >= 0) return void this.hangs.splice(hang, 1);
    if (this.conflict && method === "getUpdates") {
      this.conflictAnswers.push(Date.now());
      return reply(res, 409, CONFLICT);
    }
    return this.call(token, method, params, res);
  }

  private call(token: string, method: string, p: Record<string, unknown>, res: ServerResponse): void {
    const bot = this.bot(token);
    const ok = (result: unknown) => reply(res, 200, { ok: true, result });
    const bad = (description: string, code = 400) => reply(res, code, { ok: false, error_code: code, description });
    switch (method) {
      case "getMe":
        return ok({
          id: bot.id,
          is_bot: true,
          first_name: "holdfast test bot",
          username: bot.username,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case "getUpdates":
        return this.getUpdates(token, p, res);
      case "sendMessage":
        return this.sendMessage(token, p, ok, bad);
      case "sendChatAction": // chat_id + action ("typing"); recorded in `calls`
        return p.chat_id === undefined || typeof p.action !== "string"
          ? bad("Bad Request: chat_id is empty")
          : ok(true);
      case "setWebhook":
        this.webhooks.set(token, { url: String(p.url), ...(p.secret_token ? { secret: String(p.secret_token) } : {}) });
        return ok(true);
      case "deleteWebhook":
        this.webhooks.delete(token);
        return ok(true);
      case "getFile": {
        const f = this.files.get(String(p.file_id));
        if (!f) return bad("Bad Request: invalid file_id");
        return ok({
          file_id: p.file_id,
          file_unique_id: `u-${String(p.file_id)}`,
          file_size: f.bytes.length,
          file_path: f.path,
        });
      }
      default:
        return bad("Not Found: method not found", 404);
    }
  }

  private getUpdates(token: string, p: Record<string, unknown>, res: ServerResponse): void {
    if (this.refusePolls > 0) {
      this.refusePolls--;
      res.socket?.destroy();
      return;
    }
    if (this.webhooks.has(token))
      return reply(res, 409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    const older = this.waiters.get(token);
    if (older) {
      clearTimeout(older.timer);
      this.waiters.delete(token);
      reply(older.res, 409, CONFLICT);
    }
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(Number(p.limit ?? 100), 100);
    if (offset > 0)
      this.queues.set(
        token,
        (this.queues.get(token) ?? []).filter((u) => u.update_id >= offset),
      );
    const ready = (this.queues.get(token) ?? []).filter((u) => u.update_id >= offset);
    const timeoutSec = Number(p.timeout ?? 0);
    if (ready.length > 0 || timeoutSec <= 0) return reply(res, 200, { ok: true, result: ready.slice(0, limit) });
    const w: Waiter = { offset, limit, res, timer: setTimeout(() => this.answer(w, []), timeoutSec * 1000) };
    this.waiters.set(token, w);
    res.on("close", () => {
      if (this.waiters.get(token) === w) {
        clearTimeout(w.timer);
        this.waiters.delete(token);
      }
    });
  }

  private flushTo(token: string, w: Waiter): void {
    const ready = (this.queues.get(token) ?? []).filter((u) => u.update_id >= w.offset);
    if (ready.length === 0) return;
    this.waiters.delete(token);
    this.answer(w, ready.slice(0, w.limit));
  }

  private answer(w: Waiter, result: Update[]): void {
    clearTimeout(w.timer);
    for (const [t, x] of this.waiters) if (x === w) this.waiters.delete(t);
    if (!w.res.writableEnded) reply(w.res, 200, { ok: true, result });
  }

  private sendMessage(
    token: string,
    p: Record<string, unknown>,
    ok: (r: unknown) => void,
    bad: (d: string) => void,
  ): void {
    const text = String(p.text ?? "");
    if (text.trim() === "") return bad("Bad Request: message text is empty");
    if (text.length > 4096) return bad("Bad Request: message is too long");
    const rp = p.reply_parameters as { message_id?: number } | undefined;
    const replyTo = rp?.message_id ?? (p.reply_to_message_id !== undefined ? Number(p.reply_to_message_id) : undefined);
    const msg: SentMessage = {
      token,
      chatId: String(p.chat_id),
      text,
      messageId: this.nextMessageId++,
      ...(replyTo !== undefined ? { replyTo } : {}),
      ...(p.message_thread_id !== undefined ? { threadId: Number(p.message_thread_id) } : {}),
    };
    this.sent.push(msg);
    this.emit("sent", msg);
    const bot = this.bot(token);
    ok({
      message_id: msg.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(p.chat_id), type: Number(p.chat_id) < 0 ? "group" : "private" },
      from: { id: bot.id, is_bot: true, first_name: "Bot", username: bot.username },
      text,
    });
  }

  private download(token: string, filePath: string, res: ServerResponse): void {
    if (!this.bots.has(token)) return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const f = [...this.files.values()].find((x) => x.path === filePath);
    if (!f) return reply(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": f.bytes.length });
    res.end(f.bytes);
  }
}

/** Telegram's answer to a getUpdates while another one runs. */
const CONFLICT = {
  ok: false,
  error_code: 409,
  description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
};

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = (await readBody(req)).toString("utf8");
  if (body === "") return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(body) as Record<string, unknown>;
  if (type.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(body));
  return {};
}
